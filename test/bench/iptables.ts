/**
 * iptables bench: a kube-proxy-shaped ruleset restored into a throwaway
 * network namespace through our RestoreBuilder + ExecIptables.restore(),
 * against the baseline of piping the same pre-rendered file straight into
 * `iptables-<mode>-restore --noflush` (also through nsenter, so the two
 * differ only by our code), for the legacy and nft backends.
 *
 *   npm run bench -- iptables [--services 1000,5000] [--modes legacy,nft] [--again] [--runs 1]
 *
 * Per service: one KUBE-SERVICES match, a KUBE-SVC-* chain with three
 * `-m statistic` jumps, three KUBE-SEP-* chains (masquerade mark + DNAT):
 * 10 rules and 4 chains, the shape of LIBS.md §5. Each measurement starts
 * from an empty namespace; `--again` also times a second, identical restore
 * into the populated one (a steady-state full sync). Then iptables-save +
 * parseSave of the result. With `--runs N` every timing is the median of N
 * runs, and the two paths alternate which goes first: on a shared 2-core VM
 * the restore times swing by 2× from run to run, more than the difference
 * under test (almost all the time is spent in iptables-restore and the kernel).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { RestoreBuilder, openIptables, parseSave, countRules, type IptablesMode } from '../../native/iptables/index.js';
import { createNetNs, requireRoot } from '../harness/netns.js';
import { nowMs } from './stats.js';

function chainHash(prefix: string, s: string): string {
  // kube-proxy: prefix + 16 chars of a base32 sha256; hex is as good for a bench.
  return prefix + createHash('sha256').update(s).digest('hex').slice(0, 16).toUpperCase();
}

/** Renders the ruleset for n services; returns the text and its size in rules and chains. */
export function buildRuleset(n: number): { text: string; rules: number; chains: number } {
  const b = new RestoreBuilder();
  const nat = b.table('nat');
  nat.chain('KUBE-SERVICES').chain('KUBE-MARK-MASQ').chain('KUBE-POSTROUTING');
  nat.append('KUBE-MARK-MASQ', ['-j', 'MARK', '--set-xmark', '0x4000/0x4000']);
  nat.append('KUBE-POSTROUTING', ['-m', 'mark', '!', '--mark', '0x4000/0x4000', '-j', 'RETURN']);
  nat.append('KUBE-POSTROUTING', ['-j', 'MASQUERADE', '--random-fully']);
  for (let i = 0; i < n; i++) {
    const name = `ns${i % 50}/svc-${i}:http`;
    const vip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const svc = chainHash('KUBE-SVC-', name);
    nat.chain(svc);
    nat.append('KUBE-SERVICES', ['-d', `${vip}/32`, '-p', 'tcp', '-m', 'comment', '--comment', `${name} cluster IP`, '-m', 'tcp', '--dport', '80', '-j', svc]);
    const eps = [0, 1, 2].map((k) => `10.${200 + k}.${(i >> 8) & 255}.${i & 255}`);
    eps.forEach((ep, k) => {
      const sep = chainHash('KUBE-SEP-', `${name}/${ep}`);
      nat.chain(sep);
      const left = eps.length - k;
      if (left > 1) nat.append(svc, ['-m', 'comment', '--comment', `${name} -> ${ep}:8080`, '-m', 'statistic', '--mode', 'random', '--probability', (1 / left).toFixed(11), '-j', sep]);
      else nat.append(svc, ['-m', 'comment', '--comment', `${name} -> ${ep}:8080`, '-j', sep]);
      nat.append(sep, ['-s', `${ep}/32`, '-m', 'comment', '--comment', name, '-j', 'KUBE-MARK-MASQ']);
      nat.append(sep, ['-p', 'tcp', '-m', 'comment', '--comment', name, '-m', 'tcp', '-j', 'DNAT', '--to-destination', `${ep}:8080`]);
    });
  }
  return { text: b.render(), rules: nat.ruleCount, chains: nat.chainCount };
}

interface Row {
  mode: IptablesMode;
  services: number;
  rules: number;
  chains: number;
  buildMs: number;
  oursMs: number;
  baseMs: number;
  oursAgainMs?: number;
  baseAgainMs?: number;
  saveMs: number;
  parseMs: number;
  savedRules: number;
}

interface Opts {
  services: number[];
  modes: IptablesMode[];
  again: boolean;
  runs: number;
}

