/**
 * The native/ + cni/ bench of issue 5, in throwaway network namespaces:
 *
 *   npm run bench -- native [--routes 1000] [--runs 5] [--spawns 1000]
 *                           [--services 10000] [--nft] [--pods 20] [--skip routes,iptables,cni]
 *
 * 1. Routes: N routes added, listed and removed through native/rtnetlink vs
 *    `ip -batch -` vs one `ip route` spawn per route (the netlink bench's
 *    route section, TUN left out).
 * 2. iptables-restore of a kube-proxy-shaped ruleset of `--services`
 *    services: time and rules/s (the iptables bench). Legacy by default:
 *    the nf_tables backend takes minutes at 10,000 services on this
 *    machine (LIBS.md §5); `--nft` adds it.
 * 3. CNI: ADD and DEL latency of our bridge plugin (+ host-local, ipMasq)
 *    against the reference plugins from /usr/lib/cni, `--pods` sequential
 *    pods each, every pod in its own namespace, the plugin run with
 *    `nsenter --net` into a throwaway host namespace. Both sets pay the
 *    same nsenter and IPAM exec; ours also pays Node start-up twice per call.
 */
import { main as netlinkMain } from './netlink.js';
import { main as iptablesMain } from './iptables.js';
import { NsSet, installOurs, mustRun, reference, tempDir, type Impl } from '../cni/harness.js';
import { requireRoot } from '../harness/netns.js';
import { nowMs } from './stats.js';

interface Opts {
  routes: number;
  runs: number;
  spawns: number;
  services: number;
  nft: boolean;
  pods: number;
  skip: Set<string>;
}

function parseArgs(args: string[]): Opts {
  const o: Opts = { routes: 1000, runs: 5, spawns: 1000, services: 10_000, nft: false, pods: 20, skip: new Set() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const num = (): number => {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} takes a non-negative integer`);
      return v;
    };
    if (a === '--routes') o.routes = num();
    else if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--spawns') o.spawns = num();
    else if (a === '--services') o.services = num();
    else if (a === '--pods') o.pods = Math.max(1, num());
    else if (a === '--nft') o.nft = true;
    else if (a === '--skip') o.skip = new Set(args[++i].split(','));
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

interface Latency {
  add: number[];
  del: number[];
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function cniLatency(impl: Impl, pods: number, signal: AbortSignal): Promise<Latency> {
  const nss = new NsSet();
  const data = await tempDir('kubets-bench-cni-');
  const lat: Latency = { add: [], del: [] };
  try {
    const host = await nss.make();
    const conf = {
      cniVersion: '1.0.0',
      name: 'benchnet',
      type: 'bridge',
      bridge: 'ktbench0',
      isGateway: true,
      ipMasq: true,
      ipam: { type: 'host-local', dataDir: data.path, ranges: [[{ subnet: '10.88.0.0/16' }]] },
    };
    const conts = [];
    for (let i = 0; i < pods; i++) conts.push(await nss.make());
    for (let i = 0; i < pods && !signal.aborted; i++) {
      const t0 = nowMs();
      await mustRun(impl, 'bridge', { command: 'ADD', containerId: `bench-${i}`, netns: conts[i].path, hostNs: host.path }, conf);
      lat.add.push(nowMs() - t0);
    }
    for (let i = 0; i < lat.add.length && !signal.aborted; i++) {
      const t0 = nowMs();
      await mustRun(impl, 'bridge', { command: 'DEL', containerId: `bench-${i}`, netns: conts[i].path, hostNs: host.path }, conf);
      lat.del.push(nowMs() - t0);
    }
    return lat;
  } finally {
    await nss.destroy();
    data.cleanup();
  }
}

async function cniSection(o: Opts, signal: AbortSignal): Promise<void> {
  process.stdout.write(`\n## CNI bridge plugin (+ host-local, ipMasq): ${o.pods} sequential pods, ms per call\n\n`);
  const ours = installOurs();
  try {
    // Warm the page cache (node, plugin files) so the first pod of either set is not an outlier.
    await cniLatency(ours.impl, 1, signal);
    await cniLatency(reference, 1, signal);
    const rows: [string, Latency][] = [];
    for (const impl of [ours.impl, reference]) {
      process.stderr.write(`cni: ${impl.name}…\n`);
      rows.push([impl.name, await cniLatency(impl, o.pods, signal)]);
    }
    const f = (x: number): string => x.toFixed(0);
    const lines = ['| plugins | ADD p50 | ADD p90 | ADD max | DEL p50 | DEL p90 | DEL max |', '|---|---|---|---|---|---|---|'];
    for (const [name, l] of rows) {
      lines.push(`| ${name} | ${f(pct(l.add, 50))} | ${f(pct(l.add, 90))} | ${f(Math.max(...l.add))} | ${f(pct(l.del, 50))} | ${f(pct(l.del, 90))} | ${f(Math.max(...l.del))} |`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    ours.cleanup();
  }
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  requireRoot('the native bench');
  const o = parseArgs(args);
  if (!o.skip.has('routes')) {
    process.stdout.write('## Routes\n\n');
    await netlinkMain(['--routes', String(o.routes), '--runs', String(o.runs), '--spawns', String(o.spawns), '--tun-seconds', '0'], signal);
  }
  if (!o.skip.has('iptables') && !signal.aborted) {
    process.stdout.write(`\n## iptables-restore, ${o.services} services\n\n`);
    await iptablesMain(['--services', String(o.services), '--modes', o.nft ? 'legacy,nft' : 'legacy'], signal);
  }
  if (!o.skip.has('cni') && !signal.aborted) await cniSection(o, signal);
}
