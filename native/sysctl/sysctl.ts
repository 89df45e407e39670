/**
 * sysctl through /proc/sys: the kernel knobs the node daemons set. Names use
 * the dotted form (`net.ipv4.ip_forward`); path segments containing dots (an
 * interface name like `eth0.100`) can be given in slash form instead
 * (`net/ipv4/conf/eth0.100/forwarding`).
 */
import { readFile, writeFile } from 'node:fs/promises';

/** The knobs kube-proxy and the kubelet manage, named once. */
export const Sysctl = {
  ipForward: 'net.ipv4.ip_forward',
  bridgeNfCallIptables: 'net.bridge.bridge-nf-call-iptables',
  conntrackMax: 'net/netfilter/nf_conntrack_max',
  conntrackTcpEstablished: 'net/netfilter/nf_conntrack_tcp_timeout_established',
  conntrackTcpCloseWait: 'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
  routeLocalnet: 'net.ipv4.conf.all.route_localnet',
  panicOnOops: 'kernel.panic_on_oops',
  overcommitMemory: 'vm.overcommit_memory',
} as const;

export function sysctlPath(name: string, root = '/proc/sys'): string {
  const rel = name.includes('/') ? name : name.replaceAll('.', '/');
  return `${root}/${rel}`;
}

export async function readSysctl(name: string, root?: string): Promise<string> {
  const p = sysctlPath(name, root);
  try {
    return (await readFile(p, 'utf8')).trim();
  } catch (e) {
    throw new Error(`sysctl ${name}: read ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function readSysctlInt(name: string, root?: string): Promise<number> {
  const s = await readSysctl(name, root);
  const n = Number.parseInt(s, 10);
  if (!Number.isFinite(n)) throw new Error(`sysctl ${name}: not an integer: ${JSON.stringify(s)}`);
  return n;
}

export async function writeSysctl(name: string, value: string | number, root?: string): Promise<void> {
  const p = sysctlPath(name, root);
  try {
    await writeFile(p, `${value}\n`);
  } catch (e) {
    throw new Error(`sysctl ${name}=${value}: write ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Sets name to value only when it differs; returns whether it changed (so callers log state changes once). */
export async function ensureSysctl(name: string, value: string | number, root?: string): Promise<boolean> {
  if ((await readSysctl(name, root)) === String(value)) return false;
  await writeSysctl(name, value, root);
  return true;
}
