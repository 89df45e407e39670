/**
 * The informer's thread-safe-store equivalent: objects by key plus secondary
 * indices, maintained incrementally on every set/delete.
 *
 * Ownership: the Indexer owns the objects it holds; readers (listers) get the
 * same references and must not mutate them (see types.ts DeepReadonly).
 */
import type { KubeObject } from '../machinery/meta/types.js';
import type { Lister } from './types.js';

/** The values an object is indexed under (zero or more). */
export type IndexFunc<T> = (obj: T) => readonly string[];
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** `namespace/name`, or `name` for cluster-scoped objects (cache.MetaNamespaceKeyFunc). */
export function keyOf(obj: KubeObject | { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata;
  const name = m?.name ?? '';
  return m?.namespace ? `${m.namespace}/${name}` : name;
}

export const NAMESPACE_INDEX = 'namespace';
export const NODE_NAME_INDEX = 'spec.nodeName';
export const OWNER_UID_INDEX = 'ownerUID';
export const LABEL_INDEX = 'label';

/** The built-in index functions. */
export const indexFuncs = {
  /** metadata.namespace ('' objects are not indexed). */
  namespace: ((o: KubeObject) => (o.metadata?.namespace ? [o.metadata.namespace] : [])) as IndexFunc<KubeObject>,
  /** spec.nodeName of pods (unscheduled pods are not indexed). */
  nodeName: ((o: KubeObject) => {
    const n = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    return typeof n === 'string' && n !== '' ? [n] : [];
  }) as IndexFunc<KubeObject>,
  /** The uid of every owner reference. */
  ownerUID: ((o: KubeObject) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid)) as IndexFunc<KubeObject>,
  /** `key=value` for every label. */
  label: ((o: KubeObject) => Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`)) as IndexFunc<KubeObject>,
};

export class Indexer<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  /** index name → value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly funcs = new Map<string, IndexFunc<T>>();

  constructor(indexers: Indexers<T> = {}) {
    this.addIndexers(indexers);
  }

  /** Adds index functions; existing objects are indexed at once. Re-adding a name throws. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.funcs.has(name)) throw new Error(`indexer ${JSON.stringify(name)} already exists`);
      this.funcs.set(name, fn);
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [k, o] of this.items) for (const v of fn(o)) addTo(idx, v, k);
    }
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): readonly T[] {
    return [...this.items.values()];
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }

  byIndex(index: string, value: string): readonly T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`index ${JSON.stringify(index)} does not exist`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Inserts or replaces; returns the previous object. */
  set(key: string, obj: T): T | undefined {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.funcs) {
      const idx = this.indices.get(name)!;
      const before = old ? fn(old) : [];
      const after = fn(obj);
      // Most updates keep every index value (status changes); skip the churn then.
      if (before.length === after.length && before.every((v, i) => v === after[i])) {
        if (!old) for (const v of after) addTo(idx, v, key);
        continue;
      }
      for (const v of before) removeFrom(idx, v, key);
      for (const v of after) addTo(idx, v, key);
    }
    return old;
  }

  /** Removes; returns the removed object. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.funcs) {
      const idx = this.indices.get(name)!;
      for (const v of fn(old)) removeFrom(idx, v, key);
    }
    return old;
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, key: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(key);
}

function removeFrom(idx: Map<string, Set<string>>, v: string, key: string): void {
  const s = idx.get(v);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) idx.delete(v);
}
