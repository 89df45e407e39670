/**
 * FakeClient: an in-memory Client for controllers' unit tests (client-go's
 * fake.NewSimpleClientset + testing.ObjectTracker).
 *
 * - Objects live per resource; every write bumps one global resourceVersion,
 *   sets uid/creationTimestamp on create, honours generateName, and rejects
 *   stale updates (Conflict) and duplicate creates (AlreadyExists) with the
 *   same StatusErrors the server sends.
 * - Every call is recorded in `actions` ({verb, resource, namespace, name,
 *   subresource, object}) so tests can assert what a sync wrote.
 * - Reactors run first: prependReactor('create', 'pods', a => ({ err })) makes
 *   creates fail, as client-go's PrependReactor does.
 * - watch() replays history after the given resourceVersion and then streams
 *   live events; compact(rv) makes older revisions answer GoneError, so the
 *   informer's relist path can be tested without a server.
 * - Patches: merge and strategic are applied as JSON merge patch (enough for
 *   the fields controllers patch); json patch supports add/replace/remove/test.
 */
import { scheme as defaultScheme, type ResourceInfo, type Scheme } from '../../api/scheme.js';
import { apiErrors, StatusError } from '../../machinery/errors.js';
import { parseFieldSelector } from '../../machinery/fields.js';
import { parseSelector } from '../../machinery/labels.js';
import { formatRFC3339, newUID } from '../../machinery/meta/helpers.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { GoneError } from '../errors.js';
import { keyOf } from '../indexer.js';
import type {
  Client,
  DeleteOptions,
  ListOptions,
  ListResult,
  PatchOptions,
  PatchType,
  ResourceClient,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from '../interfaces.js';
import { resolveRef } from '../rest.js';
import type { ResourceRef } from '../resources.js';

export interface Action {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'watch';
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  object?: unknown;
}

/** A reactor's answer: handled with a return value or an error; undefined = not handled. */
export type Reaction = { ret?: unknown; err?: Error } | undefined;
export type Reactor = (a: Action) => Reaction;

interface HistoryEntry {
  rv: number;
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KubeObject;
}

interface Watcher {
  resource: string;
  namespace?: string;
  push(h: HistoryEntry): void;
}

const clone = <T>(v: T): T => structuredClone(v);

export class FakeClient implements Client {
  readonly actions: Action[] = [];
  private readonly reactors: Array<{ verb: string; resource: string; fn: Reactor }> = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 0;
  private compacted = 0;
  readonly scheme: Scheme;

  constructor(opts: { scheme?: Scheme } = {}) {
    this.scheme = opts.scheme ?? defaultScheme;
  }

  resource<T extends KubeObject>(r: ResourceRef<T>, namespace?: string): ResourceClient<T> {
    return new FakeResourceClient<T>(this, resolveRef(this.scheme, r), namespace);
  }

  /** Seeds objects without recording actions. */
  seed<T extends KubeObject>(r: ResourceRef<T>, ...objs: T[]): void {
    const info = resolveRef(this.scheme, r);
    for (const o of objs) this.store(info, clone(o), 'ADDED');
  }

  /** Reactors added later run first. verb/resource may be '*'. */
  prependReactor(verb: string, resource: string, fn: Reactor): void {
    this.reactors.unshift({ verb, resource, fn });
  }

  /** Drops history at or below rv: watches from there answer 410. */
  compact(rv = this.rv): void {
    this.compacted = rv;
    while (this.history.length && this.history[0].rv <= rv) this.history.shift();
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Forgets recorded actions. */
  clearActions(): void {
    this.actions.length = 0;
  }

  // ---- used by FakeResourceClient ----

  react(a: Action): Reaction {
    this.actions.push(a);
    for (const r of this.reactors) {
      if ((r.verb === '*' || r.verb === a.verb) && (r.resource === '*' || r.resource === a.resource)) {
        const out = r.fn(a);
        if (out) return out;
      }
    }
    return undefined;
  }

  bucket(info: ResourceInfo): Map<string, KubeObject> {
    const k = `${info.group}/${info.resource}`;
    let m = this.objects.get(k);
    if (!m) this.objects.set(k, (m = new Map()));
    return m;
  }

  store(info: ResourceInfo, obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): KubeObject {
    const rv = ++this.rv;
    obj.metadata = { ...obj.metadata, resourceVersion: String(rv) };
    if (type !== 'DELETED' && !obj.metadata.uid) obj.metadata.uid = newUID();
    if (type !== 'DELETED' && !obj.metadata.creationTimestamp) obj.metadata.creationTimestamp = formatRFC3339(new Date());
    if (!obj.apiVersion) obj.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    if (!obj.kind) obj.kind = info.kind;
    const b = this.bucket(info);
    if (type === 'DELETED') b.delete(keyOf(obj));
    else b.set(keyOf(obj), obj);
    const h: HistoryEntry = { rv, resource: `${info.group}/${info.resource}`, type, obj: clone(obj) };
    this.history.push(h);
    for (const w of this.watchers) w.push(h);
    return obj;
  }

  subscribe(info: ResourceInfo, namespace: string | undefined, fromRV: number, push: (h: HistoryEntry) => void): () => void {
    if (fromRV > 0 && fromRV < this.compacted) throw new GoneError(`too old resource version: ${fromRV} (${this.compacted})`);
    const resource = `${info.group}/${info.resource}`;
    const match = (h: HistoryEntry) => h.resource === resource && (!namespace || h.obj.metadata?.namespace === namespace);
    if (fromRV > 0) for (const h of this.history) if (h.rv > fromRV && match(h)) push(h);
    const w: Watcher = { resource, namespace, push: (h) => match(h) && push(h) };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

function matcher(o: { labelSelector?: string; fieldSelector?: string }): (obj: KubeObject) => boolean {
  const ls = o.labelSelector ? parseSelector(o.labelSelector) : undefined;
  const fs = o.fieldSelector ? parseFieldSelector(o.fieldSelector) : undefined;
  return (obj) => {
    if (ls && !ls.matches(obj.metadata?.labels)) return false;
    if (fs) {
      const fields: Record<string, string> = {};
      for (const r of fs.requirements()) fields[r.field] = fieldValue(obj, r.field);
      if (!fs.matches(fields)) return false;
    }
    return true;
  };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
}

function jsonPatch(doc: unknown, ops: JsonPatchOp[]): unknown {
  const root = clone(doc) as Record<string, unknown>;
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw apiErrors.badRequest(`invalid json patch path ${op.path}`);
    let parent: Record<string, unknown> | unknown[] = root;
    for (const p of parts) {
      const next: unknown = Array.isArray(parent) ? parent[Number(p)] : parent[p];
      if (next === null || typeof next !== 'object') throw apiErrors.badRequest(`json patch: path ${op.path} does not exist`);
      parent = next as Record<string, unknown>;
    }
    const arr = Array.isArray(parent) ? parent : undefined;
    const rec = parent as Record<string, unknown>;
    switch (op.op) {
      case 'add':
        if (arr) arr.splice(last === '-' ? arr.length : Number(last), 0, op.value);
        else rec[last] = op.value;
        break;
      case 'replace':
        if (arr) arr[Number(last)] = op.value;
        else rec[last] = op.value;
        break;
      case 'remove':
        if (arr) arr.splice(Number(last), 1);
        else delete rec[last];
        break;
      case 'test':
        if (JSON.stringify(arr ? arr[Number(last)] : rec[last]) !== JSON.stringify(op.value)) throw new StatusError(422, 'Invalid', `json patch test failed at ${op.path}`);
        break;
      default:
        throw apiErrors.badRequest(`json patch: unsupported op ${op.op}`);
    }
  }
  return root;
}

class FakeResourceClient<T extends KubeObject> implements ResourceClient<T> {
  constructor(
    private readonly c: FakeClient,
    readonly info: ResourceInfo,
    readonly namespace: string | undefined,
  ) {}

  private ns(obj?: KubeObject): string | undefined {
    if (!this.info.namespaced) return undefined;
    const ns = this.namespace ?? obj?.metadata?.namespace;
    if (!ns) throw new TypeError(`${this.info.resource} is namespaced: bind the client to a namespace or set metadata.namespace`);
    return ns;
  }

  private key(name: string, obj?: KubeObject): string {
    const ns = this.ns(obj);
    return ns ? `${ns}/${name}` : name;
  }

  private react<R>(a: Action, run: () => R): R {
    const r = this.c.react(a);
    if (r) {
      if (r.err) throw r.err;
      return r.ret as R;
    }
    return run();
  }

  private notFound(name: string): StatusError {
    return apiErrors.notFound(this.info.group, this.info.resource, name);
  }

  async get(name: string): Promise<T> {
    return this.react({ verb: 'get', resource: this.info.resource, namespace: this.namespace, name }, () => {
      const o = this.c.bucket(this.info).get(this.key(name));
      if (!o) throw this.notFound(name);
      return clone(o) as T;
    });
  }

  async list(opts: ListOptions = {}): Promise<ListResult<T>> {
    return this.react({ verb: 'list', resource: this.info.resource, namespace: this.namespace }, () => {
      const m = matcher(opts);
      const items = [...this.c.bucket(this.info).values()].filter((o) => (!this.namespace || o.metadata?.namespace === this.namespace) && m(o));
      return { items: items.map((o) => clone(o) as T), resourceVersion: String(this.c.resourceVersion) };
    });
  }

  listAll(opts: ListOptions = {}): Promise<ListResult<T>> {
    return this.list(opts);
  }

  async create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const o = clone(obj);
    const ns = this.ns(o);
    o.metadata = { ...o.metadata };
    if (ns) o.metadata.namespace = ns;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7);
    return this.react({ verb: 'create', resource: this.info.resource, namespace: ns, name: o.metadata.name, object: clone(o) }, () => {
      const name = o.metadata!.name;
      if (!name) throw apiErrors.invalid(this.info.group, this.info.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
      if (this.c.bucket(this.info).has(this.key(name, o))) throw apiErrors.alreadyExists(this.info.group, this.info.resource, name);
      if (opts.dryRun) return o;
      return clone(this.c.store(this.info, o, 'ADDED')) as T;
    });
  }

  private put(obj: T, sub: string | undefined, opts: WriteOptions): T {
    const o = clone(obj);
    const name = o.metadata?.name ?? '';
    const cur = this.c.bucket(this.info).get(this.key(name, o));
    if (!cur) throw this.notFound(name);
    const want = o.metadata?.resourceVersion;
    if (want && want !== cur.metadata?.resourceVersion) {
      throw apiErrors.conflict(this.info.group, this.info.resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    let next: KubeObject = o;
    // Status writes change only status; main-resource writes keep status (as the strategies do).
    const rec = (x: KubeObject) => x as unknown as Record<string, unknown>;
    if (sub === 'status') next = { ...clone(cur), ...({ status: rec(o).status } as object) } as KubeObject;
    else if (this.info.subresources.some((s) => s.name === 'status') && rec(cur).status !== undefined) next = { ...o, ...({ status: clone(rec(cur).status) } as object) } as KubeObject;
    next.metadata = { ...cur.metadata, ...next.metadata, uid: cur.metadata?.uid, creationTimestamp: cur.metadata?.creationTimestamp };
    if (opts.dryRun) return next as T;
    return clone(this.c.store(this.info, next, 'MODIFIED')) as T;
  }

  async update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.react({ verb: 'update', resource: this.info.resource, namespace: this.ns(obj), name: obj.metadata?.name, object: clone(obj) }, () => this.put(obj, undefined, opts));
  }

  async updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.react({ verb: 'update', resource: this.info.resource, subresource: 'status', namespace: this.ns(obj), name: obj.metadata?.name, object: clone(obj) }, () =>
      this.put(obj, 'status', opts),
    );
  }

  async patch(name: string, type: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    const body = typeof patch === 'string' ? (JSON.parse(patch) as unknown) : patch;
    return this.react({ verb: 'patch', resource: this.info.resource, subresource: opts.subresource, namespace: this.namespace, name, object: body }, () => {
      const cur = this.c.bucket(this.info).get(this.key(name));
      if (!cur) throw this.notFound(name);
      const next = (type === 'json' ? jsonPatch(cur, body as JsonPatchOp[]) : mergePatch(cur, body)) as T;
      next.metadata = { ...next.metadata, resourceVersion: cur.metadata?.resourceVersion };
      return this.put(next, opts.subresource === 'status' ? 'status' : undefined, opts);
    });
  }

  async delete(name: string, opts: DeleteOptions = {}): Promise<T | undefined> {
    return this.react({ verb: 'delete', resource: this.info.resource, namespace: this.namespace, name }, () => {
      const cur = this.c.bucket(this.info).get(this.key(name));
      if (!cur) throw this.notFound(name);
      if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata?.uid) {
        throw apiErrors.conflict(this.info.group, this.info.resource, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata?.uid ?? ''}`);
      }
      if (opts.dryRun) return undefined;
      this.c.store(this.info, clone(cur), 'DELETED');
      return undefined;
    });
  }

  async deleteCollection(opts: ListOptions & DeleteOptions = {}): Promise<void> {
    const { items } = await this.list(opts);
    this.c.react({ verb: 'deletecollection', resource: this.info.resource, namespace: this.namespace });
    for (const o of items) this.c.store(this.info, clone(o), 'DELETED');
  }

  async getSubresource<S>(name: string, sub: string): Promise<S> {
    return this.react({ verb: 'get', resource: this.info.resource, subresource: sub, namespace: this.namespace, name }, () => {
      const cur = this.c.bucket(this.info).get(this.key(name));
      if (!cur) throw this.notFound(name);
      return clone(cur) as unknown as S;
    });
  }

  async createSubresource<B, R = unknown>(name: string, sub: string, body: B): Promise<R> {
    return this.react({ verb: 'create', resource: this.info.resource, subresource: sub, namespace: this.namespace, name, object: clone(body) }, () => {
      const cur = this.c.bucket(this.info).get(this.key(name));
      if (!cur) throw this.notFound(name);
      if (sub === 'binding') {
        // pods/binding sets spec.nodeName, as the registry does.
        const target = (body as { target?: { name?: string } }).target?.name;
        const next = clone(cur) as KubeObject & { spec?: Record<string, unknown> };
        next.spec = { ...next.spec, nodeName: target };
        this.c.store(this.info, next, 'MODIFIED');
      } else if (sub === 'eviction') {
        this.c.store(this.info, clone(cur), 'DELETED');
      }
      return { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201, metadata: {} } as unknown as R;
    });
  }

  async updateSubresource<B, R = B>(name: string, sub: string, body: B): Promise<R> {
    return this.react({ verb: 'update', resource: this.info.resource, subresource: sub, namespace: this.namespace, name, object: clone(body) }, () => clone(body) as unknown as R);
  }

  watch(opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const c = this.c;
    const info = this.info;
    const ns = this.namespace;
    const m = matcher(opts);
    c.react({ verb: 'watch', resource: info.resource, namespace: ns });
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<T>> {
        const buf: HistoryEntry[] = [];
        let wake: (() => void) | undefined;
        const from = Number(opts.resourceVersion || c.resourceVersion);
        const unsubscribe = c.subscribe(info, ns, from, (h) => {
          buf.push(h);
          wake?.();
        });
        const onAbort = () => wake?.();
        opts.signal?.addEventListener('abort', onAbort);
        try {
          while (!opts.signal?.aborted) {
            const h = buf.shift();
            if (!h) {
              await new Promise<void>((r) => (wake = r));
              wake = undefined;
              continue;
            }
            if (m(h.obj)) yield { type: h.type, object: clone(h.obj) as T };
          }
        } finally {
          unsubscribe();
          opts.signal?.removeEventListener('abort', onAbort);
        }
      },
    };
  }
}
