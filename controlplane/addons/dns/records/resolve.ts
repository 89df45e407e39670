/**
 * The cluster zone: one question → the records of the Kubernetes DNS
 * specification (kubernetes/dns docs/specification.md, schema 1.0.1), read
 * from the informers' caches at query time. Pure: no I/O, no mutation, so
 * an answer always reflects the caches as they are now and a table of cases
 * tests it without sockets.
 *
 * Names under <zone>:
 *   <zone> / svc.<zone> / pod.<zone>            exist, no data (SOA answers SOA queries at the apex)
 *   dns-version.<zone>                          TXT "1.0.1"
 *   <ns>.svc.<zone>                             exists (no data) while the namespace has Services
 *   <svc>.<ns>.svc.<zone>                       A/AAAA ClusterIP; headless: A/AAAA per ready endpoint
 *                                               (NXDOMAIN when none); ExternalName: CNAME
 *   <host>.<svc>.<ns>.svc.<zone>                A/AAAA of a headless service's endpoints with that hostname
 *   _<port>._<proto>.<svc>.<ns>.svc.<zone>      SRV per named port (headless: × ready endpoint), A in additional
 *   <a-b-c-d>.<ns>.pod.<zone>                   A a.b.c.d (spec §2.6: any address, as kube-dns 1.14)
 *   <reverse of a ClusterIP / headless endpoint> PTR (in-addr.arpa / ip6.arpa, outside the zone)
 * Unknown names under the zone are NXDOMAIN, existing names without the type
 * asked are NOERROR with no answer (NODATA); both carry the zone's SOA in
 * the authority section so resolvers cache the negative answer for the TTL.
 * Everything else is not ours: the server forwards it.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { NAMESPACE_INDEX } from '../../../client/indexer.js';
import { addressOfReverse, canonical, isSubdomain, labelsAbove } from '../wire/names.js';
import { RRClass, RRType, Rcode, type Question, type ResourceRecord } from '../wire/types.js';
import {
  CLUSTER_IP_INDEX,
  clusterIPsOf,
  endpointHostname,
  ENDPOINT_IP_INDEX,
  isExternalName,
  isHeadless,
  readyAddresses,
  type ClusterState,
  type RoService,
} from './state.js';

/** The version of the DNS schema served (TXT dns-version.<zone>). */
export const SCHEMA_VERSION = '1.0.1';

export interface Zone {
  /** Canonical, e.g. 'cluster.local.'. */
  domain: string;
  /** TTL of every record, and the SOA minimum (negative caching). */
  ttl: number;
  /** SOA serial (upstream: the start time in seconds). */
  serial: number;
}

export type Resolution =
  | {
      kind: 'zone';
      rcode: number;
      answers: ResourceRecord[];
      authority: ResourceRecord[];
      additional: ResourceRecord[];
      /** An ExternalName's target outside the zone: the server may look it up upstream and append the answers. */
      chase?: Question;
    }
  | { kind: 'forward' };

const SRV_PRIORITY = 10;
const SRV_WEIGHT = 100;
const MAX_CNAME_CHAIN = 8;

export function soaRecord(z: Zone): ResourceRecord {
  return {
    name: z.domain,
    type: RRType.SOA,
    class: RRClass.IN,
    ttl: z.ttl,
    data: { kind: 'SOA', mname: `ns.dns.${z.domain}`, rname: `hostmaster.${z.domain}`, serial: z.serial, refresh: 28800, retry: 7200, expire: 604800, minimum: z.ttl },
  };
}

/** Resolves one question against the cluster state. */
export function resolve(q: Question, state: ClusterState, zone: Zone): Resolution {
  const name = canonical(q.name);
  if (!isSubdomain(name, zone.domain)) {
    const ptr = reverseLookup(q, name, state, zone);
    return ptr ?? { kind: 'forward' };
  }
  if (q.class !== RRClass.IN && q.class !== RRClass.ANY) return negative(zone, Rcode.REFUSED);
  return resolveInZone(q, name, state, zone, 0);
}

// ---- building answers ------------------------------------------------------------

function rr(name: string, type: number, ttl: number, data: ResourceRecord['data']): ResourceRecord {
  return { name, type, class: RRClass.IN, ttl, data };
}

function addressRecord(name: string, ip: string, ttl: number): ResourceRecord | undefined {
  if (isIPv4(ip)) return rr(name, RRType.A, ttl, { kind: 'A', address: ip });
  if (isIPv6(ip)) return rr(name, RRType.AAAA, ttl, { kind: 'AAAA', address: ip });
  return undefined;
}

