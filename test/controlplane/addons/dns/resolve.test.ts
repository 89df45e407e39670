/**
 * The cluster zone as a table: one question against a fixed set of Services
 * and Endpoints (plain Indexers, as the informers hold them) → rcode,
 * answers, authority, additional, as dig would print them.
 */
import test from 'ava';
import type { Endpoints, Service } from '../../../../controlplane/api/core/v1/types.js';
import { Indexer, keyOf } from '../../../../controlplane/client/indexer.js';
import { resolve, type Zone } from '../../../../controlplane/addons/dns/records/resolve.js';
import { endpointsIndexers, serviceIndexers, type ClusterState } from '../../../../controlplane/addons/dns/records/state.js';
import { RRClass, RRType, typeName, type ResourceRecord } from '../../../../controlplane/addons/dns/wire/types.js';

const zone: Zone = { domain: 'cluster.local.', ttl: 30, serial: 1 };

const svc = (ns: string, name: string, spec: Service['spec'], annotations?: Record<string, string>): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, annotations }, spec });
const eps = (ns: string, name: string, subsets: Endpoints['subsets']): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets });

function state(): ClusterState {
  const services = new Indexer<Service>(serviceIndexers);
  const endpoints = new Indexer<Endpoints>(endpointsIndexers);
  for (const s of [
    svc('default', 'kubernetes', { clusterIP: '10.0.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
    svc('default', 'web', { clusterIP: '10.0.0.20', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 8080 }] }),
    svc('default', 'web6', { clusterIP: 'fd00::20', ports: [{ name: 'http', port: 80 }] }),
    svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'mysql', port: 3306 }] }),
    svc('default', 'empty', { clusterIP: 'None' }),
    svc('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com' }),
    svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
    svc('default', 'tolerant', { clusterIP: 'None' }, { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' }),
    svc('kube-system', 'kube-dns', { clusterIP: '10.0.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
  ]) services.set(keyOf(s), s);
  for (const e of [
    eps('default', 'db', [
      {
        addresses: [
          { ip: '10.1.0.5', hostname: 'db-0' },
          { ip: '10.1.0.6', hostname: 'db-1' },
          { ip: '10.1.0.7' },
        ],
        notReadyAddresses: [{ ip: '10.1.0.8', hostname: 'db-2' }],
        ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }],
      },
    ]),
    eps('default', 'empty', [{ notReadyAddresses: [{ ip: '10.1.0.9' }] }]),
    eps('default', 'tolerant', [{ notReadyAddresses: [{ ip: '10.1.0.10', hostname: 't-0' }] }]),
    eps('default', 'web', [{ addresses: [{ ip: '10.1.0.11' }], ports: [{ name: 'http', port: 8000 }] }]),
  ]) endpoints.set(keyOf(e), e);
  return { services, endpoints };
}

/** dig-style one-liners. */
function show(rr: ResourceRecord): string {
  const d = rr.data;
  const v =
    d.kind === 'A' || d.kind === 'AAAA'
      ? d.address
      : d.kind === 'CNAME' || d.kind === 'PTR' || d.kind === 'NS'
        ? d.target
        : d.kind === 'SRV'
          ? `${d.priority} ${d.weight} ${d.port} ${d.target}`
          : d.kind === 'SOA'
            ? `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`
            : d.kind === 'TXT'
              ? d.texts.map((x) => JSON.stringify(x)).join(' ')
              : '?';
  return `${rr.name} ${rr.ttl} ${typeName(rr.type)} ${v}`;
}

const SOA = 'cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 28800 7200 604800 30';

interface Case {
  name: string;
  q: string;
  type: keyof typeof RRType;
  rcode?: number;
  answers?: string[];
  authority?: string[];
  additional?: string[];
  chase?: string;
  forward?: true;
}

