/**
 * In-memory Store with etcd semantics: the reference behaviour the conformance
 * suite pins down, and a fast Store for unit tests of the layers above.
 *
 * Model: a global revision counter; per key, the list of its versions
 * (ascending modRevision, tombstones included) so reads at an old revision are
 * exact; and an event log (one entry per revision) for watches. compact(rev)
 * drops log entries and superseded versions at or below rev. All methods are
 * synchronous under the hood (promises for the interface), so every operation
 * is atomic with respect to the others and watchers are notified in commit order.
 */
import { AsyncQueue } from '../internal/queue.js';
import { decodeContinue, encodeContinue, prefixEnd } from '../internal/keys.js';
import { StoreError, type KV, type ListOptions, type ListResult, type Revision, type Store, type WatchEvent } from '../types.js';

interface Version {
  /** undefined: a tombstone written at modRevision. */
  kv: KV | undefined;
  modRevision: Revision;
}

interface Watcher {
  prefix: string;
  /** Deliver only revisions above this (a watch may start in the future). */
  from: Revision;
  queue: AsyncQueue<WatchEvent>;
}

export interface MemoryStoreOptions {
  /** Max events queued per watcher before it is failed (must re-watch). */
  watchQueueLimit?: number;
}

export class MemoryStore implements Store {
  // guarded by: the JS thread; every method body runs to completion before another starts.
  private rev: Revision = 0;
  private compacted: Revision = 0;
  private readonly versions = new Map<string, Version[]>();
  private log: { revision: Revision; event: WatchEvent }[] = [];
  private readonly watchers = new Set<Watcher>();
  private closed = false;
  // immutable after construction
  private readonly watchQueueLimit: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.watchQueueLimit = opts.watchQueueLimit ?? 100_000;
  }

  private ensureOpen(key: string): void {
    if (this.closed) throw new StoreError('Closed', key, 'store is closed');
  }

  private latest(key: string): KV | undefined {
    const vs = this.versions.get(key);
    return vs ? vs[vs.length - 1].kv : undefined;
  }

  private at(key: string, rev: Revision): KV | undefined {
    const vs = this.versions.get(key);
    if (!vs) return undefined;
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i].modRevision <= rev) return vs[i].kv;
    return undefined;
  }

  /** Appends one revision and notifies watchers, in this order, synchronously. */
  private commit(key: string, kv: KV | undefined, event: WatchEvent): Revision {
    let vs = this.versions.get(key);
    if (!vs) this.versions.set(key, (vs = []));
    vs.push({ kv, modRevision: this.rev });
    this.log.push({ revision: this.rev, event });
    for (const w of this.watchers) if (this.rev > w.from && event.kv.key.startsWith(w.prefix)) w.queue.push(event);
    return this.rev;
  }

  async create(key: string, value: Uint8Array): Promise<Revision> {
    this.ensureOpen(key);
    if (this.latest(key)) throw new StoreError('AlreadyExists', key, `key ${key} already exists`);
    const rev = ++this.rev;
    const kv: KV = { key, value: copy(value), createRevision: rev, modRevision: rev };
    return this.commit(key, kv, { type: 'put', kv, created: true });
  }

  async get(key: string): Promise<KV | undefined> {
    this.ensureOpen(key);
    return this.latest(key);
  }

  async update(key: string, expect: Revision, value: Uint8Array): Promise<Revision> {
    this.ensureOpen(key);
    const cur = this.latest(key);
    if (!cur) throw new StoreError('NotFound', key, `key ${key} not found`);
    if (cur.modRevision !== expect) {
      throw new StoreError('Conflict', key, `key ${key} is at revision ${cur.modRevision}, not ${expect}`, cur);
    }
    const rev = ++this.rev;
    const kv: KV = { key, value: copy(value), createRevision: cur.createRevision, modRevision: rev };
    return this.commit(key, kv, { type: 'put', kv, prev: cur, created: false });
  }

  async delete(key: string, expect?: Revision): Promise<{ revision: Revision; prev: KV }> {
    this.ensureOpen(key);
    const cur = this.latest(key);
    if (!cur) throw new StoreError('NotFound', key, `key ${key} not found`);
    if (expect !== undefined && cur.modRevision !== expect) {
      throw new StoreError('Conflict', key, `key ${key} is at revision ${cur.modRevision}, not ${expect}`, cur);
    }
    const rev = ++this.rev;
    const kv: KV = { key, value: cur.value, createRevision: cur.createRevision, modRevision: rev };
    this.commit(key, undefined, { type: 'delete', kv, prev: cur, created: false });
    return { revision: rev, prev: cur };
  }

  private checkReadRevision(key: string, rev: Revision): void {
    if (rev > this.rev) throw new StoreError('FutureRevision', key, `revision ${rev} is newer than the store (${this.rev})`);
    if (rev < this.compacted) {
      throw new StoreError('Compacted', key, `revision ${rev} has been compacted (at ${this.compacted})`, undefined, this.compacted);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.ensureOpen(prefix);
    let revision = opts.atRevision && opts.atRevision > 0 ? opts.atRevision : this.rev;
    let start = prefix;
    if (opts.continueFrom) {
      const c = decodeContinue(prefix, opts.continueFrom);
      revision = c.revision;
      start = c.startKey;
    }
    this.checkReadRevision(prefix, revision);
    const end = prefixEnd(prefix);
    const keys = [...this.versions.keys()].filter((k) => k >= start && (end === '' || k < end)).sort(byteOrder);
    const all: KV[] = [];
    for (const k of keys) {
      const kv = this.at(k, revision);
      if (kv) all.push(kv);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : all.length;
    const items = all.slice(0, limit);
    const more = all.length > items.length;
    const res: ListResult = { items, revision, more };
    if (more) {
      res.continue = encodeContinue(prefix, revision, items[items.length - 1].key);
      res.remaining = all.length - items.length;
    }
    return res;
  }

  async count(prefix: string): Promise<number> {
    this.ensureOpen(prefix);
    let n = 0;
    for (const [k, vs] of this.versions) if (k.startsWith(prefix) && vs[vs.length - 1].kv) n++;
    return n;
  }

  watch(prefix: string, fromRevision: Revision, signal: AbortSignal): AsyncIterable<WatchEvent> {
    this.ensureOpen(prefix);
    const from = fromRevision > 0 ? fromRevision : this.rev;
    // Watching from before the compaction point would silently skip events.
    if (from < this.compacted) {
      throw new StoreError('Compacted', prefix, `revision ${from} has been compacted (at ${this.compacted})`, undefined, this.compacted);
    }
    const w: Watcher = {
      prefix,
      from,
      queue: new AsyncQueue<WatchEvent>(
        signal,
        this.watchQueueLimit,
        () => new StoreError('Unavailable', prefix, 'watcher fell too far behind; re-watch'),
        () => this.watchers.delete(w),
      ),
    };
    // Replay then subscribe in one synchronous step: no write can fall between.
    for (const e of this.log) if (e.revision > from && e.event.kv.key.startsWith(prefix)) w.queue.push(e.event);
    if (!w.queue.closed) this.watchers.add(w);
    return w.queue;
  }

  async currentRevision(): Promise<Revision> {
    this.ensureOpen('');
    return this.rev;
  }

  async compact(revision: Revision): Promise<void> {
    this.ensureOpen('');
    if (revision > this.rev) throw new StoreError('FutureRevision', '', `cannot compact at ${revision}: store is at ${this.rev}`);
    if (revision <= this.compacted) return;
    this.compacted = revision;
    this.log = this.log.filter((e) => e.revision > revision);
    for (const [k, vs] of this.versions) {
      // Keep the newest version at or below the compaction point (reads at exactly `revision` stay valid) unless it is a tombstone.
      let keepFrom = 0;
      for (let i = vs.length - 1; i >= 0; i--) {
        if (vs[i].modRevision <= revision) {
          keepFrom = vs[i].kv ? i : i + 1;
          break;
        }
      }
      const kept = vs.slice(keepFrom);
      if (kept.length === 0) this.versions.delete(k);
      else this.versions.set(k, kept);
    }
  }

  async check(): Promise<void> {
    this.ensureOpen('');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.watchers]) w.queue.fail(new StoreError('Closed', w.prefix, 'store is closed'));
    this.watchers.clear();
  }
}

function copy(v: Uint8Array): Uint8Array {
  return new Uint8Array(v);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
