/**
 * The network configuration (`<prefix>/config`, DATAPLANE §4.1): parse the
 * JSON, apply flannel's defaults, reject what cannot work. Pure.
 *
 *   {"Network":"10.1.0.0/16","SubnetLen":24,"SubnetMin":"10.1.1.0","SubnetMax":"10.1.254.0",
 *    "Backend":{"Type":"vxlan","VNI":1,"Port":8472}}
 *
 * Defaults: SubnetLen 24 when the Network is /22 or wider, else prefix+2;
 * SubnetMin skips the first subnet (its .0 would clash with the network
 * address); SubnetMax is the last subnet; no Backend means udp (the code's
 * default in v0.10, whatever the docs say).
 */
import { contains, formatIp4, mask, parseIp4, parseIp4Net, size, next, type Ip4Net } from './ip4.js';
import { ConfigInvalidError, type BackendType, type NetworkConfig } from './types.js';

const BACKENDS: readonly BackendType[] = ['udp', 'vxlan', 'host-gw'];

function bad(msg: string): never {
  throw new ConfigInvalidError(msg);
}

/** Parses and defaults a configuration text; throws ConfigInvalidError naming the problem. */
export function parseNetworkConfig(text: string): NetworkConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    bad(`not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('must be a JSON object');
  const o = raw as Record<string, unknown>;

  if (typeof o.Network !== 'string' || o.Network === '') bad('please define a correct Network parameter in the flannel config');
  const network = parseIp4Net(o.Network as string) ?? bad(`Network ${JSON.stringify(o.Network)} is not an IPv4 CIDR`);
  if (network.prefixLen > 28) bad('Network is too small. Minimum useful network prefix is /28');

  let subnetLen: number;
  if (o.SubnetLen !== undefined && o.SubnetLen !== 0) {
    if (typeof o.SubnetLen !== 'number' || !Number.isInteger(o.SubnetLen)) bad('SubnetLen must be an integer');
    subnetLen = o.SubnetLen as number;
    if (subnetLen < network.prefixLen + 2) bad('Network must be able to accommodate at least four subnets');
  } else {
    // Give each host a /24, unless the whole network is too small for that.
    subnetLen = network.prefixLen < 23 ? 24 : network.prefixLen + 2;
  }
  if (subnetLen > 30) bad('SubnetLen must be less than /31');

  const subnetSize = size({ ip: 0, prefixLen: subnetLen });
  const addr = (field: 'SubnetMin' | 'SubnetMax'): number | undefined => {
    const v = o[field];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') bad(`${field} must be an IPv4 address string`);
    const n = parseIp4(v as string) ?? bad(`${field} ${JSON.stringify(v)} is not an IPv4 address`);
    if (!contains(network, n)) bad(`${field} is not in the range of the Network`);
    if (((n & mask(subnetLen)) >>> 0) !== n) bad(`${field} is not on a SubnetLen boundary: ${formatIp4(n)}`);
    return n;
  };
  // Skip the first subnet: its .0 address is the network address of the whole Network.
  const subnetMin = addr('SubnetMin') ?? network.ip + subnetSize;
  const subnetMax = addr('SubnetMax') ?? next(network).ip - subnetSize;
  if (subnetMin > subnetMax) bad('SubnetMin must not be greater than SubnetMax');

  let backend: Record<string, unknown> = {};
  if (o.Backend !== undefined && o.Backend !== null) {
    if (typeof o.Backend !== 'object' || Array.isArray(o.Backend)) bad('Backend must be a JSON object');
    backend = o.Backend as Record<string, unknown>;
  }
  const typeText = backend.Type === undefined ? 'udp' : String(backend.Type).toLowerCase();
  if (!BACKENDS.includes(typeText as BackendType)) bad(`unsupported backend type ${JSON.stringify(backend.Type)} (kubets has ${BACKENDS.join(', ')})`);
  return { network, subnetLen, subnetMin: subnetMin >>> 0, subnetMax: subnetMax >>> 0, backendType: typeText as BackendType, backend };
}

/** Is a lease's subnet still usable under this configuration (inside [SubnetMin, SubnetMax], right length)? */
export function subnetCompatible(config: NetworkConfig, sn: Ip4Net): boolean {
  return sn.prefixLen === config.subnetLen && sn.ip >= config.subnetMin && sn.ip <= config.subnetMax;
}

/** Reads an integer option of the Backend object (VNI, Port) with a default; throws when it is not one. */
export function backendInt(config: NetworkConfig, key: string, dflt: number, min: number, max: number): number {
  const v = config.backend[key];
  if (v === undefined || v === null || v === 0) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`Backend.${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v as number;
}
