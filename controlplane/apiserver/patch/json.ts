/**
 * Small JSON helpers shared by the three PATCH engines. Everything here treats
 * values as parsed JSON (objects, arrays, strings, numbers, booleans, null).
 */

/** A JSON object (never an array, never null). */
export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A scalar JSON value: the only things primitive lists and merge keys may hold. */
export function isJsonPrimitive(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/**
 * Deep copy of a JSON value. The engines copy their inputs once on entry and
 * then work on the copies, so callers' objects (often shared cache entries)
 * are never touched and the result shares no structure with them.
 */
export function cloneJson<T>(v: T): T {
  return structuredClone(v);
}

/** Structural equality for JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Short rendering of a value for error messages (bounded, so a huge patch doesn't flood the Status). */
export function describeJson(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}

/** What kind of JSON value this is, for "expected an object, got an array" messages. */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}
