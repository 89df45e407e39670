/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), as kube-apiserver
 * applies it: kubectl sends it for `rollout undo` and `patch --type=json`.
 *
 * Design notes
 * - Pure: `applyJsonPatch` copies the document once, applies the operations
 *   to the copy in order, and returns it. Values taken from the patch are
 *   copied too, so the result shares nothing with either input.
 * - All-or-nothing: the first failing operation throws and no partial
 *   result escapes (the copy is simply dropped).
 * - Errors: a malformed patch (not an array, unknown op, missing `path` or
 *   `value`, bad pointer syntax) is a 400 BadRequest, because the request
 *   itself cannot be understood. An operation that is well formed but does
 *   not apply to this document (missing key, index out of range, failed
 *   `test`) is a 422 Invalid, as upstream answers. Every message names the
 *   operation index, the op and the path, e.g.
 *   `jsonpatch replace operation does not apply: doc is missing key: /spec/foo (operation 0)`.
 */
import { StatusError, apiErrors } from '../../machinery/errors.js';
import { cloneJson, describeJson, isJsonObject, jsonEqual, jsonKind, type JsonObject } from './json.js';

/** Upstream caps the number of operations (apiserver `maxJSONPatchOperations`), so a patch can't burn CPU forever. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export type JsonPatchOpName = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

/** One validated operation. `value` is present for add/replace/test, `from` for move/copy. */
export interface JsonPatchOperation {
  op: JsonPatchOpName;
  path: string;
  value?: unknown;
  from?: string;
}

const OPS: ReadonlySet<string> = new Set<JsonPatchOpName>(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Splits a JSON pointer (RFC 6901) into unescaped reference tokens.
 * `""` is the whole document (no tokens). `~1` means `/` and `~0` means `~`;
 * they are decoded in that order so `~01` stays a literal `~1`.
 * Returns an error string rather than throwing so callers can add context.
 */
export function parseJsonPointer(pointer: string): string[] | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return `JSON pointer must be empty or start with "/": ${JSON.stringify(pointer)}`;
  const tokens = pointer.slice(1).split('/');
  for (const t of tokens) {
    if (/~(?![01])/.test(t)) return `invalid escape in JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by 0 or 1`;
  }
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Thrown internally when an operation does not apply; turned into a 422 with op context. */
class DoesNotApply extends Error {}

/**
 * Parses an array index token for an array of length `len`. Leading zeros,
 * signs and non-digits are rejected as RFC 6901 requires. `allowEnd`
 * admits `len` itself (and `-`) for `add`, which inserts at that position.
 */
function arrayIndex(token: string, len: number, allowEnd: boolean, pointer: string): number {
  if (token === '-') {
    if (allowEnd) return len;
    throw new DoesNotApply(`"-" refers to the nonexistent element after the end of the array: ${pointer}`);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new DoesNotApply(`invalid array index ${JSON.stringify(token)}: ${pointer}`);
  const i = Number(token);
  const max = allowEnd ? len : len - 1;
  if (i > max) throw new DoesNotApply(`array index ${i} out of bounds (length ${len}): ${pointer}`);
  return i;
}

/** Follows `tokens` from `doc` and returns the value there, or throws DoesNotApply naming the missing part. */
function resolve(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      cur = cur[arrayIndex(t, cur.length, false, pointer)];
    } else if (isJsonObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) throw new DoesNotApply(`doc is missing key: ${pointer}`);
      cur = cur[t];
    } else {
      throw new DoesNotApply(`doc is missing path: ${pointer}: cannot descend into ${jsonKind(cur)}`);
    }
  }
  return cur;
}

/** The container holding the target of `tokens` (which must be non-empty). */
function parentOf(doc: unknown, tokens: readonly string[], pointer: string): unknown[] | JsonObject {
  const parent = resolve(doc, tokens.slice(0, -1), pointer);
  if (Array.isArray(parent) || isJsonObject(parent)) return parent;
  throw new DoesNotApply(`doc is missing path: ${pointer}: parent is ${jsonKind(parent)}, not an object or array`);
}

/** Each helper returns the (possibly new) document root, since operations on "" replace the whole document. */
function doAdd(doc: unknown, tokens: readonly string[], pointer: string, value: unknown): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else parent[last] = value;
  return doc;
}

function doRemove(doc: unknown, tokens: readonly string[], pointer: string): unknown {
  // Removing the whole document would leave nothing to store; upstream refuses it too.
  if (tokens.length === 0) throw new DoesNotApply('cannot remove the whole document');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  } else {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw new DoesNotApply(`doc is missing key: ${pointer}`);
    delete parent[last];
  }
  return doc;
}

