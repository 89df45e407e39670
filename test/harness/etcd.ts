/**
 * Real etcd for tests and benches: Debian's /usr/bin/etcd (3.4), 1 or 3
 * members on free loopback ports (never 2379/2380), each with a temp data dir.
 * Members can be killed with SIGKILL and restarted on the same ports and data.
 * Everything started is stopped by PID and its directory removed in the
 * owner's teardown (ava's t.teardown, or a bench's own list).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './ports.js';

export const ETCD_BIN = '/usr/bin/etcd';

/** What we need from ava's ExecutionContext (or any owner that runs cleanups). */
export interface TeardownOwner {
  teardown(fn: () => void | Promise<void>): void;
}

export interface EtcdMember {
  readonly name: string;
  readonly clientURL: string;
  readonly peerURL: string;
  readonly dataDir: string;
  /** PID while running. */
  readonly pid: number | undefined;
}

export interface EtcdCluster {
  /** Client URLs of all members, for --etcd-servers. */
  readonly endpoints: string[];
  readonly members: readonly EtcdMember[];
  /** `etcd --version` first line, e.g. "etcd Version: 3.4.23". */
  readonly version: string;
  /** SIGKILL member i and wait until it exited. */
  kill(i: number): Promise<void>;
  /** Start member i again (same ports, same data) and wait until it is healthy. */
  restart(i: number): Promise<void>;
  /** Stop every member and remove the directories (also done by teardown). */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  members?: 1 | 3;
  /** How long to wait for health. Default 20 s. */
  timeoutMs?: number;
  /** Also serve the v2 keys API (`--enable-v2`), as flanneld 0.10 uses it. Default false. */
  enableV2?: boolean;
}

class Member implements EtcdMember {
  proc: ChildProcess | undefined;
  exited: Promise<void> = Promise.resolve();
  constructor(
    readonly name: string,
    readonly clientURL: string,
    readonly peerURL: string,
    readonly dataDir: string,
    readonly logFile: string,
    readonly args: string[],
  ) {}
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  start(): void {
    const log = openSync(this.logFile, 'a');
    try {
      const p = spawn(ETCD_BIN, this.args, { stdio: ['ignore', log, log] });
      this.proc = p;
      this.exited = new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) resolve();
        p.once('exit', () => resolve());
        p.once('error', () => resolve());
      });
      this.exited.then(() => {
        if (this.proc === p) this.proc = undefined;
      }, () => undefined);
    } finally {
      closeSync(log);
    }
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await this.exited;
  }

  logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

async function healthy(clientURL: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientURL}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: unknown };
    return body.health === 'true' || body.health === true;
  } catch {
    return false;
  }
}

async function waitHealthy(m: Member, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!m.proc) throw new Error(`etcd member ${m.name} exited while starting:\n${m.logTail()}`);
    if (await healthy(m.clientURL)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd member ${m.name} not healthy after ${timeoutMs} ms:\n${m.logTail()}`);
}

let versionCache: string | undefined;
export async function etcdVersion(): Promise<string> {
  if (versionCache) return versionCache;
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(ETCD_BIN, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let s = '';
    p.stdout.on('data', (d: Buffer) => (s += d.toString()));
    p.once('error', reject);
    p.once('exit', () => resolve(s));
  });
  versionCache = out.split('\n')[0].trim();
  return versionCache;
}

/** Starts a fresh cluster and registers its cleanup with `owner`. */
export async function startEtcd(owner: TeardownOwner, opts: StartEtcdOptions = {}): Promise<EtcdCluster> {
  if (!existsSync(ETCD_BIN)) {
    throw new Error(`${ETCD_BIN} missing: apt-get install -y etcd-server etcd-client (hack/setup-host.sh does)`);
  }
  const n = opts.members ?? 1;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const root = await mkdtemp(join(tmpdir(), 'kubets-etcd-'));
  const members: Member[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(members.map((m) => m.kill()));
    await rm(root, { recursive: true, force: true });
  };
  owner.teardown(stop);

  const ports = await freePorts(2 * n);
  const token = `kubets-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const names = Array.from({ length: n }, (_, i) => `m${i}`);
  const peer = (i: number): string => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const initialCluster = names.map((nm, i) => `${nm}=${peer(i)}`).join(',');
  for (let i = 0; i < n; i++) {
    const clientURL = `http://127.0.0.1:${ports[2 * i]}`;
    const dataDir = join(root, names[i]);
    const args = [
      '--name', names[i],
      '--data-dir', dataDir,
      '--listen-client-urls', clientURL,
      '--advertise-client-urls', clientURL,
      '--listen-peer-urls', peer(i),
      '--initial-advertise-peer-urls', peer(i),
      '--initial-cluster', initialCluster,
      '--initial-cluster-token', token,
      '--initial-cluster-state', 'new',
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'warn',
      ...(opts.enableV2 ? ['--enable-v2'] : []),
    ];
    members.push(new Member(names[i], clientURL, peer(i), dataDir, join(root, `${names[i]}.log`), args));
  }
  for (const m of members) m.start();
  await Promise.all(members.map((m) => waitHealthy(m, timeoutMs)));
  const version = await etcdVersion();

  return {
    endpoints: members.map((m) => m.clientURL),
    members,
    version,
    kill: (i) => members[i].kill(),
    restart: async (i) => {
      const m = members[i];
      await m.kill();
      // The data dir exists now, so etcd rejoins from it; --initial-cluster-state is ignored.
      m.start();
      await waitHealthy(m, timeoutMs);
    },
    stop,
  };
}
