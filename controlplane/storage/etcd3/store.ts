/**
 * Store over a real etcd (v3 API) through the etcd3 client.
 *
 * Every key is stored under `prefix` (--etcd-prefix, default /registry), so a
 * Store key '/pods/default/web' is the etcd key '/registry/pods/default/web'.
 * Writes are single transactions in the four shapes the apiserver needs (as
 * kine accepts them): create = if create_revision==0 then put; update = if
 * mod_revision==expect then put else get; delete = (if mod_revision==expect
 * then) delete with prev_kv else get. The raw KV client is used (not the
 * builders) so each call is exactly one RPC and the header revision is ours.
 *
 * Lists are served at one revision: the first page's revision is carried in
 * the continue token, so later pages see the same snapshot; etcd answers
 * "compacted" once that revision is gone → StoreError('Compacted') → 410.
 *
 * Failures: the client's pool retries recoverable errors three times and opens
 * a per-member circuit for 5 s after three failures (etcd3 defaults). Anything
 * that still fails surfaces as StoreError('Unavailable'); a write in that state
 * may or may not have been applied, exactly as with etcd's own clients.
 */
import fs from 'node:fs';
import { Etcd3, type IOptions, type IRangeResponse, type ITxnResponse } from 'etcd3';
import { decodeContinue, encodeContinue, prefixEndBytes } from '../internal/keys.js';
import { StoreError, type KV, type ListOptions, type ListResult, type Revision, type Store, type WatchEvent } from '../types.js';
import { KeyCodec, rev, toStoreError } from './convert.js';
import { watchEtcd } from './watch.js';

export interface Etcd3StoreOptions {
  /** Client URLs, e.g. ['http://127.0.0.1:2379'] (--etcd-servers). */
  endpoints: string[];
  /** Key prefix (--etcd-prefix). Default '/registry'. */
  prefix?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Per-request deadline (not for watch streams). Default 30 s. */
  requestTimeoutMs?: number;
  /** Connect timeout. Default 5 s. */
  dialTimeoutMs?: number;
  /** Max events queued per watcher before it is failed (must re-watch). Default 100000. */
  watchQueueLimit?: number;
  /** Watch connection state changes, once per change (for logs). */
  onWatchState?: (state: 'connected' | 'lost', detail: string) => void;
}

export class Etcd3Store implements Store {
  // immutable after construction
  readonly client: Etcd3;
  private readonly codec: KeyCodec;
  private readonly opts: Etcd3StoreOptions;
  // guarded by: the JS thread
  private closed = false;
  private readonly watches = new Set<AbortController>();

