/**
 * BoundedFrequencyRunner (upstream pkg/util/async, DATAPLANE.md §1.9): runs
 * one function — a proxier's sync — no more often than a minimum interval
 * and no less often than a maximum interval, retrying after failures.
 *
 * - requestRun() (upstream Run()) asks for a run and returns at once. Requests coalesce: a thousand
 *   endpoint events during one sync cost one more sync, not a thousand.
 * - A token bucket (rate 1/minInterval, burst `burst`, kube-proxy passes 2)
 *   decides whether a requested run may start now; when it may not, the loop
 *   sleeps until a token is due. minInterval 0 means no limit. As upstream,
 *   the interval is measured start to start (issue #138073).
 * - maxInterval: after every run the periodic timer is reset; when it fires
 *   the function runs even if nobody asked (the resync that repairs rules
 *   someone else flushed).
 * - A run that throws is retried after retryInterval (kube-proxy: the sync
 *   period) unless something asks earlier; retryAfter(d) keeps the earliest.
 *
 * Runs never overlap: run(signal) (upstream Loop()) awaits each one. The
 * clock is injected so tests drive time with FakeClock.
 */
import { realClock, type Clock } from '../../controlplane/client/clock.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';

export interface BoundedRunnerOptions {
  /** For log lines. */
  name: string;
  /** Minimum start-to-start gap in ms; 0 = none. */
  minIntervalMs: number;
  /** Maximum gap between runs in ms (periodic run); must be > 0. */
  maxIntervalMs: number;
  /** Runs allowed back to back before the minimum interval applies. Default 2. */
  burst?: number;
  /** Delay before retrying a failed run. Default maxIntervalMs. */
  retryIntervalMs?: number;
  clock?: Clock;
  log?: Logger;
}

/** A token bucket on an injected clock (flowcontrol's token bucket, reduced to what the runner needs). */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly intervalMs: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  private refill(now: number): void {
    if (this.intervalMs <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.intervalMs <= 0) return true;
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** ms until tryAccept can succeed. */
  untilNext(now: number): number {
    if (this.intervalMs <= 0) return 0;
    this.refill(now);
    return Math.max(0, Math.ceil((1 - this.tokens) * this.intervalMs));
  }
}

export class BoundedFrequencyRunner {
  // Immutable after construction.
  private readonly clock: Clock;
  private readonly retryIntervalMs: number;
  private readonly limiter: TokenBucket;
  // Owned by run(signal); requestRun()/retryAfter() only set flags and wake it.
  private pending = false;
  private retryDue: number | undefined;
  private wake: (() => void) | undefined;
  private looping = false;
  /** Completed runs, successful or not (for tests and logs). */
  runs = 0;

  constructor(
    private readonly fn: () => Promise<void>,
    private readonly opts: BoundedRunnerOptions,
  ) {
    const burst = opts.burst ?? 2;
    if (!(opts.minIntervalMs >= 0)) throw new RangeError(`${opts.name}: minInterval must be >= 0 (got ${opts.minIntervalMs})`);
    if (!(opts.maxIntervalMs > 0)) throw new RangeError(`${opts.name}: maxInterval must be > 0 (got ${opts.maxIntervalMs})`);
    if (opts.minIntervalMs > opts.maxIntervalMs) throw new RangeError(`${opts.name}: minInterval (${opts.minIntervalMs}ms) must be <= maxInterval (${opts.maxIntervalMs}ms)`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`${opts.name}: burst must be >= 1 (got ${burst})`);
    this.clock = opts.clock ?? realClock;
    this.retryIntervalMs = opts.retryIntervalMs ?? opts.maxIntervalMs;
    this.limiter = new TokenBucket(opts.minIntervalMs, burst, this.clock.now());
  }

  /** Requests a run as soon as the minimum interval allows. Never blocks. */
  requestRun(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Requests a run no later than ms from now; the earliest pending retry wins. */
  retryAfter(ms: number): void {
    const due = this.clock.now() + Math.max(0, ms);
    if (this.retryDue === undefined || due < this.retryDue) this.retryDue = due;
    this.wake?.();
  }

  /** The loop: runs fn as requested and bounded until signal aborts; resolves after the run in progress (if any) finished. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.looping) throw new Error(`${this.opts.name}: loop already running`);
    this.looping = true;
    let periodicDue = this.clock.now() + this.opts.maxIntervalMs;
    try {
      while (!signal.aborted) {
        const now = this.clock.now();
        if (now >= periodicDue) this.pending = true;
        if (this.retryDue !== undefined && now >= this.retryDue) {
          this.pending = true;
          this.retryDue = undefined;
        }
        let wakeAt = Math.min(periodicDue, this.retryDue ?? Infinity);
        if (this.pending) {
          if (this.limiter.tryAccept(now)) {
            this.pending = false;
            await this.runOnce();
            periodicDue = this.clock.now() + this.opts.maxIntervalMs;
            continue;
          }
          wakeAt = Math.min(wakeAt, now + this.limiter.untilNext(now));
        }
        await this.sleepUntil(wakeAt, signal);
      }
    } finally {
      this.looping = false;
    }
  }

  private async runOnce(): Promise<void> {
    try {
      await this.fn();
    } catch (e) {
      this.opts.log?.error(`${this.opts.name}: run failed; retrying`, { err: (e as Error).message, retryInMs: this.retryIntervalMs });
      this.retryAfter(this.retryIntervalMs);
    } finally {
      this.runs++;
    }
  }

  private sleepUntil(at: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let cancel: () => void = () => undefined;
      const done = () => {
        cancel();
        signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      if (Number.isFinite(at)) cancel = this.clock.setTimer(done, at - this.clock.now());
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}
