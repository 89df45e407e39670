/**
 * The userspace mode without root: the load balancer, the port allocator,
 * the portal rules (over FakeIptables), and the proxy sockets carrying real
 * TCP and UDP traffic on 127.0.0.1 to backends in this process. The
 * kernel-level test (iptables portals catching a ClusterIP) is in
 * kernel.test.ts.
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import type { Endpoints, Service } from '../../../controlplane/api/core/v1/types.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { FakeIptables } from '../../../native/testing/iptables.js';
import { servicePortsOf } from '../../../agent/proxy/changes.js';
import { NoEndpointsError, RoundRobinLoadBalancer } from '../../../agent/proxy/userspace/loadbalancer.js';
import { PortAllocator, PortsExhaustedError } from '../../../agent/proxy/userspace/ports.js';
import { UserspaceProxier } from '../../../agent/proxy/userspace/proxier.js';
import { planPortals } from '../../../agent/proxy/userspace/rules.js';
import type { EndpointInfo } from '../../../agent/proxy/types.js';
import { eps, quietLogger, subset, svc } from './fixtures.js';

const ep = (ip: string, port = 80): EndpointInfo => ({ ip, port, isLocal: false });

test('round robin over the endpoints; reshuffled only when the set changes', (t) => {
  const lb = new RoundRobinLoadBalancer(() => 0, () => 0.99);
  lb.setEndpoints('ns/a', [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3')]);
  const first = [1, 2, 3, 4, 5, 6].map(() => lb.next('ns/a', '1.1.1.1'));
  t.deepEqual(first.slice(3), first.slice(0, 3));
  t.is(new Set(first).size, 3);
  lb.setEndpoints('ns/a', [ep('10.0.0.3'), ep('10.0.0.2'), ep('10.0.0.1')]);
  t.is(lb.next('ns/a', '1.1.1.1'), first[0], 'same set in another order: no reset');
  t.throws(() => lb.next('ns/none', '1.1.1.1'), { instanceOf: NoEndpointsError });
});

test('ClientIP affinity sticks within the timeout, is ignored on a retry, expires', (t) => {
  let now = 0;
  const lb = new RoundRobinLoadBalancer(() => now);
  lb.setAffinity('ns/a', 10);
  lb.setEndpoints('ns/a', [ep('10.0.0.1'), ep('10.0.0.2')]);
  const a = lb.next('ns/a', '1.1.1.1');
  t.is(lb.next('ns/a', '1.1.1.1'), a);
  const retry = lb.next('ns/a', '1.1.1.1', true);
  t.not(retry, a, 'a retry takes the next endpoint in turn');
  t.is(lb.next('ns/a', '1.1.1.1'), retry, 'the retry is remembered');
  t.not(lb.next('ns/a', '2.2.2.2'), retry, 'another client gets the next endpoint');
  now = 10_001;
  lb.cleanupStaleAffinity();
  lb.setEndpoints('ns/a', [ep('10.0.0.1')]);
  t.is(lb.next('ns/a', '1.1.1.1'), '10.0.0.1:80');
});

test('port allocator: random start in the range, no repeats, exhaustion', (t) => {
  const a = new PortAllocator({ base: 40000, size: 3 }, () => 0.5);
  const got = [a.allocate(), a.allocate(), a.allocate()];
  t.deepEqual([...got].sort(), [40000, 40001, 40002]);
  t.is(got[0], 40001);
  t.throws(() => a.allocate(), { instanceOf: PortsExhaustedError });
  a.release(40000);
  t.is(a.allocate(), 40000);
  t.is(new PortAllocator({ base: 0, size: 0 }).allocate(), 0);
});

test('portal rules: REDIRECT for containers when listening everywhere, DNAT to the node for the host', (t) => {
  const s = servicePortsOf(svc('ns', 'a', { type: 'NodePort', clusterIP: '10.0.0.5', externalIPs: ['1.2.3.4'], ports: [{ name: 'p', port: 80, nodePort: 30080 }] })).get('ns/a:p')!;
  const { text } = planPortals([{ service: s, proxyPort: 41000 }], { bindAddress: '0.0.0.0', hostIP: '192.168.0.2' });
  t.regex(text, /-A KUBE-PORTALS-CONTAINER -m comment --comment ns\/a:p -p tcp -m tcp --dport 80 -d 10\.0\.0\.5\/32 -j REDIRECT --to-ports 41000/);
  t.regex(text, /-A KUBE-PORTALS-HOST -m comment --comment ns\/a:p -p tcp -m tcp --dport 80 -d 10\.0\.0\.5\/32 -j DNAT --to-destination 192\.168\.0\.2:41000/);
  t.regex(text, /-A KUBE-PORTALS-HOST .* -d 1\.2\.3\.4\/32 -m addrtype --dst-type LOCAL -j DNAT/);
  t.regex(text, /-A KUBE-NODEPORT-CONTAINER .* --dport 30080 -j REDIRECT --to-ports 41000/);
  t.regex(text, /-A KUBE-NODEPORT-NON-LOCAL .* --dport 41000 -j ACCEPT/);
  const bound = planPortals([{ service: s, proxyPort: 41000 }], { bindAddress: '192.168.0.9', hostIP: '192.168.0.2' }).text;
  t.regex(bound, /-A KUBE-PORTALS-CONTAINER .* -d 10\.0\.0\.5\/32 -j DNAT --to-destination 192\.168\.0\.9:41000/);
});

async function httpBackend(name: string): Promise<Server> {
  const s = createServer((c) => {
    c.once('data', () => c.end(`HTTP/1.0 200 OK\r\n\r\n${name}`));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}

function fetchVia(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    let buf = '';
    c.on('data', (d) => (buf += d.toString()));
    c.on('end', () => resolve(buf.split('\r\n\r\n')[1] ?? ''));
    c.on('error', reject);
    c.write('GET / HTTP/1.0\r\n\r\n');
  });
}

function userspace(ipt: FakeIptables, clock = new FakeClock()) {
  return new UserspaceProxier({
    hostname: 'node1',
    minSyncPeriodMs: 0,
    syncPeriodMs: 30_000,
    log: quietLogger(),
    clock,
    iptables: ipt,
    bindAddress: '127.0.0.1',
    hostIP: '127.0.0.1',
    portRange: { base: 0, size: 0 },
    udpTimeoutMs: 250,
  });
}

test('TCP through the proxy socket reaches every endpoint; a dead endpoint is skipped', async (t) => {
  const a = await httpBackend('a');
  const b = await httpBackend('b');
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const ipt = new FakeIptables();
  const p = userspace(ipt);
  const s: Service = svc('ns', 'web', { clusterIP: '10.0.0.5', ports: [{ port: 80 }] });
  const e: Endpoints = eps('ns', 'web', [
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ port: (a.address() as AddressInfo).port }] },
  ]);
  p.onServiceAdd(s);
  p.onEndpointsAdd(e);
  p.onServicesSynced();
  p.onEndpointsSynced();
  try {
    await p.sync();
    const port = p.proxyPort('ns/web')!;
    t.true(port > 0);
    t.regex(ipt.lastRestore!, new RegExp(`-d 10\\.0\\.0\\.5/32 -j DNAT --to-destination 127\\.0\\.0\\.1:${port}`));
    t.truthy(ipt.rules('nat', 'OUTPUT')!.find((r) => r.endsWith('-j KUBE-PORTALS-HOST')));
    t.is(await fetchVia(port), 'a');
    // Three endpoints on one IP: distinct ports. One refuses connections.
    const e2: Endpoints = { ...e, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: (a.address() as AddressInfo).port }] }, { addresses: [{ ip: '127.0.0.1' }], ports: [{ port: (b.address() as AddressInfo).port }] }, { addresses: [{ ip: '127.0.0.1' }], ports: [{ port: deadPort }] }] };
    p.onEndpointsUpdate(e, e2);
    await p.sync();
    t.is(p.proxyPort('ns/web'), port, 'the socket stays across endpoint changes');
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(await fetchVia(port));
    t.deepEqual([...seen].sort(), ['a', 'b']);
    p.onServiceDelete(s);
    await p.sync();
    t.is(p.proxyPort('ns/web'), undefined);
    t.deepEqual(ipt.rules('nat', 'KUBE-PORTALS-HOST'), []);
  } finally {
    await p.cleanup();
    a.close();
    b.close();
  }
});

test('UDP through the proxy socket: replies come back from the proxy port; idle clients expire', async (t) => {
  const echo = createSocket('udp4');
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  const ipt = new FakeIptables();
  const p = userspace(ipt);
  p.onServiceAdd(svc('ns', 'dns', { clusterIP: '10.0.0.10', ports: [{ port: 53, protocol: 'UDP' }] }));
  p.onEndpointsAdd(eps('ns', 'dns', [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: echo.address().port, protocol: 'UDP' }] }]));
  p.onServicesSynced();
  p.onEndpointsSynced();
  const client = createSocket('udp4');
  try {
    await p.sync();
    const port = p.proxyPort('ns/dns')!;
    const reply = await new Promise<{ msg: string; from: number }>((resolve) => {
      client.once('message', (m, r) => resolve({ msg: m.toString(), from: r.port }));
      client.send('ping', port, '127.0.0.1');
    });
    t.deepEqual(reply, { msg: 'echo:ping', from: port });
  } finally {
    client.close();
    await p.cleanup();
    echo.close();
  }
});
