/**
 * Strategic merge patch (`application/strategic-merge-patch+json`): the patch
 * type kubectl uses for client-side apply, `set image`, `edit`, `rollout
 * pause|resume|restart`, `cordon` and `taint`.
 *
 * Design notes
 * - Upstream drives this from Go struct tags (`patchStrategy`,
 *   `patchMergeKey`) found by reflection. We have no structs, so the tags are
 *   written down as data (./patchmeta.ts) and reached through a
 *   `PatchMetaLookup`: a function from a field path (field names from the
 *   object root; list items add no segment) to that field's tag.
 * - Semantics follow k8s.io/apimachinery/pkg/util/strategicpatch/patch.go
 *   (mergeMap / mergeSlice with MergeParallelList and IgnoreUnmatchedNulls,
 *   as the apiserver calls it):
 *     * maps merge recursively, `null` deletes a key;
 *     * lists tagged `merge` with a merge key merge item by item on that key;
 *       lists tagged `merge` without a key hold primitives and merge as sets;
 *       every other list is replaced by the patch's list;
 *     * `$patch: replace|delete` on a map, `{"$patch":"delete", <key>}` and
 *       `{"$patch":"replace"}` inside a list, `$retainKeys`,
 *       `$setElementOrder/<f>` and `$deleteFromPrimitiveList/<f>`.
 *   Order of a merged list is upstream's: items named in the patch take the
 *   patch's order (or `$setElementOrder`'s), items only on the server keep
 *   their server order, and the two runs are interleaved by server position.
 *   A new item with no `$setElementOrder` therefore lands before the
 *   server-only items that follow the first patched position (kubectl always
 *   sends `$setElementOrder` with list changes, so this only shows with raw
 *   `kubectl patch`).
 * - Deliberate difference from upstream: a value added where the original had
 *   nothing is still passed through the merge (into an empty map or list),
 *   so no directive key and no null can ever be stored (API-SURFACE.md
 *   pitfall 10). Upstream copies such values verbatim.
 * - Pure: the inputs are copied once on entry and only the copies are
 *   changed, so the caller's (possibly cached) object is never touched.
 * - Errors are StatusError 400 (a patch we cannot interpret) or 422 (a list
 *   of lists, which the API never has), each naming the field path.
 */
import { StatusError, apiErrors } from '../../machinery/errors.js';
import { cloneJson, describeJson, isJsonObject, isJsonPrimitive, jsonEqual, jsonKind, type JsonObject } from './json.js';
import type { PatchMeta, PatchMetaLookup } from './patchmeta.js';

export type { PatchMeta, PatchMetaLookup, PatchStrategy } from './patchmeta.js';
export { patchMetaFor, mergePatchSemantics } from './patchmeta.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Renders a field path for messages: `spec.template.spec.containers`, or `<root>`. */
function where(path: readonly string[]): string {
  return path.length === 0 ? '<root>' : path.join('.');
}

function bad(message: string): StatusError {
  return apiErrors.badRequest(`strategic merge patch: ${message}`);
}

/**
 * Applies a strategic merge patch to `original` and returns the result.
 * `meta` says how each field merges (see `patchMetaFor`). Never mutates its
 * arguments. Throws StatusError 400 when the patch is not a JSON object or
 * uses a directive wrongly, 422 for lists of lists.
 */
export function strategicMergePatch(original: unknown, patch: unknown, meta: PatchMetaLookup): unknown {
  if (!isJsonObject(patch)) {
    throw bad(`the patch must be a JSON object, got ${jsonKind(patch)}`);
  }
  // The original is what storage holds, so it is always an object; anything
  // else means the caller passed the wrong thing, which is our bug, not the user's.
  if (!isJsonObject(original)) {
    throw apiErrors.internal(new Error(`strategic merge patch: the original document must be a JSON object, got ${jsonKind(original)}`));
  }
  return new Merger(meta).mergeMap(cloneJson(original), cloneJson(patch), []);
}

