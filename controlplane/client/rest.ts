/**
 * The REST client: typed CRUD, patch, subresources and watch for every
 * resource the scheme knows, over one Transport (keep-alive, TLS, token
 * bucket, retries). JSON on the wire.
 *
 * Watch streams are newline-delimited JSON events (the apiserver writes one
 * `{"type":…,"object":…}` per line). The iterator ends cleanly when the server
 * closes the stream (timeoutSeconds) or the connection drops, and when the
 * caller's signal aborts; an ERROR event throws its Status as StatusError,
 * GoneError for 410, so informers know to relist.
 */
import type { IncomingMessage } from 'node:http';
import { scheme as defaultScheme, type ResourceInfo, type Scheme } from '../api/scheme.js';
import type { Status } from '../machinery/errors.js';
import type { KubeList, KubeObject } from '../machinery/meta/types.js';
import { isGone, statusErrorFrom } from './errors.js';
import {
  PATCH_CONTENT_TYPE,
  type Client,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type PatchOptions,
  type PatchType,
  type ResourceClient,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from './interfaces.js';
import type { RestConfig } from './kubeconfig.js';
import { resourcePath } from './paths.js';
import { refString, type ResourceRef } from './resources.js';
import { Transport, type TransportOptions } from './transport.js';

export interface RestClientOptions extends TransportOptions {
  scheme?: Scheme;
}

/** Resolves a ref through the scheme; throws naming it when unknown. */
export function resolveRef(s: Scheme, r: ResourceRef<KubeObject>): ResourceInfo {
  const info = s.forResource(r.group, r.resource, r.version);
  if (!info) throw new TypeError(`the scheme does not know ${refString(r)}`);
  return info;
}

export class RestClient implements Client {
  readonly transport: Transport;
  private readonly scheme: Scheme;

  constructor(config: RestConfig, opts: RestClientOptions = {}) {
    this.scheme = opts.scheme ?? defaultScheme;
    this.transport = new Transport(config, opts);
  }

  resource<T extends KubeObject>(r: ResourceRef<T>, namespace?: string): ResourceClient<T> {
    return new RestResourceClient<T>(this.transport, resolveRef(this.scheme, r), namespace);
  }

  /** Frees sockets (keep-alive connections). Outstanding watches end. */
  close(): void {
    this.transport.close();
  }
}

function listQuery(o: ListOptions | WatchOptions | undefined, extra?: Record<string, string>): URLSearchParams {
  const q = new URLSearchParams();
  if (o?.labelSelector) q.set('labelSelector', o.labelSelector);
  if (o?.fieldSelector) q.set('fieldSelector', o.fieldSelector);
  if (o?.resourceVersion !== undefined && o.resourceVersion !== '') q.set('resourceVersion', o.resourceVersion);
  const lo = o as ListOptions | undefined;
  if (lo?.limit) q.set('limit', String(lo.limit));
  if (lo?.continue) q.set('continue', lo.continue);
  if (lo?.resourceVersionMatch) q.set('resourceVersionMatch', lo.resourceVersionMatch);
  for (const [k, v] of Object.entries(extra ?? {})) q.set(k, v);
  return q;
}

function writeQuery(o: WriteOptions | PatchOptions | undefined): URLSearchParams {
  const q = new URLSearchParams();
  if (o?.dryRun) q.set('dryRun', 'All');
  if (o?.fieldManager) q.set('fieldManager', o.fieldManager);
  if ((o as PatchOptions | undefined)?.force) q.set('force', 'true');
  return q;
}

function deleteBody(o: DeleteOptions | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const b: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o.gracePeriodSeconds !== undefined) b.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) b.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) b.preconditions = o.preconditions;
  if (o.dryRun) b.dryRun = ['All'];
  return Object.keys(b).length > 2 ? b : undefined;
}

export class RestResourceClient<T extends KubeObject> implements ResourceClient<T> {
  constructor(
    private readonly t: Transport,
    readonly info: ResourceInfo,
    readonly namespace: string | undefined,
  ) {}

  private nsFor(obj?: KubeObject): string | undefined {
    if (!this.info.namespaced) return undefined;
    const ns = this.namespace ?? obj?.metadata?.namespace;
    if (!ns) throw new TypeError(`${this.info.resource} is namespaced: bind the client to a namespace or set metadata.namespace`);
    return ns;
  }

  private objPath(name: string, sub?: string, obj?: KubeObject): string {
    return resourcePath(this.info, this.nsFor(obj), name, sub);
  }

  get(name: string, opts: { signal?: AbortSignal; resourceVersion?: string } = {}): Promise<T> {
    const q = new URLSearchParams();
    if (opts.resourceVersion) q.set('resourceVersion', opts.resourceVersion);
    return this.t.json<T>('GET', this.objPath(name), { query: q, signal: opts.signal });
  }

  async list(opts: ListOptions = {}): Promise<ListResult<T>> {
    const l = await this.t.json<KubeList<T>>('GET', resourcePath(this.info, this.namespace), { query: listQuery(opts), signal: opts.signal });
    const r: ListResult<T> = { items: l.items ?? [], resourceVersion: l.metadata?.resourceVersion ?? '' };
    if (l.metadata?.continue) r.continue = l.metadata.continue;
    return r;
  }

