/**
 * An instrumented work queue: the client's RateLimitingQueue for the
 * de-duplicating FIFO (dirty/processing sets, one worker per key), plus
 * upstream's workqueue metrics (adds, depth, queue and work durations,
 * retries).
 *
 * Delays (addAfter, addRateLimited) are kept here rather than in the inner
 * queue, so that a delayed key counts as added when its timer fires — as
 * upstream's delaying queue does — and queue_duration excludes the delay.
 * The rate limiter is the client's default controller limiter: per-key
 * exponential back-off max'ed with an overall token bucket.
 * `waiting` mirrors the inner dirty set: a key added while already waiting
 * is not a new add.
 */
import type { Clock } from '../../client/clock.js';
import { ItemExponentialBackoff, TokenBucket } from '../../client/ratelimit.js';
import type { WorkQueue } from '../../client/types.js';
import { RateLimitingQueue, type WorkQueueOptions } from '../../client/workqueue.js';
import type { ControllerManagerMetrics } from '../metrics.js';

export class InstrumentedQueue implements WorkQueue {
  // Immutable after construction.
  private readonly inner: RateLimitingQueue;
  private readonly clock: Clock;
  private readonly backoff: ItemExponentialBackoff;
  private readonly bucket: TokenBucket;
  // Owned by this queue (single-threaded).
  /** key → when it was added (while waiting to be handed to a worker). */
  private readonly waiting = new Map<string, number>();
  /** key → when a worker took it. */
  private readonly working = new Map<string, number>();
  /** key → pending delayed add (the earliest wins). */
  private readonly timers = new Map<string, { due: number; cancel: () => void }>();

  constructor(
    readonly name: string,
    private readonly metrics: ControllerManagerMetrics,
    clock: Clock,
    opts: WorkQueueOptions = {},
  ) {
    this.clock = clock;
    this.inner = new RateLimitingQueue({ clock, name });
    this.backoff = new ItemExponentialBackoff(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1_000_000);
    this.bucket = new TokenBucket(opts.qps ?? 10, opts.burst ?? 100, clock);
    metrics.trackDepth(name, () => this.inner.length);
  }

  get length(): number {
    return this.inner.length;
  }

  add(key: string): void {
    if (this.inner.isShuttingDown) return;
    if (!this.waiting.has(key)) {
      this.waiting.set(key, this.clock.now());
      this.metrics.adds.inc({ name: this.name });
    }
    this.inner.add(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.inner.isShuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.clock.now() + delayMs;
    const prev = this.timers.get(key);
    if (prev && prev.due <= due) return;
    prev?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { due, cancel });
  }

  addRateLimited(key: string): void {
    this.metrics.retries.inc({ name: this.name });
    this.addAfter(key, Math.max(this.backoff.when(key), this.bucket.reserve()));
  }

  forget(key: string): void {
    this.backoff.forget(key);
  }

  numRequeues(key: string): number {
    return this.backoff.numRequeues(key);
  }

  async get(): Promise<string | undefined> {
    const key = await this.inner.get();
    if (key === undefined) return undefined;
    const now = this.clock.now();
    const since = this.waiting.get(key);
    this.waiting.delete(key);
    if (since !== undefined) this.metrics.queueDuration.observe({ name: this.name }, (now - since) / 1000);
    this.working.set(key, now);
    return key;
  }

  done(key: string): void {
    const since = this.working.get(key);
    this.working.delete(key);
    if (since !== undefined) this.metrics.workDuration.observe({ name: this.name }, (this.clock.now() - since) / 1000);
    this.inner.done(key);
  }

  shutDown(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.inner.shutDown();
  }
}
