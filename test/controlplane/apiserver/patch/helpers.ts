/** Shared helpers for the patch engine tests. */
import { StatusError } from '../../../../controlplane/machinery/errors.js';

/** Freezes a JSON value all the way down, so any mutation by the engine throws (ESM code is strict). */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Every `$`-prefixed key anywhere in a value, as dotted paths: must be empty for stored objects. */
export function directiveKeys(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => directiveKeys(x, `${path}[${i}]`));
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, x]) => [
      ...(k.startsWith('$') ? [`${path}.${k}`] : []),
      ...directiveKeys(x, `${path}.${k}`),
    ]);
  }
  return [];
}

/** The StatusError thrown by `fn`, or undefined when it didn't throw one. */
export function statusErrorOf(fn: () => unknown): StatusError | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  return undefined;
}
