/**
 * Node IPAM metrics, named as upstream's cidrset metrics
 * (node_ipam_controller_cidrset_*), labelled by cluster CIDR. Registered
 * on the manager's registry; a second controller instance (leadership
 * regained) reuses the ones already there.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export class NodeIpamMetrics {
  readonly allocations: Counter<'clusterCIDR'>;
  readonly releases: Counter<'clusterCIDR'>;
  readonly usage: Gauge<'clusterCIDR'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['clusterCIDR'] as const;
    this.allocations = reuse(registry, 'node_ipam_controller_cidrset_cidrs_allocations_total', () => new Counter({ name: 'node_ipam_controller_cidrset_cidrs_allocations_total', help: 'Counter measuring total number of CIDR allocations.', labelNames, registers }));
    this.releases = reuse(registry, 'node_ipam_controller_cidrset_cidrs_releases_total', () => new Counter({ name: 'node_ipam_controller_cidrset_cidrs_releases_total', help: 'Counter measuring total number of CIDR releases.', labelNames, registers }));
    this.usage = reuse(registry, 'node_ipam_controller_cidrset_usage_cidrs', () => new Gauge({ name: 'node_ipam_controller_cidrset_usage_cidrs', help: 'Gauge measuring percentage of allocated CIDRs.', labelNames, registers }));
  }
}
