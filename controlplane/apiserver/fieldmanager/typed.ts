/**
 * Operations on JSON values guided by their FieldType — the parts of
 * structured-merge-diff's `typed` package that server-side apply uses:
 *   - fieldSetOf:   the set of fields a value specifies (typed.ToFieldSet)
 *   - compareValues:which fields were added, modified, removed (typed.Compare)
 *   - mergeValues:  an applied configuration merged onto a live object (typed.Merge)
 *   - removeItems:  a value without the given fields (typed.RemoveItems)
 *   - ensureNamedFieldsAreMembers: struct fields above owned leaves count as owned
 *
 * Design notes
 * - A node is looked at through a *view*: a map (struct or map), a list
 *   (keyed, set) or a leaf. Atomic maps and lists, scalars, nulls and values
 *   whose JSON kind contradicts the schema are all leaves: they are owned,
 *   compared and replaced as one value.
 * - List items are identified by path elements: keyed lists by their key
 *   fields (with schema defaults filled in), sets by the value itself.
 *   Items that can't be identified (a missing key field, a map in a set) are
 *   errors in an applied configuration and skipped, but kept, in live objects,
 *   which may predate our typing.
 * - Everything is pure: inputs are never changed; results share no structure
 *   with the inputs except untouched subtrees of a merge (callers clone once).
 */
import { FieldSet } from './fieldset.js';
import { fieldPE, indexPE, keyPE, peToString, pathToString, serializePE, valuePE, type KeyField, type Path, type PathElement } from './pathelement.js';
import type { FieldInfo, FieldType } from './schema.js';

type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural JSON equality; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

type View = { kind: 'leaf' } | { kind: 'map'; value: JsonObject } | { kind: 'list'; value: unknown[] };

const LEAF: View = { kind: 'leaf' };

/** How `value` is walked under `type`. */
function viewOf(type: FieldType, value: unknown): View {
  if (isObject(value) && (type.shape === 'map' || type.shape === 'untyped')) {
    return type.shape === 'map' && type.atomic ? LEAF : { kind: 'map', value };
  }
  if (Array.isArray(value) && (type.shape === 'list' || type.shape === 'untyped')) {
    return type.listType === 'atomic' ? LEAF : { kind: 'list', value };
  }
  return LEAF;
}

/** Field info of `name` under a map view. */
function fieldOf(type: FieldType, name: string): FieldInfo {
  return type.field(name);
}

/** The type one path element below `type`. */
export function childType(type: FieldType, pe: PathElement): FieldType {
  return pe.kind === 'field' ? type.field(pe.name).type : type.item();
}

/** A problem with one list item (or list), worded as upstream's typed errors. */
export interface TypedError {
  readonly path: Path;
  readonly message: string;
}

/** Renders an error as upstream does: `.spec.containers: duplicate entries for key [name="a"]`. */
export function formatTypedError(e: TypedError): string {
  return e.path.length === 0 ? e.message : `${pathToString(e.path)}: ${e.message}`;
}

