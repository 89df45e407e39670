/**
 * resource.Quantity: exact fixed-point amounts such as `500m`, `1.5Gi`, `2e3`.
 *
 * Design notes.
 * - The value is held as a bigint count of nano-units. Upstream rounds every
 *   parsed value *up* (away from zero) to nano precision, so nanos represent
 *   every Quantity exactly and arithmetic never drifts the way floats would.
 * - Parsing follows upstream's two paths on purpose: values that fit its int64
 *   "fast path" are kept exactly (even above 2^63-1, e.g. `12E`), while values
 *   that take its arbitrary-precision path are rounded up to 1n and capped at
 *   2^63-1 (e.g. `9Ei`). Matching that is what makes `kubectl get -o yaml`
 *   show the same strings as a real apiserver.
 * - toString() is upstream's canonical form (CanonicalizeBytes): the suffix
 *   family of the parsed format is kept (`1e3` stays `1e3`, `1.5Gi` becomes
 *   `1536Mi`, `0.5` becomes `500m`, `0.0001` becomes `100u`), and no precision
 *   is ever lost. Use roundUp(-3) first if you want milli precision.
 */

/** How a Quantity prints: upstream's Format values. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export type QuantityErrorCode = 'FormatWrong' | 'Suffix' | 'Numeric';

const MESSAGES: Record<QuantityErrorCode, string> = {
  FormatWrong: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  Suffix: "unable to parse quantity's suffix",
  Numeric: 'unable to parse numeric part of quantity',
};

/** A string that is not a quantity. `message` is upstream's, verbatim; `input` is what was given. */
export class QuantityError extends Error {
  override readonly name = 'QuantityError';
  constructor(
    readonly code: QuantityErrorCode,
    readonly input: string,
  ) {
    super(MESSAGES[code]);
  }
}

