/**
 * Helpers shared by the per-group validators: turning machinery's
 * message-list checks into FieldErrors at a path, and the small numeric and
 * enum rules upstream repeats everywhere. All are pure.
 */
import { type FieldError, FieldPath, fieldErrors } from '../machinery/errors.js';
import { isPercent, type IntOrString } from '../machinery/intstr.js';
import { Quantity } from '../machinery/quantity.js';
import { isValidPortName, isValidPortNum } from '../machinery/validation.js';

export { FieldPath, fieldErrors };
export type { FieldError };

/** One Invalid error per message of a machinery check (`isDNS1123Label(v)` …), as upstream does. */
export function check(path: FieldPath, value: string, msgs: string[]): FieldError[] {
  return msgs.map((m) => fieldErrors.invalid(path, value, m));
}

export function nonNegative(value: number | undefined | null, path: FieldPath): FieldError[] {
  return typeof value === 'number' && value < 0 ? [fieldErrors.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** Required when empty, NotSupported when not one of `supported` (listed in upstream's order). */
export function enumField(value: string | undefined | null, supported: readonly string[], path: FieldPath, required = true): FieldError[] {
  if (value === undefined || value === null || value === '') return required ? [fieldErrors.required(path, '')] : [];
  return supported.includes(value) ? [] : [fieldErrors.notSupported(path, value, [...supported])];
}

/** A port given as a number (1–65535) or an IANA-style name. */
export function intOrStringPort(port: IntOrString | undefined | null, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return check(path, String(port), isValidPortNum(port)).map((e) => ({ ...e, value: port }));
  if (typeof port === 'string' && port !== '') return check(path, port, isValidPortName(port));
  return [fieldErrors.required(path, '')];
}

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** Upstream's ValidatePositiveIntOrPercent: a non-negative integer or `N%`. */
export function intOrPercent(v: IntOrString | undefined | null, path: FieldPath): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    if (!PERCENT_RE.test(v)) return [fieldErrors.invalid(path, v, PERCENT_MSG)];
    return [];
  }
  return nonNegative(v, path);
}

/** Upstream's IsNotMoreThan100Percent. */
export function notMoreThan100Percent(v: IntOrString | undefined | null, path: FieldPath): FieldError[] {
  if (!isPercent(v ?? undefined)) return [];
  const n = Number.parseInt(String(v), 10);
  return n > 100 ? [fieldErrors.invalid(path, v, 'must not be greater than 100%')] : [];
}

/** The integer value of an int-or-percent for "is it zero" checks; percent strings count by their number. */
export function intOrPercentValue(v: IntOrString | undefined | null): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number.parseInt(v, 10) || 0;
  return 0;
}

/** Parses a quantity field; returns the Quantity or pushes an Invalid error. Numbers are accepted as YAML sends them. */
export function quantityAt(value: unknown, path: FieldPath, errs: FieldError[]): Quantity | undefined {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  const q = s === undefined ? undefined : Quantity.tryParse(s);
  if (!q) {
    errs.push(fieldErrors.invalid(path, value, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    return undefined;
  }
  return q;
}

/** Stable JSON for deep comparisons of wire objects (key order does not matter). */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return val;
  });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

/** ValidateImmutableField: `Invalid value: <new>: field is immutable`. */
export function immutable(newVal: unknown, oldVal: unknown, path: FieldPath): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [fieldErrors.invalid(path, newVal ?? null, 'field is immutable')];
}

/** An absolute, `..`-free file path check used for mount paths, key-to-path items and the like. */
export function localDescendingPath(p: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fieldErrors.invalid(path, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(fieldErrors.invalid(path, p, "must not contain '..'"));
  return errs;
}

/** For `labels`-like string maps that arrived malformed: treat non-objects as empty. */
export function asRecord(v: unknown): Record<string, string> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {};
}
