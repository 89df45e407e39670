/**
 * Node lifecycle metrics, named as 1.8's node controller
 * (node_collector_*), labelled by zone ("" when nodes carry no zone
 * labels). A second controller instance (leadership regained) reuses the
 * ones already registered.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export class NodeLifecycleMetrics {
  readonly zoneHealth: Gauge<'zone'>;
  readonly zoneSize: Gauge<'zone'>;
  readonly unhealthyNodes: Gauge<'zone'>;
  readonly evictions: Counter<'zone'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['zone'] as const;
    this.zoneHealth = reuse(registry, 'node_collector_zone_health', () => new Gauge({ name: 'node_collector_zone_health', help: 'Gauge measuring percentage of healthy nodes per zone.', labelNames, registers }));
    this.zoneSize = reuse(registry, 'node_collector_zone_size', () => new Gauge({ name: 'node_collector_zone_size', help: 'Gauge measuring number of registered Nodes per zones.', labelNames, registers }));
    this.unhealthyNodes = reuse(registry, 'node_collector_unhealthy_nodes_in_zone', () => new Gauge({ name: 'node_collector_unhealthy_nodes_in_zone', help: 'Gauge measuring number of not Ready Nodes per zones.', labelNames, registers }));
    this.evictions = reuse(registry, 'node_collector_evictions_number', () => new Counter({ name: 'node_collector_evictions_number', help: 'Number of Node evictions that happened since current instance of NodeController started.', labelNames, registers }));
  }
}
