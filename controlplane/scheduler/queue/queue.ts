/**
 * The scheduling queue (upstream PriorityQueue), three parts:
 *
 * - active: pods ready to be tried, highest spec.priority first, then oldest;
 * - backoff: pods that failed and wait out a per-pod back-off, 1 s doubling
 *   to 10 s with each attempt, before they are tried again;
 * - unschedulable: pods that fit nowhere. Retrying them is pointless until
 *   the cluster changes, so they sit here until an event that may make room
 *   (node added or changed, pod deleted, assigned pod added for affinity)
 *   moves them out — to active, or to backoff if their back-off is not over —
 *   or until they have waited unschedulableTimeoutMs (a safety net for events
 *   nobody signalled).
 *
 * Cycles: a pod popped in cycle c that turns out unschedulable goes straight
 * to backoff instead of unschedulable if a move request arrived after c began:
 * the event it would wait for has already happened while it was being tried.
 *
 * A pod's own status writes (the PodScheduled condition) must not wake it,
 * or an unschedulable pod would spin: update() only moves a pod when its
 * metadata or spec changed.
 *
 * Single-threaded; run(signal) drives the timers, pop() waits for work.
 */
import { isDeepStrictEqual } from 'node:util';
import { realClock, type Clock } from '../../client/clock.js';
import { podKey, type RPod } from '../types.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPod {
  pod: RPod;
  readonly key: string;
  /** Scheduling attempts so far (counted at pop). */
  attempts: number;
  /** When the pod first entered the queue (for the e2e latency metric and FIFO order). */
  readonly initialTimestamp: number;
  /** When it was last added to a sub-queue. */
  timestamp: number;
  /** End of the current back-off (0 = none). */
  backoffUntil: number;
  /** Insertion order into active: breaks timestamp ties (a coarse clock would otherwise reorder equal pods). */
  seq: number;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  unschedulableTimeoutMs?: number;
}

export interface PendingCounts {
  active: number;
  backoff: number;
  unschedulable: number;
}

