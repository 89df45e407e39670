/** Small measurement helpers shared by benches: timed operation runs and percentiles. */
export interface OpStats {
  /** Operations (or events) per second over the whole run. */
  rate: number;
  /** Per-operation latency in ms. */
  p50: number;
  p99: number;
  count: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latMs: Float64Array, count: number, elapsedMs: number): OpStats {
  const sorted = Float64Array.from(latMs.subarray(0, count)).sort();
  return { rate: (count / elapsedMs) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99), count };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs op(0..n-1) with `concurrency` in flight; returns throughput and latency. */
export async function timed(n: number, concurrency: number, op: (i: number) => Promise<unknown>, signal?: AbortSignal): Promise<OpStats> {
  const lat = new Float64Array(n);
  let next = 0;
  let done = 0;
  const t0 = nowMs();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (;;) {
        if (signal?.aborted) return;
        const i = next++;
        if (i >= n) return;
        const s = nowMs();
        await op(i);
        lat[i] = nowMs() - s;
        done++;
      }
    }),
  );
  return summarize(lat, done, nowMs() - t0);
}
