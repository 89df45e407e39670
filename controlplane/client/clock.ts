/**
 * Time as an interface (STYLE.md rule 4), so back-off, leases and resyncs can
 * be unit-tested with testing/clock.ts FakeClock instead of real waiting.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn after ms; returns a canceller. */
  setTimer(fn: () => void, ms: number): () => void;
  /** Resolves after ms, or at once (without throwing) when signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
};

/** sleep() for any clock: resolves on the timer or on abort, whichever first. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      cancel();
      resolve();
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** ms × a random factor in [1, 1+maxFactor) (wait.Jitter). */
export function jitter(ms: number, maxFactor: number, rand: () => number = Math.random): number {
  return ms + ms * maxFactor * rand();
}