function parseArgs(args: string[]): Opts {
  let services = [1000, 5000];
  let modes: IptablesMode[] = ['legacy', 'nft'];
  let again = false;
  let runs = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--runs') runs = Number(args[++i]);
    else if (a === '--services') services = args[++i].split(',').map(Number);
    else if (a === '--modes') modes = args[++i].split(',') as IptablesMode[];
    else if (a === '--again') again = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (services.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('--services takes positive integers');
  if (modes.some((m) => m !== 'legacy' && m !== 'nft')) throw new Error('--modes takes legacy,nft');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  return { services, modes, again, runs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median of each numeric field over the runs. */
function medianRow(rows: Row[]): Row {
  const pick = (k: keyof Row): number | undefined => {
    const xs = rows.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
    return xs.length ? median(xs) : undefined;
  };
  const r0 = rows[0];
  return {
    ...r0,
    buildMs: pick('buildMs')!,
    oursMs: pick('oursMs')!,
    baseMs: pick('baseMs')!,
    saveMs: pick('saveMs')!,
    parseMs: pick('parseMs')!,
    ...(r0.oursAgainMs !== undefined ? { oursAgainMs: pick('oursAgainMs'), baseAgainMs: pick('baseAgainMs') } : {}),
  };
}

async function measure(mode: IptablesMode, n: number, again: boolean, baselineFirst: boolean, dir: string, signal: AbortSignal): Promise<Row | undefined> {
  // Our path: build (pure) + restore through ExecIptables.
  const b0 = nowMs();
  const set = buildRuleset(n);
  const buildMs = nowMs() - b0;
  const file = join(dir, `rules-${n}.txt`);
  await writeFile(file, set.text);
  const row: Partial<Row> = { mode, services: n, rules: set.rules, chains: set.chains, buildMs };

  const ours = async (): Promise<void> => {
    const ns = await createNetNs('kt-bench');
    try {
      const ipt = await openIptables({ mode, netns: ns.path });
      let t = nowMs();
      await ipt.restore(set.text);
      row.oursMs = nowMs() - t;
      if (again && !signal.aborted) {
        t = nowMs();
        await ipt.restore(set.text);
        row.oursAgainMs = nowMs() - t;
      }
      t = nowMs();
      const saved = await ipt.save('nat');
      row.saveMs = nowMs() - t;
      t = nowMs();
      const parsed = parseSave(saved);
      row.parseMs = nowMs() - t;
      row.savedRules = countRules(parsed);
    } finally {
      await ns.destroy();
    }
  };

  // Baseline: the pre-rendered file on the tool's stdin, nothing else.
  const baseline = async (): Promise<void> => {
    const ns = await createNetNs('kt-bench');
    try {
      const cmd = `exec nsenter --net=${ns.path} -- iptables-${mode}-restore --noflush --wait 5 < ${file}`;
      let t = nowMs();
      await execa('sh', ['-c', cmd]);
      row.baseMs = nowMs() - t;
      if (again && !signal.aborted) {
        t = nowMs();
        await execa('sh', ['-c', cmd]);
        row.baseAgainMs = nowMs() - t;
      }
    } finally {
      await ns.destroy();
    }
  };

  for (const step of baselineFirst ? [baseline, ours] : [ours, baseline]) {
    if (signal.aborted) return undefined;
    await step();
  }
  return row as Row;
}

/**
 * One small round of both paths (and a save + parse) in a scratch namespace,
 * so the first measured row does not pay for JIT warm-up, module loading or
 * the kernel's first table setup in a namespace.
 */
async function warmUp(mode: IptablesMode, dir: string): Promise<void> {
  const ns = await createNetNs('kt-bench');
  try {
    const set = buildRuleset(50);
    const ipt = await openIptables({ mode, netns: ns.path });
    await ipt.restore(set.text);
    parseSave(await ipt.save('nat'));
    const file = join(dir, 'warm.txt');
    await writeFile(file, set.text);
    await execa('sh', ['-c', `exec nsenter --net=${ns.path} -- iptables-${mode}-restore --noflush --wait 5 < ${file}`]);
  } finally {
    await ns.destroy();
  }
}

const f0 = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(0));

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  requireRoot('the iptables bench');
  const opts = parseArgs(args);
  const dir = await mkdtemp(join(tmpdir(), 'kubets-ipt-bench-'));
  const rows: Row[] = [];
  try {
    for (const mode of opts.modes) {
      await warmUp(mode, dir);
      for (const n of opts.services) {
        if (signal.aborted) return;
        const runs: Row[] = [];
        for (let k = 0; k < opts.runs; k++) {
          process.stderr.write(`iptables-${mode}: ${n} services, run ${k + 1}/${opts.runs}…\n`);
          const r = await measure(mode, n, opts.again, k % 2 === 1, dir, signal);
          if (!r) return;
          runs.push(r);
        }
        rows.push(medianRow(runs));
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const lines = [
    `| backend | services | rules / chains | build (ms) | ours: restore (ms) | baseline: file → restore (ms) | ours / baseline | rules/s (ours) |${opts.again ? ' again: ours / baseline (ms) |' : ''} save (ms) | parse (ms) |`,
    `|---|---|---|---|---|---|---|---|${opts.again ? '---|' : ''}---|---|`,
  ];
  for (const r of rows) {
    const total = r.buildMs + r.oursMs;
    lines.push(
      `| ${r.mode} | ${r.services} | ${r.rules} / ${r.chains} | ${f0(r.buildMs)} | ${f0(r.oursMs)} | ${f0(r.baseMs)} | ${(r.oursMs / r.baseMs).toFixed(2)} (${(total / r.baseMs).toFixed(2)} with build) | ${f0(r.rules / (total / 1000))} |` +
        `${opts.again ? ` ${f0(r.oursAgainMs)} / ${f0(r.baseAgainMs)} |` : ''} ${f0(r.saveMs)} | ${f0(r.parseMs)} |`,
    );
    if (r.savedRules !== r.rules) lines.push(`  ! saved ${r.savedRules} rules, wrote ${r.rules}`);
  }
  process.stdout.write(`${opts.runs > 1 ? `medians of ${opts.runs} runs; ` : ''}ms are wall-clock, rules/s = rules / (build + restore)\n` + lines.join('\n') + '\n');
}
