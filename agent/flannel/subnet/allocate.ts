/**
 * Choosing a subnet (DATAPLANE §4.2 "Acquisition"), pure so it can be tested
 * from a table: scan from SubnetMin in SubnetLen steps up to SubnetMax, keep
 * up to 100 subnets no lease overlaps, pick one at random (so hosts starting
 * together rarely race for the same key).
 */
import { subnetCompatible } from '../lease/config.js';
import { next, overlaps, type Ip4Net } from '../lease/ip4.js';
import type { Lease, NetworkConfig } from '../lease/types.js';

const BAG = 100;

export function findLeaseByIP(leases: readonly Lease[], publicIP: string): Lease | undefined {
  return leases.find((l) => l.attrs.publicIP === publicIP);
}

/** Free subnets in order, at most `limit`. */
export function freeSubnets(config: NetworkConfig, leases: readonly Lease[], limit = BAG): Ip4Net[] {
  const out: Ip4Net[] = [];
  for (let sn: Ip4Net = { ip: config.subnetMin, prefixLen: config.subnetLen }; sn.ip <= config.subnetMax && out.length < limit; sn = next(sn)) {
    if (!leases.some((l) => overlaps(sn, l.subnet))) out.push(sn);
    if (sn.ip + 2 ** (32 - sn.prefixLen) > 0xffffffff) break;
  }
  return out;
}

/** A random free subnet, or undefined when the network is full. `random` returns [0, 1). */
export function allocateSubnet(config: NetworkConfig, leases: readonly Lease[], random: () => number = Math.random): Ip4Net | undefined {
  const bag = freeSubnets(config, leases);
  if (bag.length === 0) return undefined;
  return bag[Math.min(bag.length - 1, Math.floor(random() * bag.length))];
}

/** The subnet of the previous run, if it fits the config and nobody holds it now. */
export function reusablePrevious(config: NetworkConfig, leases: readonly Lease[], previous: Ip4Net | undefined): Ip4Net | undefined {
  if (!previous || !subnetCompatible(config, previous)) return undefined;
  return leases.some((l) => overlaps(l.subnet, previous)) ? undefined : previous;
}