/** Whether an address record of type `t` answers a question of type `qtype`. */
function wants(qtype: number, t: number): boolean {
  return qtype === t || qtype === RRType.ANY;
}

function negative(zone: Zone, rcode: number): Resolution {
  return { kind: 'zone', rcode, answers: [], authority: [soaRecord(zone)], additional: [] };
}

/** The name exists: answers when any, else NODATA with the SOA. */
function found(zone: Zone, answers: ResourceRecord[], additional: ResourceRecord[] = []): Resolution {
  return { kind: 'zone', rcode: Rcode.NOERROR, answers, authority: answers.length ? [] : [soaRecord(zone)], additional };
}

/** A/AAAA records for `ips` under `owner`, filtered by the question type. */
function addresses(owner: string, ips: readonly string[], qtype: number, ttl: number): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const ip of ips) {
    const r = addressRecord(owner, ip, ttl);
    if (r && wants(qtype, r.type)) out.push(r);
  }
  return out;
}

// ---- the zone --------------------------------------------------------------------

function resolveInZone(q: Question, name: string, state: ClusterState, zone: Zone, depth: number): Resolution {
  const labels = labelsAbove(name, zone.domain);
  const owner = q.name;
  const ttl = zone.ttl;
  if (labels.length === 0) {
    return found(zone, wants(q.type, RRType.SOA) ? [{ ...soaRecord(zone), name: owner }] : []);
  }
  if (labels.length === 1) {
    const [l] = labels;
    if (l === 'dns-version') return found(zone, wants(q.type, RRType.TXT) ? [rr(owner, RRType.TXT, ttl, { kind: 'TXT', texts: [SCHEMA_VERSION] })] : []);
    if (l === 'svc' || l === 'pod') return found(zone, []);
    return negative(zone, Rcode.NXDOMAIN);
  }
  const kind = labels[labels.length - 1];
  if (kind === 'pod') return resolvePod(q, labels, state, zone);
  if (kind !== 'svc') return negative(zone, Rcode.NXDOMAIN);

  const ns = labels[labels.length - 2];
  if (labels.length === 2) return state.services.byIndex(NAMESPACE_INDEX, ns).length > 0 ? found(zone, []) : negative(zone, Rcode.NXDOMAIN);
  const svcName = labels[labels.length - 3];
  const svc = state.services.get(`${ns}/${svcName}`);
  if (!svc) return negative(zone, Rcode.NXDOMAIN);

  if (labels.length === 3) return resolveService(q, svc, state, zone, depth);
  if (labels.length === 4) return resolveEndpointHost(q, labels[0], svc, state, zone);
  if (labels.length === 5 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    return resolveSrv(q, labels[0].slice(1), labels[1].slice(1), svc, state, zone);
  }
  return negative(zone, Rcode.NXDOMAIN);
}

function serviceFqdn(svc: RoService, zone: Zone): string {
  return `${svc.metadata.name}.${svc.metadata.namespace}.svc.${zone.domain}`;
}

function resolveService(q: Question, svc: RoService, state: ClusterState, zone: Zone, depth: number): Resolution {
  const owner = q.name;
  const ttl = zone.ttl;
  if (isExternalName(svc)) {
    const ext = svc.spec?.externalName ?? '';
    if (ext === '') return negative(zone, Rcode.NXDOMAIN);
    const target = canonical(ext);
    const cname = rr(owner, RRType.CNAME, ttl, { kind: 'CNAME', target });
    if (q.type === RRType.CNAME) return found(zone, [cname]);
    // A CNAME answers every type: follow it inside the zone, let the server chase it outside.
    if (isSubdomain(target, zone.domain) && depth < MAX_CNAME_CHAIN) {
      const next = resolveInZone({ name: target, type: q.type, class: q.class }, target, state, zone, depth + 1);
      if (next.kind === 'zone') return { ...next, answers: [cname, ...next.answers], authority: next.answers.length ? [] : next.authority };
    }
    return { kind: 'zone', rcode: Rcode.NOERROR, answers: [cname], authority: [], additional: [], chase: { name: target, type: q.type, class: q.class } };
  }
  if (isHeadless(svc)) {
    const ips: string[] = [];
    const eps = state.endpoints.get(`${svc.metadata.namespace}/${svc.metadata.name}`);
    for (const sub of eps?.subsets ?? []) for (const a of readyAddresses(svc, sub)) if (!ips.includes(a.ip)) ips.push(a.ip);
    // Spec §2.4.1: no ready endpoints → the name does not exist.
    if (ips.length === 0) return negative(zone, Rcode.NXDOMAIN);
    return found(zone, addresses(owner, ips, q.type, ttl));
  }
  return found(zone, addresses(owner, clusterIPsOf(svc), q.type, ttl));
}