/**
 * One patch application. Methods change their `original` arguments in place;
 * that is safe because strategicMergePatch hands them private copies.
 */
class Merger {
  constructor(private readonly lookup: PatchMetaLookup) {}

  /** Merges `patch` into `original` (both owned) at `path`; returns the merged map. */
  mergeMap(original: JsonObject, patch: JsonObject, path: readonly string[]): JsonObject {
    if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE)) {
      const directive = patch[DIRECTIVE];
      if (directive === 'replace') {
        // The patch *is* the new map; run it through an empty merge so nested directives and nulls go.
        delete patch[DIRECTIVE];
        return this.mergeMap({}, patch, path);
      }
      // Upstream turns `$patch: delete` on a map into an empty map (not an absent key).
      if (directive === 'delete') return {};
      throw bad(`unknown $patch directive ${describeJson(directive)} at ${where(path)}; expected "replace" or "delete"`);
    }

    this.applyRetainKeys(original, patch, path);

    // Directive keys are collected first: they steer how their sibling lists
    // are merged and are never copied into the result.
    const orders = new Map<string, unknown[]>();
    const deletions = new Map<string, unknown[]>();
    const fields: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith(SET_ELEMENT_ORDER)) {
        const field = k.slice(SET_ELEMENT_ORDER.length);
        if (field === '' || !Array.isArray(v)) throw bad(`invalid $setElementOrder at ${where(path)}: ${k} must name a field and hold a list`);
        orders.set(field, v);
      } else if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        const field = k.slice(DELETE_FROM_PRIMITIVE_LIST.length);
        if (field === '' || !Array.isArray(v) || !v.every(isJsonPrimitive)) {
          throw bad(`invalid patch format of primitive list at ${where(path)}: ${k} must name a field and hold a list of scalars`);
        }
        deletions.set(field, v);
      } else {
        fields.push(k);
      }
    }

    for (const k of fields) {
      const patchValue = patch[k];
      const fieldPath = [...path, k];
      if (patchValue === null) {
        delete original[k];
        continue;
      }
      const originalValue = original[k];
      if (Array.isArray(patchValue)) {
        // A list with no list in the original is merged into [] so its items are cleaned the same way.
        const base = Array.isArray(originalValue) ? originalValue : [];
        original[k] = this.mergeList(base, patchValue, fieldPath, orders.get(k));
        orders.delete(k);
      } else if (isJsonObject(patchValue)) {
        const fieldMeta = this.lookup(fieldPath);
        const base = isJsonObject(originalValue) && fieldMeta?.strategy !== 'replace' ? originalValue : {};
        original[k] = this.mergeMap(base, patchValue, fieldPath);
      } else {
        original[k] = patchValue;
      }
    }

    // `$setElementOrder` for a list the patch does not otherwise touch: only reorder.
    for (const [field, order] of orders) {
      const list = original[field];
      if (!Array.isArray(list)) continue;
      const fieldMeta = this.lookup([...path, field]);
      if (!isMergeList(fieldMeta)) continue; // order is meaningless for replaced lists
      original[field] = this.applyOrder(list, list, order, fieldMeta?.mergeKey, [...path, field]);
    }

    for (const [field, remove] of deletions) {
      const list = original[field];
      if (!Array.isArray(list)) continue;
      original[field] = list.filter((item) => !remove.some((r) => r === item));
    }
    return original;
  }

  /**
   * `$retainKeys: [..]` (Deployment spec.strategy, volumes): every key of the
   * original not listed is cleared, and every non-null key of the patch must
   * be listed, so a patch can't set a field it simultaneously declares dead.
   */
  private applyRetainKeys(original: JsonObject, patch: JsonObject, path: readonly string[]): void {
    if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS)) return;
    const keep = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(keep) || !keep.every((x): x is string => typeof x === 'string')) {
      throw bad(`invalid patch format of retainKeys at ${where(path)}: $retainKeys must be a list of field names`);
    }
    const retained = new Set(keep);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k === DIRECTIVE || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
      if (!retained.has(k)) throw bad(`field ${JSON.stringify(k)} at ${where(path)} is set by the patch but not listed in $retainKeys`);
    }
    for (const k of Object.keys(original)) {
      if (!retained.has(k)) delete original[k];
    }
  }

  /** Merges a patch list into an (owned) original list at `path`, honouring an optional `$setElementOrder`. */
  mergeList(original: unknown[], patch: unknown[], path: readonly string[], order: unknown[] | undefined): unknown[] {
    if (patch.some(Array.isArray) || original.some(Array.isArray)) {
      throw new StatusError(422, 'Invalid', `strategic merge patch: lists of lists are not supported (at ${where(path)})`);
    }
    const fieldMeta = this.lookup(path);
    if (!isMergeList(fieldMeta)) return this.replaceList(patch, path);

    const mergeKey = fieldMeta?.mergeKey;
    const mapItems = [...original, ...patch].some(isJsonObject);
    if (mapItems && !mergeKey) {
      // A `merge` tag without a key on a list of maps is a table mistake; replacing is the safe reading.
      return this.replaceList(patch, path);
    }

    // Special elements first: `{"$patch":"delete", key: v}` drops matching
    // items; `{"$patch":"replace"}` makes the rest of the patch list the new list.
    let base = original;
    const items: unknown[] = [];
    let replace = false;
    for (const item of patch) {
      if (!isJsonObject(item) || !Object.prototype.hasOwnProperty.call(item, DIRECTIVE)) {
        items.push(item);
        continue;
      }
      const directive = item[DIRECTIVE];
      if (directive === 'replace') {
        replace = true;
      } else if (directive === 'delete') {
        if (!mergeKey || !Object.prototype.hasOwnProperty.call(item, mergeKey)) {
          throw bad(`$patch: delete in list ${where(path)} must carry the merge key${mergeKey ? ` ${JSON.stringify(mergeKey)}` : ''}: ${describeJson(item)}`);
        }
        const key = item[mergeKey];
        base = base.filter((x) => !(isJsonObject(x) && keyEqual(x[mergeKey], key)));
      } else if (directive === 'merge') {
        throw bad(`merging lists cannot yet be specified in the patch (at ${where(path)})`);
      } else {
        throw bad(`unknown $patch directive ${describeJson(directive)} in list ${where(path)}`);
      }
    }
    if (replace) {
      const replaced = this.replaceList(items, path);
      return order ? this.applyOrder(replaced, replaced, order, mergeKey, path) : replaced;
    }
    if (order) validateOrder(items, order, mergeKey, path);

    let merged: unknown[];
    if (mergeKey) {
      merged = [...base];
      for (const item of items) {
        if (!isJsonObject(item) || !Object.prototype.hasOwnProperty.call(item, mergeKey)) {
          throw bad(`item in list ${where(path)} does not contain declared merge key ${JSON.stringify(mergeKey)}: ${describeJson(item)}`);
        }
        const at = merged.findIndex((x) => isJsonObject(x) && keyEqual(x[mergeKey], item[mergeKey]));
        const existing = at >= 0 ? merged[at] : undefined;
        if (isJsonObject(existing)) merged[at] = this.mergeMap(existing, item, path);
        else merged.push(this.mergeMap({}, item, path));
      }
    } else {
      // A set of scalars: union, without duplicates, first occurrence wins.
      merged = [];
      for (const item of [...base, ...items]) {
        if (!merged.some((m) => keyEqual(m, item))) merged.push(item);
      }
    }

    let result = normalizeOrder(merged, items, base, mergeKey);
    if (order) result = normalizeOrder(result, order, original, mergeKey);
    return result;
  }

  /** Reorders an already merged list by a `$setElementOrder` list. */
  private applyOrder(list: unknown[], serverOrder: unknown[], order: unknown[], mergeKey: string | undefined, path: readonly string[]): unknown[] {
    if (list.some(Array.isArray)) throw new StatusError(422, 'Invalid', `strategic merge patch: lists of lists are not supported (at ${where(path)})`);
    return normalizeOrder(list, order, serverOrder, mergeKey);
  }

  /** A replaced list: the patch's items, each cleaned of directives and nulls. */
  private replaceList(patch: unknown[], path: readonly string[]): unknown[] {
    const out: unknown[] = [];
    for (const item of patch) {
      if (isJsonObject(item)) {
        // List directives mean nothing in a list that is replaced wholesale:
        // a delete marker or a bare replace marker is dropped, never stored.
        if (item[DIRECTIVE] === 'delete') continue;
        if (item[DIRECTIVE] === 'replace' && Object.keys(item).length === 1) continue;
        out.push(this.mergeMap({}, item, path));
      } else {
        out.push(item);
      }
    }
    return out;
  }
}

