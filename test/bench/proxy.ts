/**
 * kube-proxy bench (iptables mode, legacy backend, throwaway namespaces):
 *
 *   npm run bench -- proxy [--services 1000,5000] [--base 1000] [--changes 100] [--mode legacy|nft] [--runs 1]
 *
 * 1. Change → rules applied: a proxier with `--base` services (3 endpoints
 *    each) runs its real sync loop (bounded-frequency runner, min sync
 *    period 0, partial syncs on); each of `--changes` changes is a new
 *    Service plus its Endpoints delivered through the handlers, timed until
 *    the sync that carries it has finished its iptables-restore. p50/p99.
 * 2. Full sync of N services: planning (pure), our sync into an empty
 *    namespace (plan + iptables-save + one restore + the jump rules), a
 *    steady-state full resync into the populated namespace — beside the
 *    baseline of piping the very same pre-rendered ruleset straight into
 *    `iptables-<mode>-restore --noflush` (through nsenter too), into a fresh
 *    namespace and again into the populated one.
 * With `--runs N` every timing is the median of N runs.
 */
import { execa } from 'execa';
import type { Endpoints, Service } from '../../controlplane/api/core/v1/types.js';
import { createLogger, defaultLogOptions } from '../../controlplane/machinery/log/index.js';
import { openIptables, type IptablesMode } from '../../native/iptables/index.js';
import { IptablesProxier } from '../../agent/proxy/iptables/proxier.js';
import { DEFAULT_IPTABLES_CONFIG, planRules } from '../../agent/proxy/iptables/rules.js';
import { servicePortsOf, endpointsPortsOf } from '../../agent/proxy/changes.js';
import type { EndpointInfo, ServicePortInfo, SyncStats } from '../../agent/proxy/types.js';
import { createNetNs, requireRoot, type NetNs } from '../harness/netns.js';
import { nowMs, percentile } from './stats.js';

interface Opts {
  services: number[];
  base: number;
  changes: number;
  mode: IptablesMode;
  runs: number;
}

function parse(args: string[]): Opts {
  const o: Opts = { services: [1000, 5000], base: 1000, changes: 100, mode: 'legacy', runs: 1 };
  for (let i = 0; i < args.length; i++) {
    const [k, v0] = args[i].split('=');
    const v = v0 ?? args[++i];
    if (k === '--services') o.services = v.split(',').map(Number);
    else if (k === '--base') o.base = Number(v);
    else if (k === '--changes') o.changes = Number(v);
    else if (k === '--mode') o.mode = v as IptablesMode;
    else if (k === '--runs') o.runs = Number(v);
    else throw new Error(`unknown argument ${k}`);
  }
  return o;
}

const log = createLogger({ ...defaultLogOptions('kube-proxy-bench'), v: 0 }, { stderr: { write: () => true } });

