/**
 * host-local configuration: the `ipam` section (ranges, or the legacy
 * single subnet; routes; dataDir; resolvConf) canonicalised the way the
 * reference plugin does it, so both allocate from the same pool:
 *
 * - gateway defaults to the subnet's first address (.1) and is never handed out;
 * - rangeStart defaults to .1 (the iterator skips the gateway);
 * - rangeEnd defaults to the last usable address (.254 of a /24; the last
 *   address for IPv6);
 * - a subnet with host bits set, a range outside its subnet, overlapping
 *   ranges, and mixed families within one range set are config errors (7).
 */
import { readFileSync } from 'node:fs';
import { invalidConfig } from '../../spec/errors.js';
import { isObject, optArray, optString, parseCniArgs, type JsonObject } from '../../spec/conf.js';
import { addIp, bits, contains, formatIp, lastOf, networkOf, parseCidr, parseIp, type Cidr, type Ip } from '../../spec/ip.js';
import type { CniDns, CniRoute, NetConf } from '../../spec/types.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

export interface Range {
  readonly subnet: Cidr;
  readonly start: Ip;
  readonly end: Ip;
  readonly gateway: Ip;
}

export type RangeSet = readonly Range[];

export interface HostLocalConf {
  readonly ranges: readonly RangeSet[];
  readonly routes: readonly CniRoute[];
  readonly dataDir: string;
  readonly dns: CniDns | undefined;
  /** IPs the runtime asked for (CNI_ARGS IP=, args.cni.ips, runtimeConfig.ips). */
  readonly requestedIps: readonly Ip[];
}

function ipField(v: unknown, path: string): Ip {
  if (typeof v !== 'string') throw invalidConfig(`${path} must be an IP address string`);
  try {
    return parseIp(v);
  } catch {
    throw invalidConfig(`${path}: invalid IP address ${JSON.stringify(v)}`);
  }
}

export function rangeToString(r: Range): string {
  return `${formatIp(r.start)}-${formatIp(r.end)}`;
}

function parseRange(o: JsonObject, path: string): Range {
  const subnetText = optString(o, 'subnet', `${path}.subnet`);
  if (!subnetText) throw invalidConfig(`${path}: missing subnet`);
  let subnet: Cidr;
  try {
    subnet = parseCidr(subnetText);
  } catch {
    throw invalidConfig(`${path}: invalid CIDR ${JSON.stringify(subnetText)}`);
  }
  const fam = subnet.ip.family;
  if (subnet.len > bits(fam) - 2) throw invalidConfig(`Network ${subnetText} too small to allocate from`);
  const net = networkOf(subnet);
  if (net.value !== subnet.ip.value) {
    throw invalidConfig(`Network has host bits set. For a subnet mask of length ${subnet.len} the network address is ${formatIp(net)}`);
  }
  const inSubnet = (ip: Ip, what: string): Ip => {
    if (!contains(subnet, ip)) throw invalidConfig(`${what} ${formatIp(ip)} not in network ${subnetText}`);
    return ip;
  };
  const gateway = o.gateway === undefined ? addIp(net, 1n) : inSubnet(ipField(o.gateway, `${path}.gateway`), 'gateway');
  const start = o.rangeStart === undefined ? addIp(net, 1n) : inSubnet(ipField(o.rangeStart, `${path}.rangeStart`), 'RangeStart');
  const last = lastOf(subnet);
  const end = o.rangeEnd === undefined ? (fam === 4 ? addIp(last, -1n) : last) : inSubnet(ipField(o.rangeEnd, `${path}.rangeEnd`), 'RangeEnd');
  if (start.value > end.value) throw invalidConfig(`${path}: rangeStart ${formatIp(start)} is after rangeEnd ${formatIp(end)}`);
  return { subnet, start, end, gateway };
}

