/**
 * The Store: etcd semantics behind one interface, implemented by sqlite/
 * (kine-style append-only log, the embedded default), etcd3/ (a real etcd via
 * the etcd3 client) and memory/ (unit tests). One conformance suite
 * (test/controlplane/storage/conformance.ts) runs unchanged against each.
 *
 * Revisions are store-global, strictly increasing integers, as in etcd: every
 * successful create/update/delete takes the next one. A key's modRevision is
 * the revision of its last write; createRevision the one that created it.
 * Only the apiserver touches a Store (ARCHITECTURE.md).
 */

export type Revision = number;

export interface KV {
  key: string;
  value: Uint8Array;
  createRevision: Revision;
  modRevision: Revision;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  type: WatchEventType;
  /** After a put: the new value. After a delete: the key with the value it had (prevKV). */
  kv: KV;
  /** The previous value of the key, when there was one (puts that update, and deletes). */
  prev?: KV;
  /** True when this put created the key (createRevision === modRevision). */
  created: boolean;
}

export interface ListOptions {
  /** At most this many items; 0 or undefined: all. */
  limit?: number;
  /** Opaque continue token from a previous list's `continue`: resumes after that key at that revision. */
  continueFrom?: string;
  /** List the state as of this revision (must not be compacted). 0 / undefined: current. */
  atRevision?: Revision;
}

export interface ListResult {
  items: KV[];
  /** The revision the list was served at. */
  revision: Revision;
  /** True when more items exist after the last one returned. */
  more: boolean;
  /** Token for the next page, set when `more`. Encodes the revision and the last key. */
  continue?: string;
  /** Items remaining after this page, when the backend knows it cheaply. */
  remaining?: number;
}

export type StoreErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'InvalidContinue'
  | 'Unavailable'
  | 'Closed';

/** Typed storage failure; the registry translates these to HTTP Status once. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    readonly key: string,
    message: string,
    /** For Conflict: the current state of the key, so callers can retry without a read. */
    readonly current?: KV,
    /** For Compacted: the compacted revision. */
    readonly compactedRevision?: Revision,
  ) {
    super(message);
  }
}

export interface Store {
  /** Creates key; throws StoreError('AlreadyExists') if it exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<Revision>;
  get(key: string): Promise<KV | undefined>;
  /** Keys with this prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys under prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /**
   * Compare-and-swap: writes only if the key's modRevision equals `expect`.
   * Throws StoreError('Conflict', current) otherwise, 'NotFound' when absent.
   */
  update(key: string, expect: Revision, value: Uint8Array): Promise<Revision>;
  /** Deletes key; with `expect`, only if modRevision matches (else Conflict). Throws NotFound. Returns the revision and the deleted KV. */
  delete(key: string, expect?: Revision): Promise<{ revision: Revision; prev: KV }>;
  /**
   * Events under prefix with revision > fromRevision (0: from now), in revision
   * order, until signal aborts. Throws StoreError('Compacted') when fromRevision
   * is older than the compaction point (410 Gone at the HTTP layer).
   */
  watch(prefix: string, fromRevision: Revision, signal: AbortSignal): AsyncIterable<WatchEvent>;
  /** Current revision of the store. */
  currentRevision(): Promise<Revision>;
  /** Forgets history at and below revision; later reads/watches there throw Compacted. */
  compact(revision: Revision): Promise<void>;
  /** Is the backend reachable (for /readyz). */
  check(): Promise<void>;
  close(): Promise<void>;
}
