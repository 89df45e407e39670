/**
 * The client seam (STYLE.md rule 4): RestClient talks HTTP to a real API
 * server, testing/fake.ts FakeClient keeps objects in memory; controllers and
 * informers only see these interfaces.
 */
import type { ResourceInfo } from '../api/scheme.js';
import type { KubeList, KubeObject } from '../machinery/meta/types.js';
import type { ResourceRef } from './resources.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "0" = any (served from cache upstream); "" = most recent. */
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this revision; "" or "0" = from now (with synthetic ADDED for "0"/"" upstream semantics). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Aborting ends the iteration cleanly (no throw). */
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  subresource?: string;
  /** Server-side apply: take over conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  /** For BOOKMARK only metadata.resourceVersion is meaningful. */
  object: T;
}

/** One page or a full list: items plus the list's resourceVersion. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  /** Continue token of a paged list; undefined on the last page. */
  continue?: string;
}

/**
 * Operations on one resource, bound to a namespace (or all namespaces, or a
 * cluster-scoped resource when namespace is undefined). Objects returned are
 * fresh copies owned by the caller.
 */
export interface ResourceClient<T extends KubeObject> {
  readonly info: ResourceInfo;
  /** The bound namespace; undefined = all namespaces / cluster-scoped. */
  readonly namespace: string | undefined;
  get(name: string, opts?: { signal?: AbortSignal; resourceVersion?: string }): Promise<T>;
  /** One request (one page when opts.limit is set). */
  list(opts?: ListOptions): Promise<ListResult<T>>;
  /** Every page, following continue tokens (falling back to one full list if a token expires). */
  listAll(opts?: ListOptions & { pageSize?: number }): Promise<ListResult<T>>;
  /** Namespace: the bound one, else obj.metadata.namespace. */
  create(obj: T, opts?: WriteOptions): Promise<T>;
  update(obj: T, opts?: WriteOptions): Promise<T>;
  updateStatus(obj: T, opts?: WriteOptions): Promise<T>;
  patch(name: string, type: PatchType, patch: unknown, opts?: PatchOptions): Promise<T>;
  /** Returns the object when the server answers with it (graceful deletion, finalizers), else undefined. */
  delete(name: string, opts?: DeleteOptions): Promise<T | undefined>;
  deleteCollection(opts?: ListOptions & DeleteOptions): Promise<void>;
  /** GET name/sub (e.g. scale). */
  getSubresource<S>(name: string, sub: string, opts?: { signal?: AbortSignal }): Promise<S>;
  /** POST name/sub (binding, eviction); R is the answer's type. */
  createSubresource<B, R = unknown>(name: string, sub: string, body: B, opts?: WriteOptions): Promise<R>;
  /** PUT name/sub (scale, finalize). */
  updateSubresource<B, R = B>(name: string, sub: string, body: B, opts?: WriteOptions): Promise<R>;
  /** A stream of events; ERROR events throw StatusError (GoneError for 410). */
  watch(opts?: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

export interface Client {
  /** A client for one resource; throws if the scheme does not know it. */
  resource<T extends KubeObject>(r: ResourceRef<T>, namespace?: string): ResourceClient<T>;
}

export type { KubeList, KubeObject };