function doReplace(doc: unknown, tokens: readonly string[], pointer: string, value: unknown): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    parent[arrayIndex(last, parent.length, false, pointer)] = value;
  } else {
    // Unlike add, replace requires the target to exist (RFC 6902 §4.3).
    if (!Object.prototype.hasOwnProperty.call(parent, last)) throw new DoesNotApply(`doc is missing key: ${pointer}`);
    parent[last] = value;
  }
  return doc;
}

function requireString(raw: JsonObject, field: 'path' | 'from', index: number, op: string): string {
  const v = raw[field];
  if (typeof v !== 'string') {
    throw apiErrors.badRequest(`jsonpatch ${op} operation (operation ${index}) is missing "${field}" or it is not a string`);
  }
  return v;
}

/**
 * Validates the shape of a decoded JSON Patch document and returns typed
 * operations. Throws 400 for anything malformed, naming the operation index.
 */
export function parseJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw apiErrors.badRequest(`json patch must be a JSON array of operations, got ${jsonKind(patch)}`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(422, 'Invalid', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch.map((raw, index): JsonPatchOperation => {
    if (!isJsonObject(raw)) throw apiErrors.badRequest(`jsonpatch operation ${index} must be an object, got ${jsonKind(raw)}`);
    const op = raw.op;
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw apiErrors.badRequest(`jsonpatch operation ${index} has unknown or missing "op": ${describeJson(op)}`);
    }
    const name = op as JsonPatchOpName;
    const out: JsonPatchOperation = { op: name, path: requireString(raw, 'path', index, op) };
    if (name === 'add' || name === 'replace' || name === 'test') {
      // `"value": null` is a real value; only an absent key is an error.
      if (!Object.prototype.hasOwnProperty.call(raw, 'value')) {
        throw apiErrors.badRequest(`jsonpatch ${op} operation (operation ${index}) is missing "value": ${out.path}`);
      }
      out.value = raw.value;
    }
    if (name === 'move' || name === 'copy') out.from = requireString(raw, 'from', index, op);
    return out;
  });
}

function pointerTokens(pointer: string, op: string, index: number): string[] {
  const t = parseJsonPointer(pointer);
  if (typeof t === 'string') throw apiErrors.badRequest(`jsonpatch ${op} operation (operation ${index}): ${t}`);
  return t;
}

/**
 * Applies a decoded JSON Patch to `doc` and returns the new document.
 * Never mutates `doc` or `patch`. Throws StatusError 400 (malformed patch)
 * or 422 (an operation does not apply), naming the operation that failed.
 */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = parseJsonPatch(patch);
  let cur: unknown = cloneJson(doc);
  ops.forEach((o, index) => {
    const tokens = pointerTokens(o.path, o.op, index);
    try {
      switch (o.op) {
        case 'add':
          cur = doAdd(cur, tokens, o.path, cloneJson(o.value));
          break;
        case 'remove':
          cur = doRemove(cur, tokens, o.path);
          break;
        case 'replace':
          cur = doReplace(cur, tokens, o.path, cloneJson(o.value));
          break;
        case 'move': {
          const from = o.from ?? '';
          const fromTokens = pointerTokens(from, o.op, index);
          // A value cannot be moved into one of its own children (RFC 6902 §4.4).
          if (o.path !== from && o.path.startsWith(from + '/')) {
            throw new DoesNotApply(`cannot move ${from} into its own child ${o.path}`);
          }
          const value = resolve(cur, fromTokens, from);
          if (o.path === from) break;
          cur = doRemove(cur, fromTokens, from);
          cur = doAdd(cur, tokens, o.path, value);
          break;
        }
        case 'copy': {
          const from = o.from ?? '';
          const value = resolve(cur, pointerTokens(from, o.op, index), from);
          cur = doAdd(cur, tokens, o.path, cloneJson(value));
          break;
        }
        case 'test': {
          const actual = resolve(cur, tokens, o.path);
          if (!jsonEqual(actual, o.value)) {
            throw new DoesNotApply(`testing value ${o.path} failed: expected ${describeJson(o.value)}, found ${describeJson(actual)}`);
          }
          break;
        }
      }
    } catch (e) {
      if (e instanceof DoesNotApply) {
        throw new StatusError(422, 'Invalid', `jsonpatch ${o.op} operation does not apply: ${e.message} (operation ${index})`);
      }
      throw e;
    }
  });
  return cur;
}