function service(i: number): { s: Service; e: Endpoints } {
  const ns = `ns${i % 50}`;
  const name = `svc-${i}`;
  const ip = (a: number) => `10.${a + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  return {
    s: { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, resourceVersion: '1' }, spec: { type: 'ClusterIP', clusterIP: ip(96), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    e: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { namespace: ns, name, resourceVersion: '1' },
      subsets: [{ addresses: [0, 1, 2].map((k) => ({ ip: ip(200 + k) })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function withNs<T>(fn: (ns: NetNs) => Promise<T>): Promise<T> {
  const ns = await createNetNs('kp-bench');
  try {
    return await fn(ns);
  } finally {
    await ns.destroy();
  }
}

async function newProxier(ns: NetNs, mode: IptablesMode, observer?: (s: SyncStats) => void) {
  const ipt = await openIptables({ netns: ns.path, mode });
  return new IptablesProxier({
    hostname: 'node',
    minSyncPeriodMs: 0,
    syncPeriodMs: 3_600_000,
    log,
    iptables: ipt,
    config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: '10.0.0.0/8' },
    observer: observer ? { synced: (s) => observer(s), failed: () => undefined } : undefined,
  });
}

/** Change → applied latency over the real sync loop. */
async function changeLatency(o: Opts, signal: AbortSignal): Promise<{ p50: number; p99: number; mean: number; syncs: number }> {
  return withNs(async (ns) => {
    let waiter: (() => void) | undefined;
    let syncs = 0;
    const p = await newProxier(ns, o.mode, () => {
      syncs++;
      waiter?.();
    });
    for (let i = 0; i < o.base; i++) {
      const { s, e } = service(i);
      p.onServiceAdd(s);
      p.onEndpointsAdd(e);
    }
    const ac = new AbortController();
    signal.addEventListener('abort', () => ac.abort(), { once: true });
    const first = new Promise<void>((r) => (waiter = r));
    const loop = p.run(ac.signal);
    p.onServicesSynced();
    p.onEndpointsSynced();
    await first;
    const lat: number[] = [];
    for (let c = 0; c < o.changes && !signal.aborted; c++) {
      const { s, e } = service(o.base + c);
      const t0 = nowMs();
      // Resolves on the first completed sync that started after the change (nothing is pending afterwards).
      const done = new Promise<void>((r) => {
        waiter = () => {
          if (p.pendingChanges === 0) r();
        };
      });
      p.onServiceAdd(s);
      p.onEndpointsAdd(e);
      await done;
      lat.push(nowMs() - t0);
    }
    ac.abort();
    await loop;
    const sorted = Float64Array.from(lat).sort();
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: lat.reduce((a, b) => a + b, 0) / lat.length, syncs };
  });
}

interface FullRow {
  services: number;
  /** Steady-state full resync split into its parts (medians). */
  againSaveMs: number;
  againPlanMs: number;
  againRestoreMs: number;
  rules: number;
  chains: number;
  planMs: number;
  oursFirstMs: number;
  baseFirstMs: number;
  oursAgainMs: number;
  baseAgainMs: number;
}

function planOnly(n: number): { ms: number; text: string; rules: number; chains: number } {
  const services = new Map<string, ServicePortInfo>();
  const endpoints = new Map<string, readonly EndpointInfo[]>();
  for (let i = 0; i < n; i++) {
    const { s, e } = service(i);
    for (const [k, v] of servicePortsOf(s)) services.set(k, v);
    for (const [k, v] of endpointsPortsOf(e, 'node')) endpoints.set(k, v);
  }
  const t0 = nowMs();
  const plan = planRules({ services, endpoints, config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: '10.0.0.0/8' }, existingNatChains: new Set() });
  const ms = nowMs() - t0;
  return { ms, text: plan.text, rules: plan.rulesWritten, chains: plan.activeNatChains.size };
}

async function baselineRestore(ns: NetNs, mode: IptablesMode, text: string): Promise<number> {
  const t0 = nowMs();
  const r = await execa('nsenter', [`--net=${ns.path}`, '--', `iptables-${mode}-restore`, '--wait', '5', '--noflush'], { input: text, reject: false });
  const ms = nowMs() - t0;
  if (r.exitCode !== 0) throw new Error(`baseline restore failed: ${r.stderr}`);
  return ms;
}

async function fullSync(n: number, o: Opts): Promise<FullRow> {
  const plan = planOnly(n);
  const first: number[] = [];
  const again: number[] = [];
  const baseFirst: number[] = [];
  const baseAgain: number[] = [];
  const parts: { saveMs: number; planMs: number; restoreMs: number }[] = [];
  for (let run = 0; run < o.runs; run++) {
    await withNs(async (ns) => {
      const p = await newProxier(ns, o.mode);
      for (let i = 0; i < n; i++) {
        const { s, e } = service(i);
        p.onServiceAdd(s);
        p.onEndpointsAdd(e);
      }
      p.onServicesSynced();
      p.onEndpointsSynced();
      first.push((await p.sync()).durationMs);
      p.forceFullSync();
      const s2 = await p.sync();
      if (!s2.full) throw new Error('expected a full sync');
      again.push(s2.durationMs);
      parts.push(p.lastTimings!);
    });
    await withNs(async (ns) => {
      baseFirst.push(await baselineRestore(ns, o.mode, plan.text));
      baseAgain.push(await baselineRestore(ns, o.mode, plan.text));
    });
  }
  return {
    againSaveMs: median(parts.map((x) => x.saveMs)),
    againPlanMs: median(parts.map((x) => x.planMs)),
    againRestoreMs: median(parts.map((x) => x.restoreMs)),
    services: n,
    rules: plan.rules, chains: plan.chains, planMs: plan.ms, oursFirstMs: median(first), baseFirstMs: median(baseFirst), oursAgainMs: median(again), baseAgainMs: median(baseAgain) };
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  requireRoot('the kube-proxy bench');
  const o = parse(args);
  const f = (x: number) => x.toFixed(1).padStart(8);
  process.stdout.write(`kube-proxy bench: iptables-${o.mode}, ${o.runs} run(s) per timing\n\n`);

  process.stdout.write(`Change → rules applied (${o.base} services × 3 endpoints present, ${o.changes} changes of one Service + Endpoints each, min-sync-period 0, partial syncs):\n`);
  const c = await changeLatency(o, signal);
  process.stdout.write(`  p50 ${c.p50.toFixed(1)} ms   p99 ${c.p99.toFixed(1)} ms   mean ${c.mean.toFixed(1)} ms   (${c.syncs} syncs)\n\n`);

  process.stdout.write('Full sync (ms): plan = rendering only (cold); ours = iptables-save + plan + one restore (+ the jump rules, on the first sync only); baseline = the same text piped to iptables-restore\n');
  process.stdout.write('services    rules   chains     plan  ours(empty)  base(empty)  ours(again)  base(again)   again = save + plan + restore\n');
  for (const n of o.services) {
    if (signal.aborted) break;
    const r = await fullSync(n, o);
    process.stdout.write(`${String(r.services).padStart(8)} ${String(r.rules).padStart(8)} ${String(r.chains).padStart(8)} ${f(r.planMs)} ${f(r.oursFirstMs).padStart(12)} ${f(r.baseFirstMs).padStart(12)} ${f(r.oursAgainMs).padStart(12)} ${f(r.baseAgainMs).padStart(12)}   ${r.againSaveMs.toFixed(0)} + ${r.againPlanMs.toFixed(0)} + ${r.againRestoreMs.toFixed(0)}\n`);
  }
}
