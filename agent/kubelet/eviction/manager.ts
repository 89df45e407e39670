/**
 * The eviction manager (upstream eviction_manager.go, v1.8): every
 * monitoring period it reads the stats summary, evaluates the thresholds
 * (decide.ts), keeps the MemoryPressure / DiskPressure conditions the node
 * status reports, and when a threshold is met past its grace period:
 *   1. records EvictionThresholdMet on the node;
 *   2. for disk, first reclaims node-level resources (dead containers, then
 *      unused images) and stops there if that resolved the pressure;
 *   3. ranks the active pods (rank.ts) and evicts the first one: phase
 *      Failed, reason Evicted, "The node was low on resource: <r>.", an
 *      Evicted event, containers killed with grace 0 for a hard threshold
 *      or --eviction-max-pod-grace-period for a soft one;
 *   4. waits (up to 30 s) for that pod's containers to stop before the
 *      next pass, so one pass evicts at most one pod.
 * Admission refuses BestEffort pods under memory pressure, and every pod
 * under disk pressure, with reason Evicted.
 */
import type { ObjectReference, Pod } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { EventRecorder } from '../../../controlplane/client/events.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { Admission } from '../container/security.js';
import { podQOSClass } from '../container/resources.js';
import type { SummaryProvider } from '../stats/provider.js';
import { evaluate, initialState, isSoftEviction, observationsFromSummary, starvedResources, thresholdsMet, type EvictionState } from './decide.js';
import type { ResourceMetrics } from './metrics.js';
import { rank } from './rank.js';
import { EVICTED_REASON, lowOnResourceMessage, SIGNAL_RESOURCE, type EvictionManager, type Observations, type PressureCondition, type Signal, type StarvedResource, type Threshold } from './types.js';

export const MONITORING_PERIOD_MS = 10_000;
export const POD_CLEANUP_TIMEOUT_MS = 30_000;
export const POD_CLEANUP_POLL_MS = 1000;

/** Node-level reclaim: what it freed (bytes; 0 when unknown). */
export interface NodeReclaimers {
  deleteAllUnusedContainers(): Promise<void>;
  deleteUnusedImages(): Promise<number>;
}

export interface EvictionManagerOptions {
  thresholds: readonly Threshold[];
  /** --eviction-pressure-transition-period */
  pressureTransitionPeriodMs: number;
  /** --eviction-max-pod-grace-period (soft evictions); negative: the pod's own. */
  maxPodGracePeriodSeconds: number;
  monitoringPeriodMs?: number;
  summary: SummaryProvider;
  /** Whether images live on another filesystem than --root-dir. */
  hasDedicatedImageFs(): Promise<boolean>;
  /** Pods that may be evicted: admitted, not finished, not already evicted. */
  activePods(): readonly DeepReadonly<Pod>[];
  /** Marks the pod evicted (status) and has it killed; grace undefined = the pod's own. */
  evictPod(pod: DeepReadonly<Pod>, status: { reason: string; message: string }, graceSeconds: number | undefined): void;
  /** Nothing of the pod runs any more. */
  podCleanedUp(uid: string): boolean;
  reclaim?: NodeReclaimers;
  recorder: EventRecorder;
  nodeRef: ObjectReference;
  metrics?: ResourceMetrics;
  /** Called when the reported conditions change (the node status is then refreshed). */
  onConditions?(conditions: readonly PressureCondition[]): void;
  clock?: Clock;
  log: Logger;
}

const CONDITION_EVENTS: Record<PressureCondition, [string, string]> = {
  MemoryPressure: ['NodeHasInsufficientMemory', 'NodeHasSufficientMemory'],
  DiskPressure: ['NodeHasDiskPressure', 'NodeHasNoDiskPressure'],
};

