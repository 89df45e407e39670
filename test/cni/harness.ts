/**
 * Conformance harness for the CNI plugins: plays the runtime for OUR
 * plugins (installed as launchers into a temp CNI_PATH) and for the
 * REFERENCE plugins (Debian's containernetworking-plugins in /usr/lib/cni),
 * each run inside a throwaway "host" namespace with `nsenter --net` so
 * nothing touches the root namespace, and snapshots the kernel state both
 * leave behind in a comparable, normalised form (MACs, random veth names,
 * namespace paths and IPv6 link-local addresses differ by nature).
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCniPlugins } from '../../cni/install.js';
import { createNetNs, requireRoot, type NetNs } from '../harness/netns.js';
import { run, tryRun } from '../harness/exec.js';

export const REFERENCE_DIR = '/usr/lib/cni';

export interface Impl {
  readonly name: 'ours' | 'reference';
  readonly dir: string;
}

let built = false;
/** Compiles cni/ (and native/) once per test process: the plugins run as executables from dist/. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync('npx', ['tsc', '-b', 'cni/tsconfig.json'], { cwd: new URL('../..', import.meta.url).pathname, stdio: 'pipe' });
  built = true;
}

/** Our plugins installed into a fresh temp dir; the caller removes it with `cleanup`. */
export function installOurs(): { impl: Impl; cleanup(): void } {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'kubets-cni-bin-'));
  installCniPlugins(dir);
  return { impl: { name: 'ours', dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const reference: Impl = { name: 'reference', dir: REFERENCE_DIR };

export interface Invocation {
  readonly command: 'ADD' | 'DEL' | 'CHECK' | 'VERSION';
  readonly containerId?: string;
  readonly netns?: string;
  readonly ifName?: string;
  readonly cniArgs?: string;
  /** Run inside this namespace (nsenter --net); default: the test process's (root) namespace. */
  readonly hostNs?: string;
  /** Extra environment (e.g. to drop a variable, set it to undefined). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface PluginOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed, when it is JSON. */
  readonly json: Record<string, unknown> | undefined;
}

export function runPluginExec(impl: Impl, type: string, inv: Invocation, conf: unknown): Promise<PluginOutput> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CNI_')) env[k] = v;
  const set = (k: string, v: string | undefined): void => {
    if (v !== undefined) env[k] = v;
  };
  set('CNI_COMMAND', inv.command);
  set('CNI_CONTAINERID', inv.containerId);
  set('CNI_NETNS', inv.netns);
  set('CNI_IFNAME', inv.ifName ?? 'eth0');
  set('CNI_ARGS', inv.cniArgs);
  env.CNI_PATH = impl.dir;
  for (const [k, v] of Object.entries(inv.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const file = join(impl.dir, type);
  const [cmd, argv] = inv.hostNs ? ['nsenter', [`--net=${inv.hostNs}`, '--', file]] : [file, []];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ exitCode: code ?? -1, stdout, stderr: Buffer.concat(err).toString(), json });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(typeof conf === 'string' ? conf : JSON.stringify(conf));
  });
}

/** Runs a plugin and fails with its output unless it exits 0. */
export async function mustRun(impl: Impl, type: string, inv: Invocation, conf: unknown): Promise<PluginOutput> {
  const o = await runPluginExec(impl, type, inv, conf);
  if (o.exitCode !== 0) throw new Error(`${impl.name} ${type} ${inv.command}: exit ${o.exitCode}: ${o.stdout}${o.stderr}`);
  return o;
}

// ---------- normalisation ----------

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const VETH_RE = /^veth[0-9a-f]{8}$/;

/** A deep copy with MACs, random veth names and the given namespace paths replaced by placeholders. */
export function normalize(v: unknown, netnsNames: Readonly<Record<string, string>> = {}): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x, netnsNames));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalize(x, netnsNames);
    return out;
  }
  if (typeof v === 'string') {
    if (MAC_RE.test(v) && v !== '00:00:00:00:00:00') return '<mac>';
    if (VETH_RE.test(v)) return '<veth>';
    if (netnsNames[v]) return netnsNames[v];
  }
  return v;
}

// ---------- kernel state ----------

interface IpAddrJson {
  ifname: string;
  mtu: number;
  flags: string[];
  master?: string;
  link_type?: string;
  addr_info: { family: string; local: string; prefixlen: number; broadcast?: string; scope: string }[];
}

interface IpRouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
}

/** Interfaces with their global addresses (link-local IPv6 is MAC-derived, so left out). */
export async function addrState(ns: NetNs): Promise<unknown> {
  const r = await run('ip', ['-n', ns.name, '-j', 'addr', 'show']);
  const links = JSON.parse(r.stdout) as IpAddrJson[];
  return normalize(
    links
      .map((l) => ({
        ifname: l.ifname,
        mtu: l.mtu,
        up: l.flags.includes('UP'),
        promisc: l.flags.includes('PROMISC'),
        master: l.master,
        addrs: l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}${a.broadcast ? ` brd ${a.broadcast}` : ''} ${a.scope}`),
      }))
      .sort((a, b) => String(a.ifname).localeCompare(String(b.ifname))),
  );
}

export async function routeState(ns: NetNs): Promise<unknown> {
  const out: string[] = [];
  for (const fam of ['-4', '-6']) {
    const r = await run('ip', ['-n', ns.name, '-j', fam, 'route', 'show']);
    for (const x of JSON.parse(r.stdout) as IpRouteJson[]) {
      if (x.dst.startsWith('fe80')) continue;
      out.push(`${x.dst}${x.gateway ? ` via ${x.gateway}` : ''} dev ${x.dev ?? '-'} proto ${x.protocol ?? 'boot'} scope ${x.scope ?? 'global'}${x.prefsrc ? ` src ${x.prefsrc}` : ''}`);
    }
  }
  return normalize(out.sort().map((s) => s.replace(/veth[0-9a-f]{8}/g, '<veth>')));
}

/** Bridge-port flags of the namespace's enslaved links (hairpin). */
export async function portState(ns: NetNs): Promise<unknown> {
  const r = await run('ip', ['-n', ns.name, '-d', '-j', 'link', 'show']);
  const links = JSON.parse(r.stdout) as { ifname: string; master?: string; linkinfo?: { info_slave_kind?: string; info_slave_data?: { hairpin?: boolean } } }[];
  return normalize(
    links.filter((l) => l.linkinfo?.info_slave_kind === 'bridge').map((l) => ({ ifname: l.ifname, master: l.master, hairpin: l.linkinfo?.info_slave_data?.hairpin ?? false })),
  );
}

/** `iptables-save` of a table (the default backend, as the reference uses), without comments and counters. */
export async function iptablesState(ns: NetNs, table = 'nat', cmd = 'iptables-save'): Promise<string[]> {
  const r = await run('nsenter', [`--net=${ns.path}`, '--', cmd, '-t', table]);
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'));
}

/** Namespaces made by a test, removed together (by name). */
export class NsSet {
  private readonly made: NetNs[] = [];
  async make(): Promise<NetNs> {
    requireRoot('CNI conformance tests');
    const ns = await createNetNs('ktcni');
    this.made.push(ns);
    return ns;
  }
  async destroy(): Promise<void> {
    for (const ns of this.made.splice(0)) await ns.destroy();
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; cleanup(): void }> {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** busybox ping from inside a namespace (no ping binary on the host; busybox is). */
export async function ping(ns: NetNs, ip: string): Promise<boolean> {
  const r = await tryRun('nsenter', [`--net=${ns.path}`, '--', 'busybox', 'ping', '-c', '1', '-W', '2', ip]);
  return r.exitCode === 0;
}