function parseRangeSet(v: unknown, path: string): RangeSet {
  if (!Array.isArray(v) || v.length === 0) throw invalidConfig(`${path}: a range set must be a non-empty list`);
  const set = v.map((r, j) => {
    if (!isObject(r)) throw invalidConfig(`${path}[${j}] must be an object`);
    return parseRange(r, `${path}[${j}]`);
  });
  for (let a = 0; a < set.length; a++) {
    if (set[a].subnet.ip.family !== set[0].subnet.ip.family) throw invalidConfig(`${path}: mixed address families`);
    for (let b = a + 1; b < set.length; b++) {
      if (set[a].start.value <= set[b].end.value && set[b].start.value <= set[a].end.value) {
        throw invalidConfig(`${path}: range ${rangeToString(set[a])} overlaps with ${rangeToString(set[b])}`);
      }
    }
  }
  return set;
}

function parseRoutes(ipam: JsonObject): CniRoute[] {
  return (optArray(ipam, 'routes', 'ipam.routes') ?? []).map((r, i) => {
    if (!isObject(r)) throw invalidConfig(`ipam.routes[${i}] must be an object`);
    const dst = optString(r, 'dst', `ipam.routes[${i}].dst`);
    if (!dst) throw invalidConfig(`ipam.routes[${i}]: missing dst`);
    try {
      parseCidr(dst);
    } catch {
      throw invalidConfig(`ipam.routes[${i}].dst: invalid CIDR ${JSON.stringify(dst)}`);
    }
    const gw = optString(r, 'gw', `ipam.routes[${i}].gw`);
    if (gw !== undefined) ipField(gw, `ipam.routes[${i}].gw`);
    return gw === undefined ? { dst } : { dst, gw };
  });
}

/** resolv.conf as a CNI DNS section (nameserver/domain/search/options lines). */
export function parseResolvConf(text: string): CniDns {
  const dns: CniDns = {};
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) (dns.nameservers ??= []).push(f[1]);
    else if (f[0] === 'domain' && f[1]) dns.domain = f[1];
    else if (f[0] === 'search') dns.search = f.slice(1);
    else if (f[0] === 'options') (dns.options ??= []).push(...f.slice(1));
  }
  return dns;
}

function requestedIps(conf: NetConf, cniArgs: string): Ip[] {
  const out: Ip[] = [];
  const ipArg = parseCniArgs(cniArgs).get('IP');
  if (ipArg) for (const s of ipArg.split(',')) out.push(ipField(s, 'CNI_ARGS IP'));
  const fromList = (v: unknown, path: string): void => {
    if (v === undefined) return;
    if (!Array.isArray(v)) throw invalidConfig(`${path} must be a list`);
    for (const s of v) out.push(ipField(typeof s === 'string' ? s.split('/')[0] : s, path));
  };
  const cniSection = isObject(conf.args) && isObject(conf.args.cni) ? conf.args.cni : undefined;
  if (cniSection) fromList(cniSection.ips, 'args.cni.ips');
  if (conf.capabilities?.ips && conf.runtimeConfig) fromList(conf.runtimeConfig.ips, 'runtimeConfig.ips');
  return out;
}

export function parseHostLocalConf(conf: NetConf, cniArgs: string): HostLocalConf {
  const ipam = conf.ipam;
  if (!isObject(ipam)) throw invalidConfig('IPAM config missing \'ipam\' key');
  let ranges: RangeSet[];
  const rangesField = optArray(ipam, 'ranges', 'ipam.ranges');
  if (rangesField && rangesField.length > 0) {
    ranges = rangesField.map((s, i) => parseRangeSet(s, `ipam.ranges[${i}]`));
  } else if (ipam.subnet !== undefined) {
    // The pre-0.7 single-range form: subnet/rangeStart/rangeEnd/gateway directly under ipam.
    ranges = [parseRangeSet([ipam], 'ipam')];
  } else {
    throw invalidConfig('no IP ranges specified');
  }
  const resolvConf = optString(ipam, 'resolvConf', 'ipam.resolvConf');
  let dns: CniDns | undefined;
  if (resolvConf) {
    try {
      dns = parseResolvConf(readFileSync(resolvConf, 'utf8'));
    } catch (e) {
      throw invalidConfig(`open ${resolvConf}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return {
    ranges,
    routes: parseRoutes(ipam),
    dataDir: optString(ipam, 'dataDir', 'ipam.dataDir') ?? DEFAULT_DATA_DIR,
    dns,
    requestedIps: requestedIps(conf, cniArgs),
  };
}