const cases: Case[] = [
  { name: 'ClusterIP service A', q: 'kubernetes.default.svc.cluster.local.', type: 'A', answers: ['kubernetes.default.svc.cluster.local. 30 A 10.0.0.1'] },
  { name: 'names are case-insensitive, the question case is echoed', q: 'Kubernetes.DEFAULT.svc.Cluster.Local.', type: 'A', answers: ['Kubernetes.DEFAULT.svc.Cluster.Local. 30 A 10.0.0.1'] },
  { name: 'ClusterIP service AAAA: NODATA with SOA', q: 'web.default.svc.cluster.local.', type: 'AAAA', authority: [SOA] },
  { name: 'IPv6 ClusterIP: AAAA', q: 'web6.default.svc.cluster.local.', type: 'AAAA', answers: ['web6.default.svc.cluster.local. 30 AAAA fd00::20'] },
  { name: 'ANY on a service: its address', q: 'web.default.svc.cluster.local.', type: 'ANY', answers: ['web.default.svc.cluster.local. 30 A 10.0.0.20'] },
  { name: 'unknown service: NXDOMAIN with SOA', q: 'nope.default.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'unknown namespace: NXDOMAIN', q: 'kubernetes.nope.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'a namespace with services exists (NODATA)', q: 'default.svc.cluster.local.', type: 'A', authority: [SOA] },
  { name: 'a namespace without services does not', q: 'nope.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'svc.<zone> exists', q: 'svc.cluster.local.', type: 'A', authority: [SOA] },
  { name: 'zone apex SOA', q: 'cluster.local.', type: 'SOA', answers: [SOA] },
  { name: 'other names in the zone: NXDOMAIN', q: 'foo.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'too deep under svc: NXDOMAIN', q: 'a.b.web.default.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'schema version TXT', q: 'dns-version.cluster.local.', type: 'TXT', answers: ['dns-version.cluster.local. 30 TXT "1.0.1"'] },
  {
    name: 'headless service: A per ready endpoint, not the not-ready one',
    q: 'db.default.svc.cluster.local.',
    type: 'A',
    answers: ['db.default.svc.cluster.local. 30 A 10.1.0.5', 'db.default.svc.cluster.local. 30 A 10.1.0.6', 'db.default.svc.cluster.local. 30 A 10.1.0.7'],
  },
  { name: 'headless without ready endpoints: NXDOMAIN (spec 2.4.1)', q: 'empty.default.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'headless tolerating unready endpoints: they count', q: 'tolerant.default.svc.cluster.local.', type: 'A', answers: ['tolerant.default.svc.cluster.local. 30 A 10.1.0.10'] },
  { name: 'StatefulSet pod name: <hostname>.<svc>', q: 'db-1.db.default.svc.cluster.local.', type: 'A', answers: ['db-1.db.default.svc.cluster.local. 30 A 10.1.0.6'] },
  { name: 'endpoint without hostname: its dashed IP', q: '10-1-0-7.db.default.svc.cluster.local.', type: 'A', answers: ['10-1-0-7.db.default.svc.cluster.local. 30 A 10.1.0.7'] },
  { name: 'not-ready hostname: NXDOMAIN', q: 'db-2.db.default.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'hostnames only under headless services', q: '10-1-0-11.web.default.svc.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  {
    name: 'SRV of a ClusterIP service: the service port, the A in additional',
    q: '_https._tcp.kubernetes.default.svc.cluster.local.',
    type: 'SRV',
    answers: ['_https._tcp.kubernetes.default.svc.cluster.local. 30 SRV 10 100 443 kubernetes.default.svc.cluster.local.'],
    additional: ['kubernetes.default.svc.cluster.local. 30 A 10.0.0.1'],
  },
  {
    name: 'SRV protocol defaults to TCP and is matched',
    q: '_dns._udp.web.default.svc.cluster.local.',
    type: 'SRV',
    answers: ['_dns._udp.web.default.svc.cluster.local. 30 SRV 10 100 53 web.default.svc.cluster.local.'],
    additional: ['web.default.svc.cluster.local. 30 A 10.0.0.20'],
  },
  { name: 'SRV with the wrong protocol: NXDOMAIN', q: '_dns._tcp.web.default.svc.cluster.local.', type: 'SRV', rcode: 3, authority: [SOA] },
  { name: 'SRV name asked for A: NODATA', q: '_http._tcp.web.default.svc.cluster.local.', type: 'A', authority: [SOA] },
  {
    name: 'SRV of a headless service: one per ready endpoint, targets by hostname',
    q: '_mysql._tcp.db.default.svc.cluster.local.',
    type: 'SRV',
    answers: [
      '_mysql._tcp.db.default.svc.cluster.local. 30 SRV 10 100 3306 db-0.db.default.svc.cluster.local.',
      '_mysql._tcp.db.default.svc.cluster.local. 30 SRV 10 100 3306 db-1.db.default.svc.cluster.local.',
      '_mysql._tcp.db.default.svc.cluster.local. 30 SRV 10 100 3306 10-1-0-7.db.default.svc.cluster.local.',
    ],
    additional: ['db-0.db.default.svc.cluster.local. 30 A 10.1.0.5', 'db-1.db.default.svc.cluster.local. 30 A 10.1.0.6', '10-1-0-7.db.default.svc.cluster.local. 30 A 10.1.0.7'],
  },
  { name: 'ExternalName: CNAME, chased outside the zone', q: 'ext.default.svc.cluster.local.', type: 'A', answers: ['ext.default.svc.cluster.local. 30 CNAME www.example.com.'], chase: 'www.example.com.' },
  { name: 'ExternalName asked for CNAME: no chase', q: 'ext.default.svc.cluster.local.', type: 'CNAME', answers: ['ext.default.svc.cluster.local. 30 CNAME www.example.com.'] },
  {
    name: 'ExternalName into the zone: followed inside',
    q: 'alias.default.svc.cluster.local.',
    type: 'A',
    answers: ['alias.default.svc.cluster.local. 30 CNAME web.default.svc.cluster.local.', 'web.default.svc.cluster.local. 30 A 10.0.0.20'],
  },
  { name: 'pod A record', q: '10-1-0-5.default.pod.cluster.local.', type: 'A', answers: ['10-1-0-5.default.pod.cluster.local. 30 A 10.1.0.5'] },
  { name: 'pod name that is not an address: NXDOMAIN', q: '10-1-0-999.default.pod.cluster.local.', type: 'A', rcode: 3, authority: [SOA] },
  { name: 'PTR of a ClusterIP', q: '10.0.0.10.in-addr.arpa.', type: 'PTR', answers: ['10.0.0.10.in-addr.arpa. 30 PTR kube-dns.kube-system.svc.cluster.local.'] },
  { name: 'PTR of a headless endpoint with hostname', q: '6.0.1.10.in-addr.arpa.', type: 'PTR', answers: ['6.0.1.10.in-addr.arpa. 30 PTR db-1.db.default.svc.cluster.local.'] },
  { name: 'PTR of a ClusterIP service endpoint: not ours, forwarded', q: '11.0.1.10.in-addr.arpa.', type: 'PTR', forward: true },
  { name: 'a name outside the zone is forwarded', q: 'www.example.com.', type: 'A', forward: true },
  { name: 'a zone look-alike is forwarded', q: 'web.default.svc.notcluster.local.', type: 'A', forward: true },
];

const st = state();
for (const c of cases) {
  test(`resolve: ${c.name}`, (t) => {
    const r = resolve({ name: c.q, type: RRType[c.type], class: RRClass.IN }, st, zone);
    if (c.forward) return t.is(r.kind, 'forward');
    if (r.kind !== 'zone') return t.fail(`forwarded: ${c.q}`);
    t.is(r.rcode, c.rcode ?? 0, 'rcode');
    t.deepEqual(r.answers.map(show), c.answers ?? [], 'answers');
    t.deepEqual(r.authority.map(show), c.authority ?? [], 'authority');
    t.deepEqual(r.additional.map(show), c.additional ?? [], 'additional');
    t.is(r.chase?.name, c.chase);
  });
}
