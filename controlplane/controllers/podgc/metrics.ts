/**
 * Pod GC metrics, named as upstream's (pod_gc_collector_*), labelled by
 * namespace and reason (terminated, orphaned, unscheduled-terminating). A
 * second controller instance (leadership regained) reuses the ones already
 * registered.
 */
import { Counter, type Registry } from 'prom-client';

function reuse<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export class PodGCMetrics {
  readonly deleted: Counter<'namespace' | 'reason'>;
  readonly errors: Counter<'namespace' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['namespace', 'reason'] as const;
    this.deleted = reuse(registry, 'pod_gc_collector_force_delete_pods_total', () => new Counter({ name: 'pod_gc_collector_force_delete_pods_total', help: 'Number of pods that are being forcefully deleted since the Pod GC Controller started.', labelNames, registers }));
    this.errors = reuse(registry, 'pod_gc_collector_force_delete_pod_errors_total', () => new Counter({ name: 'pod_gc_collector_force_delete_pod_errors_total', help: 'Number of errors encountered when forcefully deleting the pods since the Pod GC Controller started.', labelNames, registers }));
  }
}
