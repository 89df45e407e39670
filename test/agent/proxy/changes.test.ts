import test from 'ava';
import {
  applyEndpointsChanges,
  applyServiceChanges,
  endpointsPortsOf,
  EndpointsChangeTracker,
  ServiceChangeTracker,
  servicePortsOf,
} from '../../../agent/proxy/changes.js';
import { planConntrackCleanup } from '../../../agent/proxy/conntrack.js';
import type { EndpointInfo, ServicePortInfo } from '../../../agent/proxy/types.js';
import { eps, subset, svc } from './fixtures.js';

const portCases = [
  { name: 'headless service: nothing to proxy', s: svc('ns', 'h', { clusterIP: 'None', ports: [{ port: 80 }] }), keys: [] },
  { name: 'no cluster IP yet: nothing', s: svc('ns', 'h', { ports: [{ port: 80 }] }), keys: [] },
  { name: 'ExternalName: nothing', s: svc('ns', 'x', { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] }), keys: [] },
  { name: 'unnamed port: ns/name', s: svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] }), keys: ['ns/a'] },
  { name: 'named ports: ns/name:port', s: svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] }), keys: ['ns/a:dns', 'ns/a:http'] },
];
for (const c of portCases) test(`servicePortsOf: ${c.name}`, (t) => t.deepEqual([...servicePortsOf(c.s).keys()].sort(), c.keys));

test('servicePortsOf: node ports only for NodePort/LoadBalancer; affinity defaults to 10800 s', (t) => {
  const cip = servicePortsOf(svc('ns', 'a', { clusterIP: '10.0.0.1', sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 30001 }] })).get('ns/a')!;
  t.is(cip.nodePort, 0);
  t.is(cip.affinitySeconds, 10800);
  t.is(cip.protocol, 'TCP');
  const np = servicePortsOf(svc('ns', 'a', { type: 'NodePort', clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30001 }] })).get('ns/a')!;
  t.is(np.nodePort, 30001);
  t.is(np.affinitySeconds, 0);
});

test('servicePortsOf: Local external policy from the field or v1.8 beta annotations; LB IPs from status', (t) => {
  const field = servicePortsOf(svc('ns', 'a', { type: 'NodePort', clusterIP: '10.0.0.1', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, nodePort: 30001 }] })).get('ns/a')!;
  t.true(field.externalPolicyLocal);
  t.is(field.healthCheckNodePort, 32000);
  const ann = servicePortsOf(
    svc('ns', 'a', { type: 'LoadBalancer', clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30001 }] }, {
      metadata: { annotations: { 'service.beta.kubernetes.io/external-traffic': 'OnlyLocal', 'service.beta.kubernetes.io/healthcheck-nodeport': '32001' } },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.com' }] } },
    }),
  ).get('ns/a')!;
  t.true(ann.externalPolicyLocal);
  t.is(ann.healthCheckNodePort, 32001);
  t.deepEqual(ann.loadBalancerIPs, ['1.2.3.4']);
  const clusterOnly = servicePortsOf(svc('ns', 'a', { clusterIP: '10.0.0.1', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] })).get('ns/a')!;
  t.false(clusterOnly.externalPolicyLocal, 'Local means nothing for a service nobody outside reaches');
});

test('endpointsPortsOf: ready addresses per port, duplicates once, locality by node name', (t) => {
  const e = eps('ns', 'a', [
    { ...subset(['10.1.0.1@me', '10.1.0.2@other'], [{ name: 'http', port: 8080 }]), notReadyAddresses: [{ ip: '10.1.0.9' }] },
    subset(['10.1.0.1@me'], [{ name: 'http', port: 8080 }]),
    subset([], [{ name: 'empty', port: 1 }]),
  ]);
  const m = endpointsPortsOf(e, 'me');
  t.deepEqual([...m.keys()], ['ns/a:http']);
  t.deepEqual(m.get('ns/a:http'), [
    { ip: '10.1.0.1', port: 8080, isLocal: true },
    { ip: '10.1.0.2', port: 8080, isLocal: false },
  ]);
});

