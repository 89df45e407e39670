/**
 * slowStartBatch (controller_utils.go): issue `count` calls in batches of
 * 1, 2, 4, … (doubling), each batch concurrent, stopping after the first
 * batch with an error. A quota or admission failure then costs one request,
 * not five hundred, while a healthy burst still finishes in log2(n) rounds.
 * Returns how many calls succeeded and the first error seen.
 */
export async function slowStartBatch(count: number, initialBatch: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}

/** The first BurstReplicas upstream allows one sync to create or delete. */
export const BURST_REPLICAS = 500;
