/**
 * The subnet file (-subnet-file, /run/flannel/subnet.env; DATAPLANE §4.4),
 * read by mk-docker-opts.sh, the flannel CNI plugin and Docker's unit:
 *
 *   FLANNEL_NETWORK=10.1.0.0/16
 *   FLANNEL_SUBNET=10.1.74.1/24     (the lease's first host address)
 *   FLANNEL_MTU=1450
 *   FLANNEL_IPMASQ=false
 *
 * Written to a temporary file in the same directory and renamed, so a
 * reader never sees half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { formatIp4, formatIp4Net, parseIp4Net, type Ip4Net } from './lease/ip4.js';

export interface SubnetEnv {
  readonly network: Ip4Net;
  readonly subnet: Ip4Net;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

export function renderSubnetEnv(e: SubnetEnv): string {
  return [
    `FLANNEL_NETWORK=${formatIp4Net(e.network)}`,
    `FLANNEL_SUBNET=${formatIp4(e.subnet.ip + 1)}/${e.subnet.prefixLen}`,
    `FLANNEL_MTU=${e.mtu}`,
    `FLANNEL_IPMASQ=${e.ipMasq}`,
    '',
  ].join('\n');
}

/** KEY=VALUE lines (quotes stripped, comments and blanks skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let v = line.slice(eq + 1).trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0]) v = v.slice(1, -1);
    out[line.slice(0, eq).trim()] = v;
  }
  return out;
}

/** The subnet FLANNEL_SUBNET names (10.1.74.1/24 → 10.1.74.0/24), or undefined. */
export function previousSubnet(text: string): Ip4Net | undefined {
  const v = parseEnvFile(text).FLANNEL_SUBNET;
  return v ? parseIp4Net(v) : undefined;
}

export async function readPreviousSubnet(path: string): Promise<Ip4Net | undefined> {
  try {
    return previousSubnet(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function writeSubnetEnv(path: string, e: SubnetEnv): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(tmp, renderSubnetEnv(e), { mode: 0o644 });
  await rename(tmp, path);
}