  async listAll(opts: ListOptions & { pageSize?: number } = {}): Promise<ListResult<T>> {
    const limit = opts.pageSize ?? 500;
    const items: T[] = [];
    let first: ListResult<T> | undefined;
    let cont: string | undefined;
    do {
      let page: ListResult<T>;
      try {
        page = await this.list({ ...opts, limit, continue: cont, resourceVersion: cont ? undefined : opts.resourceVersion });
      } catch (e) {
        // client-go's pager: an expired continue token falls back to one full list.
        if (cont && isGone(e)) return this.list({ ...opts, limit: undefined, continue: undefined });
        throw e;
      }
      first ??= page;
      for (const it of page.items) items.push(it);
      cont = page.continue;
    } while (cont);
    // Every page is served at the first page's revision, so that is the list's.
    return { items, resourceVersion: first.resourceVersion };
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.t.json<T>('POST', resourcePath(this.info, this.nsFor(obj)), { query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  private nameOf(obj: KubeObject): string {
    const n = obj.metadata?.name;
    if (!n) throw new TypeError(`${this.info.resource}: metadata.name is required`);
    return n;
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.t.json<T>('PUT', this.objPath(this.nameOf(obj), undefined, obj), { query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.t.json<T>('PUT', this.objPath(this.nameOf(obj), 'status', obj), { query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  patch(name: string, type: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.t.json<T>('PATCH', this.objPath(name, opts.subresource), {
      query: writeQuery(opts),
      body: typeof patch === 'string' ? patch : JSON.stringify(patch),
      contentType: PATCH_CONTENT_TYPE[type],
      signal: opts.signal,
    });
  }

  async delete(name: string, opts: DeleteOptions = {}): Promise<T | undefined> {
    const q = new URLSearchParams();
    if (opts.dryRun) q.set('dryRun', 'All');
    const r = await this.t.json<T | Status>('DELETE', this.objPath(name), { query: q, body: deleteBody(opts), signal: opts.signal });
    return (r as { kind?: string }).kind === 'Status' ? undefined : (r as T);
  }

  async deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<void> {
    const q = listQuery(opts);
    if (opts.dryRun) q.set('dryRun', 'All');
    await this.t.request('DELETE', resourcePath(this.info, this.namespace), { query: q, body: deleteBody(opts), signal: opts.signal });
  }

  getSubresource<S>(name: string, sub: string, opts: { signal?: AbortSignal } = {}): Promise<S> {
    return this.t.json<S>('GET', this.objPath(name, sub), { signal: opts.signal });
  }

  createSubresource<B, R = unknown>(name: string, sub: string, body: B, opts: WriteOptions = {}): Promise<R> {
    return this.t.json<R>('POST', this.objPath(name, sub, body as KubeObject), { query: writeQuery(opts), body, signal: opts.signal });
  }

  updateSubresource<B, R = B>(name: string, sub: string, body: B, opts: WriteOptions = {}): Promise<R> {
    return this.t.json<R>('PUT', this.objPath(name, sub, body as KubeObject), { query: writeQuery(opts), body, signal: opts.signal });
  }

  watch(opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const q = listQuery(opts, { watch: 'true' });
    if (opts.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
    if (opts.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(opts.timeoutSeconds));
    const path = resourcePath(this.info, this.namespace);
    const t = this.t;
    return {
      [Symbol.asyncIterator]: () => decodeWatch<T>(() => t.request('GET', path, { query: q, signal: opts.signal, stream: true }), opts.signal)[Symbol.asyncIterator](),
    };
  }
}

interface RawEvent {
  type: string;
  object: unknown;
}

/**
 * Newline-delimited watch events from a response stream. Ends cleanly on close,
 * reset or abort; throws on ERROR events and on undecodable lines.
 */
export async function* decodeWatch<T>(open: () => Promise<IncomingMessage>, signal?: AbortSignal): AsyncGenerator<WatchEvent<T>> {
  let res: IncomingMessage;
  try {
    res = await open();
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }
  res.setEncoding('utf8');
  let buf = '';
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      buf += chunk;
      // Scan with an offset and cut the buffer once per chunk: a chunk often
      // holds hundreds of events, and re-slicing per line would be quadratic.
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        const line = buf.slice(start, nl);
        start = nl + 1;
        if (line.trim() === '') continue;
        yield parseEvent<T>(line);
      }
      buf = start === 0 ? buf : buf.slice(start);
    }
    const rest = buf.trim();
    if (rest !== '') yield parseEvent<T>(rest);
  } catch (e) {
    // A dropped connection or an abort is the end of this watch, not an error:
    // the caller re-watches from the last resourceVersion it saw.
    if (signal?.aborted) return;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error).message === 'aborted') return;
    throw e;
  } finally {
    res.destroy();
  }
}

function parseEvent<T>(line: string): WatchEvent<T> {
  const ev = JSON.parse(line) as RawEvent;
  if (ev.type === 'ERROR') {
    const st = ev.object as Status;
    throw statusErrorFrom(typeof st?.code === 'number' ? st.code : 500, st);
  }
  if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED' && ev.type !== 'BOOKMARK') {
    throw new TypeError(`watch: unknown event type ${JSON.stringify(ev.type)}`);
  }
  return { type: ev.type, object: ev.object as T };
}
