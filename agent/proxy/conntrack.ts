/**
 * UDP conntrack cleanup (DATAPLANE.md §1.10, the v1.8–1.2x triggers): a UDP
 * conntrack entry keeps the DNAT its first packet got, and packets on the
 * same 5-tuple never reach the nat table again. So after a sync:
 *  - a UDP service port that went away, or went from no endpoints to some:
 *    delete every flow to its ClusterIP / external / LB IPs (and node port),
 *    so clients stuck on "no DNAT" or on a dead VIP start over;
 *  - an endpoint that stopped serving a UDP port: delete the flows to the
 *    service's addresses that were DNATed to that endpoint.
 * TCP needs none of this (a dead backend resets or times out the connection).
 *
 * planConntrackCleanup is pure; runConntrackCleanup runs the deletes one by
 * one and logs failures without failing the sync (the rules are already in).
 */
import type { Conntrack, ConntrackFilter } from '../../native/conntrack/index.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import type { StaleEndpoint } from './changes.js';
import type { ServiceMap, ServicePortInfo, ServicePortKey } from './types.js';

export interface ConntrackWork {
  readonly removedUDP: readonly ServicePortInfo[];
  readonly staleEndpoints: readonly StaleEndpoint[];
  readonly newlyServed: ReadonlySet<ServicePortKey>;
}

function serviceIPs(s: ServicePortInfo): string[] {
  return [s.clusterIP, ...s.externalIPs, ...s.loadBalancerIPs];
}

function familyOf(ip: string): Pick<ConntrackFilter, 'family'> {
  return ip.includes(':') ? { family: 'ipv6' } : {};
}

/** The conntrack deletes a sync calls for, de-duplicated, in a stable order. */
export function planConntrackCleanup(services: ServiceMap, work: ConntrackWork): ConntrackFilter[] {
  const out = new Map<string, ConntrackFilter>();
  const add = (f: ConntrackFilter) => out.set(JSON.stringify(f), f);
  const allFlows = (s: ServicePortInfo) => {
    for (const ip of serviceIPs(s)) add({ ...familyOf(ip), protocol: 'udp', origDst: ip });
    if (s.nodePort > 0) add({ protocol: 'udp', origDstPort: s.nodePort });
  };
  for (const s of work.removedUDP) allFlows(s);
  for (const key of work.newlyServed) {
    const s = services.get(key);
    if (s?.protocol === 'UDP') allFlows(s);
  }
  const removed = new Map(work.removedUDP.map((s) => [s.key, s]));
  for (const { key, endpoint } of work.staleEndpoints) {
    const s = services.get(key) ?? removed.get(key);
    if (s?.protocol !== 'UDP') continue;
    for (const ip of serviceIPs(s)) add({ ...familyOf(ip), protocol: 'udp', origDst: ip, dstNat: endpoint.ip });
    if (s.nodePort > 0) add({ ...familyOf(endpoint.ip), protocol: 'udp', origDstPort: s.nodePort, dstNat: endpoint.ip });
  }
  return [...out.values()];
}

/** Runs the deletes; a failure is logged (once per sync) and does not fail the sync. */
export async function runConntrackCleanup(ct: Conntrack | undefined, filters: readonly ConntrackFilter[], log: Logger): Promise<number> {
  if (!ct || filters.length === 0) return 0;
  let deleted = 0;
  let failed: string | undefined;
  for (const f of filters) {
    try {
      deleted += await ct.deleteEntries(f);
    } catch (e) {
      failed ??= (e as Error).message;
    }
  }
  if (failed) log.error('failed to delete stale UDP conntrack entries', { err: failed });
  else log.v(4).info('deleted stale UDP conntrack entries', { filters: filters.length, deleted });
  return deleted;
}