/** True when the tag asks for item-wise (or set) merging rather than replacement. */
function isMergeList(meta: PatchMeta | undefined): boolean {
  return meta?.strategy === 'merge' || meta?.strategy === 'merge,retainKeys';
}

/** Merge-key and set-member equality: scalars by value (as Go's ==), anything else structurally. */
function keyEqual(a: unknown, b: unknown): boolean {
  return isJsonPrimitive(a) || isJsonPrimitive(b) ? a === b : jsonEqual(a, b);
}

/** The identity of a list item: its merge-key value for maps in a keyed list, itself otherwise. */
function identity(item: unknown, mergeKey: string | undefined): { found: boolean; key: unknown } {
  if (!mergeKey) return { found: true, key: item };
  if (isJsonObject(item) && Object.prototype.hasOwnProperty.call(item, mergeKey)) return { found: true, key: item[mergeKey] };
  return { found: false, key: undefined };
}

/** Position of `item` in `list` by identity, -1 when absent. Items without a merge key match only themselves. */
function indexIn(list: readonly unknown[], item: unknown, mergeKey: string | undefined): number {
  const id = identity(item, mergeKey);
  if (!id.found) return list.indexOf(item);
  return list.findIndex((x) => {
    const other = identity(x, mergeKey);
    return other.found && keyEqual(other.key, id.key);
  });
}

