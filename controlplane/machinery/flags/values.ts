/**
 * One parser and one printer per flag type. Parsing never throws: it returns
 * the value or the reason, which the command line parser turns into pflag's
 * `invalid argument "<v>" for "--<name>" flag: <reason>` line.
 */
import { isIP } from 'node:net';
import { formatGoDuration, parseGoDuration } from './duration.js';
import type { EvictionThreshold, FlagSpec, FlagType, FlagValue, PortRange } from './types.js';

export type ParseResult = { ok: true; value: FlagValue } | { ok: false; reason: string };

const ok = (value: FlagValue): ParseResult => ({ ok: true, value });
const fail = (reason: string): ParseResult => ({ ok: false, reason });

/** Go's strconv.ParseBool spellings. */
const BOOLS: Record<string, boolean> = {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
};

/** Kubernetes resource.Quantity's textual forms (suffix: binary SI, decimal SI, or exponent). */
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const PERCENT = /^(\d+(\.\d+)?)%$/;

/** Eviction signals the kubelet knows (pkg/kubelet/eviction/api, v1.8 plus pid.available). */
export const EVICTION_SIGNALS: readonly string[] = [
  'memory.available',
  'nodefs.available',
  'nodefs.inodesFree',
  'imagefs.available',
  'imagefs.inodesFree',
  'allocatableMemory.available',
  'allocatableNodeFs.available',
  'pid.available',
];

const SEVERITIES: Record<string, number> = { INFO: 0, WARNING: 1, ERROR: 2, FATAL: 3 };

export function isValidQuantity(s: string): boolean {
  return QUANTITY.test(s);
}

