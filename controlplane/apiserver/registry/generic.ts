/**
 * The generic registry store: create / get / list / update / guaranteed update
 * / delete / watch for any resource, over a Store, with the same checklist for
 * every kind (STYLE.md §1d): system metadata → name generation → defaults →
 * validation → storage write → storage-error translation. Resource-specific
 * behaviour is data (ResourceDef) plus hooks (KindHooks) plus the few special
 * cases upstream has in its strategies (status handling, pod graceful delete,
 * namespace phases), kept in one place below.
 *
 * Objects are stored as JSON without metadata.resourceVersion; on the way out
 * resourceVersion is the key's modRevision, as the real apiserver does over etcd.
 */
import { randomUUID, randomInt } from 'node:crypto';
import { apiErrors, StatusError, type FieldError } from '../../machinery/errors.js';
import { StoreError, type KV, type Store, type WatchEvent } from '../../storage/types.js';
import type { Obj, ResourceDef, KindHooks, Meta } from './types.js';
import { fieldGetter } from './fields.js';
import type { WatchCache } from '../cache/watchcache.js';
import { updateOperation } from '../fieldmanager/index.js';

export interface Selection {
  labelSelector?: { matches(labels: Record<string, string> | undefined): boolean; isEmpty(): boolean };
  fieldRequirements?: { field: string; op: '=' | '!='; value: string }[];
}