const NANO = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_BY_EXP = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Exponents beyond this are refused rather than building a gigantic bigint. */
const MAX_DECIMAL_EXPONENT = 100_000;

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(s: string): Suffix | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIXES, s)) return { base: 10, exponent: DECIMAL_SUFFIXES[s], format: 'DecimalSI' };
  if (Object.hasOwn(BINARY_SUFFIXES, s)) return { base: 2, exponent: BINARY_SUFFIXES[s], format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[-+]?[0-9]+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    if (Math.abs(exponent) > MAX_DECIMAL_EXPONENT) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/** Division rounding away from zero (upstream's inf.RoundUp). */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

// sign, integer digits, optional '.' and fraction digits, then the suffix:
// suffix letters, then an optional sign and digits (decimal exponent).
const QUANTITY_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/** An immutable resource quantity. */
export class Quantity {
  private constructor(
    /** The value in units of 10^-9. */
    private readonly nanos: bigint,
    readonly format: QuantityFormat,
  ) {}

  /** Parses `1.5Gi`, `100m`, `2e3`…; throws QuantityError with upstream's message. */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityError('FormatWrong', str);
    if (str === '0') return new Quantity(0n, 'DecimalSI');
    const m = QUANTITY_RE.exec(str);
    // Upstream's regex would also admit "Gi" or "." (as zero); a quantity
    // with no digit at all is almost always a typo, so it is refused here.
    if (!m || (m[2] + (m[3] ?? '')).length === 0) throw new QuantityError('FormatWrong', str);
    const negative = m[1] === '-';
    const num = m[2].replace(/^0+/, '') || '0';
    const denom = m[3] ?? '';
    const suffix = interpretSuffix(m[4]);
    if (!suffix) throw new QuantityError('Suffix', str);

    const digits = BigInt(num + denom);
    const binaryFactor = suffix.base === 2 ? 1n << BigInt(suffix.exponent) : 1n;
    const decimalExponent = suffix.base === 10 ? suffix.exponent : 0;

    // Would upstream keep this value in its exact int64 representation?
    // (Its precision estimate, scale floor of 10^-9 and int64 overflow checks.)
    let precision: number;
    if (suffix.base === 10) precision = 18 - (num.length + denom.length);
    else if (suffix.exponent >= 0 && denom.length === 0) precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
    else precision = -1;
    const fastPath = precision >= 0 && decimalExponent - denom.length >= -9 && digits <= MAX_INT64 && digits * binaryFactor <= MAX_INT64;

    // value = digits * binaryFactor * 10^(decimalExponent - len(denom)); nanos = value * 10^9.
    const shift = 9 + decimalExponent - denom.length;
    let nanos = shift >= 0 ? digits * binaryFactor * 10n ** BigInt(shift) : divAwayFromZero(digits * binaryFactor, 10n ** BigInt(-shift));
    let format = suffix.format;
    if (!fastPath) {
      // Upstream's arbitrary-precision path caps the magnitude at 2^63-1 …
      if (nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO;
      // … and will not call a fraction of a byte "binary".
      if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
    }
    return new Quantity(negative ? -nanos : nanos, format);
  }

  /** parse() that returns undefined instead of throwing. */
  static tryParse(str: string): Quantity | undefined {
    try {
      return Quantity.parse(str);
    } catch (e) {
      if (e instanceof QuantityError) return undefined;
      throw e;
    }
  }

  /**
   * Reads a quantity as it arrives in JSON: a string (surrounding blanks are
   * trimmed, as upstream's UnmarshalJSON does) or a bare number (`cpu: 2`).
   */
  static fromJSON(v: unknown): Quantity {
    if (typeof v === 'string') return Quantity.parse(v.trim());
    if (typeof v === 'number' && Number.isFinite(v)) return Quantity.parse(String(v));
    throw new QuantityError('FormatWrong', String(v));
  }

  /** `n` whole units (NewQuantity). */
  static fromInt(n: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new RangeError(`Quantity.fromInt: ${n} is not a safe integer`);
    return new Quantity(BigInt(n) * NANO, format);
  }

  /** `milli` thousandths of a unit (NewMilliQuantity), e.g. 250n → `250m`. */
  static fromMilli(milli: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(milli * 1_000_000n, format);
  }

  /** A zero of the given format. */
  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, format);
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos < 0n ? -1 : this.nanos > 0n ? 1 : 0;
  }

  /** -1, 0 or 1; formats do not matter (`1Gi` > `1G`, `1000m` == `1`). */
  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nanos < other.nanos ? -1 : this.nanos > other.nanos ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.nanos === other.nanos;
  }

  /** this + other. Keeps this format, unless this is zero (then takes other's), like upstream Add. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nanos + other.nanos, this.isZero() ? other.format : this.format);
  }

  /** this - other, with add()'s format rule. */
  sub(other: Quantity): Quantity {
    return new Quantity(this.nanos - other.nanos, this.isZero() ? other.format : this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.nanos, this.format);
  }

  /** Multiplies by an integer (e.g. per-replica request × replicas). */
  mul(n: number | bigint): Quantity {
    if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new RangeError(`Quantity.mul: ${n} is not a safe integer`);
    return new Quantity(this.nanos * BigInt(n), this.format);
  }

  /** Value at 10^scale units, rounded away from zero (ScaledValue). scale is ≥ -9. */
  scaledValue(scale: number): bigint {
    if (!Number.isInteger(scale) || scale < -9) throw new RangeError(`Quantity.scaledValue: scale ${scale} is below nano precision`);
    return divAwayFromZero(this.nanos, 10n ** BigInt(scale + 9));
  }

  /** Whole units, rounded away from zero (upstream Value()): `1500m` → 2n. */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** Thousandths, rounded away from zero (MilliValue()): `0.0001` → 1n. */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** The value in units of 10^-9 (exact). */
  nanoValue(): bigint {
    return this.nanos;
  }

  /** This value rounded away from zero to a multiple of 10^scale: `roundUp(-3)` on `100u` gives `1m`. */
  roundUp(scale: number): Quantity {
    const v = this.scaledValue(scale);
    return new Quantity(v * 10n ** BigInt(scale + 9), this.format);
  }

  /** An approximate float, for display and ratios only; never compare with it. */
  asNumber(): number {
    return Number(`${this.nanos}e-9`);
  }

  /** Canonical form, as upstream's String()/CanonicalizeBytes. */
  toString(): string {
    const n = this.nanos;
    if (n === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI' && (abs(n) < 1024n * NANO || n % NANO !== 0n)) {
      // Small or fractional binary amounts print as decimal rather than lose precision.
      format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let v = n / NANO;
      let power = 0;
      while (power < BINARY_BY_POWER.length - 1 && abs(v) >= 1024n && v % 1024n === 0n) {
        v /= 1024n;
        power++;
      }
      return `${v}${BINARY_BY_POWER[power]}`;
    }
    // Decimal: strip factors of ten into the exponent, then step the exponent
    // down to a multiple of three so the suffix is as large as possible.
    let mantissa = n;
    let exponent = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    // Upstream drops the suffix above E (a bug: 1000E prints "1"); keep the value exact instead.
    if (exponent > 18) {
      mantissa *= 10n ** BigInt(exponent - 18);
      exponent = 18;
    }
    return `${mantissa}${DECIMAL_BY_EXP.get(exponent)}`;
  }

  /** Quantities serialize as their canonical string. */
  toJSON(): string {
    return this.toString();
  }
}
