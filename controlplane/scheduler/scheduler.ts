/**
 * The scheduling loop (upstream scheduleOne) and the informer handlers that
 * feed the queue and the cache.
 *
 * Design notes
 * - Handlers only update the cache and the queue; all decisions happen in run().
 * - One pod at a time: pop → algorithm (synchronous) → assume in the cache →
 *   start the bind POST without awaiting it → next pod. The assumption makes
 *   the next decision count this pod even while its bind is in flight, so
 *   scheduling throughput is not bounded by bind latency. Pending binds are
 *   awaited on shutdown.
 * - The loop yields to the event loop (setImmediate) every 10 ms of decisions,
 *   so bind answers and watch events are processed in between without paying
 *   an event-loop turn per pod, and waits when MAX_IN_FLIGHT_BINDS binds are
 *   outstanding.
 * - A pod that fits nowhere gets a FailedScheduling event and
 *   PodScheduled=False/Unschedulable (written only when the message changed,
 *   so retries don't churn the pod), then waits in the unschedulable queue.
 * - Pods whose spec.schedulerName is another scheduler's are never queued;
 *   their bound form still counts in the cache (they use node resources).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Binding, Pod, PodCondition } from '../api/core/v1/types.js';
import { realClock, type Clock } from '../client/clock.js';
import { isConflict, isNotFound } from '../client/errors.js';
import type { EventRecorder } from '../client/events.js';
import type { Client } from '../client/interfaces.js';
import { resources } from '../client/resources.js';
import type { Logger } from '../machinery/log/index.js';
import { formatRFC3339 } from '../machinery/meta/helpers.js';
import type { SchedulerCache } from './cache/cache.js';
import type { Algorithm } from './framework/algorithm.js';
import { hasPodAffinity } from './framework/nodeinfo.js';
import type { ClusterView } from './framework/types.js';
import type { SchedulerMetrics } from './metrics.js';
import type { QueuedPod, SchedulingQueue } from './queue/queue.js';
import { podKey, type RNode, type RPod } from './types.js';
import { isDeepStrictEqual } from 'node:util';

export interface SchedulerDeps {
  client: Client;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  algorithm: Algorithm;
  cluster: ClusterView;
  recorder: EventRecorder;
  metrics: SchedulerMetrics;
  log: Logger;
  schedulerName: string;
  clock?: Clock;
  observer?: SchedulingObserver;
}

/** Sees each outcome as it happens (benches measure per-pod latency with it; metrics cover production). */
export interface SchedulingObserver {
  /** A pod's bind succeeded: ms spent in the algorithm, and from the attempt's start to the bind's answer. */
  bound?(key: string, node: string, algorithmMs: number, attemptMs: number): void;
  unschedulable?(key: string, message: string): void;
}

const YIELD_EVERY_MS = 10;
/**
 * Binds in flight before the loop waits for one to answer. Enough for the API
 * server to commit binds in batches; few enough that a decision is never made
 * long before its bind can be sent (which would only turn throughput into latency).
 */
const MAX_IN_FLIGHT_BINDS = 16;

