/**
 * /run/flannel/subnet.env, written by flanneld (DATAPLANE.md §4.4):
 * FLANNEL_NETWORK (the whole pod network), FLANNEL_SUBNET (this node's
 * lease, first IP + length, e.g. 10.1.74.1/24), FLANNEL_MTU and
 * FLANNEL_IPMASQ (true when flanneld masquerades itself, so the bridge must
 * not). Pure parsing; every required key is checked.
 */
import { readFileSync } from 'node:fs';
import { CniCode, CniError } from '../../spec/errors.js';
import { formatNetwork, parseCidr } from '../../spec/ip.js';

export const DEFAULT_SUBNET_FILE = '/run/flannel/subnet.env';

export interface SubnetEnv {
  readonly network: string;
  /**
   * The lease as a network (`10.1.74.0/24`; flanneld writes its first IP,
   * `10.1.74.1/24`, which host-local would reject for its host bits — the
   * reference plugin masks it the same way, through Go's net.ParseCIDR).
   */
  readonly subnet: string;
  readonly mtu: number;
  readonly ipMasq: boolean;
}

export function parseSubnetEnv(text: string, file = DEFAULT_SUBNET_FILE): SubnetEnv {
  const kv = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  const missing = ['FLANNEL_NETWORK', 'FLANNEL_SUBNET', 'FLANNEL_MTU', 'FLANNEL_IPMASQ'].filter((k) => !kv.get(k));
  if (missing.length) throw new CniError(CniCode.InvalidNetworkConfig, `${file} is missing ${missing.join(', ')}`);
  const bad = (k: string): never => {
    throw new CniError(CniCode.InvalidNetworkConfig, `${file}: invalid ${k}=${kv.get(k) ?? ''}`);
  };
  const cidr = (k: string): string => {
    const v = kv.get(k) ?? '';
    try {
      parseCidr(v);
    } catch {
      bad(k);
    }
    return v;
  };
  const network = cidr('FLANNEL_NETWORK');
  const subnet = cidr('FLANNEL_SUBNET');
  const mtu = Number(kv.get('FLANNEL_MTU'));
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) bad('FLANNEL_MTU');
  const ipm = kv.get('FLANNEL_IPMASQ');
  if (ipm !== 'true' && ipm !== 'false') bad('FLANNEL_IPMASQ');
  return { network: formatNetwork(parseCidr(network)), subnet: formatNetwork(parseCidr(subnet)), mtu, ipMasq: ipm === 'true' };
}

export function loadSubnetEnv(file: string): SubnetEnv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CniError(CniCode.IoFailure, `failed to load flannel 'subnet.env' file: open ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseSubnetEnv(text, file);
}
