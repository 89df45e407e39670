/**
 * Network namespaces for tests: each test makes its own, named kt-<suffix>,
 * and removes exactly what it made (by name) — never a broad cleanup. Kernel
 * tests need root; without it they fail with a message saying so rather than
 * skip silently (STYLE.md rule 10).
 */
import { existsSync } from 'node:fs';
import { run, tryRun, uniqueSuffix } from './exec.js';

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`${what} needs root (network namespaces, links, iptables); run the tests as root`);
}

export interface NetNs {
  readonly name: string;
  /** /run/netns/<name>, usable with setns or `nsenter --net=`. */
  readonly path: string;
  /** Runs a command inside the namespace (`ip netns exec`). */
  exec(cmd: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }>;
  destroy(): Promise<void>;
}

export async function createNetNs(prefix = 'kt'): Promise<NetNs> {
  requireRoot('createNetNs');
  const name = `${prefix}-${uniqueSuffix()}`;
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const path = `/run/netns/${name}`;
  return {
    name,
    path,
    exec: (cmd, args) => run('ip', ['netns', 'exec', name, cmd, ...args]),
    destroy: async () => {
      if (existsSync(path)) await tryRun('ip', ['netns', 'del', name]);
    },
  };
}

/**
 * A veth pair with one end in the root namespace (or `aNs`) and the other in
 * `bNs`, addressed and up. Removing either end removes the pair.
 */
export async function createVethPair(opts: {
  aName: string;
  bName: string;
  bNs: NetNs;
  aNs?: NetNs;
  aAddr?: string;
  bAddr?: string;
}): Promise<{ destroy(): Promise<void> }> {
  requireRoot('createVethPair');
  const inA = (args: string[]) => (opts.aNs ? ['-n', opts.aNs.name, ...args] : args);
  await run('ip', inA(['link', 'add', opts.aName, 'type', 'veth', 'peer', 'name', opts.bName, 'netns', opts.bNs.name]));
  if (opts.aAddr) await run('ip', inA(['addr', 'add', opts.aAddr, 'dev', opts.aName]));
  await run('ip', inA(['link', 'set', opts.aName, 'up']));
  if (opts.bAddr) await run('ip', ['-n', opts.bNs.name, 'addr', 'add', opts.bAddr, 'dev', opts.bName]);
  await run('ip', ['-n', opts.bNs.name, 'link', 'set', opts.bName, 'up']);
  return {
    destroy: async () => {
      await tryRun('ip', inA(['link', 'del', opts.aName]));
    },
  };
}
