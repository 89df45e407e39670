/**
 * Exponential back-off per key (client-go flowcontrol.Backoff), used for
 * crash loops (10 s doubling to 5 min) and image pulls.
 *
 * - next(key, eventAt): the first failure, or one more than 2×max after the
 *   last update, starts at `initial`; later ones double, capped at `max`.
 *   So a container that ran 10 minutes (2 × 5 min) before crashing again
 *   starts over at 10 s.
 * - isInBackOffSince(key, eventAt): whether less than the current delay
 *   has passed since eventAt (the container's finish time).
 * Time comes from the injected Clock; not async, no timers.
 */
import { realClock, type Clock } from '../../../controlplane/client/clock.js';

export const CRASH_BACKOFF_INITIAL_MS = 10_000;
export const CRASH_BACKOFF_MAX_MS = 300_000;
export const IMAGE_BACKOFF_INITIAL_MS = 10_000;
export const IMAGE_BACKOFF_MAX_MS = 300_000;

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  // Guarded by nothing: single-threaded callers.
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  private expired(eventAt: number, lastUpdate: number): boolean {
    return eventAt - lastUpdate > this.maxMs * 2;
  }

  /** The current delay for key (0 if none). */
  get(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  next(key: string, eventAt: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventAt, e.lastUpdate)) {
      this.entries.set(key, { delayMs: this.initialMs, lastUpdate: this.clock.now() });
      return;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
    e.lastUpdate = this.clock.now();
  }

  isInBackOffSince(key: string, eventAt: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.clock.now();
    if (this.expired(now, e.lastUpdate)) return false;
    return now - eventAt < e.delayMs;
  }

  /** Milliseconds until key leaves back-off for an event at eventAt (0 = not in back-off). */
  remaining(key: string, eventAt: number): number {
    if (!this.isInBackOffSince(key, eventAt)) return 0;
    return Math.max(0, eventAt + this.get(key) - this.clock.now());
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops entries idle for more than 2×max. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (this.expired(now, e.lastUpdate)) this.entries.delete(k);
  }
}

/** Go's time.Duration formatting for whole seconds: `10s`, `1m20s`, `5m0s`. */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