/** The path element identifying `item` in a keyed list or set, or the reason it has none. */
export function itemElement(type: FieldType, item: unknown): PathElement | string {
  if (type.listType === 'map') {
    if (item === null) return 'associative list with keys may not have a null element';
    if (!isObject(item)) return 'associative list with keys may not have non-map elements';
    const fields: KeyField[] = [];
    for (const k of type.keys) {
      if (Object.prototype.hasOwnProperty.call(item, k)) {
        fields.push({ name: k, value: item[k] });
        continue;
      }
      const def = type.keyDefault(k);
      if (def === undefined) return `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
      fields.push({ name: k, value: def });
    }
    return keyPE(fields);
  }
  if (item === null) return "associative list without keys has an element that's an explicit null";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (isObject(item)) return "associative list without keys has an element that's a map type";
  return valuePE(item);
}

interface IndexedItem {
  readonly pe?: PathElement;
  readonly key?: string;
  readonly value: unknown;
  /** False for a repeat of an earlier item's key (kept in live objects, never matched). */
  readonly first: boolean;
}

/** Identifies every item of a list; duplicates and unidentifiable items are reported through `onError`. */
function indexItems(type: FieldType, list: readonly unknown[], path: Path, onError?: (e: TypedError) => void, allowDuplicates = true): IndexedItem[] {
  const seen = new Set<string>();
  return list.map((value, i) => {
    const pe = itemElement(type, value);
    if (typeof pe === 'string') {
      onError?.({ path, message: `element ${i}: ${pe}` });
      return { value, first: false };
    }
    const key = serializePE(pe);
    const first = !seen.has(key);
    if (!first && !allowDuplicates) onError?.({ path, message: `duplicate entries for key ${peToString(pe)}` });
    seen.add(key);
    return { pe, key, value, first };
  });
}

export interface FieldSetOptions {
  /**
   * Live objects may hold duplicate list keys (written before typing, or by
   * clients of the old API); applied configurations may not (upstream 422).
   */
  readonly allowDuplicates?: boolean;
}

/**
 * The fields `value` specifies (upstream ToFieldSet): every leaf, every list
 * item, every free map key, and struct fields that hold null or `{}` (so an
 * applier owns an empty struct it sets). Named struct fields with content are
 * not members themselves: they are owned through their leaves.
 */
export function fieldSetOf(value: unknown, type: FieldType, opts: FieldSetOptions = {}): { set: FieldSet; errors: TypedError[] } {
  const paths: Path[] = [];
  const errors: TypedError[] = [];
  walkFields(value, type, [], paths, errors, opts.allowDuplicates ?? true);
  return { set: FieldSet.of(paths), errors };
}

function walkFields(value: unknown, type: FieldType, path: Path, out: Path[], errors: TypedError[], allowDuplicates: boolean): void {
  const v = viewOf(type, value);
  if (v.kind === 'leaf') {
    out.push(path);
    return;
  }
  if (v.kind === 'map') {
    for (const [k, child] of Object.entries(v.value)) {
      const info = fieldOf(type, k);
      const p = [...path, fieldPE(k)];
      walkFields(child, info.type, p, out, errors, allowDuplicates);
      if (!info.declared || child === null || (isObject(child) && Object.keys(child).length === 0)) out.push(p);
    }
    return;
  }
  const itemType = type.item();
  for (const it of indexItems(type, v.value, path, (e) => errors.push(e), allowDuplicates)) {
    if (!it.pe) continue;
    const p = [...path, it.pe];
    walkFields(it.value, itemType, p, out, errors, allowDuplicates);
    out.push(p);
  }
}

/** Errors that make an applied configuration unusable: unidentifiable or duplicate list items. */
export function validateApplied(applied: unknown, type: FieldType): TypedError[] {
  return fieldSetOf(applied, type, { allowDuplicates: false }).errors;
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/**
 * What changed from `lhs` to `rhs` (upstream Compare). Leaves are added,
 * removed or modified; maps, lists and list items are added or removed when
 * they appear or disappear as a whole. `undefined` means absent.
 */
export function compareValues(lhs: unknown, rhs: unknown, type: FieldType): Comparison {
  const acc = { added: [] as Path[], modified: [] as Path[], removed: [] as Path[] };
  compareNode(lhs, rhs, type, [], acc);
  return { added: FieldSet.of(acc.added), modified: FieldSet.of(acc.modified), removed: FieldSet.of(acc.removed) };
}

function isEmptyContainer(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function compareNode(l: unknown, r: unknown, type: FieldType, path: Path, acc: { added: Path[]; modified: Path[]; removed: Path[] }): void {
  const vl = l === undefined ? undefined : viewOf(type, l);
  const vr = r === undefined ? undefined : viewOf(type, r);
  let kind: View['kind'];
  if (vl && vr) {
    // A null facing a map or list is an empty one that exists (a typed nil), not a different kind of value.
    if (vl.kind === vr.kind) kind = vl.kind;
    else if (l === null && vr.kind !== 'leaf') kind = vr.kind;
    else if (r === null && vl.kind !== 'leaf') kind = vl.kind;
    else kind = 'leaf';
  } else {
    kind = (vr ?? vl)!.kind;
  }
  // Both sides empty or null: a leaf, so `{}` vs null still registers (upstream emptyPromoteToLeaf).
  if (kind === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
    if (l === undefined) acc.added.push(path);
    else if (r === undefined) acc.removed.push(path);
    else if (!jsonEqual(l, r)) acc.modified.push(path);
    return;
  }
  if (kind === 'map') {
    const lm = vl?.kind === 'map' ? vl.value : undefined;
    const rm = vr?.kind === 'map' ? vr.value : undefined;
    const keys = new Set([...Object.keys(lm ?? {}), ...Object.keys(rm ?? {})]);
    for (const k of keys) {
      const info = fieldOf(type, k);
      let lv = lm?.[k];
      let rv = rm?.[k];
      // A Go value struct (or always-serialized list) exists, empty, wherever its parent does.
      if (info.alwaysPresent) {
        const zero = info.type.shape === 'list' ? null : {};
        if (lv === undefined && lm) lv = zero;
        if (rv === undefined && rm) rv = zero;
      }
      compareNode(lv, rv, info.type, [...path, fieldPE(k)], acc);
    }
  } else {
    const itemType = type.item();
    const li = vl?.kind === 'list' ? indexItems(type, vl.value, path).filter((x) => x.pe && x.first) : [];
    const ri = vr?.kind === 'list' ? indexItems(type, vr.value, path).filter((x) => x.pe && x.first) : [];
    const lByKey = new Map(li.map((x) => [x.key!, x.value]));
    const rKeys = new Set(ri.map((x) => x.key!));
    for (const x of ri) compareNode(lByKey.get(x.key!), x.value, itemType, [...path, x.pe!], acc);
    for (const x of li) if (!rKeys.has(x.key!)) compareNode(x.value, undefined, itemType, [...path, x.pe!], acc);
  }
  if (l === undefined) acc.added.push(path);
  else if (r === undefined) acc.removed.push(path);
}

/**
 * `rhs` merged onto `lhs` (upstream Merge): maps merge key by key (lhs keys
 * keep their order, new keys follow); keyed lists and sets merge item by item
 * (see mergeList for the order); leaves, atomic values and kind mismatches
 * take `rhs`. A null in `rhs` unsets the field, as decoding into a typed Go
 * object would. Inputs are not changed; the result may share untouched
 * subtrees with them.
 */
export function mergeValues(lhs: unknown, rhs: unknown, type: FieldType): unknown {
  if (rhs === undefined) return lhs;
  if (lhs === undefined) return dropNulls(rhs);
  const vl = viewOf(type, lhs);
  const vr = viewOf(type, rhs);
  if (vr.kind === 'leaf' || vl.kind !== vr.kind || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) return dropNulls(rhs);
  if (vr.kind === 'map' && vl.kind === 'map') {
    const out: JsonObject = {};
    for (const [k, lv] of Object.entries(vl.value)) {
      if (!Object.prototype.hasOwnProperty.call(vr.value, k)) out[k] = lv;
      else if (vr.value[k] !== null) out[k] = mergeValues(lv, vr.value[k], fieldOf(type, k).type);
    }
    for (const [k, rv] of Object.entries(vr.value)) {
      if (!Object.prototype.hasOwnProperty.call(vl.value, k) && rv !== null) out[k] = dropNulls(rv);
    }
    return out;
  }
  return mergeList(vl.value as unknown[], vr.value as unknown[], type);
}

/** A value with null map entries removed, at every depth (for values copied from an applied configuration). */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
    return out;
  }
  return v;
}

/**
 * Item-wise merge of a keyed list or set. Order, as upstream's merge: items
 * only on the live side stay where they are; items of the applied list come
 * in the applied order; an item on both sides is emitted where the applied
 * order reaches it, so the applied order wins for the items it names.
 */
function mergeList(lhs: readonly unknown[], rhs: readonly unknown[], type: FieldType): unknown[] {
  const itemType = type.item();
  const li = indexItems(type, lhs, []);
  const ri = indexItems(type, rhs, []).filter((x) => x.pe && x.first);
  const rByKey = new Map(ri.map((x) => [x.key!, x.value]));
  const lByKey = new Map<string, unknown>();
  for (const x of li) if (x.pe && x.first) lByKey.set(x.key!, x.value);
  const shared = ri.filter((x) => lByKey.has(x.key!)).map((x) => x.key!);
  let nextShared = shared.shift();
  const merged = new Set<string>();
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < li.length || j < ri.length) {
    const l = i < li.length ? li[i] : undefined;
    if (l && j < ri.length) {
      if (l.key !== undefined && l.first && l.key === ri[j].key) {
        out.push(mergeValues(l.value, ri[j].value, itemType));
        merged.add(l.key);
        i++;
        j++;
        nextShared = shared.shift();
        continue;
      }
      // A shared item the applied order has not reached yet: it is emitted later, at its applied position.
      if (l.key !== undefined && rByKey.has(l.key) && nextShared !== undefined && l.key !== nextShared) {
        i++;
        continue;
      }
    }
    if (l) {
      if (l.key === undefined || !rByKey.has(l.key)) {
        out.push(l.value);
        i++;
        continue;
      }
      if (merged.has(l.key) || !l.first) {
        i++;
        continue;
      }
    }
    if (j < ri.length) {
      const r = ri[j];
      merged.add(r.key!);
      out.push(mergeValues(lByKey.get(r.key!), r.value, itemType));
      j++;
      if (nextShared === r.key) nextShared = shared.shift();
    } else {
      // Only reachable for a live duplicate of a merged key: drop the repeat.
      i++;
    }
  }
  return out;
}

/**
 * `value` without the fields of `set` (upstream RemoveItems): a member path
 * removes that field or item with everything below it. Maps and lists left
 * empty by a removal disappear (return undefined), as a nil Go map or slice
 * is omitted on the wire.
 */
export function removeItems(value: unknown, set: FieldSet, type: FieldType): unknown {
  if (set.isEmpty()) return value;
  const v = viewOf(type, value);
  if (v.kind === 'leaf') return value;
  if (v.kind === 'map') {
    const out: JsonObject = {};
    for (const [k, child] of Object.entries(v.value)) {
      const pe = fieldPE(k);
      if (set.hasMember(pe)) continue;
      const sub = set.withPrefix(pe);
      const kept = sub.isEmpty() ? child : removeItems(child, sub, fieldOf(type, k).type);
      if (kept !== undefined) out[k] = kept;
    }
    return Object.keys(out).length === 0 && Object.keys(v.value).length > 0 ? undefined : out;
  }
  const itemType = type.item();
  const out: unknown[] = [];
  for (const it of indexItems(type, v.value, [])) {
    if (!it.pe) {
      out.push(it.value);
      continue;
    }
    if (set.hasMember(it.pe)) continue;
    const sub = set.withPrefix(it.pe);
    const kept = sub.isEmpty() ? it.value : removeItems(it.value, sub, itemType);
    if (kept !== undefined) out.push(kept);
  }
  return out.length === 0 && v.value.length > 0 ? undefined : out;
}

/**
 * The set plus every named struct field that has owned paths below it
 * (upstream EnsureNamedFieldsAreMembers). Pruning uses it so that a struct
 * field nobody owns anything in any more (`spec.strategy` after its last
 * owned leaf is dropped) is removed instead of being left as `{}`.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, type: FieldType): FieldSet {
  const extra: Path[] = [];
  collectNamed(set, type, [], extra);
  return extra.length === 0 ? set : set.union(FieldSet.of(extra));
}

function collectNamed(set: FieldSet, type: FieldType, path: Path, out: Path[]): void {
  for (const c of set.childElements()) {
    const p = [...path, c.pe];
    if (c.pe.kind === 'field' && type.shape === 'map' && type.field(c.pe.name).declared) out.push(p);
    collectNamed(c.set, childType(type, c.pe), p, out);
  }
}

/** Re-exported for callers that build paths by hand (tests, the manager). */
export { fieldPE, indexPE, keyPE, valuePE };
