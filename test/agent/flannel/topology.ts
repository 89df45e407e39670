/**
 * Two "hosts" for flanneld tests: network namespaces joined by a veth pair
 * (192.168.<n>.1/24 and .2/24, the hosts' LAN), each with an etcd proxy on
 * its own 127.0.0.1:2379 forwarding to the test's etcd in the root
 * namespace (a listening socket made inside the namespace with setns, then
 * served from here), and optional "pods": a nested namespace per host on a
 * veth whose host end holds the subnet's .1 (what docker0 would).
 *
 * Everything made is removed by name/PID in teardown; the root namespace
 * gets nothing but the proxies' outgoing connections to etcd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withNetns } from '../../../native/netns/index.js';
import { run, tryRun, uniqueSuffix } from '../../harness/exec.js';
import { createNetNs, type NetNs } from '../../harness/netns.js';

export interface TeardownOwner {
  teardown(fn: () => void | Promise<void>): void;
}

export interface Host {
  readonly ns: NetNs;
  readonly ifname: string;
  readonly addr: string;
  readonly dir: string;
  readonly subnetFile: string;
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** An etcd proxy listening on [::]:port inside `ns`, forwarding to 127.0.0.1:etcdPort of the root namespace. */
export function proxyInto(ns: string, port: number, target: URL): Promise<{ close(): Promise<void> }> {
  const open = new Set<import('node:net').Socket>();
  const srv: Server = createServer((c) => {
    open.add(c);
    c.on('close', () => open.delete(c));
    const up = connect(Number(target.port), target.hostname);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
  });
  // listen(port) without a host binds synchronously (no DNS lookup), so the socket is made inside ns.
  withNetns(ns, () => {
    srv.listen(port);
    return undefined;
  });
  return new Promise((resolve, reject) => {
    srv.once('listening', () =>
      resolve({
        close: () =>
          new Promise<void>((r) => {
            for (const c of open) c.destroy();
            srv.close(() => r());
          }),
      }),
    );
    srv.once('error', reject);
  });
}

/**
 * Two hosts (the LAN is one veth pair). `serverURL` is what each host's
 * 127.0.0.1:`port` forwards to (etcd by default; the kube tests give the API server).
 */
export async function makeHosts(t: TeardownOwner, serverURL: string, port = 2379): Promise<Host[]> {
  const n = 2;
  const lan = 100 + Math.floor(Math.random() * 150);
  const sfx = uniqueSuffix(5);
  const hosts: Host[] = [];
  for (let i = 0; i < n; i++) {
    const ns = await createNetNs('ktfl');
    t.teardown(() => ns.destroy());
    const dir = await mkdtemp(join(tmpdir(), 'kubets-flannel-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    hosts.push({ ns, ifname: `fl${i}${sfx}`, addr: `192.168.${lan}.${i + 1}`, dir, subnetFile: join(dir, 'subnet.env') });
  }
  // The LAN: one veth pair, one end in each host (a cable between two machines).
  await run('ip', ['-n', hosts[0].ns.name, 'link', 'add', hosts[0].ifname, 'type', 'veth', 'peer', 'name', hosts[1].ifname, 'netns', hosts[1].ns.name]);
  for (const h of hosts) {
    await run('ip', ['-n', h.ns.name, 'addr', 'add', `${h.addr}/24`, 'dev', h.ifname]);
    await run('ip', ['-n', h.ns.name, 'link', 'set', h.ifname, 'up']);
    await run('ip', ['netns', 'exec', h.ns.name, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const proxy = await proxyInto(h.ns.path, port, new URL(serverURL));
    t.teardown(() => proxy.close());
  }
  return hosts;
}

export interface Flanneld {
  readonly proc: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  stop(): Promise<number | string>;
}

/** flanneld from source (tsx) inside the host's namespace: `nsenter --net=… node --import tsx agent/flannel/main.ts …`. */
export function startFlanneld(t: TeardownOwner, h: Host, args: readonly string[], env?: Readonly<Record<string, string>>): Flanneld {
  const proc = spawn('nsenter', [`--net=${h.ns.path}`, process.execPath, '--import', 'tsx', join(ROOT, 'agent/flannel/main.ts'), ...args], {
    cwd: ROOT,
    ...(env ? { env: { ...process.env, ...env } } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  const f: Flanneld = {
    proc,
    pid: proc.pid!,
    output: () => out,
    exited,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
  t.teardown(async () => {
    await f.stop();
  });
  return f;
}

/** Polls until fn returns a value (not undefined), or throws with `what` after `ms`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 60_000, onTimeout?: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${onTimeout ? `\n${onTimeout()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function readEnv(path: string): Promise<Record<string, string> | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  } catch {
    return undefined;
  }
}

export interface Pod {
  readonly ns: NetNs;
  readonly ip: string;
}

/** A pod namespace on host h: veth, host end = subnet .1/len (docker0's role), pod end = .2, default route via .1. */
export async function makePod(t: TeardownOwner, h: Host, flannelSubnet: string): Promise<Pod> {
  // FLANNEL_SUBNET is "<net>.1/<len>".
  const [gw, len] = flannelSubnet.split('/');
  const base = gw.split('.').slice(0, 3).join('.');
  const podIp = `${base}.2`;
  const ns = await createNetNs('ktflp');
  t.teardown(() => ns.destroy());
  const sfx = uniqueSuffix(5);
  const hostEnd = `pv${sfx}`;
  await run('ip', ['-n', h.ns.name, 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.name]);
  await run('ip', ['-n', h.ns.name, 'addr', 'add', `${gw}/${len}`, 'dev', hostEnd]);
  await run('ip', ['-n', h.ns.name, 'link', 'set', hostEnd, 'up']);
  await run('ip', ['-n', ns.name, 'addr', 'add', `${podIp}/${len}`, 'dev', 'eth0']);
  await run('ip', ['-n', ns.name, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', ns.name, 'route', 'add', 'default', 'via', gw]);
  return { ns, ip: podIp };
}

export async function ping(from: NetNs, to: string, count = 3): Promise<{ ok: boolean; out: string }> {
  const r = await tryRun('ip', ['netns', 'exec', from.name, 'busybox', 'ping', '-c', String(count), '-W', '3', to]);
  return { ok: r.exitCode === 0, out: r.stdout + r.stderr };
}

export async function ipIn(ns: NetNs, args: readonly string[]): Promise<string> {
  return (await run('ip', ['-n', ns.name, ...args])).stdout;
}

export async function etcdctl(endpoint: string, args: readonly string[]): Promise<string> {
  return (await run('etcdctl', ['--endpoints', endpoint, ...args], { env: { ETCDCTL_API: '2' } })).stdout;
}
