/**
 * kube-scheduler's Prometheus metrics, named as upstream's so dashboards and
 * alerts written for a stock scheduler keep working. One registry per
 * scheduler instance, so tests running several in one process don't collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class SchedulerMetrics {
  readonly registry = new Registry();
  readonly e2eDuration = new Histogram({
    name: 'scheduler_e2e_scheduling_duration_seconds',
    help: 'E2e scheduling latency in seconds (scheduling algorithm + binding).',
    labelNames: ['result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly algorithmDuration = new Histogram({
    name: 'scheduler_scheduling_algorithm_duration_seconds',
    help: 'Scheduling algorithm latency in seconds.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly bindingDuration = new Histogram({
    name: 'scheduler_binding_duration_seconds',
    help: 'Binding latency in seconds.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly podSchedulingDuration = new Histogram({
    name: 'scheduler_pod_scheduling_duration_seconds',
    help: 'E2e latency for a pod being scheduled, from entering the queue to bound; may include multiple attempts.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly pending = new Gauge({
    name: 'scheduler_pending_pods',
    help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly expiredAssumptions = new Counter({
    name: 'scheduler_cache_expired_assumed_pods_total',
    help: 'Assumed pods whose binding was never confirmed by the informer and that expired from the cache.',
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'] as const,
    registers: [this.registry],
  });

  constructor(processMetrics = false) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
