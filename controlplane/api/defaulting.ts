/**
 * Small helpers shared by the per-group defaulters. Defaulting treats a
 * JSON `null` like an absent field, as Go's decoder does for pointers.
 */

/** Sets obj[key] = value when the field is absent (undefined or null). Mutates obj. */
export function setDefault<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Same as setDefault but also replaces an empty string, for enum-like string fields. */
export function setDefaultString<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): void {
  const cur: unknown = obj[key];
  if (cur === undefined || cur === null || cur === '') obj[key] = value;
}

/** Whether a map-like field has no entries. */
export function isEmptyMap(m: Record<string, unknown> | undefined | null): boolean {
  return !m || Object.keys(m).length === 0;
}
