/**
 * The eviction flags → thresholds (upstream ParseThresholdConfig, v1.8):
 *   --eviction-hard             memory.available<100Mi,nodefs.available<10%
 *   --eviction-soft             same syntax; each needs a grace period
 *   --eviction-soft-grace-period  memory.available=1m30s
 *   --eviction-minimum-reclaim  imagefs.available=2Gi (quantity or %)
 * Bad input throws EvictionConfigError naming the flag (the kubelet exits 2).
 * Pure.
 */
import { Quantity } from '../../../controlplane/machinery/quantity.js';
import { parseGoDuration } from '../../../controlplane/machinery/flags/duration.js';
import { SIGNALS, type Signal, type Threshold, type ThresholdValue } from './types.js';

export class EvictionConfigError extends Error {
  override readonly name = 'EvictionConfigError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`invalid value for --${flag}: ${message}`);
  }
}

/** A threshold statement as the flag parser hands it over, or as text. */
export type Statements = string | readonly { signal: string; value: string; operator?: string }[];
export type Pairs = string | Readonly<Record<string, string>>;

export interface EvictionFlags {
  hard: Statements;
  soft: Statements;
  softGracePeriod: Pairs;
  minimumReclaim: Pairs;
}

function isSignal(s: string): s is Signal {
  return (SIGNALS as readonly string[]).includes(s);
}

function signalOf(flag: string, s: string): Signal {
  if (!isSignal(s)) throw new EvictionConfigError(flag, `unsupported eviction signal ${s} (supported: ${SIGNALS.join(', ')})`);
  return s;
}

/** `100Mi` / `10%` → ThresholdValue; zero or negative refused. */
export function parseThresholdValue(flag: string, signal: string, raw: string): ThresholdValue {
  const v = raw.trim();
  if (v.endsWith('%')) {
    const body = v.slice(0, -1);
    const p = Number(body);
    if (body === '' || !Number.isFinite(p)) throw new EvictionConfigError(flag, `invalid percentage ${JSON.stringify(v)} for ${signal}`);
    if (p <= 0 || p > 100) throw new EvictionConfigError(flag, `eviction percentage threshold ${signal} must be positive and at most 100%: ${v}`);
    return { percentage: p / 100 };
  }
  const q = Quantity.tryParse(v);
  if (!q) throw new EvictionConfigError(flag, `invalid quantity ${JSON.stringify(v)} for ${signal}: want e.g. 100Mi or 10%`);
  if (q.sign() <= 0) throw new EvictionConfigError(flag, `eviction threshold ${signal} must be positive: ${v}`);
  return { quantity: Number(q.value()) };
}

function statementsOf(flag: string, s: Statements): { signal: string; value: string }[] {
  if (typeof s !== 'string') return s.map((x) => ({ signal: x.signal, value: x.value }));
  const out: { signal: string; value: string }[] = [];
  for (const st of s.split(',')) {
    if (st.trim() === '') continue;
    const parts = st.split('<');
    if (parts.length !== 2 || parts[0].trim() === '') throw new EvictionConfigError(flag, `invalid eviction threshold syntax ${st}, expected <signal><operator><value>`);
    out.push({ signal: parts[0].trim(), value: parts[1].trim() });
  }
  return out;
}

function pairsOf(flag: string, p: Pairs): [string, string][] {
  if (typeof p !== 'string') return Object.entries(p);
  const out: [string, string][] = [];
  for (const st of p.split(',')) {
    if (st.trim() === '') continue;
    const parts = st.split('=');
    if (parts.length !== 2) throw new EvictionConfigError(flag, `invalid syntax ${st}, expected <signal>=<value>`);
    out.push([parts[0].trim(), parts[1].trim()]);
  }
  return out;
}

/** --eviction-hard / --eviction-soft statements → thresholds without grace periods. */
export function parseThresholdStatements(flag: string, s: Statements): Threshold[] {
  const seen = new Set<string>();
  return statementsOf(flag, s).map(({ signal, value }) => {
    const sig = signalOf(flag, signal);
    if (seen.has(sig)) throw new EvictionConfigError(flag, `found duplicate eviction threshold for signal ${sig}`);
    seen.add(sig);
    return { signal: sig, operator: 'LessThan', value: parseThresholdValue(flag, sig, value), gracePeriodMs: 0 };
  });
}

export function parseGracePeriods(flag: string, p: Pairs): Map<Signal, number> {
  const out = new Map<Signal, number>();
  for (const [k, v] of pairsOf(flag, p)) {
    const sig = signalOf(flag, k);
    const d = parseGoDuration(v);
    if (!d.ok) throw new EvictionConfigError(flag, `invalid grace period ${JSON.stringify(v)} for ${sig}: ${d.error}`);
    if (d.ms < 0) throw new EvictionConfigError(flag, `invalid eviction grace period specified: ${v}, must be a positive value`);
    if (out.has(sig)) throw new EvictionConfigError(flag, `duplicate eviction grace period specified for ${sig}`);
    out.set(sig, d.ms);
  }
  return out;
}

export function parseMinimumReclaims(flag: string, p: Pairs): Map<Signal, ThresholdValue> {
  const out = new Map<Signal, ThresholdValue>();
  for (const [k, v] of pairsOf(flag, p)) {
    const sig = signalOf(flag, k);
    if (out.has(sig)) throw new EvictionConfigError(flag, `duplicate eviction minimum reclaim specified for ${sig}`);
    if (v.trim() === '0') {
      out.set(sig, { quantity: 0 });
      continue;
    }
    out.set(sig, parseThresholdValue(flag, sig, v));
  }
  return out;
}

/** Every threshold the flags configure: hard ones first, then soft ones with their grace periods; minimum reclaims attached. */
export function parseEvictionConfig(f: EvictionFlags): Threshold[] {
  const hard = parseThresholdStatements('eviction-hard', f.hard);
  const soft = parseThresholdStatements('eviction-soft', f.soft);
  const grace = parseGracePeriods('eviction-soft-grace-period', f.softGracePeriod);
  const reclaim = parseMinimumReclaims('eviction-minimum-reclaim', f.minimumReclaim);
  for (const t of soft) {
    const g = grace.get(t.signal);
    if (g === undefined) throw new EvictionConfigError('eviction-soft-grace-period', `grace period must be specified for the soft eviction threshold ${t.signal}`);
    t.gracePeriodMs = g;
  }
  const all = [...hard, ...soft];
  for (const t of all) {
    const r = reclaim.get(t.signal);
    if (r) t.minReclaim = r;
  }
  return all;
}

/** `memory.available<100Mi` for logs and events. */
export function formatThreshold(t: Threshold): string {
  const v = t.value.quantity !== undefined ? String(t.value.quantity) : `${(t.value.percentage ?? 0) * 100}%`;
  return `${t.signal}<${v}${t.gracePeriodMs ? ` (grace ${t.gracePeriodMs / 1000}s)` : ''}`;
}
