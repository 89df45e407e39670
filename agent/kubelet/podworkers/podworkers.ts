/**
 * Pod workers (upstream pod_workers.go): one logical worker per pod UID,
 * running the kubelet's sync for that pod one at a time.
 *
 * - update(uid) never blocks: if the pod's sync is running, one more sync
 *   follows it (any number of updates collapse into one); if idle, a sync
 *   starts now.
 * - A sync returns `{done}` when the pod is gone for good (the worker is
 *   dropped), or `{requeueAfterMs}` to be synced again later (back-off
 *   expiry, waiting for the network); a throwing sync is logged and retried
 *   after `errorBackoffMs`.
 * - Different pods sync concurrently, at most `maxConcurrent` at a time (a
 *   node starting 30 pods at once should not hand Docker 30 creates at once).
 * - run(signal) owns every worker: aborting stops scheduling and awaits the
 *   syncs in flight.
 */
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';

export interface SyncResult {
  done?: boolean;
  requeueAfterMs?: number;
}

export type PodSyncFn = (uid: string, signal: AbortSignal) => Promise<SyncResult>;

export interface PodWorkersOptions {
  log: Logger;
  clock?: Clock;
  errorBackoffMs?: number;
  maxConcurrent?: number;
}

interface Worker {
  running: boolean;
  pending: boolean;
  /** When a timer fires, and its canceller. */
  timerAt?: number;
  cancelTimer?: () => void;
}

export class PodWorkers {
  // Guarded by nothing (single-threaded).
  private readonly workers = new Map<string, Worker>();
  private readonly inFlight = new Set<Promise<void>>();
  private slots: number;
  private readonly slotWaiters: (() => void)[] = [];
  private signal?: AbortSignal;
  // Immutable after construction.
  private readonly clock: Clock;
  private readonly errorBackoffMs: number;

  constructor(
    private readonly sync: PodSyncFn,
    private readonly o: PodWorkersOptions,
  ) {
    this.clock = o.clock ?? realClock;
    this.errorBackoffMs = o.errorBackoffMs ?? 10_000;
    this.slots = o.maxConcurrent ?? Number.POSITIVE_INFINITY;
  }

  /** UIDs with a worker (running, queued or waiting on a timer). */
  uids(): string[] {
    return [...this.workers.keys()];
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  /** Whether the pod's sync is running or about to. */
  busy(uid: string): boolean {
    const w = this.workers.get(uid);
    return w !== undefined && (w.running || w.pending);
  }

  update(uid: string): void {
    if (!this.signal || this.signal.aborted) {
      // Before run(): remember it; run() starts it.
      if (!this.workers.has(uid)) this.workers.set(uid, { running: false, pending: true });
      return;
    }
    let w = this.workers.get(uid);
    if (!w) this.workers.set(uid, (w = { running: false, pending: false }));
    w.pending = true;
    if (!w.running) this.start(uid, w);
  }

  /** Syncs uid again after ms (keeps the sooner of two requests). */
  updateAfter(uid: string, ms: number): void {
    const w = this.workers.get(uid);
    if (!w) return;
    const at = this.clock.now() + ms;
    if (w.timerAt !== undefined && w.timerAt <= at) return;
    w.cancelTimer?.();
    w.timerAt = at;
    w.cancelTimer = this.clock.setTimer(() => {
      w.timerAt = undefined;
      w.cancelTimer = undefined;
      this.update(uid);
    }, ms);
  }

  private start(uid: string, w: Worker): void {
    w.running = true;
    const p = this.loop(uid, w).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async acquire(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return;
    }
    await new Promise<void>((r) => this.slotWaiters.push(r));
  }

  private release(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.slots++;
  }

  private async loop(uid: string, w: Worker): Promise<void> {
    const signal = this.signal!;
    try {
      while (w.pending && !signal.aborted) {
        w.pending = false;
        let res: SyncResult;
        await this.acquire();
        try {
          res = await this.sync(uid, signal);
        } catch (e) {
          this.o.log.error('error syncing pod, skipping', { podUID: uid, err: e instanceof Error ? e.message : String(e) });
          res = { requeueAfterMs: this.errorBackoffMs };
        } finally {
          this.release();
        }
        if (res.done) {
          w.cancelTimer?.();
          // An update that raced with the final sync (the pod came back) keeps the worker.
          if (!w.pending) {
            this.workers.delete(uid);
            return;
          }
          continue;
        }
        if (res.requeueAfterMs !== undefined) this.updateAfter(uid, res.requeueAfterMs);
      }
    } finally {
      w.running = false;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    for (const [uid, w] of this.workers) if (w.pending && !w.running) this.start(uid, w);
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    for (const w of this.workers.values()) w.cancelTimer?.();
    for (const r of this.slotWaiters.splice(0)) r();
    await Promise.allSettled([...this.inFlight]);
  }
}
