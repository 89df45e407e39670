/**
 * SharedInformer: list, then watch, into an indexed cache; handlers hear
 * about every change.
 *
 * Design notes (client-go reflector + shared_informer, kubernetes-client/js cache.ts)
 * - run(signal) lists every page, replaces the cache (emitting add/update/delete
 *   for the difference from what was cached before), marks the informer synced,
 *   then watches from the list's resourceVersion with bookmarks on.
 * - A watch that ends (server timeout, dropped connection) is re-opened from
 *   the last resourceVersion seen, events or bookmarks, without relisting.
 * - A 410 Gone (the store compacted past that revision) forgets the revision
 *   and relists; the diff against the cache turns into the events that were missed.
 * - Other failures (apiserver down) back off 800 ms → 30 s, as the reflector does,
 *   and are logged once per change of state, not per attempt.
 * - Periodic resync (resyncMs, randomised between 1× and 2× like
 *   --min-resync-period) re-delivers every cached object as onUpdate(obj, obj)
 *   so level-triggered controllers re-check the world.
 * - Handlers run synchronously in event order; they should only enqueue keys
 *   (STYLE.md rule 1). A throwing handler is logged and does not stop the informer.
 * - Cached objects are shared: they are handed out as DeepReadonly<T>.
 */
import type { Logger } from '../machinery/log/index.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { realClock, type Clock } from './clock.js';
import { isGone } from './errors.js';
import { Indexer, keyOf, type Indexers } from './indexer.js';
import type { ResourceClient, WatchEvent } from './interfaces.js';
import type { AddHandler, DeepReadonly, DeleteHandler, Informer, Lister, UpdateHandler } from './types.js';

/** What an informer lists and watches: a ResourceClient (or any fake with these two calls). */
export type ListerWatcher<T extends KubeObject> = Pick<ResourceClient<T>, 'listAll' | 'watch'>;

export interface InformerOptions<T extends KubeObject> {
  labelSelector?: string;
  fieldSelector?: string;
  /** Base resync period; 0 = never. The actual period is randomised in [1×, 2×). */
  resyncMs?: number;
  indexers?: Indexers<T>;
  /** List page size. Default 500 (client-go's pager). */
  pageSize?: number;
  clock?: Clock;
  log?: Logger;
  rand?: () => number;
  /** What the logs call this informer (e.g. `pods`). */
  name?: string;
}

const BACKOFF_INITIAL_MS = 800;
const BACKOFF_MAX_MS = 30_000;
/** Watches are re-opened every 5–10 minutes (minWatchTimeout), so a stale connection cannot linger. */
const WATCH_TIMEOUT_S = 300;

export class SharedInformer<T extends KubeObject> implements Informer<DeepReadonly<T>> {
  // Immutable after construction.
  private readonly store: Indexer<T>;
  private readonly clock: Clock;
  private readonly rand: () => number;
  private readonly log?: Logger;
  private readonly name: string;
  // Handlers: appended by on*(), read by every event.
  private readonly adds: AddHandler<DeepReadonly<T>>[] = [];
  private readonly updates: UpdateHandler<DeepReadonly<T>>[] = [];
  private readonly deletes: DeleteHandler<DeepReadonly<T>>[] = [];
  // State owned by run().
  private resourceVersion = '';
  private synced = false;
  private running = false;
  private readonly syncWaiters: Array<() => void> = [];
  /** The resync period actually used, fixed once: resyncMs × [1, 2). */
  readonly resyncPeriodMs: number;

  constructor(
    private readonly lw: ListerWatcher<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.store = new Indexer<T>(opts.indexers ?? {});
    this.clock = opts.clock ?? realClock;
    this.rand = opts.rand ?? Math.random;
    this.log = opts.log;
    this.name = opts.name ?? 'informer';
    const base = opts.resyncMs ?? 0;
    this.resyncPeriodMs = base > 0 ? base * (1 + this.rand()) : 0;
  }

  /** Cached objects; never calls the server. */
  get lister(): Lister<DeepReadonly<T>> {
    return this.store as unknown as Lister<DeepReadonly<T>>;
  }

  /** The cache itself, for adding indexers before run(). */
  get indexer(): Indexer<T> {
    return this.store;
  }

  /** The last resourceVersion seen (list, event or bookmark). */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  onAdd(h: AddHandler<DeepReadonly<T>>): void {
    this.adds.push(h);
    // A handler added late still hears about everything already cached (client-go AddEventHandler).
    if (this.synced) for (const o of this.store.list()) this.call(() => h(o as DeepReadonly<T>));
  }

  onUpdate(h: UpdateHandler<DeepReadonly<T>>): void {
    this.updates.push(h);
  }

