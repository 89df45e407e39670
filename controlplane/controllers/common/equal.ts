/**
 * Semantic equality of API values (apiequality.Semantic.DeepEqual as it
 * matters here): absent, null, empty object and empty array are all "unset",
 * so a template that came back from kubectl with `"creationTimestamp":null`
 * and `"resources":{}` equals the one the API server stored without them.
 *
 * Go clients (kubectl rollout undo re-sends a ReplicaSet's template) drop the
 * zero value of every non-pointer field tagged omitempty, so "" is unset
 * everywhere, and false/0 are unset for the non-pointer PodSpec/Container
 * fields below. Pointer fields (automountServiceAccountToken: false …) keep
 * their false: it differs from absent.
 */

/** Non-pointer omitempty bool/int fields of pod templates: false / 0 means unset. */
const ZERO_IS_UNSET = new Set(['hostNetwork', 'hostPID', 'hostIPC', 'stdin', 'stdinOnce', 'tty', 'hostPort', 'readOnly']);

/** A canonical copy: keys sorted, unset values dropped; undefined when the whole value is unset. */
export function canonical(v: unknown, key?: string): unknown {
  if (v === null || v === undefined || v === '') return undefined;
  if ((v === false || v === 0) && key !== undefined && ZERO_IS_UNSET.has(key)) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    // Elements keep their position: null inside a list is a value, so map it to null.
    return v.map((e) => canonical(e) ?? null);
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const c = canonical((v as Record<string, unknown>)[k], k);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

/** Canonical JSON text: equal text ⇔ semantically equal values. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(canonical(v) ?? null);
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJSON(a) === canonicalJSON(b);
}

/** Label/annotation maps: equal keys and values ("" is a value here). */
export function sameStringMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => b !== undefined && Object.hasOwn(b, k) && b[k] === a![k]);
}