const isTerminal = (p: RPod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isAssigned = (p: RPod) => Boolean(p.spec?.nodeName);

export class Scheduler {
  private readonly clock: Clock;
  /** Binds in flight, awaited on shutdown. */
  private readonly binds = new Set<Promise<void>>();
  private scheduled = 0;

  constructor(private readonly d: SchedulerDeps) {
    this.clock = d.clock ?? realClock;
  }

  /** Pods bound by this scheduler so far. */
  get scheduledCount(): number {
    return this.scheduled;
  }

  responsibleFor(pod: RPod): boolean {
    return (pod.spec?.schedulerName || 'default-scheduler') === this.d.schedulerName;
  }

  // ---- informer handlers (cheap: cache and queue only) -----------------------

  onPodAdd = (pod: RPod): void => {
    if (isTerminal(pod)) return;
    if (isAssigned(pod)) {
      this.d.queue.delete(pod);
      this.d.cache.addPod(pod);
      // A new pod may satisfy a waiting pod's affinity.
      this.d.queue.movePods(hasPodAffinity);
      return;
    }
    if (this.responsibleFor(pod) && !pod.metadata.deletionTimestamp) this.d.queue.add(pod);
  };

  onPodUpdate = (old: RPod, pod: RPod): void => {
    if (isTerminal(pod)) {
      this.onPodDelete(pod);
      return;
    }
    if (isAssigned(pod)) {
      this.d.queue.delete(pod);
      this.d.cache.updatePod(pod);
      if (!isAssigned(old) || !isDeepStrictEqual(old.metadata.labels, pod.metadata.labels)) this.d.queue.movePods(hasPodAffinity);
      return;
    }
    if (!this.responsibleFor(pod)) return;
    if (pod.metadata.deletionTimestamp) this.d.queue.delete(pod);
    else this.d.queue.update(old, pod);
  };

  onPodDelete = (pod: RPod): void => {
    this.d.queue.delete(pod);
    const wasCounted = this.d.cache.hasPod(podKey(pod));
    this.d.cache.removePod(pod);
    // Freed resources, ports or anti-affinity domains may let waiting pods in.
    if (wasCounted) this.d.queue.moveAllToActiveOrBackoff();
  };

  onNodeAdd = (node: RNode): void => {
    this.d.cache.addNode(node);
    this.d.queue.moveAllToActiveOrBackoff();
  };

  onNodeUpdate = (old: RNode, node: RNode): void => {
    this.d.cache.updateNode(node);
    // Heartbeats change only timestamps: don't wake every waiting pod for those.
    if (nodeSchedulingPropertiesChanged(old, node)) this.d.queue.moveAllToActiveOrBackoff();
  };

  onNodeDelete = (node: RNode): void => {
    this.d.cache.removeNode(node);
  };

  /** PVs, PVCs, Services and controllers changing may turn a failing filter or score around. */
  onClusterChange = (): void => {
    this.d.queue.moveAllToActiveOrBackoff();
  };

  // ---- the loop ---------------------------------------------------------------

  async run(signal: AbortSignal): Promise<void> {
    const { queue, log } = this.d;
    log.info('scheduler loop started', { schedulerName: this.d.schedulerName });
    let lastYield = this.clock.now();
    while (!signal.aborted) {
      const q = await queue.pop(signal);
      if (!q) break;
      const cycle = queue.cycle;
      try {
        this.scheduleOne(q, cycle);
      } catch (e) {
        // A bug in a plugin must not stop the scheduler: count it and retry the pod later.
        this.d.metrics.attempts.inc({ result: 'error' });
        log.error('error scheduling pod', { pod: q.key, err: (e as Error).stack ?? String(e) });
        queue.addBackoff(q);
      }
      this.updatePendingGauge();
      // Yield to I/O (bind answers, watch events, /healthz) at least every YIELD_EVERY_MS,
      // not after every pod: a burst of decisions then sends a burst of binds, which the
      // API server commits together instead of one by one.
      if (this.binds.size >= MAX_IN_FLIGHT_BINDS) {
        await Promise.race(this.binds);
        lastYield = this.clock.now();
        continue;
      }
      const now = this.clock.now();
      if (now - lastYield >= YIELD_EVERY_MS || queue.pending.active === 0) {
        await yieldToEventLoop();
        lastYield = this.clock.now();
      }
    }
    await Promise.allSettled([...this.binds]);
    log.info('scheduler loop stopped');
  }

  private updatePendingGauge(): void {
    const p = this.d.queue.pending;
    this.d.metrics.pending.set({ queue: 'active' }, p.active);
    this.d.metrics.pending.set({ queue: 'backoff' }, p.backoff);
    this.d.metrics.pending.set({ queue: 'unschedulable' }, p.unschedulable);
  }

  /** Decides for one pod and starts its bind; synchronous up to the bind POST. */
  scheduleOne(q: QueuedPod, cycle: number): void {
    const { cache, queue, algorithm, cluster, metrics } = this.d;
    const pod = q.pod;
    if (pod.metadata.deletionTimestamp || isAssigned(pod) || cache.hasPod(q.key)) {
      queue.done(q.key);
      return;
    }
    const start = this.clock.now();
    const result = algorithm.schedule(pod, cluster);
    const algorithmMs = this.clock.now() - start;
    metrics.algorithmDuration.observe(algorithmMs / 1000);
    if (result.kind === 'unschedulable') {
      metrics.attempts.inc({ result: 'unschedulable' });
      metrics.e2eDuration.observe({ result: 'unschedulable' }, (this.clock.now() - start) / 1000);
      this.d.log.v(2).info('unable to schedule pod; waiting', { pod: q.key, message: result.message });
      this.d.observer?.unschedulable?.(q.key, result.message);
      this.recordUnschedulable(pod, result.message);
      queue.addUnschedulable(q, cycle);
      return;
    }
    const assumed: RPod = { ...pod, spec: { ...pod.spec!, nodeName: result.node } };
    cache.assumePod(assumed);
    this.track(this.bind(q, assumed, result.node, start, algorithmMs));
  }

  private async bind(q: QueuedPod, assumed: RPod, node: string, start: number, algorithmMs: number): Promise<void> {
    const { cache, queue, metrics, recorder, log } = this.d;
    const ns = assumed.metadata.namespace ?? 'default';
    const name = assumed.metadata.name ?? '';
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace: ns, uid: assumed.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    const bindStart = this.clock.now();
    try {
      await this.d.client.resource(resources.pods, ns).createSubresource(name, 'binding', binding);
    } catch (e) {
      cache.forgetPod(assumed);
      if (isNotFound(e) || isConflict(e)) {
        // Deleted, or bound by someone else meanwhile: the informer will tell the cache; nothing to retry.
        queue.done(q.key);
        log.v(2).info('pod gone or already bound; dropping', { pod: q.key, err: (e as Error).message });
        return;
      }
      metrics.attempts.inc({ result: 'error' });
      log.warn('binding rejected', { pod: q.key, node, err: (e as Error).message });
      recorder.event(podRef(assumed), 'Warning', 'FailedScheduling', `Binding rejected: ${(e as Error).message}`);
      queue.addBackoff(q);
      return;
    }
    const now = this.clock.now();
    cache.finishBinding(assumed);
    queue.done(q.key);
    this.scheduled++;
    metrics.bindingDuration.observe((now - bindStart) / 1000);
    metrics.e2eDuration.observe({ result: 'scheduled' }, (now - start) / 1000);
    metrics.podSchedulingDuration.observe((now - q.initialTimestamp) / 1000);
    metrics.attempts.inc({ result: 'scheduled' });
    this.d.observer?.bound?.(q.key, node, algorithmMs, now - start);
    recorder.event(podRef(assumed), 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
    log.v(3).info('pod bound', { pod: q.key, node });
  }

  private recordUnschedulable(pod: RPod, message: string): void {
    this.d.recorder.event(podRef(pod), 'Warning', 'FailedScheduling', message);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current && current.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : formatRFC3339(new Date(this.clock.now())),
      reason: 'Unschedulable',
      message,
    };
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const p = this.d.client
      .resource(resources.pods, ns)
      .patch(name, 'strategic', { status: { conditions: [cond] } }, { subresource: 'status' })
      .then(
        () => undefined,
        (e: unknown) => {
          if (!isNotFound(e)) this.d.log.warn('failed to update pod condition', { pod: `${ns}/${name}`, err: (e as Error).message });
        },
      );
    this.track(p);
  }

  /** Keeps a background write in `binds` until it settles; a throw is logged, never left unhandled. */
  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((e: unknown) => this.d.log.error('background write failed', { err: (e as Error).stack ?? String(e) }))
      .finally(() => this.binds.delete(tracked));
    this.binds.add(tracked);
  }
}

function podRef(pod: RPod): Pod {
  // The recorder only reads kind/apiVersion/metadata; informer objects may lack kind.
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...pod.metadata } as Pod['metadata'] } as Pod;
}

/** Changes a node's fitness can depend on (upstream nodeSchedulingPropertiesChange). */
export function nodeSchedulingPropertiesChanged(old: RNode, node: RNode): boolean {
  if (old.spec?.unschedulable !== node.spec?.unschedulable) return true;
  if (!isDeepStrictEqual(old.metadata.labels, node.metadata.labels)) return true;
  if (!isDeepStrictEqual(old.spec?.taints, node.spec?.taints)) return true;
  if (!isDeepStrictEqual(old.status?.allocatable, node.status?.allocatable)) return true;
  const conds = (n: RNode) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).join(',');
  return conds(old) !== conds(node);
}
