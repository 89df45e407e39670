/**
 * The watch cache: one per resource, fed by ONE store watch, serving list and
 * watch from memory so that N watchers cost one store watch and lists cost no
 * store round trip (upstream's cacher; PERF-ANCHORS.md §3 "serve LISTs from
 * the watch cache").
 *
 * Design notes:
 * - State: every current key → KV, plus a ring of the last `capacity` events.
 *   Both change only in apply(), in revision order, on the one JS thread.
 * - A watch from revision R is served from memory when R is at or after the
 *   ring's start (replay the ring after R, then live events); older R falls
 *   back to a direct store watch, which answers Compacted (→ 410) when R is
 *   gone from the store too. So a small ring never causes a spurious 410.
 * - Lists with resourceVersion=0 ("any", what informers send) are served
 *   from memory; consistent lists (no resourceVersion) go to the store, as
 *   upstream did before 1.31: the Store has no progress notifications, so the
 *   cache cannot prove it has caught up with a revision of another resource.
 * - Live events are filtered by revision too: a watch from R (a revision the
 *   client got elsewhere) may start while the cache still lags behind R.
 * - Subscribers get events through an unbounded queue; one that falls more
 *   than `maxBacklog` behind is ended (its client re-watches from its last
 *   resourceVersion), so a slow client cannot hold memory hostage.
 * - If the store watch fails (etcd restart), the cache relists and resumes;
 *   subscribers whose position is lost get the error and re-watch.
 */
import { StoreError, type KV, type ListResult, type Revision, type Store, type WatchEvent } from '../../storage/types.js';

interface Subscriber {
  prefix: string;
  /** Deliver only events after this revision. */
  from: Revision;
  queue: WatchEvent[];
  wake: (() => void) | undefined;
  error: Error | undefined;
  closed: boolean;
}

export interface WatchCacheOptions {
  /** Events kept for resuming watches from memory (--watch-cache-size / --default-watch-cache-size). */
  capacity: number;
  /** A subscriber further behind than this is ended and must re-watch. */
  maxBacklog?: number;
}

export class WatchCache {
  // ---- guarded by the event loop; changed only by apply()/reset() ----
  private readonly state = new Map<string, KV>();
  private readonly ring: WatchEvent[] = [];
  /** The revision the cache reflects: every event up to it has been applied. */
  private revision: Revision = 0;
  private readonly subscribers = new Set<Subscriber>();
  private ready: Promise<void>;
  private markReady: () => void = () => undefined;

  // ---- immutable after construction ----
  private readonly maxBacklog: number;

  constructor(
    private readonly store: Store,
    /** The resource's key prefix, with a trailing slash: /pods/ */
    readonly prefix: string,
    private readonly opts: WatchCacheOptions,
  ) {
    this.maxBacklog = opts.maxBacklog ?? 10_000;
    this.ready = new Promise((r) => (this.markReady = r));
  }

  /** Keeps the cache in step with the store until signal aborts; relists after a failure, with back-off. */
  async run(signal: AbortSignal): Promise<void> {
    let delay = 200;
    while (!signal.aborted) {
      try {
        const listed = await this.store.list(this.prefix, {});
        this.reset(listed.items, listed.revision);
        this.markReady();
        delay = 200;
        for await (const ev of this.store.watch(this.prefix, listed.revision, signal)) this.apply(ev);
      } catch (e) {
        if (signal.aborted) break;
        // Subscribers cannot be resumed across a relist gap: end them, they re-watch.
        for (const s of this.subscribers) this.fail(s, e instanceof Error ? e : new Error(String(e)));
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
    for (const s of this.subscribers) this.close(s);
  }

  private reset(items: KV[], rev: Revision): void {
    this.state.clear();
    for (const kv of items) this.state.set(kv.key, kv);
    this.ring.length = 0;
    this.revision = rev;
  }

  private apply(ev: WatchEvent): void {
    if (ev.type === 'delete') this.state.delete(ev.kv.key);
    else this.state.set(ev.kv.key, ev.kv);
    this.ring.push(ev);
    if (this.ring.length > this.opts.capacity) this.ring.splice(0, this.ring.length - this.opts.capacity);
    this.revision = ev.kv.modRevision;
    for (const s of this.subscribers) {
      if (!ev.kv.key.startsWith(s.prefix) || ev.kv.modRevision <= s.from) continue;
      if (s.queue.length >= this.maxBacklog) {
        this.fail(s, new StoreError('Unavailable', s.prefix, 'watcher fell too far behind; re-watch from the last resourceVersion'));
        continue;
      }
      s.queue.push(ev);
      s.wake?.();
    }
  }

  /** Everything under prefix (within this cache's prefix), in key order, as of the cache's revision. */
  async list(prefix: string): Promise<ListResult> {
    await this.ready;
    const items: KV[] = [];
    for (const [k, kv] of this.state) if (k.startsWith(prefix)) items.push(kv);
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items, revision: this.revision, more: false };
  }

  /** Like Store.watch: events under prefix after `from` (0: from now). */
  async *watch(prefix: string, from: Revision, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    await this.ready;
    const oldest = this.ring.length ? this.ring[0].kv.modRevision - 1 : this.revision;
    if (from !== 0 && from < oldest) {
      // Older than memory: let the store answer (or say Compacted).
      yield* this.store.watch(prefix, from, signal);
      return;
    }
    const sub: Subscriber = { prefix, from: from === 0 ? this.revision : from, queue: [], wake: undefined, error: undefined, closed: false };
    // Replay and subscribe in the same tick, so no event falls between them.
    if (from !== 0) for (const ev of this.ring) if (ev.kv.modRevision > from && ev.kv.key.startsWith(prefix)) sub.queue.push(ev);
    this.subscribers.add(sub);
    const onAbort = () => this.close(sub);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (sub.queue.length) yield sub.queue.shift()!;
        if (sub.error) throw sub.error;
        if (sub.closed) return;
        await new Promise<void>((r) => (sub.wake = r));
        sub.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(sub);
    }
  }

  private fail(s: Subscriber, e: Error): void {
    s.error = e;
    this.subscribers.delete(s);
    s.wake?.();
  }
  private close(s: Subscriber): void {
    s.closed = true;
    this.subscribers.delete(s);
    s.wake?.();
  }

  /** For /metrics and tests. */
  get size(): number {
    return this.state.size;
  }
  get watchers(): number {
    return this.subscribers.size;
  }
}
