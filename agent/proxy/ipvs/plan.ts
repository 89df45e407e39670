/**
 * The IPVS mode's plan (DATAPLANE.md §2, as of the v1.8 alpha): per service
 * port one IPVS virtual service for the ClusterIP, each externalIP, each
 * load-balancer IP, and for a node port one per node IP; real servers are
 * the endpoints (masq forwarding — the only method that remaps ports —
 * weight 1). ClientIP affinity is IPVS persistence (flag 0x1 + timeout).
 * Service VIPs must be local addresses for IPVS to see the packets: they are
 * bound to the dummy link kube-ipvs0. iptables keeps only the masquerade
 * rules (v1.8 wrote them per service; ipsets came in 1.9).
 *
 * Pure: no I/O. proxier.ts diffs this against the kernel.
 */
import { RestoreBuilder } from '../../../native/iptables/builder.js';
import type { RealServer, ServiceAddrKey, VirtualService } from '../../../native/ipvs/types.js';
import { formatMark, KUBE_MARK_MASQ, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_SERVICES, type JumpRule } from '../iptables/chains.js';
import type { IptablesConfig } from '../iptables/rules.js';
import type { EndpointsMap, ServiceMap, ServicePortKey } from '../types.js';

export const IPVS_DUMMY_LINK = 'kube-ipvs0';
export const DEFAULT_SCHEDULER = 'rr';

/** A virtual service addressed by protocol + address + port (kube-proxy never uses fwmarks). */
export type AddrVirtualService = VirtualService & ServiceAddrKey;

export interface DesiredVirtualService {
  readonly owner: ServicePortKey;
  readonly service: AddrVirtualService;
  readonly destinations: readonly RealServer[];
}

export interface IpvsPlan {
  readonly services: readonly DesiredVirtualService[];
  /** Addresses to hold on kube-ipvs0 (ClusterIPs, externalIPs, LB IPs). */
  readonly addresses: readonly string[];
}

export interface IpvsPlanInput {
  readonly services: ServiceMap;
  readonly endpoints: EndpointsMap;
  /** Node addresses that serve node ports (loopback excluded). */
  readonly nodeIPs: readonly string[];
  /** --ipvs-scheduler; '' = rr. */
  readonly scheduler: string;
}

/** Identity of a virtual service, for diffing against the kernel. */
export function vsKey(s: Pick<ServiceAddrKey, 'address' | 'port' | 'protocol'>): string {
  return `${s.protocol}/${s.address}/${s.port}`;
}

export function planIpvs(input: IpvsPlanInput): IpvsPlan {
  const out: DesiredVirtualService[] = [];
  const addresses = new Set<string>();
  const scheduler = input.scheduler || DEFAULT_SCHEDULER;
  for (const key of [...input.services.keys()].sort()) {
    const s = input.services.get(key)!;
    if (s.protocol !== 'TCP' && s.protocol !== 'UDP' && s.protocol !== 'SCTP') continue;
    const protocol = s.protocol.toLowerCase() as 'tcp' | 'udp' | 'sctp';
    const eps = input.endpoints.get(key) ?? [];
    const toReal = (e: { ip: string; port: number }): RealServer => ({ address: e.ip, port: e.port, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
    const all = eps.map(toReal);
    // Local policy: local endpoints only, but all of them when none is local (PR #97081) — better than a black hole.
    const local = eps.filter((e) => e.isLocal);
    const external = s.externalPolicyLocal && local.length > 0 ? local.map(toReal) : all;
    const internal = s.internalPolicyLocal && local.length > 0 ? local.map(toReal) : all;
    const vs = (address: string, port: number): AddrVirtualService => ({
      family: address.includes(':') ? 'ipv6' : 'ipv4',
      protocol,
      address,
      port,
      scheduler,
      flags: s.affinitySeconds > 0 ? 0x1 : 0,
      timeout: s.affinitySeconds,
      netmask: address.includes(':') ? 128 : 0xffffffff,
    });
    out.push({ owner: key, service: vs(s.clusterIP, s.port), destinations: internal });
    addresses.add(s.clusterIP);
    for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) {
      out.push({ owner: key, service: vs(ip, s.port), destinations: external });
      addresses.add(ip);
    }
    if (s.nodePort > 0) for (const ip of input.nodeIPs) out.push({ owner: key, service: vs(ip, s.nodePort), destinations: external });
  }
  return { services: out, addresses: [...addresses].sort() };
}

/** The jumps the IPVS mode needs: nat only. */
export const IPVS_JUMPS: readonly JumpRule[] = [
  ...(['OUTPUT', 'PREROUTING'] as const).map((c) => ({ table: 'nat' as const, chain: c, position: 'prepend' as const, args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] })),
  { table: 'nat', chain: 'POSTROUTING', position: 'prepend', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', KUBE_POSTROUTING] },
];

/** The masquerade rules of the IPVS mode (v1.8: per service, no ipsets). */
export function planIpvsRules(services: ServiceMap, cfg: IptablesConfig): { text: string; rules: number } {
  const mark = formatMark(1 << cfg.masqueradeBit);
  const b = new RestoreBuilder();
  const nat = b.table('nat');
  for (const c of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) nat.chain(c);
  nat.append(KUBE_POSTROUTING, ['-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN']);
  nat.append(KUBE_POSTROUTING, ['-j', 'MARK', '--xor-mark', mark]);
  nat.append(KUBE_POSTROUTING, ['-m', 'comment', '--comment', 'kubernetes service traffic requiring SNAT', '-j', 'MASQUERADE', ...(cfg.randomFully ? ['--random-fully'] : [])]);
  nat.append(KUBE_MARK_MASQ, ['-j', 'MARK', '--or-mark', mark]);
  for (const key of [...services.keys()].sort()) {
    const s = services.get(key)!;
    const proto = s.protocol.toLowerCase();
    const match = (ip: string) => ['-m', 'comment', '--comment', `${key} cluster IP`, '-m', proto, '-p', proto, '-d', ip, '--dport', String(s.port)];
    if (cfg.masqueradeAll) nat.append(KUBE_SERVICES, [...match(s.clusterIP), '-j', KUBE_MARK_MASQ]);
    else if (cfg.clusterCIDR) nat.append(KUBE_SERVICES, [...match(s.clusterIP), '!', '-s', cfg.clusterCIDR, '-j', KUBE_MARK_MASQ]);
    for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) {
      if (!s.externalPolicyLocal) nat.append(KUBE_SERVICES, ['-m', 'comment', '--comment', `${key} external IP`, '-m', proto, '-p', proto, '-d', ip, '--dport', String(s.port), '-j', KUBE_MARK_MASQ]);
    }
    if (s.nodePort > 0 && !s.externalPolicyLocal) nat.append(KUBE_NODEPORTS, ['-m', 'comment', '--comment', key, '-m', proto, '-p', proto, '--dport', String(s.nodePort), '-j', KUBE_MARK_MASQ]);
  }
  nat.append(KUBE_SERVICES, ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', KUBE_NODEPORTS]);
  return { text: b.render(), rules: nat.ruleCount };
}
