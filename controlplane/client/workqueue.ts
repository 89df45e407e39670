/**
 * The controller work queue (client-go workqueue: queue.go, delaying_queue.go,
 * rate_limiting_queue.go, default_rate_limiters.go) and the worker loop.
 *
 * Invariants (STYLE.md 1a)
 * - `dirty` holds keys waiting to be processed; `processing` those a worker
 *   holds. add() of a dirty key is a no-op; add() of a processing key only
 *   marks it dirty, and done() puts it back in the queue — so a key is never
 *   handed to two workers at once and bursts of events collapse into one sync.
 * - addAfter() keeps one pending timer per key (the earliest wins).
 * - addRateLimited() = addAfter(max(per-key 5 ms·2^n capped at 1000 s,
 *   overall token bucket 10 qps burst 100)), client-go's DefaultControllerRateLimiter.
 * - shutDown(): add() is ignored, waiting get()s return undefined once the
 *   queue is empty; drain() also waits for keys being processed.
 * Single-threaded JS: no locks; everything here is synchronous except get().
 */
import type { Logger } from '../machinery/log/index.js';
import { realClock, type Clock } from './clock.js';
import { ItemExponentialBackoff, TokenBucket } from './ratelimit.js';
import type { WorkQueue } from './types.js';

export interface WorkQueueOptions {
  clock?: Clock;
  /** Per-key back-off base and cap. Defaults 5 ms and 1000 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall bucket on re-adds. Defaults 10 qps, burst 100. */
  qps?: number;
  burst?: number;
  name?: string;
}

export class RateLimitingQueue implements WorkQueue {
  // FIFO of keys: an array with a moving head (amortised O(1) shift).
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** key → canceller and due time of its pending addAfter timer. */
  private readonly waiting = new Map<string, { due: number; cancel: () => void }>();
  private readonly getters: Array<(k: string | undefined) => void> = [];
  private readonly drainers: Array<() => void> = [];
  private shuttingDown = false;
  // Immutable after construction.
  private readonly clock: Clock;
  private readonly backoff: ItemExponentialBackoff;
  private readonly bucket: TokenBucket;
  readonly name: string;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.backoff = new ItemExponentialBackoff(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000);
    this.bucket = new TokenBucket(opts.qps ?? 10, opts.burst ?? 100, this.clock);
    this.name = opts.name ?? 'queue';
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  private push(key: string): void {
    const g = this.getters.shift();
    if (g) {
      // Hand it straight to a waiting worker.
      this.dirty.delete(key);
      this.processing.add(key);
      g(key);
      return;
    }
    this.queue.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.clock.now() + delayMs;
    const prev = this.waiting.get(key);
    if (prev && prev.due <= due) return;
    prev?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { due, cancel });
  }

  /** The delay addRateLimited would use now (and records the failure). */
  private when(key: string): number {
    return Math.max(this.backoff.when(key), this.bucket.reserve());
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.when(key));
  }

  forget(key: string): void {
    this.backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.backoff.numRequeues(key);
  }

  get(): Promise<string | undefined> {
    if (this.length > 0) {
      const key = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    else if (this.processing.size === 0) for (const d of this.drainers.splice(0)) d();
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.cancel();
    this.waiting.clear();
    // Workers blocked in get() see an empty queue: release them.
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /** shutDown() and wait until no key is being processed (ShutDownWithDrain). */
  async drain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((r) => this.drainers.push(r));
  }
}

/** A sync function: reconcile one key; throw to be retried with back-off. */
export type SyncFn = (key: string, signal: AbortSignal) => Promise<void>;

export interface RunWorkersOptions {
  log?: Logger;
  /** Give up on a key after this many retries (0 = never). The key is forgotten and logged. */
  maxRetries?: number;
}

/**
 * The controller loop with n workers (--concurrent-*-syncs): get → sync →
 * forget on success / addRateLimited on error → done. Returns when the signal
 * aborts (the queue is shut down) and every in-flight sync has finished.
 */
export async function runWorkers(queue: WorkQueue, n: number, sync: SyncFn, signal: AbortSignal, opts: RunWorkersOptions = {}): Promise<void> {
  const onAbort = () => queue.shutDown();
  if (signal.aborted) queue.shutDown();
  else signal.addEventListener('abort', onAbort, { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key, signal);
        queue.forget(key);
      } catch (e) {
        if (signal.aborted) {
          // Shutting down: the error is the abort's doing, not the key's.
        } else if (opts.maxRetries && queue.numRequeues(key) >= opts.maxRetries) {
          opts.log?.error('dropping key out of the queue after retries', { key, retries: queue.numRequeues(key), err: (e as Error).message });
          queue.forget(key);
        } else {
          opts.log?.v(2).info('sync failed; requeued with back-off', { key, err: (e as Error).message });
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