  onDelete(h: DeleteHandler<DeepReadonly<T>>): void {
    this.deletes.push(h);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if signal aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`${this.name}: informer already running`);
    this.running = true;
    const stopResync = this.startResync(signal);
    let backoff = BACKOFF_INITIAL_MS;
    let failing = false;
    try {
      while (!signal.aborted) {
        try {
          await this.listAndWatch(signal, () => {
            backoff = BACKOFF_INITIAL_MS;
            if (failing) this.log?.info(`${this.name}: watch re-established`);
            failing = false;
          });
        } catch (e) {
          if (signal.aborted) break;
          if (!failing) this.log?.warn(`${this.name}: list/watch failed; retrying with back-off`, { err: (e as Error).message });
          else this.log?.v(4).info(`${this.name}: list/watch still failing`, { err: (e as Error).message });
          failing = true;
          await this.clock.sleep(backoff * (1 + 0.2 * this.rand()), signal);
          backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        }
      }
    } finally {
      stopResync();
      this.running = false;
    }
  }

  /** One list (when no revision is known) then watches until a 410, an error or abort. */
  private async listAndWatch(signal: AbortSignal, healthy: () => void): Promise<void> {
    if (this.resourceVersion === '') {
      const l = await this.lw.listAll({ labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, pageSize: this.opts.pageSize, signal });
      if (signal.aborted) return;
      this.replace(l.items);
      this.resourceVersion = l.resourceVersion;
      healthy();
      this.markSynced();
    }
    while (!signal.aborted) {
      const started = this.clock.now();
      let n = 0;
      try {
        const stream = this.lw.watch({
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(WATCH_TIMEOUT_S * (1 + this.rand())),
          signal,
        });
        for await (const ev of stream) {
          if (n++ === 0) healthy();
          this.handle(ev);
        }
      } catch (e) {
        if (isGone(e)) {
          this.log?.v(1).info(`${this.name}: watch revision ${this.resourceVersion} is too old; relisting`, { err: (e as Error).message });
          this.resourceVersion = '';
          return;
        }
        throw e;
      }
      // A watch that closes at once with nothing (server restarting) must not spin.
      if (n === 0 && this.clock.now() - started < 1000) await this.clock.sleep(BACKOFF_INITIAL_MS * (1 + this.rand()), signal);
    }
  }

  /** Applies one watch event to the cache and the handlers. Exported behaviour for tests via applyEvent(). */
  private handle(ev: WatchEvent<T>): void {
    const rv = ev.object.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    const key = keyOf(ev.object);
    if (ev.type === 'DELETED') {
      const old = this.store.delete(key);
      // The event's object is the final state; it is newer than the cached one.
      const last = ev.object ?? old;
      this.emitDelete(last);
    } else {
      const old = this.store.set(key, ev.object);
      if (old) this.emitUpdate(old, ev.object);
      else this.emitAdd(ev.object);
    }
    if (rv) this.resourceVersion = rv;
  }

  /** For unit tests and fakes: feed one event as if it came from the watch. */
  applyEvent(ev: WatchEvent<T>): void {
    this.handle(ev);
  }

  /**
   * Replaces the cache with a full list, emitting the difference: new objects
   * as adds, changed ones (by resourceVersion) as updates, vanished ones as
   * deletes carrying their last known state.
   */
  replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const o of items) {
      const key = keyOf(o);
      seen.add(key);
      const old = this.store.set(key, o);
      if (!old) this.emitAdd(o);
      else if (old.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.emitUpdate(old, o);
    }
    const gone: string[] = [];
    for (const k of this.store.keys()) if (!seen.has(k)) gone.push(k);
    for (const k of gone) this.emitDelete(this.store.delete(k)!);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private startResync(signal: AbortSignal): () => void {
    if (this.resyncPeriodMs <= 0) return () => undefined;
    let cancel: () => void = () => undefined;
    const tick = () => {
      if (signal.aborted) return;
      if (this.synced) for (const o of this.store.list()) this.emitUpdate(o, o);
      cancel = this.clock.setTimer(tick, this.resyncPeriodMs);
    };
    cancel = this.clock.setTimer(tick, this.resyncPeriodMs);
    return () => cancel();
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log?.error(`${this.name}: event handler threw`, { err: (e as Error).stack ?? String(e) });
    }
  }

  private emitAdd(o: T): void {
    const r = o as DeepReadonly<T>;
    for (const h of this.adds) this.call(() => h(r));
  }

  private emitUpdate(old: T, o: T): void {
    const a = old as DeepReadonly<T>;
    const b = o as DeepReadonly<T>;
    for (const h of this.updates) this.call(() => h(a, b));
  }

  private emitDelete(o: T): void {
    const r = o as DeepReadonly<T>;
    for (const h of this.deletes) this.call(() => h(r));
  }
}