  constructor(opts: Etcd3StoreOptions) {
    if (opts.endpoints.length === 0) throw new StoreError('Unavailable', '', 'no etcd endpoints given');
    this.opts = opts;
    this.codec = new KeyCodec(opts.prefix ?? '/registry');
    const timeout = opts.requestTimeoutMs ?? 30_000;
    const options: IOptions = {
      hosts: opts.endpoints,
      dialTimeout: opts.dialTimeoutMs ?? 5000,
      grpcOptions: {
        // Detect a dead member under a long watch stream; etcd permits pings every 5 s by default.
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5000,
        // gRPC caps replies at 4 MiB; an unpaged list of 10k pods is larger (kube-apiserver lifts it to MaxInt32 too).
        'grpc.max_receive_message_length': 2 ** 31 - 1,
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    };
    if (opts.caFile || opts.certFile || opts.keyFile) {
      if (!opts.caFile) throw new StoreError('Unavailable', '', 'etcd TLS needs a CA file (--etcd-cafile)');
      options.credentials = {
        rootCertificate: fs.readFileSync(opts.caFile),
        ...(opts.keyFile ? { privateKey: fs.readFileSync(opts.keyFile) } : {}),
        ...(opts.certFile ? { certChain: fs.readFileSync(opts.certFile) } : {}),
      };
    }
    this.client = new Etcd3(options);
  }

  /** Runs one client call with errors translated; refuses after close(). */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('Closed', key, 'store is closed');
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, key);
    }
  }

  /** The current value from a txn's failure branch (a single request_range). */
  private failedRange(res: ITxnResponse): KV | undefined {
    const r = res.responses[0]?.response_range;
    return r && r.kvs.length > 0 ? this.codec.kv(r.kvs[0]) : undefined;
  }

  private mismatch(key: string, expect: Revision, cur: KV | undefined): StoreError {
    if (!cur) return new StoreError('NotFound', key, `key ${key} not found`);
    return new StoreError('Conflict', key, `key ${key} is at revision ${cur.modRevision}, not ${expect}`, cur);
  }

  async create(key: string, value: Uint8Array): Promise<Revision> {
    const k = this.codec.encode(key);
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      }),
    );
    if (!res.succeeded) throw new StoreError('AlreadyExists', key, `key ${key} already exists`);
    return rev(res.header.revision);
  }

  async get(key: string): Promise<KV | undefined> {
    const res = await this.call(key, () => this.client.kv.range({ key: this.codec.encode(key) }));
    return res.kvs.length > 0 ? this.codec.kv(res.kvs[0]) : undefined;
  }

  async update(key: string, expect: Revision, value: Uint8Array): Promise<Revision> {
    const k = this.codec.encode(key);
    // mod_revision==0 would match a missing key and create it: an update needs a real revision.
    if (!(expect > 0)) throw this.mismatch(key, expect, await this.get(key));
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expect }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.mismatch(key, expect, this.failedRange(res));
    return rev(res.header.revision);
  }

  async delete(key: string, expect?: Revision): Promise<{ revision: Revision; prev: KV }> {
    const k = this.codec.encode(key);
    if (expect === undefined) {
      const res = await this.call(key, () => this.client.kv.deleteRange({ key: k, prev_kv: true }));
      if (rev(res.deleted) === 0 || res.prev_kvs.length === 0) throw new StoreError('NotFound', key, `key ${key} not found`);
      return { revision: rev(res.header.revision), prev: this.codec.kv(res.prev_kvs[0]) };
    }
    if (!(expect > 0)) throw this.mismatch(key, expect, await this.get(key));
    const res = await this.call(key, () =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expect }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.mismatch(key, expect, this.failedRange(res));
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    return { revision: rev(res.header.revision), prev: this.codec.kv(prev) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let revision = opts.atRevision && opts.atRevision > 0 ? opts.atRevision : 0;
    let start = prefix;
    if (opts.continueFrom) {
      const c = decodeContinue(prefix, opts.continueFrom);
      revision = c.revision;
      start = c.startKey;
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const res: IRangeResponse = await this.call(prefix, () =>
      this.client.kv.range({
        key: this.codec.encode(start),
        range_end: prefixEndBytes(this.codec.encode(prefix)),
        limit,
        revision,
        // No sort options: a range is already in key order, and etcd ignores the limit for any sorted request
        // (it reads the whole range, sorts, then truncates), which made every page cost a full list.
      }),
    );
    // Unpinned lists are served at the header revision; pinned ones at the pin.
    const servedAt = revision > 0 ? revision : rev(res.header.revision);
    const items = res.kvs.map((kv) => this.codec.kv(kv));
    const out: ListResult = { items, revision: servedAt, more: res.more };
    if (res.more && items.length > 0) {
      out.continue = encodeContinue(prefix, servedAt, items[items.length - 1].key);
      out.remaining = rev(res.count) - items.length;
    }
    return out;
  }

  async count(prefix: string): Promise<number> {
    const p = this.codec.encode(prefix);
    const res = await this.call(prefix, () => this.client.kv.range({ key: p, range_end: prefixEndBytes(p), count_only: true }));
    return rev(res.count);
  }

  watch(prefix: string, fromRevision: Revision, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (this.closed) throw new StoreError('Closed', prefix, 'store is closed');
    const store = this;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort();
    this.watches.add(stop);
    // "From now" must be pinned to a revision first, or a reconnect could not resume without a gap.
    return {
      async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
        try {
          const from = fromRevision > 0 ? fromRevision : await store.currentRevision();
          const p = store.codec.encode(prefix);
          yield* watchEtcd({
            client: store.client,
            codec: store.codec,
            prefix,
            rangeEnd: prefixEndBytes(p),
            startRevision: from + 1,
            signal: stop.signal,
            queueLimit: store.opts.watchQueueLimit ?? 100_000,
            ...(store.opts.onWatchState ? { onState: store.opts.onWatchState } : {}),
          });
        } finally {
          signal.removeEventListener('abort', onAbort);
          store.watches.delete(stop);
        }
      },
    };
  }

  async currentRevision(): Promise<Revision> {
    // Any range answers with the store's current revision in its header; count_only keeps it cheap.
    const res = await this.call('', () => this.client.kv.range({ key: this.codec.encode('/'), count_only: true }));
    return rev(res.header.revision);
  }

  async compact(revision: Revision): Promise<void> {
    try {
      // physical: return once the compaction is applied, so reads right after see it.
      await this.call('', () => this.client.kv.compact({ revision, physical: true }));
    } catch (err) {
      // Compacting at or below the current compaction point is a no-op, as in the other backends.
      if (err instanceof StoreError && err.code === 'Compacted') return;
      throw err;
    }
  }

  async check(): Promise<void> {
    await this.currentRevision();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watches) w.abort();
    this.watches.clear();
    this.client.close();
  }
}