export interface ListOpts extends Selection {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WriteOpts {
  dryRun?: boolean;
  /** '' for the main resource, 'status' for /status. */
  subresource?: string;
  /**
   * A trusted server-side change (pods/binding, namespace finalization): the
   * result of tryUpdate is written as given — status included — and the kind's
   * update validation, which guards what users may change, is not applied.
   */
  internal?: boolean;
  /** Record field ownership in metadata.managedFields for this writer (operation Update). */
  track?: { manager: string; now: Date };
}

export interface DeleteOpts {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

/** What an update's side allocations do once the write is decided. */
export interface UpdateTxn {
  undo(): Promise<void>;
  done(): Promise<void>;
}

/**
 * Resource-specific side effects around the store write (Service IP and
 * node-port allocation). Each before* undoes its own work when it throws.
 */
export interface ResourceLifecycle {
  /** May mutate o; returns the undo to run when the write fails. */
  beforeCreate?(o: Obj, dryRun: boolean): Promise<() => Promise<void>>;
  beforeUpdate?(o: Obj, old: Obj, dryRun: boolean): Promise<UpdateTxn>;
  afterDelete?(o: Obj): Promise<void>;
}

export type WatchEventOut = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Obj } | { type: 'BOOKMARK'; object: Obj };

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const enc = new TextEncoder();
const dec = new TextDecoder();

export function nowRFC3339(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sameJSON(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export class GenericStore {
  /** Immutable after construction. */
  readonly qualified: string; // pods, deployments.apps — for messages
  private readonly hasStatus: boolean;

  constructor(
    readonly def: ResourceDef,
    private readonly store: Store,
    private readonly hooks: KindHooks,
    /** Storage key prefix for this resource, without a trailing slash: /registry/pods. */
    readonly prefix: string,
    /** Throws NotFound when a namespace does not exist (creates in missing namespaces fail). */
    private readonly namespaceCheck: (ns: string) => Promise<void> = async () => undefined,
    private readonly lifecycle: ResourceLifecycle = {},
    /** Serves resourceVersion=0 lists and all watches from memory when set (--watch-cache). */
    private readonly cache?: WatchCache,
  ) {
    this.qualified = def.group ? `${def.resource}.${def.group}` : def.resource;
    this.hasStatus = def.subresources.some((s) => s.name === 'status');
  }

  get apiVersion(): string {
    return this.def.group ? `${this.def.group}/${this.def.version}` : this.def.version;
  }

  key(ns: string, name: string): string {
    return this.def.namespaced ? `${this.prefix}/${ns}/${name}` : `${this.prefix}/${name}`;
  }

  private listPrefix(ns: string): string {
    return this.def.namespaced && ns ? `${this.prefix}/${ns}/` : `${this.prefix}/`;
  }

  private notFound(name: string): StatusError {
    return apiErrors.notFound(this.def.group, this.def.resource, name);
  }

  decode(kv: KV): Obj {
    const o = JSON.parse(dec.decode(kv.value)) as Obj;
    o.apiVersion = this.apiVersion;
    o.kind = this.def.kind;
    o.metadata = { ...(o.metadata ?? {}), resourceVersion: String(kv.modRevision) };
    return o;
  }

  private encode(o: Obj): Uint8Array {
    const { resourceVersion: _rv, ...meta } = o.metadata ?? {};
    return enc.encode(JSON.stringify({ ...o, apiVersion: this.apiVersion, kind: this.def.kind, metadata: meta }));
  }

  private translate(e: unknown, name: string): never {
    if (e instanceof StoreError) {
      switch (e.code) {
        case 'NotFound':
          throw this.notFound(name);
        case 'AlreadyExists':
          throw apiErrors.alreadyExists(this.def.group, this.def.resource, name);
        case 'Conflict':
          throw apiErrors.conflict(this.def.group, this.def.resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
        case 'Compacted':
          throw apiErrors.gone(`too old resource version: ${e.compactedRevision ?? ''}`.trim());
        case 'Unavailable':
          throw apiErrors.serviceUnavailable(`storage is unavailable: ${e.message}`);
        default:
          throw apiErrors.internal(e);
      }
    }
    throw e;
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return apiErrors.invalid(this.def.group, this.def.kind, name, errs);
  }

  // ---- reads -------------------------------------------------------------

  async get(ns: string, name: string): Promise<Obj> {
    let kv: KV | undefined;
    try {
      kv = await this.store.get(this.key(ns, name));
    } catch (e) {
      this.translate(e, name);
    }
    if (!kv) throw this.notFound(name);
    return this.decode(kv);
  }

  /** Validates field requirements against what this resource supports (400 otherwise). */
  checkFields(sel: Selection): void {
    for (const r of sel.fieldRequirements ?? []) {
      if (!fieldGetter(this.def.group, this.def.resource, r.field)) {
        throw apiErrors.badRequest(`field label not supported: ${r.field}`);
      }
    }
  }

  matches(o: Obj, sel: Selection): boolean {
    if (sel.labelSelector && !sel.labelSelector.isEmpty() && !sel.labelSelector.matches(o.metadata?.labels)) return false;
    for (const r of sel.fieldRequirements ?? []) {
      const v = fieldGetter(this.def.group, this.def.resource, r.field)!(o);
      if (r.op === '=' ? v !== r.value : v === r.value) return false;
    }
    return true;
  }

  async list(ns: string, opts: ListOpts): Promise<ListResult> {
    this.checkFields(opts);
    const filtering = Boolean((opts.labelSelector && !opts.labelSelector.isEmpty()) || opts.fieldRequirements?.length);
    let atRevision: number | undefined;
    if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion) atRevision = Number(opts.resourceVersion);
    if (this.cache && opts.resourceVersion === '0' && !opts.continue && !atRevision) {
      // resourceVersion=0 means "any state is fine" (informers): memory, and
      // limit is ignored, as upstream's cache does.
      const r = await this.cache.list(this.listPrefix(ns));
      const items = r.items.map((kv) => this.decode(kv)).filter((o) => !filtering || this.matches(o, opts));
      return { items, resourceVersion: String(r.revision) };
    }
    try {
      // With a selector, pages would come back short; returning everything is
      // legal (clients follow `continue` only when it is set), so don't page then.
      const r = await this.store.list(this.listPrefix(ns), {
        limit: filtering ? undefined : opts.limit,
        continueFrom: filtering ? undefined : opts.continue,
        atRevision,
      });
      const items = r.items.map((kv) => this.decode(kv)).filter((o) => !filtering || this.matches(o, opts));
      const out: ListResult = { items, resourceVersion: String(r.revision) };
      if (r.more && r.continue) {
        out.continue = r.continue;
        if (r.remaining !== undefined) out.remainingItemCount = r.remaining;
      }
      return out;
    } catch (e) {
      if (e instanceof StoreError && (e.code === 'Compacted' || e.code === 'InvalidContinue') && opts.continue) {
        throw apiErrors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      return this.translate(e, '');
    }
  }

  // ---- writes ------------------------------------------------------------

  private checkTypeMeta(o: Obj): void {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw apiErrors.badRequest(`the body of the request must be a ${this.def.kind} object`);
    if (o.apiVersion !== undefined && o.apiVersion !== this.apiVersion) {
      throw apiErrors.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${this.apiVersion})`);
    }
    if (o.kind !== undefined && o.kind !== this.def.kind) {
      throw apiErrors.badRequest(`${String(o.kind)} in version "${this.def.version}" cannot be handled as a ${this.def.kind}: the kind in the data does not match the expected kind ${this.def.kind}`);
    }
  }

  private checkNamespace(o: Obj, ns: string): void {
    const meta = (o.metadata ??= {});
    if (this.def.namespaced) {
      if (meta.namespace && ns && meta.namespace !== ns) {
        throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns || meta.namespace;
      if (!meta.namespace) throw apiErrors.badRequest('the server could not find the requested resource: a namespace is required');
    } else {
      delete meta.namespace;
    }
  }

  /** The status a new object starts with (upstream PrepareForCreate). */
  private initialStatus(o: Obj): void {
    if (!this.hasStatus) return;
    const g = `${this.def.group}/${this.def.resource}`;
    if (g === '/nodes') return; // the kubelet registers its node with status
    if (g === '/pods') {
      o.status = { phase: 'Pending' };
      return;
    }
    if (g === '/namespaces') {
      o.status = { phase: 'Active' };
      return;
    }
    if (g === '/persistentvolumes' || g === '/persistentvolumeclaims') {
      o.status = { phase: 'Pending' };
      return;
    }
    if (g === 'certificates.k8s.io/certificatesigningrequests') {
      o.status = {};
      return;
    }
    delete o.status;
  }

  async create(ns: string, input: Obj, opts: WriteOpts = {}): Promise<Obj> {
    this.checkTypeMeta(input);
    const o: Obj = structuredClone(input);
    this.checkNamespace(o, ns);
    const meta = o.metadata!;
    if (this.def.namespaced) await this.namespaceCheck(meta.namespace!);
    if (!meta.name && meta.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
      meta.name = meta.generateName.slice(0, 58) + suffix;
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = nowRFC3339();
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    o.apiVersion = this.apiVersion;
    o.kind = this.def.kind;
    this.initialStatus(o);
    this.hooks.setDefaults(o);
    if (opts.track) {
      // After defaulting, as upstream: the creator owns the defaulted fields too.
      const mf = updateOperation({ old: undefined, updated: o, manager: opts.track.manager, apiVersion: this.apiVersion, now: opts.track.now }).managedFields;
      if (mf.length) meta.managedFields = mf;
      else delete meta.managedFields;
    }
    const errs = this.hooks.validate(o);
    if (errs.length) throw this.invalid(meta.name ?? '', errs);
    if (!meta.name) throw this.invalid('', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    const undo = this.lifecycle.beforeCreate ? await this.lifecycle.beforeCreate(o, Boolean(opts.dryRun)) : async () => undefined;
    if (opts.dryRun) {
      if (await this.store.get(this.key(ns, meta.name))) throw apiErrors.alreadyExists(this.def.group, this.def.resource, meta.name);
      return o;
    }
    let rev: number;
    try {
      rev = await this.store.create(this.key(meta.namespace ?? '', meta.name), this.encode(o));
    } catch (e) {
      await undo();
      return this.translate(e, meta.name);
    }
    meta.resourceVersion = String(rev);
    return o;
  }

  /**
   * Merges an update into the current object the way upstream's strategies do:
   * the main resource cannot change status, /status cannot change anything
   * else, system metadata is kept, generation moves on spec changes only.
   */
  private prepareUpdate(next: Obj, cur: Obj, subresource: string, internal = false): Obj {
    this.checkTypeMeta(next);
    const o: Obj = structuredClone(next);
    const meta: Meta = (o.metadata ??= {});
    const old = cur.metadata!;
    if (meta.name !== undefined && meta.name !== old.name) {
      throw this.invalid(old.name ?? '', [{ type: 'FieldValueInvalid', field: 'metadata.name', value: meta.name, detail: 'field is immutable' }]);
    }
    if (this.def.namespaced && meta.namespace && meta.namespace !== old.namespace) {
      throw apiErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (subresource === 'status') {
      const merged: Obj = structuredClone(cur);
      merged.status = o.status;
      merged.metadata!.resourceVersion = meta.resourceVersion ?? old.resourceVersion;
      // managedFields computed for this write (a /status apply) travel with it.
      if (meta.managedFields !== undefined) merged.metadata!.managedFields = meta.managedFields;
      return merged;
    }
    meta.name = old.name;
    // An unconditional update (no resourceVersion) applies to the current object.
    if (!meta.resourceVersion) meta.resourceVersion = old.resourceVersion;
    if (this.def.namespaced) meta.namespace = old.namespace;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    if (this.hasStatus && !internal) {
      if (cur.status !== undefined) o.status = cur.status;
      else delete o.status;
    }
    this.hooks.setDefaults(o);
    const specChanged = !sameJSON(withoutMeta(o), withoutMeta(cur));
    meta.generation = (old.generation ?? 1) + (specChanged && !internal ? 1 : 0);
    return o;
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflicts when the
   * caller did not pin a resourceVersion (upstream GuaranteedUpdate).
   */
  async guaranteedUpdate(ns: string, name: string, tryUpdate: (cur: Obj) => Obj | Promise<Obj>, opts: WriteOpts = {}): Promise<Obj> {
    const key = this.key(ns, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(ns, name);
      const wanted = await tryUpdate(structuredClone(cur));
      const pinned = wanted.metadata?.resourceVersion;
      if (pinned && pinned !== cur.metadata!.resourceVersion) {
        throw apiErrors.conflict(this.def.group, this.def.resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      let o = this.prepareUpdate(wanted, cur, opts.subresource ?? '', opts.internal);
      if (opts.track && !opts.internal) {
        o = updateOperation({ old: cur, updated: o, manager: opts.track.manager, apiVersion: this.apiVersion, now: opts.track.now, subresource: opts.subresource ?? '' }).object as Obj;
      }
      // Allocations first (they fill fields such as a kept clusterIP), then validation.
      const txn = this.lifecycle.beforeUpdate && !opts.subresource && !opts.internal ? await this.lifecycle.beforeUpdate(o, cur, Boolean(opts.dryRun)) : undefined;
      const errs = opts.internal ? [] : this.hooks.validate(o, cur);
      if (errs.length || opts.dryRun) await txn?.undo();
      if (errs.length) throw this.invalid(name, errs);
      if (opts.dryRun) return o;
      // Finalizers all gone from an object being deleted: finish the delete.
      if (o.metadata!.deletionTimestamp && !(o.metadata!.finalizers?.length) && !this.waitsForKubelet(o)) {
        try {
          await txn?.undo();
          await this.store.delete(key, Number(cur.metadata!.resourceVersion));
          await this.lifecycle.afterDelete?.(o);
          return o;
        } catch (e) {
          if (e instanceof StoreError && e.code === 'Conflict' && !pinned && attempt < 16) continue;
          return this.translate(e, name);
        }
      }
      if (sameJSON(o, cur)) {
        await txn?.undo();
        return cur; // no-op update: no new revision, like upstream
      }
      try {
        const rev = await this.store.update(key, Number(cur.metadata!.resourceVersion), this.encode(o));
        o.metadata!.resourceVersion = String(rev);
        await txn?.done();
        return o;
      } catch (e) {
        await txn?.undo();
        if (e instanceof StoreError && e.code === 'Conflict' && !pinned && attempt < 16) continue;
        return this.translate(e, name);
      }
    }
  }

  async update(ns: string, name: string, next: Obj, opts: WriteOpts = {}): Promise<Obj> {
    if (next?.metadata?.name !== undefined && next.metadata.name !== name) {
      throw apiErrors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
    }
    return this.guaranteedUpdate(ns, name, () => next, opts);
  }

  /** A pod on a node is removed by its kubelet after the grace period, not by the API server. */
  private waitsForKubelet(o: Obj): boolean {
    if (this.def.group !== '' || this.def.resource !== 'pods') return false;
    const spec = o.spec as { nodeName?: string } | undefined;
    return Boolean(spec?.nodeName) && (o.metadata?.deletionGracePeriodSeconds ?? 0) > 0;
  }

  async delete(ns: string, name: string, opts: DeleteOpts = {}): Promise<Obj> {
    const key = this.key(ns, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(ns, name);
      const meta = cur.metadata!;
      if (opts.preconditions?.uid && opts.preconditions.uid !== meta.uid) {
        throw apiErrors.conflict(this.def.group, this.def.resource, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${meta.uid}`);
      }
      if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== meta.resourceVersion) {
        throw apiErrors.conflict(this.def.group, this.def.resource, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      const next = structuredClone(cur);
      const nmeta = next.metadata!;
      let graceful = false;
      if (opts.propagationPolicy === 'Foreground' && !(nmeta.finalizers ?? []).includes('foregroundDeletion')) {
        nmeta.finalizers = [...(nmeta.finalizers ?? []), 'foregroundDeletion'];
      }
      if (opts.propagationPolicy === 'Orphan' && !(nmeta.finalizers ?? []).includes('orphan') && this.def.resource !== 'pods') {
        nmeta.finalizers = [...(nmeta.finalizers ?? []), 'orphan'];
      }
      if (this.def.group === '' && this.def.resource === 'pods' && (next.spec as { nodeName?: string })?.nodeName) {
        const specGrace = (next.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
        const grace = opts.gracePeriodSeconds ?? specGrace;
        if (grace > 0 && (nmeta.deletionGracePeriodSeconds === undefined || grace < nmeta.deletionGracePeriodSeconds)) {
          graceful = true;
          nmeta.deletionGracePeriodSeconds = grace;
          nmeta.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
        } else if (grace > 0 && nmeta.deletionTimestamp) {
          return cur; // already terminating with a shorter grace
        }
      }
      if (this.def.group === '' && this.def.resource === 'namespaces') {
        if (!nmeta.deletionTimestamp) {
          nmeta.deletionTimestamp = nowRFC3339();
          next.status = { ...(next.status as object), phase: 'Terminating' };
        }
        graceful = ((next.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0 || graceful;
      }
      const finalizing = (nmeta.finalizers?.length ?? 0) > 0;
      if (finalizing || graceful) {
        if (!nmeta.deletionTimestamp) nmeta.deletionTimestamp = nowRFC3339();
        if (nmeta.deletionGracePeriodSeconds === undefined) nmeta.deletionGracePeriodSeconds = 0;
        if (opts.dryRun) return next;
        if (sameJSON(next, cur)) return cur;
        try {
          const rev = await this.store.update(key, Number(meta.resourceVersion), this.encode(next));
          nmeta.resourceVersion = String(rev);
          return next;
        } catch (e) {
          if (e instanceof StoreError && e.code === 'Conflict' && attempt < 16) continue;
          return this.translate(e, name);
        }
      }
      if (opts.dryRun) return cur;
      try {
        const r = await this.store.delete(key, Number(meta.resourceVersion));
        const gone = this.decode(r.prev);
        gone.metadata!.resourceVersion = String(r.revision);
        await this.lifecycle.afterDelete?.(gone);
        return gone;
      } catch (e) {
        if (e instanceof StoreError && e.code === 'Conflict' && attempt < 16) continue;
        return this.translate(e, name);
      }
    }
  }

  /**
   * namespaces/finalize: sets spec.finalizers; a namespace being deleted whose
   * finalizers are all gone is removed.
   */
  async finalize(name: string, finalizers: string[], dryRun: boolean): Promise<Obj> {
    const o = await this.guaranteedUpdate('', name, (cur) => ({ ...cur, spec: { ...((cur.spec as object) ?? {}), finalizers } }), { dryRun, internal: true });
    if (!dryRun && o.metadata?.deletionTimestamp && finalizers.length === 0 && !(o.metadata.finalizers?.length)) {
      try {
        const r = await this.store.delete(this.key('', name), Number(o.metadata.resourceVersion));
        const gone = this.decode(r.prev);
        gone.metadata!.resourceVersion = String(r.revision);
        return gone;
      } catch (e) {
        return this.translate(e, name);
      }
    }
    return o;
  }

  // ---- watch -------------------------------------------------------------

  /**
   * Events for this resource (in ns, or all namespaces), filtered by the
   * selection. Without a resourceVersion (or "0") it starts with a synthetic
   * ADDED for every current object, then changes after that list, as upstream.
   * An object that stops matching is reported DELETED; one that starts, ADDED.
   */
  async *watch(ns: string, sel: Selection & { resourceVersion?: string }, signal: AbortSignal): AsyncGenerator<WatchEventOut> {
    this.checkFields(sel);
    const prefix = this.listPrefix(ns);
    let from: number;
    if (!sel.resourceVersion || sel.resourceVersion === '0') {
      let r;
      try {
        r = this.cache && sel.resourceVersion === '0' ? await this.cache.list(prefix) : await this.store.list(prefix, {});
      } catch (e) {
        return this.translate(e, '');
      }
      for (const kv of r.items) {
        const o = this.decode(kv);
        if (this.matches(o, sel)) yield { type: 'ADDED', object: o };
      }
      from = r.revision;
    } else {
      from = Number(sel.resourceVersion);
      if (!Number.isInteger(from) || from < 0) throw apiErrors.badRequest(`invalid resource version: ${sel.resourceVersion}`);
    }
    let events: AsyncIterable<WatchEvent>;
    try {
      events = this.cache ? this.cache.watch(prefix, from, signal) : this.store.watch(prefix, from, signal);
    } catch (e) {
      return this.translate(e, '');
    }
    try {
      for await (const ev of events) {
        const out = this.convert(ev, sel);
        if (out) yield out;
      }
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Compacted') {
        throw apiErrors.gone(`too old resource version: ${from} (${e.compactedRevision ?? ''})`);
      }
      if (signal.aborted) return;
      throw e;
    }
  }

  private convert(ev: WatchEvent, sel: Selection): WatchEventOut | undefined {
    if (ev.type === 'delete') {
      const o = this.decode(ev.prev ?? ev.kv);
      o.metadata!.resourceVersion = String(ev.kv.modRevision);
      return this.matches(o, sel) ? { type: 'DELETED', object: o } : undefined;
    }
    const o = this.decode(ev.kv);
    const now = this.matches(o, sel);
    if (ev.created || !ev.prev) return now ? { type: 'ADDED', object: o } : undefined;
    const before = this.matches(this.decode(ev.prev), sel);
    if (now && before) return { type: 'MODIFIED', object: o };
    if (now) return { type: 'ADDED', object: o };
    if (before) return { type: 'DELETED', object: o };
    return undefined;
  }
}

/** The object without metadata and status: what `generation` tracks. */
function withoutMeta(o: Obj): unknown {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}
