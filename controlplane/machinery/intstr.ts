/**
 * intstr.IntOrString: fields such as maxSurge, maxUnavailable and targetPort
 * that hold either a number (`3`) or a string (`25%`, `http`). On the wire the
 * two forms are simply a JSON number or a JSON string, so a TS union is the
 * whole representation.
 */

export type IntOrString = number | string;

/** An IntOrString that cannot be read as asked; the message is upstream's. */
export class IntOrStringError extends Error {
  override readonly name = 'IntOrStringError';
}

/** True for the string form ending in '%' (does not check the digits). */
export function isPercent(v: IntOrString | undefined): v is string {
  return typeof v === 'string' && v.endsWith('%');
}

/** Go's strconv.Atoi for the cases that matter: optional sign, decimal digits, int64 range. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The integer an IntOrString stands for against `total`: an int is returned
 * as is; `p%` is p*total/100 rounded up or down. Integer arithmetic, so
 * `roundUp` never suffers float error (33% of 300 is exactly 99).
 */
export function scaledValueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new IntOrStringError('nil value for IntOrString');
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new IntOrStringError(`invalid value for IntOrString: invalid type: ${v} is not an integer`);
    return v;
  }
  if (typeof v !== 'string') throw new IntOrStringError('invalid value for IntOrString: invalid type: neither int nor percentage');
  if (!v.endsWith('%')) throw new IntOrStringError('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  const p = atoi(digits);
  if (p === undefined) {
    throw new IntOrStringError(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`);
  }
  const product = p * total;
  // `+ 0` turns trunc's -0 (e.g. -50/100) into 0.
  const q = Math.trunc(product / 100) + 0;
  const exact = product % 100 === 0;
  if (exact) return q;
  // trunc goes toward zero; adjust to ceil / floor.
  if (roundUp) return product > 0 ? q + 1 : q;
  return product < 0 ? q - 1 : q;
}

/** intstr.Parse: `"5"` → 5, anything else stays a string. */
export function parseIntOrString(s: string): IntOrString {
  const n = atoi(s);
  return n !== undefined && n >= -2147483648 && n <= 2147483647 ? n : s;
}

/** The string form (`5` → `"5"`), e.g. for a Service targetPort shown in a table. */
export function intOrStringToString(v: IntOrString): string {
  return typeof v === 'number' ? String(v) : v;
}