test('tracker: an update that changes nothing the proxy uses is dropped', (t) => {
  const tr = new ServiceChangeTracker();
  const a = svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] });
  const b = { ...a, metadata: { ...a.metadata, labels: { x: 'y' }, resourceVersion: '2' } };
  t.false(tr.update(a, b));
  t.is(tr.pending, 0);
});

test('tracker: add then delete before a sync cancels out; previous state survives several updates', (t) => {
  const tr = new ServiceChangeTracker();
  const a = svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] });
  t.true(tr.update(undefined, a));
  t.false(tr.update(a, undefined));
  const b = svc('ns', 'b', { clusterIP: '10.0.0.2', ports: [{ port: 80 }] });
  const b2 = svc('ns', 'b', { clusterIP: '10.0.0.2', ports: [{ port: 81 }] });
  const b3 = svc('ns', 'b', { clusterIP: '10.0.0.2', ports: [{ port: 82 }] });
  tr.update(b, b2);
  tr.update(b2, b3);
  const [c] = tr.checkout();
  t.is(c.previous.get('ns/b')!.port, 80);
  t.is(c.current.get('ns/b')!.port, 82);
  t.is(tr.pending, 0);
});

test('applyServiceChanges: changed ports and removed UDP ports', (t) => {
  const tr = new ServiceChangeTracker();
  const map = new Map<string, ServicePortInfo>();
  const a = svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'web', port: 80 }] });
  tr.update(undefined, a);
  let u = applyServiceChanges(map, tr.checkout());
  t.deepEqual([...u.changed].sort(), ['ns/a:dns', 'ns/a:web']);
  t.deepEqual(u.removedUDP, []);
  tr.update(a, svc('ns', 'a', { clusterIP: '10.0.0.1', ports: [{ name: 'web', port: 80 }] }));
  u = applyServiceChanges(map, tr.checkout());
  t.deepEqual([...u.changed], ['ns/a:dns']);
  t.deepEqual(u.removedUDP.map((s) => s.key), ['ns/a:dns']);
  t.deepEqual([...map.keys()], ['ns/a:web']);
});

test('applyEndpointsChanges: stale endpoints and ports that became served', (t) => {
  const tr = new EndpointsChangeTracker('me');
  const map = new Map<string, readonly EndpointInfo[]>();
  const e1 = eps('ns', 'a', [subset(['10.1.0.1', '10.1.0.2'], [{ port: 53 }])]);
  tr.update(undefined, e1);
  let u = applyEndpointsChanges(map, tr.checkout());
  t.deepEqual([...u.newlyServed], ['ns/a']);
  t.deepEqual(u.staleEndpoints, []);
  tr.update(e1, eps('ns', 'a', [subset(['10.1.0.2'], [{ port: 53 }])]));
  u = applyEndpointsChanges(map, tr.checkout());
  t.deepEqual(u.staleEndpoints, [{ key: 'ns/a', endpoint: { ip: '10.1.0.1', port: 53, isLocal: false } }]);
  t.deepEqual([...u.newlyServed], []);
  t.is(map.get('ns/a')!.length, 1);
});

test('planConntrackCleanup: UDP only, every address of the service, node ports by port', (t) => {
  const udp = servicePortsOf(svc('ns', 'd', { type: 'NodePort', clusterIP: '10.0.0.10', externalIPs: ['1.1.1.1'], ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] })).get('ns/d')!;
  const tcp = servicePortsOf(svc('ns', 'w', { clusterIP: '10.0.0.11', ports: [{ port: 80 }] })).get('ns/w')!;
  const services = new Map([
    [udp.key, udp],
    [tcp.key, tcp],
  ]);
  const got = planConntrackCleanup(services, {
    removedUDP: [],
    newlyServed: new Set(['ns/w']),
    staleEndpoints: [
      { key: 'ns/d', endpoint: { ip: '10.1.0.5', port: 53, isLocal: false } },
      { key: 'ns/w', endpoint: { ip: '10.1.0.6', port: 80, isLocal: false } },
    ],
  });
  t.deepEqual(got, [
    { protocol: 'udp', origDst: '10.0.0.10', dstNat: '10.1.0.5' },
    { protocol: 'udp', origDst: '1.1.1.1', dstNat: '10.1.0.5' },
    { protocol: 'udp', origDstPort: 30053, dstNat: '10.1.0.5' },
  ]);
});