function resolveEndpointHost(q: Question, host: string, svc: RoService, state: ClusterState, zone: Zone): Resolution {
  if (!isHeadless(svc)) return negative(zone, Rcode.NXDOMAIN);
  const eps = state.endpoints.get(`${svc.metadata.namespace}/${svc.metadata.name}`);
  const ips: string[] = [];
  for (const sub of eps?.subsets ?? []) for (const a of readyAddresses(svc, sub)) if (endpointHostname(a) === host && !ips.includes(a.ip)) ips.push(a.ip);
  if (ips.length === 0) return negative(zone, Rcode.NXDOMAIN);
  return found(zone, addresses(q.name, ips, q.type, zone.ttl));
}

function resolveSrv(q: Question, port: string, proto: string, svc: RoService, state: ClusterState, zone: Zone): Resolution {
  const ttl = zone.ttl;
  const answers: ResourceRecord[] = [];
  const additional: ResourceRecord[] = [];
  const matches = (p: { name?: string; protocol?: string }) => (p.name ?? '').toLowerCase() === port && (p.protocol ?? 'TCP').toLowerCase() === proto;
  const fqdn = serviceFqdn(svc, zone);
  if (isExternalName(svc)) return negative(zone, Rcode.NXDOMAIN);
  if (isHeadless(svc)) {
    const eps = state.endpoints.get(`${svc.metadata.namespace}/${svc.metadata.name}`);
    const seen = new Set<string>();
    for (const sub of eps?.subsets ?? []) {
      const ports = (sub.ports ?? []).filter(matches);
      for (const a of readyAddresses(svc, sub)) {
        const target = `${endpointHostname(a)}.${fqdn}`;
        for (const p of ports) answers.push(rr(q.name, RRType.SRV, ttl, { kind: 'SRV', priority: SRV_PRIORITY, weight: SRV_WEIGHT, port: p.port, target }));
        if (ports.length > 0 && !seen.has(`${target} ${a.ip}`)) {
          seen.add(`${target} ${a.ip}`);
          const ar = addressRecord(target, a.ip, ttl);
          if (ar) additional.push(ar);
        }
      }
    }
  } else {
    for (const p of (svc.spec?.ports ?? []).filter(matches)) answers.push(rr(q.name, RRType.SRV, ttl, { kind: 'SRV', priority: SRV_PRIORITY, weight: SRV_WEIGHT, port: p.port, target: fqdn }));
    if (answers.length > 0) for (const ip of clusterIPsOf(svc)) {
      const ar = addressRecord(fqdn, ip, ttl);
      if (ar) additional.push(ar);
    }
  }
  if (answers.length === 0) return negative(zone, Rcode.NXDOMAIN);
  if (!wants(q.type, RRType.SRV)) return found(zone, []);
  return found(zone, answers, additional);
}

function resolvePod(q: Question, labels: string[], state: ClusterState, zone: Zone): Resolution {
  void state;
  if (labels.length === 2) return found(zone, []);
  if (labels.length !== 3) return negative(zone, Rcode.NXDOMAIN);
  const ip = labels[0].replace(/-/g, '.');
  if (!isIPv4(ip) || !/^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/.test(ip)) return negative(zone, Rcode.NXDOMAIN);
  return found(zone, addresses(q.name, [ip], q.type, zone.ttl));
}

// ---- reverse ---------------------------------------------------------------------

function reverseLookup(q: Question, name: string, state: ClusterState, zone: Zone): Resolution | undefined {
  const ip = addressOfReverse(name);
  if (ip === undefined) return undefined;
  const targets: string[] = [];
  for (const svc of state.services.byIndex(CLUSTER_IP_INDEX, ip)) if (!isExternalName(svc)) targets.push(serviceFqdn(svc, zone));
  for (const eps of state.endpoints.byIndex(ENDPOINT_IP_INDEX, ip)) {
    const svc = state.services.get(`${eps.metadata.namespace}/${eps.metadata.name}`);
    if (!svc || !isHeadless(svc)) continue;
    for (const sub of eps.subsets ?? []) for (const a of readyAddresses(svc, sub)) if (a.ip === ip) targets.push(`${endpointHostname(a)}.${serviceFqdn(svc, zone)}`);
  }
  if (targets.length === 0) return undefined;
  const uniq = [...new Set(targets)];
  return found(zone, wants(q.type, RRType.PTR) ? uniq.map((t) => rr(q.name, RRType.PTR, zone.ttl, { kind: 'PTR', target: t })) : []);
}