export class KubeletEvictionManager implements EvictionManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  // Guarded by nothing (single-threaded): the bookkeeping of the last pass.
  private state: EvictionState = initialState();
  private conditions: PressureCondition[] = [];
  private dedicatedImageFs?: boolean;

  constructor(private readonly o: EvictionManagerOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log;
  }

  isUnderMemoryPressure(): boolean {
    return this.conditions.includes('MemoryPressure');
  }

  isUnderDiskPressure(): boolean {
    return this.conditions.includes('DiskPressure');
  }

  admit(pod: DeepReadonly<Pod>): Admission {
    if (this.conditions.length === 0) return { admit: true };
    const onlyMemory = this.conditions.length === 1 && this.conditions[0] === 'MemoryPressure';
    if (onlyMemory && podQOSClass(pod) !== 'BestEffort') return { admit: true };
    this.log.info('failed to admit pod: the node has pressure conditions', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, conditions: this.conditions.join(',') });
    return { admit: false, reason: EVICTED_REASON, message: lowOnResourceMessage(`[${this.conditions.join(' ')}]`) };
  }

  /** One pass; resolves with the pod evicted, if any. */
  async synchronize(): Promise<DeepReadonly<Pod> | undefined> {
    const thresholds = this.o.thresholds;
    if (thresholds.length === 0) return undefined;
    if (this.dedicatedImageFs === undefined) this.dedicatedImageFs = await this.o.hasDedicatedImageFs();
    const active = this.o.activePods();
    let summary;
    try {
      summary = await this.o.summary.summary();
    } catch (e) {
      this.log.warn('eviction manager: cannot read stats', { err: (e as Error).message });
      return undefined;
    }
    const obs = observationsFromSummary(summary);
    const now = this.clock.now();
    const ev = evaluate(thresholds, this.state, obs, now, this.o.pressureTransitionPeriodMs);
    this.state = ev.state;
    this.setConditions(ev.conditions);

    const starved = starvedResources(ev.actionable);
    if (starved.length === 0) return undefined;
    const resource = starved[0];
    this.log.warn('eviction manager: attempting to reclaim', { resource });
    this.o.recorder.event(this.o.nodeRef, 'Warning', 'EvictionThresholdMet', `Attempting to reclaim ${resource}`);

    if (resource !== 'memory' && (await this.reclaimNodeLevel(resource, obs))) {
      this.log.info('eviction manager: able to reduce pressure without evicting pods', { resource });
      return undefined;
    }
    if (active.length === 0) {
      this.log.error('eviction manager: eviction thresholds have been met, but no pods are active to evict');
      return undefined;
    }
    const byUID = new Map(summary.pods.map((p) => [p.podRef.uid, p]));
    const ranked = rank(
      active.map((pod) => ({ pod, stats: byUID.get(pod.metadata.uid ?? '') })),
      resource,
      this.dedicatedImageFs,
    );
    this.log.info('eviction manager: pods ranked for eviction', { pods: ranked.map((c) => `${c.pod.metadata.namespace}/${c.pod.metadata.name}`).join(', ') });
    const victim = ranked[0].pod;
    const soft = isSoftEviction(ev.actionable, resource);
    let grace: number | undefined = 0;
    if (soft) grace = this.o.maxPodGracePeriodSeconds < 0 ? undefined : this.o.maxPodGracePeriodSeconds;
    const message = lowOnResourceMessage(resource);
    this.o.recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace: victim.metadata.namespace, name: victim.metadata.name, uid: victim.metadata.uid }, 'Warning', EVICTED_REASON, message);
    this.log.warn('eviction manager: evicting pod', { pod: `${victim.metadata.namespace}/${victim.metadata.name}`, resource, graceSeconds: grace ?? 'pod' });
    const signal = signalFor(ev.actionable, resource);
    this.o.metrics?.evictions.inc({ eviction_signal: signal });
    this.o.evictPod(victim, { reason: EVICTED_REASON, message }, grace);
    return victim;
  }

  /** Dead containers, then unused images; true when that satisfied every met threshold (with min reclaim). */
  private async reclaimNodeLevel(resource: StarvedResource, obs: Observations): Promise<boolean> {
    const r = this.o.reclaim;
    if (!r) return false;
    // With a dedicated imagefs, nodefs pressure has nothing node-level to reclaim (logs are not rotated here).
    if (this.dedicatedImageFs && (resource === 'nodefs' || resource === 'nodefsInodes')) return false;
    const signal = (Object.keys(SIGNAL_RESOURCE) as Signal[]).find((s) => SIGNAL_RESOURCE[s] === resource)!;
    const adjusted = new Map(obs);
    const steps: (() => Promise<number>)[] = [
      async () => {
        this.log.info('eviction manager: attempting to delete unused containers');
        await r.deleteAllUnusedContainers();
        return 0;
      },
      async () => {
        this.log.info('eviction manager: attempting to delete unused images');
        const freed = await r.deleteUnusedImages();
        return resource === 'imagefsInodes' || resource === 'nodefsInodes' ? 0 : freed;
      },
    ];
    for (const step of steps) {
      let freed = 0;
      try {
        freed = await step();
      } catch (e) {
        this.log.warn('eviction manager: node-level reclaim failed', { resource, err: (e as Error).message });
      }
      const o = adjusted.get(signal);
      if (o) adjusted.set(signal, { ...o, available: o.available + freed });
      if (thresholdsMet(this.state.thresholdsMet, adjusted, true).length === 0) return true;
    }
    return false;
  }

  private setConditions(next: PressureCondition[]): void {
    const prev = this.conditions;
    if (prev.length === next.length && prev.every((c, i) => c === next[i])) return;
    for (const c of ['MemoryPressure', 'DiskPressure'] as const) {
      const was = prev.includes(c);
      const is = next.includes(c);
      if (was === is) continue;
      const reason = CONDITION_EVENTS[c][is ? 0 : 1];
      this.o.recorder.event(this.o.nodeRef, 'Normal', reason, `Node ${this.o.nodeRef.name} status is now: ${reason}`);
      this.log.info('node condition changed', { condition: c, status: is });
    }
    this.conditions = next;
    this.o.onConditions?.(next);
  }

  private async waitForCleanup(uid: string, signal: AbortSignal): Promise<void> {
    const end = this.clock.now() + POD_CLEANUP_TIMEOUT_MS;
    while (!signal.aborted && this.clock.now() < end) {
      await this.clock.sleep(POD_CLEANUP_POLL_MS, signal);
      if (this.o.podCleanedUp(uid)) return;
    }
    if (!signal.aborted) this.log.warn('eviction manager: timed out waiting for the evicted pod to be cleaned up', { podUID: uid });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.o.thresholds.length === 0) return;
    const period = this.o.monitoringPeriodMs ?? MONITORING_PERIOD_MS;
    while (!signal.aborted) {
      let evicted: DeepReadonly<Pod> | undefined;
      try {
        evicted = await this.synchronize();
      } catch (e) {
        this.log.error('eviction manager: pass failed', { err: (e as Error).message });
      }
      if (evicted) await this.waitForCleanup(evicted.metadata.uid ?? '', signal);
      else await this.clock.sleep(period, signal);
    }
  }
}

function signalFor(thresholds: readonly Threshold[], resource: StarvedResource): Signal {
  return thresholds.find((t) => SIGNAL_RESOURCE[t.signal] === resource)?.signal ?? 'memory.available';
}
