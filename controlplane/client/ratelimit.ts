/**
 * Rate limiters shared by the REST client (--kube-api-qps/--kube-api-burst),
 * the work queue and the event recorder.
 *
 * TokenBucket follows golang.org/x/time/rate as client-go uses it: the bucket
 * starts full (burst tokens), refills at qps per second, and reserve() takes a
 * token now even when it must be waited for, returning how long — so callers
 * queue up fairly in arrival order without a waiter list.
 */
import { realClock, type Clock } from './clock.js';

export interface RateLimiter {
  /** Takes one token; resolves when it may be used (or at once on abort). */
  wait(signal?: AbortSignal): Promise<void>;
  /** Takes one token; returns ms until it may be used (0 = now). */
  reserve(): number;
  /** Takes a token only if one is available now. */
  tryAccept(): boolean;
}

export class TokenBucket implements RateLimiter {
  // Guarded by nothing: single-threaded; every method settles the refill first.
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1 (got qps=${qps}, burst=${burst})`);
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
  }

  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  tryAccept(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  async wait(signal?: AbortSignal): Promise<void> {
    const d = this.reserve();
    if (d > 0) await this.clock.sleep(d, signal);
  }
}

/** A limiter that never waits (qps <= 0 means "unlimited", as client-go's flowcontrol treats -1). */
export const unlimited: RateLimiter = {
  wait: () => Promise.resolve(),
  reserve: () => 0,
  tryAccept: () => true,
};

/** A token bucket, or unlimited when qps is not positive. */
export function tokenBucket(qps: number, burst: number, clock?: Clock): RateLimiter {
  return qps > 0 ? new TokenBucket(qps, Math.max(1, burst), clock) : unlimited;
}

/** Per-item exponential back-off: base·2^failures, capped (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialBackoff {
  private readonly failures = new Map<string, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}
  /** Records one more failure and returns the delay for it. */
  when(item: string): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long after the cap applies; min() keeps it finite.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  numRequeues(item: string): number {
    return this.failures.get(item) ?? 0;
  }
  forget(item: string): void {
    this.failures.delete(item);
  }
}