function parseInt64(raw: string): ParseResult {
  // strconv.ParseInt(s, 0, 64): decimal, 0x, 0o/0, 0b prefixes, optional sign, underscores not allowed here.
  if (!/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|\d+)$/.test(raw)) {
    return fail(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  const neg = raw.startsWith('-');
  const body = raw.replace(/^[+-]/, '');
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (/^0[0-7]+$/.test(body)) n = parseInt(body.slice(1), 8);
  else n = parseInt(body, 10);
  if (!Number.isSafeInteger(n)) return fail(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
  return ok(neg ? -n : n);
}

function parseFloat64(raw: string): ParseResult {
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|[Ii]nf(inity)?|NaN)$/.test(raw)) {
    return fail(`strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return ok(Number(raw.replace(/inf(inity)?$/i, 'Infinity')));
}

function parseEviction(raw: string): ParseResult {
  const out: EvictionThreshold[] = [];
  const seen = new Set<string>();
  for (const statement of raw.split(',')) {
    if (statement.trim() === '') continue;
    const at = statement.indexOf('<');
    if (at <= 0) return fail(`invalid eviction threshold syntax ${statement}, expected <signal><operator><value>`);
    const signal = statement.slice(0, at).trim();
    const value = statement.slice(at + 1).trim();
    if (!EVICTION_SIGNALS.includes(signal)) return fail(`unsupported eviction signal ${signal}`);
    if (seen.has(signal)) return fail(`found duplicate eviction threshold for signal ${signal}`);
    seen.add(signal);
    const pct = PERCENT.exec(value);
    if (pct) {
      const p = Number(pct[1]);
      if (p <= 0 || p > 100) return fail(`eviction percentage threshold ${signal} must be positive and at most 100%: ${value}`);
    } else if (!isValidQuantity(value) || value.startsWith('-')) {
      return fail(`invalid eviction threshold value ${JSON.stringify(value)} for ${signal}: want a quantity (100Mi) or a percentage (10%)`);
    }
    out.push({ signal, operator: '<', value });
  }
  return ok(out);
}

function parsePortRange(raw: string): ParseResult {
  const s = raw.trim();
  if (s === '') return ok({ base: 0, size: 0 });
  const bad = fail(`unable to parse port range: ${raw}: want "low-high", "base+size" or a single port`);
  let low: number;
  let high: number;
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)-(\d+)$/.exec(s))) [low, high] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d+)\+(\d+)$/.exec(s))) [low, high] = [Number(m[1]), Number(m[1]) + Number(m[2]) - 1];
  else if ((m = /^(\d+)$/.exec(s))) [low, high] = [Number(m[1]), Number(m[1])];
  else return bad;
  if (low > 65535 || high > 65535) return fail(`port range ${raw}: ports must be at most 65535`);
  if (high < low) return fail(`port range ${raw}: end port is lower than start port`);
  return ok({ base: low, size: high - low + 1 });
}

function parseMap(raw: string, bareKeys: boolean): ParseResult {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) {
      if (!bareKeys) return fail(`malformed pair ${JSON.stringify(pair)}, expect string=string`);
      out[pair.trim()] = '';
      continue;
    }
    const key = pair.slice(0, eq).trim();
    if (key === '') return fail(`malformed pair ${JSON.stringify(pair)}, empty key`);
    out[key] = pair.slice(eq + 1).trim();
  }
  return ok(out);
}

function parseCidr(raw: string): ParseResult {
  if (raw === '') return ok('');
  const slash = raw.indexOf('/');
  const ip = slash < 0 ? '' : raw.slice(0, slash);
  const bits = slash < 0 ? '' : raw.slice(slash + 1);
  const family = isIP(ip);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max) return fail(`invalid CIDR address: ${raw}`);
  return ok(raw);
}

/** Parses one occurrence of a flag's text value. */
export function parseFlagValue(spec: FlagSpec, raw: string): ParseResult {
  if (spec.check) {
    const why = spec.check(raw);
    if (why !== undefined) return fail(why);
  }
  switch (spec.type) {
    case 'bool': {
      const b = BOOLS[raw];
      return b === undefined ? fail(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`) : ok(b);
    }
    case 'string':
      return ok(raw);
    case 'int':
      return parseInt64(raw);
    case 'float':
      return parseFloat64(raw);
    case 'duration': {
      const d = parseGoDuration(raw);
      return d.ok ? ok(d.ms) : fail(d.error);
    }
    case 'quantity':
      if (raw === '') return ok('');
      return isValidQuantity(raw) ? ok(raw) : fail(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    case 'stringList':
      return ok(raw === '' ? [] : raw.split(','));
    case 'stringMap':
      return parseMap(raw, spec.bareKeys === true);
    case 'ip':
      if (raw === '') return ok('');
      return isIP(raw) ? ok(raw) : fail(`failed to parse IP: ${JSON.stringify(raw)}`);
    case 'ipList': {
      const items = raw === '' ? [] : raw.split(',').map((s) => s.trim());
      const badIp = items.find((s) => isIP(s) === 0);
      return badIp === undefined ? ok(items) : fail(`invalid string being converted to IP address: ${badIp}`);
    }
    case 'cidr':
      return parseCidr(raw);
    case 'evictionMap':
      return parseEviction(raw);
    case 'portRange':
      return parsePortRange(raw);
    case 'enum': {
      const alias = spec.valueAliases?.[raw];
      if (alias) return ok(alias.value);
      const values = spec.values ?? [];
      return values.includes(raw) ? ok(raw) : fail(`must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    case 'severity': {
      const named = SEVERITIES[raw.toUpperCase()];
      if (named !== undefined) return ok(named);
      // glog accepts any number here (the seeds use 4: nothing reaches stderr).
      return /^\d+$/.test(raw) ? ok(Number(raw)) : fail(`strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax (want INFO, WARNING, ERROR, FATAL or a number)`);
    }
  }
}

/**
 * Combines a repeated occurrence with the value so far. Lists append and maps merge,
 * but only after the first explicit occurrence has replaced the default (pflag's rule).
 */
export function mergeFlagValue(type: FlagType, previous: FlagValue, next: FlagValue, firstExplicit: boolean): FlagValue {
  if (firstExplicit) return next;
  if ((type === 'stringList' || type === 'ipList' || type === 'evictionMap') && Array.isArray(previous) && Array.isArray(next)) {
    return [...previous, ...next] as FlagValue;
  }
  if (type === 'stringMap' && isRecord(previous) && isRecord(next)) return { ...previous, ...next };
  return next;
}

function isRecord(v: FlagValue): v is Record<string, string> {
  return typeof v === 'object' && !Array.isArray(v) && !('base' in v && 'size' in v);
}

/** The text form used in --help defaults and the start-up flag dump. */
export function formatFlagValue(type: FlagType, value: FlagValue): string {
  switch (type) {
    case 'duration':
      return formatGoDuration(value as number);
    case 'stringList':
    case 'ipList':
      return `[${(value as string[]).join(',')}]`;
    case 'stringMap': {
      const m = value as Record<string, string>;
      return Object.keys(m).sort().map((k) => (m[k] === '' ? k : `${k}=${m[k]}`)).join(',');
    }
    case 'evictionMap':
      return (value as EvictionThreshold[]).map((t) => `${t.signal}${t.operator}${t.value}`).join(',');
    case 'portRange': {
      const r = value as PortRange;
      return r.size === 0 ? '' : `${r.base}-${r.base + r.size - 1}`;
    }
    default:
      return String(value);
  }
}

/** pflag leaves "(default …)" out of --help when the default is the type's zero value. */
export function isZeroValue(type: FlagType, value: FlagValue): boolean {
  switch (type) {
    case 'bool':
      return value === false;
    case 'int':
    case 'float':
    case 'duration':
      return value === 0;
    case 'severity':
      return false;
    default:
      return formatFlagValue(type, value) === '' || formatFlagValue(type, value) === '[]';
  }
}

/** The word pflag prints after the flag name in --help (`--port int`). Bools print none. */
export function typeWord(spec: FlagSpec): string {
  const words: Record<FlagType, string> = {
    bool: '',
    string: 'string',
    int: 'int',
    float: 'float',
    duration: 'duration',
    quantity: 'quantity',
    stringList: 'strings',
    stringMap: 'mapStringString',
    ip: 'ip',
    ipList: 'ipSlice',
    cidr: 'ipNet',
    evictionMap: 'mapStringString',
    portRange: 'portRange',
    enum: 'string',
    severity: 'severity',
  };
  return words[spec.type];
}