/**
 * Checks that the patch list's items appear in `$setElementOrder` and in the
 * same relative order, as upstream's validatePatchWithSetOrderList does; a
 * mismatch means the client built an inconsistent patch.
 */
function validateOrder(items: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined, path: readonly string[]): void {
  let next = 0;
  for (const item of items) {
    const at = indexIn(order.slice(next), item, mergeKey);
    if (at < 0) {
      throw bad(`the order in patch list ${where(path)} doesn't match $setElementOrder list: ${describeJson(item)} is missing or out of order`);
    }
    next += at + 1;
  }
}

/**
 * Upstream's ordering rule (normalizeElementOrder + mergeSortedSlice):
 * split `merged` into items named by `patchOrder` and server-only items; sort
 * the first by `patchOrder` and the second by `serverOrder`; then interleave,
 * taking a server-only item first only when both are on the server and it
 * comes earlier there. Both runs keep their internal order.
 */
function normalizeOrder(merged: readonly unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string | undefined): unknown[] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (indexIn(patchOrder, item, mergeKey) >= 0 ? inPatch : serverOnly).push(item);

  const byIndexIn = (order: readonly unknown[], list: unknown[]): unknown[] => {
    const found = list.filter((x) => indexIn(order, x, mergeKey) >= 0);
    const rest = list.filter((x) => indexIn(order, x, mergeKey) < 0);
    // Array.prototype.sort is stable, so ties keep their relative order.
    found.sort((a, b) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey));
    return [...found, ...rest];
  };
  const left = byIndexIn(serverOrder, serverOnly);
  const right = byIndexIn(patchOrder, inPatch);

  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
