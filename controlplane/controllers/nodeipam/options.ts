/**
 * The node IPAM flags (--allocate-node-cidrs, --cluster-cidr,
 * --node-cidr-mask-size, --cidr-allocator-type, --service-cluster-ip-range)
 * with the seeds' defaults, read and checked here so config.ts only wires
 * them. As upstream, the checks apply only with --allocate-node-cidrs=true.
 */
import type { ParsedFlags } from '../../machinery/flags/parsed.js';
import { CidrError, CidrSet, parseCidr } from './cidrset.js';

export interface NodeIpamOptions {
  allocateNodeCIDRs: boolean;
  /** --cluster-cidr: the pods' range, cut into node subnets. */
  clusterCIDR: string;
  /** --node-cidr-mask-size. */
  nodeCIDRMaskSize: number;
  /** --cidr-allocator-type: only RangeAllocator works without a cloud. */
  allocatorType: string;
  /** --service-cluster-ip-range: kept out of the pool when it overlaps the cluster CIDR. */
  serviceClusterIPRange: string;
}

export function defaultNodeIpamOptions(): NodeIpamOptions {
  return { allocateNodeCIDRs: false, clusterCIDR: '', nodeCIDRMaskSize: 24, allocatorType: 'RangeAllocator', serviceClusterIPRange: '' };
}

/** Problems with the options, each naming its flag ([] = fine). */
export function checkNodeIpamOptions(o: NodeIpamOptions): string[] {
  if (!o.allocateNodeCIDRs) return [];
  const errs: string[] = [];
  if (o.allocatorType !== 'RangeAllocator') errs.push(`invalid value for --cidr-allocator-type: ${o.allocatorType} needs a cloud provider, which kubets does not have (use RangeAllocator)`);
  if (!o.clusterCIDR) errs.push('--cluster-cidr must be set when --allocate-node-cidrs=true');
  else {
    try {
      new CidrSet(o.clusterCIDR, o.nodeCIDRMaskSize);
    } catch (e) {
      if (!(e instanceof CidrError)) throw e;
      errs.push(`invalid value for --cluster-cidr or --node-cidr-mask-size: ${e.message}`);
    }
  }
  if (o.serviceClusterIPRange) {
    try {
      parseCidr(o.serviceClusterIPRange);
    } catch (e) {
      if (!(e instanceof CidrError)) throw e;
      errs.push(`invalid value for --service-cluster-ip-range: ${e.message}`);
    }
  }
  return errs;
}

/** Reads the flags; `fail` turns a problem into the caller's flag error (exit code 2). */
export function nodeIpamOptionsFromFlags(f: ParsedFlags, fail: (msg: string) => never): NodeIpamOptions {
  const o: NodeIpamOptions = {
    allocateNodeCIDRs: f.bool('allocate-node-cidrs'),
    clusterCIDR: f.string('cluster-cidr'),
    nodeCIDRMaskSize: f.number('node-cidr-mask-size'),
    allocatorType: f.string('cidr-allocator-type'),
    serviceClusterIPRange: f.string('service-cluster-ip-range'),
  };
  const errs = checkNodeIpamOptions(o);
  if (errs.length) fail(errs[0]);
  return o;
}
