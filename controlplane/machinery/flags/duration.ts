/**
 * Go's time.Duration text form, both ways: parseGoDuration("1h30m") and
 * formatGoDuration(5_400_000) === "1h30m0s". Every daemon flag that Kubernetes
 * declares as a duration is read and printed this way, so operators can paste
 * values from upstream documentation and from `--help` interchangeably.
 *
 * Internally durations are counted in nanoseconds as a bigint (Go's int64), so
 * "8760h" or "1.5us" round-trip exactly; the public unit is milliseconds.
 */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_INT64 = (1n << 63n) - 1n;

/** Parses Go's duration syntax (`300ms`, `-1.5h`, `2h45m`, `0`) into nanoseconds, or returns an error text like Go's. */
export function parseGoDurationNs(text: string): { ok: true; ns: bigint } | { ok: false; error: string } {
  const bad = { ok: false as const, error: `time: invalid duration "${text}"` };
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  // Go accepts a bare "0" (and "-0", "+0") without a unit; any other number needs one.
  if (s === '0') return { ok: true, ns: 0n };
  if (s === '') return bad;
  let total = 0n;
  const term = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;
  while (s !== '') {
    const m = term.exec(s);
    if (!m) return bad;
    const [whole, intPart, fracPart, unitName] = m as unknown as [string, string, string | undefined, string];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) return bad; // "." or ".s" alone
    const unit = UNIT_NS[unitName];
    if (unit === undefined) return { ok: false, error: `time: unknown unit "${unitName}" in duration "${text}"` };
    total += BigInt(intPart === '' ? '0' : intPart) * unit;
    if (fracPart) {
      // Truncate like Go: fraction * unit / 10^digits.
      total += (BigInt(fracPart) * unit) / 10n ** BigInt(fracPart.length);
    }
    if (total > MAX_INT64) return { ok: false, error: `time: invalid duration "${text}"` };
    s = s.slice(whole.length);
  }
  return { ok: true, ns: negative ? -total : total };
}

/** Milliseconds (possibly fractional for sub-millisecond values) from Go's syntax. */
export function parseGoDuration(text: string): { ok: true; ms: number } | { ok: false; error: string } {
  const r = parseGoDurationNs(text);
  return r.ok ? { ok: true, ms: Number(r.ns) / 1e6 } : r;
}

/** Go's Duration.String(): `0s`, `250ms`, `1.5µs`, `1m30s`, `12h0m0s`, `-5m0s`. */
export function formatGoDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    // Under one second Go picks the largest unit that keeps an integer part.
    const [unit, name] = u < 1_000n ? [1n, 'ns'] : u < 1_000_000n ? [1_000n, 'µs'] : [1_000_000n, 'ms'];
    out = fixed(u, unit) + name;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = (h > 0n ? `${h}h${m}m` : m > 0n ? `${m}m` : '') + fixed(u, 1_000_000_000n) + 's';
  }
  return neg ? '-' + out : out;
}

/** Go's String() for a duration given in milliseconds. */
export function formatGoDuration(ms: number): string {
  return formatGoDurationNs(BigInt(Math.round(ms * 1e6)));
}

/** value/unit as a decimal without trailing zeros ("1.5", "30", "0.25"). */
function fixed(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
