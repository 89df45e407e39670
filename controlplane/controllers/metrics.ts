/**
 * kube-controller-manager's Prometheus metrics, named as upstream's
 * (k8s.io/component-base workqueue metrics and leader election), so
 * dashboards written for a stock controller manager keep working. One
 * registry per manager instance, so tests running several in one process
 * don't collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const DURATION_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

export class ControllerManagerMetrics {
  readonly registry = new Registry();
  /** name → () => current depth; read on every scrape. */
  private readonly depthOf = new Map<string, () => number>();
  readonly depth: Gauge<'name'>;
  readonly adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] as const, registers: [this.registry] });
  readonly retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] as const, registers: [this.registry] });
  readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });
  readonly running = new Gauge({
    name: 'running_managed_controllers',
    help: 'Indicates where instances of a controller are currently running',
    labelNames: ['name', 'manager'] as const,
    registers: [this.registry],
  });

  constructor(processMetrics = false) {
    const depthOf = this.depthOf;
    this.depth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'] as const,
      registers: [this.registry],
      collect() {
        for (const [name, fn] of depthOf) this.set({ name }, fn());
      },
    });
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Reports this queue's depth on every scrape. */
  trackDepth(name: string, depth: () => number): void {
    this.depthOf.set(name, depth);
  }
}