const priorityOf = (p: RPod) => p.spec?.priority ?? 0;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  // State; every method runs to completion (single thread), so no locks.
  private readonly active = new KeyedHeap<QueuedPod>(
    (q) => q.key,
    (a, b) => {
      const pa = priorityOf(a.pod);
      const pb = priorityOf(b.pod);
      return pa !== pb ? pa > pb : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
    },
  );
  private readonly backoff = new KeyedHeap<QueuedPod>(
    (q) => q.key,
    (a, b) => a.backoffUntil < b.backoffUntil,
  );
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Pods popped and not yet done (being scheduled or bound). */
  private readonly inFlight = new Map<string, QueuedPod>();
  private schedulingCycle = 0;
  private seq = 0;
  private moveRequestCycle = -1;
  private waiters: (() => void)[] = [];
  private wakeTimers?: () => void;
  private closed = false;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 60_000;
  }

  get pending(): PendingCounts {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** The current scheduling cycle: pop() starts a new one. */
  get cycle(): number {
    return this.schedulingCycle;
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key);
  }

  /** A new pending pod (or a re-add): into active unless it is already queued somewhere. */
  add(pod: RPod): void {
    const key = podKey(pod);
    if (this.has(key)) {
      this.update(undefined, pod);
      return;
    }
    const now = this.clock.now();
    this.pushActive({ pod, key, attempts: 0, initialTimestamp: now, timestamp: now, backoffUntil: 0, seq: 0 });
  }

  update(old: RPod | undefined, pod: RPod): void {
    const key = podKey(pod);
    const a = this.active.get(key);
    if (a) {
      a.pod = pod;
      this.active.push(a); // priority may have changed
      return;
    }
    const b = this.backoff.get(key);
    if (b) {
      b.pod = pod;
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      u.pod = pod;
      if (old === undefined || isPodUpdated(old, pod)) {
        this.unschedulable.delete(key);
        this.requeue(u);
      }
      return;
    }
    const f = this.inFlight.get(key);
    if (f) {
      f.pod = pod;
      return;
    }
    this.add(pod);
  }

  delete(pod: RPod): void {
    const key = podKey(pod);
    this.active.remove(key);
    this.backoff.remove(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule, waiting for one; undefined once closed or aborted. */
  async pop(signal?: AbortSignal): Promise<QueuedPod | undefined> {
    while (this.active.size === 0) {
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    const q = this.active.pop()!;
    q.attempts++;
    this.schedulingCycle++;
    this.inFlight.set(q.key, q);
    return q;
  }

  /** The pod popped as q is finished with (bound, or handed back through addUnschedulable/addBackoff). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A pod that fit nowhere, tried in cycle `podCycle` (the value of `cycle`
   * right after its pop). Ignored when the pod was deleted meanwhile or is queued again.
   */
  addUnschedulable(q: QueuedPod, podCycle: number): void {
    if (!this.inFlight.has(q.key) || this.has(q.key)) {
      this.inFlight.delete(q.key);
      return;
    }
    this.inFlight.delete(q.key);
    const now = this.clock.now();
    q.timestamp = now;
    q.backoffUntil = now + this.backoffDuration(q.attempts);
    if (this.moveRequestCycle >= podCycle) this.pushBackoff(q);
    else this.unschedulable.set(q.key, q);
  }

  /** A pod that failed for a reason other than fit (a bind error): retry after its back-off. */
  addBackoff(q: QueuedPod): void {
    if (!this.inFlight.has(q.key) || this.has(q.key)) {
      this.inFlight.delete(q.key);
      return;
    }
    this.inFlight.delete(q.key);
    const now = this.clock.now();
    q.timestamp = now;
    q.backoffUntil = now + this.backoffDuration(q.attempts);
    this.pushBackoff(q);
  }

  /** Back-off after n attempts: initial × 2^(n−1), capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  /** The cluster changed in a way that may make room: every unschedulable pod gets another try. */
  moveAllToActiveOrBackoff(): void {
    this.movePods(() => true);
  }

  /** Moves the unschedulable pods for which pred holds (e.g. those with affinity to a new pod's labels). */
  movePods(pred: (pod: RPod) => boolean): void {
    for (const [k, q] of this.unschedulable) {
      if (!pred(q.pod)) continue;
      this.unschedulable.delete(k);
      this.requeue(q);
    }
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Drives back-off expiry and the unschedulable timeout until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.flushBackoff();
      this.flushUnschedulableTimedOut();
      const next = this.backoff.peek();
      const wait = next ? Math.max(0, Math.min(1000, next.backoffUntil - this.clock.now())) : 1000;
      await new Promise<void>((resolve) => {
        const cancel = this.clock.setTimer(done, wait);
        const onAbort = () => done();
        function done() {
          cancel();
          signal.removeEventListener('abort', onAbort);
          resolve();
        }
        this.wakeTimers = done;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      this.wakeTimers = undefined;
    }
    this.close();
  }

  /** Wakes every pop() with undefined. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Moves pods whose back-off is over to active (exposed for tests with a fake clock). */
  flushBackoff(): void {
    const now = this.clock.now();
    for (let q = this.backoff.peek(); q && q.backoffUntil <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q);
    }
  }

  flushUnschedulableTimedOut(): void {
    const now = this.clock.now();
    for (const [k, q] of this.unschedulable) {
      if (now - q.timestamp < this.unschedulableTimeoutMs) continue;
      this.unschedulable.delete(k);
      this.requeue(q);
    }
  }

  private requeue(q: QueuedPod): void {
    if (q.backoffUntil > this.clock.now()) this.pushBackoff(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPod): void {
    q.timestamp = this.clock.now();
    q.seq = this.seq++;
    this.active.push(q);
    this.wake();
  }

  private pushBackoff(q: QueuedPod): void {
    this.backoff.push(q);
    // The timer loop may be sleeping past this pod's expiry: let it recompute.
    this.wakeTimers?.();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Did anything the scheduler decides on change? Status and resourceVersion changes don't count. */
export function isPodUpdated(old: RPod, pod: RPod): boolean {
  const strip = (p: RPod) => ({ labels: p.metadata.labels, annotations: p.metadata.annotations, deletion: p.metadata.deletionTimestamp, spec: p.spec });
  return !isDeepStrictEqual(strip(old), strip(pod));
}
