/**
 * The IPVS proxier over fakes (this kernel has no ip_vs): the virtual
 * services and real servers it programs, the VIPs it binds, updates and
 * deletions, ownership, cleanup; and the daemon's fallback to iptables when
 * openIpvs() reports IPVS missing.
 */
import test from 'ava';
import type { Endpoints, Service } from '../../../controlplane/api/core/v1/types.js';
import { FakeIptables } from '../../../native/testing/iptables.js';
import { openIpvs, IpvsUnsupportedError } from '../../../native/ipvs/index.js';
import { IpvsProxier } from '../../../agent/proxy/ipvs/proxier.js';
import { DEFAULT_IPTABLES_CONFIG } from '../../../agent/proxy/iptables/rules.js';
import { FakeAddressBinder, FakeIpvs } from '../../../agent/proxy/testing/ipvs.js';
import { eps, quietLogger, subset, svc } from './fixtures.js';

function setup(objs: (Service | Endpoints)[], scheduler = '') {
  const ipvs = new FakeIpvs();
  const binder = new FakeAddressBinder();
  const ipt = new FakeIptables();
  const p = new IpvsProxier({
    hostname: 'node1',
    minSyncPeriodMs: 0,
    syncPeriodMs: 30_000,
    log: quietLogger(),
    ipvs,
    binder,
    iptables: ipt,
    config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: '10.0.0.0/8' },
    scheduler,
    nodeIPs: async () => ['192.168.0.2'],
  });
  for (const o of objs) {
    if (o.kind === 'Service') p.onServiceAdd(o as Service);
    else p.onEndpointsAdd(o as Endpoints);
  }
  p.onServicesSynced();
  p.onEndpointsSynced();
  return { p, ipvs, binder, ipt };
}

const web = svc('ns', 'web', { type: 'NodePort', clusterIP: '10.96.0.10', externalIPs: ['1.2.3.4'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
const webEps = eps('ns', 'web', [subset(['10.1.0.1', '10.1.0.2'], [{ name: 'http', port: 8080 }])]);

test('one virtual service per ClusterIP, external IP and node IP; endpoints as masq real servers; VIPs bound', async (t) => {
  const { p, ipvs, binder, ipt } = setup([web, webEps]);
  await p.sync();
  t.deepEqual(ipvs.dump(), [
    'tcp/1.2.3.4/80 rr -> 10.1.0.1:8080,10.1.0.2:8080',
    'tcp/10.96.0.10/80 rr -> 10.1.0.1:8080,10.1.0.2:8080',
    'tcp/192.168.0.2/30080 rr -> 10.1.0.1:8080,10.1.0.2:8080',
  ]);
  t.deepEqual([...binder.bound].sort(), ['1.2.3.4', '10.96.0.10']);
  t.regex(ipt.lastRestore!, /-d 10\.96\.0\.10 --dport 80 ! -s 10\.0\.0\.0\/8 -j KUBE-MARK-MASQ/);
  t.truthy(ipt.rules('nat', 'OUTPUT')!.find((r) => r.endsWith('-j KUBE-SERVICES')));
});

test('ClientIP affinity is IPVS persistence; --ipvs-scheduler is used', async (t) => {
  const s = svc('ns', 'sticky', { clusterIP: '10.96.0.11', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
  const { p, ipvs } = setup([s, eps('ns', 'sticky', [subset(['10.1.0.3'], [{ port: 80 }])])], 'lc');
  await p.sync();
  t.deepEqual(ipvs.dump(), ['tcp/10.96.0.11/80 lc persistent 10800 -> 10.1.0.3:80']);
});

test('endpoint changes add and delete real servers; a second identical sync changes nothing', async (t) => {
  const { p, ipvs } = setup([web, webEps]);
  await p.sync();
  p.onEndpointsUpdate(webEps, eps('ns', 'web', [subset(['10.1.0.2', '10.1.0.3'], [{ name: 'http', port: 8080 }])]));
  ipvs.calls.length = 0;
  await p.sync();
  t.deepEqual(ipvs.calls.filter((c) => c.startsWith('addDestination tcp/10.96')), ['addDestination tcp/10.96.0.10/80 10.1.0.3:8080']);
  t.deepEqual(ipvs.calls.filter((c) => c.startsWith('deleteDestination tcp/10.96')), ['deleteDestination tcp/10.96.0.10/80 10.1.0.1:8080']);
  ipvs.calls.length = 0;
  await p.sync();
  t.deepEqual(ipvs.calls, []);
  t.is(p.lastCounts?.servicesUpdated, 0);
});

test('a deleted service loses its virtual services and VIPs; foreign virtual services stay', async (t) => {
  const { p, ipvs, binder } = setup([web, webEps]);
  await ipvs.addService({ family: 'ipv4', protocol: 'tcp', address: '172.16.0.1', port: 443, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff });
  await p.sync();
  p.onServiceDelete(web);
  await p.sync();
  t.deepEqual(ipvs.dump(), ['tcp/172.16.0.1/443 rr -> ']);
  t.deepEqual([...binder.bound], []);
});

test('Local external policy uses local endpoints for external virtual services, all when none is local', async (t) => {
  const local = svc('ns', 'l', { type: 'NodePort', clusterIP: '10.96.0.12', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30081 }] });
  const { p, ipvs } = setup([local, eps('ns', 'l', [subset(['10.1.0.1@node1', '10.1.0.9@node2'], [{ port: 80 }])])]);
  await p.sync();
  t.deepEqual(ipvs.dump(), ['tcp/10.96.0.12/80 rr -> 10.1.0.1:80,10.1.0.9:80', 'tcp/192.168.0.2/30081 rr -> 10.1.0.1:80']);
  p.onEndpointsUpdate(eps('ns', 'l', []), eps('ns', 'l', [subset(['10.1.0.9@node2'], [{ port: 80 }])]));
  await p.sync();
  t.deepEqual(ipvs.dump(), ['tcp/10.96.0.12/80 rr -> 10.1.0.9:80', 'tcp/192.168.0.2/30081 rr -> 10.1.0.9:80']);
});

test('cleanup removes our virtual services, the dummy link and the iptables rules', async (t) => {
  const { p, ipvs, binder, ipt } = setup([web, webEps]);
  await p.sync();
  await p.cleanup();
  t.deepEqual(ipvs.dump(), []);
  t.false(binder.link);
  t.notRegex(await ipt.save(), /KUBE-/);
});

test('this kernel has no IPVS: openIpvs throws IpvsUnsupportedError (the daemon then uses iptables)', async (t) => {
  const err = await t.throwsAsync(() => openIpvs());
  t.true(err instanceof IpvsUnsupportedError, String(err));
});
