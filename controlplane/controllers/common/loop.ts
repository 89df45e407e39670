/**
 * The one worker-loop shape every controller uses (STYLE.md 1a): wait until
 * the informers it reads have synced (a decision on a half-filled cache would
 * create pods that exist already), then n workers take keys off the queue and
 * call sync; errors are re-queued with per-key back-off by runWorkers.
 */
import { runWorkers, type SyncFn } from '../../client/workqueue.js';
import type { WorkQueue } from '../../client/types.js';
import type { Logger } from '../../machinery/log/index.js';

/** Anything that can say when its cache is filled (a SharedInformer). */
export interface Syncable {
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

export interface LoopOptions {
  name: string;
  informers: readonly Syncable[];
  queue: WorkQueue;
  workers: number;
  sync: SyncFn;
  log: Logger;
  /** Give up on a key after this many failed syncs (0 = never). */
  maxRetries?: number;
}

/** Resolves once every informer synced (true) or the signal aborted first (false). */
export async function waitForCaches(informers: readonly Syncable[], signal: AbortSignal): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForSync(signal)));
  return results.every(Boolean) && !signal.aborted;
}

/** Runs the controller loop until signal aborts; in-flight syncs finish first. */
export async function runLoop(o: LoopOptions, signal: AbortSignal): Promise<void> {
  o.log.info(`Starting ${o.name} controller`);
  if (!(await waitForCaches(o.informers, signal))) {
    o.queue.shutDown();
    return;
  }
  o.log.v(1).info(`Caches are synced for ${o.name} controller`, { workers: o.workers });
  await runWorkers(o.queue, o.workers, o.sync, signal, { log: o.log, maxRetries: o.maxRetries });
  o.log.info(`Shutting down ${o.name} controller`);
}
