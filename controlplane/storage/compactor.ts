/**
 * Periodic compaction for any Store, as the apiserver runs it
 * (--etcd-compaction-interval): every interval, compact at
 * current − minRetain, so the newest `minRetain` revisions are never touched
 * and watchers slightly behind can still resume. Backend-agnostic; the
 * backends make compact() itself cheap and batched.
 */
import type { Revision, Store } from './types.js';

export interface CompactorOptions {
  intervalMs: number;
  /** Revisions that are always kept. Default 1000 (kine's compactMinRetain). */
  minRetain?: number;
  onError?: (err: unknown) => void;
  onCompacted?: (revision: Revision) => void;
}

/** Runs until signal aborts; resolves then. Never throws: failures go to onError and are retried next interval. */
export async function runCompactor(store: Store, opts: CompactorOptions, signal: AbortSignal): Promise<void> {
  const retain = opts.minRetain ?? 1000;
  let last = 0;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, opts.intervalMs);
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    if (signal.aborted) return;
    try {
      const target = (await store.currentRevision()) - retain;
      if (target > last) {
        await store.compact(target);
        last = target;
        opts.onCompacted?.(target);
      }
    } catch (err) {
      opts.onError?.(err);
    }
  }
}
