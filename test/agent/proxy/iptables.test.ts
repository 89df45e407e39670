/**
 * The iptables proxier over FakeIptables: packet-flow tables (tracer.ts)
 * for what the rules do, plus the sync mechanics — one restore with every
 * table, partial syncs, stale chains, retry after a failed restore, jump
 * rules, UDP conntrack cleanup, cleanup.
 */
import test from 'ava';
import type { Endpoints, Service } from '../../../controlplane/api/core/v1/types.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { IptablesError } from '../../../native/iptables/types.js';
import type { Conntrack, ConntrackFilter } from '../../../native/conntrack/index.js';
import { FakeIptables } from '../../../native/testing/iptables.js';
import { IptablesProxier } from '../../../agent/proxy/iptables/proxier.js';
import { cleanupLeftovers } from '../../../agent/proxy/cleanup.js';
import { DEFAULT_IPTABLES_CONFIG, type IptablesConfig } from '../../../agent/proxy/iptables/rules.js';
import { eps, quietLogger, subset, svc } from './fixtures.js';
import { PacketTracer } from './tracer.js';

const NODE_IP = '192.168.0.2';
const HOSTNAME = 'node1';
const CLUSTER_CIDR = '10.0.0.0/8';

class RecordingConntrack implements Conntrack {
  readonly deletes: ConntrackFilter[] = [];
  async deleteEntries(f: ConntrackFilter): Promise<number> {
    this.deletes.push(f);
    return 0;
  }
  async count(): Promise<number> {
    return 0;
  }
}

function newProxier(opts: { config?: Partial<IptablesConfig>; clock?: FakeClock; partialSyncs?: boolean } = {}) {
  const ipt = new FakeIptables('ipv4', 'legacy');
  const ct = new RecordingConntrack();
  const clock = opts.clock ?? new FakeClock();
  const p = new IptablesProxier({
    hostname: HOSTNAME,
    minSyncPeriodMs: 0,
    syncPeriodMs: 30_000,
    log: quietLogger(),
    clock,
    iptables: ipt,
    conntrack: ct,
    config: { ...DEFAULT_IPTABLES_CONFIG, clusterCIDR: CLUSTER_CIDR, ...opts.config },
    partialSyncs: opts.partialSyncs,
  });
  return { p, ipt, ct, clock };
}

async function synced(objs: (Service | Endpoints)[], opts: Parameters<typeof newProxier>[0] = {}) {
  const r = newProxier(opts);
  for (const o of objs) {
    if (o.kind === 'Service') r.p.onServiceAdd(o as Service);
    else r.p.onEndpointsAdd(o as Endpoints);
  }
  r.p.onServicesSynced();
  r.p.onEndpointsSynced();
  await r.p.sync();
  return r;
}

// ---------------------------------------------------------------------------
// Packet flows (upstream runPacketFlowTests style)

const world: (Service | Endpoints)[] = [
  // ClusterIP, two endpoints.
  svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
  eps('ns1', 'svc1', [subset(['10.180.0.1', '10.180.0.2'], [{ name: 'p80', port: 80 }])]),
  // NodePort, one endpoint (remote).
  svc('ns2', 'svc2', { type: 'NodePort', clusterIP: '172.30.0.42', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] }),
  eps('ns2', 'svc2', [subset(['10.180.0.2'], [{ name: 'p80', port: 8080 }])]),
  // No endpoints at all.
  svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', externalIPs: ['192.168.99.33'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3003 }] }),
  // externalTrafficPolicy Local with one local and one remote endpoint.
  svc('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalTrafficPolicy: 'Local', externalIPs: ['192.168.99.44'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3004 }] }),
  eps('ns4', 'svc4', [subset([`10.180.0.4@${HOSTNAME}`, '10.180.1.4@node2'], [{ name: 'p80', port: 80 }])]),
  // Local policy with only remote endpoints.
  svc('ns5', 'svc5', { type: 'NodePort', clusterIP: '172.30.0.45', externalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3005 }] }),
  eps('ns5', 'svc5', [subset(['10.180.1.5@node2'], [{ name: 'p80', port: 80 }])]),
  // Unnamed UDP port.
  svc('ns6', 'dns', { clusterIP: '172.30.0.10', ports: [{ port: 53, protocol: 'UDP' }] }),
  eps('ns6', 'dns', [subset(['10.180.0.6'], [{ port: 5353, protocol: 'UDP' }])]),
  // internalTrafficPolicy Local, no local endpoint.
  svc('ns7', 'svc7', { clusterIP: '172.30.0.47', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
  eps('ns7', 'svc7', [subset(['10.180.1.7@node2'], [{ name: 'p80', port: 80 }])]),
];

const flows = [
  { name: 'pod to ClusterIP: any endpoint, no SNAT', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80, 10.180.0.2:80', masq: false },
  { name: 'pod to ClusterIP on a port it does not serve: untouched', sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 81, output: '', masq: false },
  { name: 'node to ClusterIP: SNAT (off-cluster source)', sourceIP: NODE_IP, destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80, 10.180.0.2:80', masq: true },
  { name: 'external to ClusterIP: SNAT', sourceIP: '192.168.0.99', destIP: '172.30.0.41', destPort: 80, output: '10.180.0.1:80, 10.180.0.2:80', masq: true },
  { name: 'hairpin: endpoint to its own service is SNATed', sourceIP: '10.180.0.2', destIP: '172.30.0.42', destPort: 80, output: '10.180.0.2:8080', masq: true },
  { name: 'NodePort from outside: SNAT (Cluster policy)', sourceIP: '192.168.0.99', destIP: NODE_IP, destPort: 3001, output: '10.180.0.2:8080', masq: true },
  { name: 'NodePort from the node itself', sourceIP: NODE_IP, destIP: NODE_IP, destPort: 3001, output: '10.180.0.2:8080', masq: true },
  { name: 'NodePort on localhost', sourceIP: '127.0.0.1', destIP: '127.0.0.1', destPort: 3001, output: '10.180.0.2:8080', masq: true },
  { name: 'no endpoints: ClusterIP rejected', sourceIP: '10.0.0.2', destIP: '172.30.0.43', destPort: 80, output: 'REJECT', masq: false },
  { name: 'no endpoints: NodePort rejected', sourceIP: '192.168.0.99', destIP: NODE_IP, destPort: 3003, output: 'REJECT', masq: false },
  { name: 'no endpoints: external IP rejected', sourceIP: '192.168.0.99', destIP: '192.168.99.33', destPort: 80, output: 'REJECT', masq: false },
  { name: 'Local policy: external client gets only the local endpoint, client IP kept', sourceIP: '192.168.0.99', destIP: NODE_IP, destPort: 3004, output: '10.180.0.4:80', masq: false },
  { name: 'Local policy: external IP likewise', sourceIP: '192.168.0.99', destIP: '192.168.99.44', destPort: 80, output: '10.180.0.4:80', masq: false },
  { name: 'Local policy: pods short-circuit to any endpoint', sourceIP: '10.0.0.2', destIP: NODE_IP, destPort: 3004, output: '10.180.0.4:80, 10.180.1.4:80', masq: false },
  { name: 'Local policy: the node itself uses any endpoint, SNATed', sourceIP: NODE_IP, destIP: NODE_IP, destPort: 3004, output: '10.180.0.4:80, 10.180.1.4:80', masq: true },
  { name: 'Local policy: ClusterIP still uses every endpoint', sourceIP: '10.0.0.2', destIP: '172.30.0.44', destPort: 80, output: '10.180.0.4:80, 10.180.1.4:80', masq: false },
  { name: 'Local policy without local endpoints: external dropped', sourceIP: '192.168.0.99', destIP: NODE_IP, destPort: 3005, output: 'DROP', masq: false },
  { name: 'Local policy without local endpoints: pods still served', sourceIP: '10.0.0.2', destIP: NODE_IP, destPort: 3005, output: '10.180.1.5:80', masq: false },
  { name: 'UDP, unnamed port, port remapped', sourceIP: '10.0.0.2', destIP: '172.30.0.10', destPort: 53, protocol: 'udp' as const, output: '10.180.0.6:5353', masq: false },
  { name: 'UDP service does not catch TCP', sourceIP: '10.0.0.2', destIP: '172.30.0.10', destPort: 53, output: '', masq: false },
  { name: 'internalTrafficPolicy Local without local endpoints: dropped', sourceIP: '10.0.0.2', destIP: '172.30.0.47', destPort: 80, output: 'DROP', masq: false },
];

for (const f of flows) {
  test(`packet flow: ${f.name}`, async (t) => {
    const { ipt } = await synced(world);
    const tracer = new PacketTracer(await ipt.save(), [NODE_IP]);
    const got = tracer.trace({ sourceIP: f.sourceIP, destIP: f.destIP, destPort: f.destPort, protocol: f.protocol });
    t.deepEqual(got, { output: f.output, masq: f.masq });
  });
}

test('packet flow: --masquerade-all SNATs pod traffic too', async (t) => {
  const { ipt } = await synced(world, { config: { masqueradeAll: true } });
  const got = new PacketTracer(await ipt.save(), [NODE_IP]).trace({ sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80 });
  t.deepEqual(got, { output: '10.180.0.1:80, 10.180.0.2:80', masq: true });
});

test('packet flow: without --cluster-cidr off-cluster ClusterIP traffic is not SNATed', async (t) => {
  const { ipt } = await synced(world, { config: { clusterCIDR: '' } });
  const got = new PacketTracer(await ipt.save(), [NODE_IP]).trace({ sourceIP: '192.168.0.99', destIP: '172.30.0.41', destPort: 80 });
  t.deepEqual(got, { output: '10.180.0.1:80, 10.180.0.2:80', masq: false });
});

test('packet flow: loadBalancerSourceRanges admit listed sources, drop the rest', async (t) => {
  const lb = svc(
    'ns8',
    'lb',
    { type: 'LoadBalancer', clusterIP: '172.30.0.48', loadBalancerSourceRanges: ['203.0.113.0/25'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3008 }] },
    { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
  );
  const { ipt } = await synced([lb, eps('ns8', 'lb', [subset(['10.180.0.8'], [{ name: 'p80', port: 80 }])])]);
  const tracer = new PacketTracer(await ipt.save(), [NODE_IP]);
  t.deepEqual(tracer.trace({ sourceIP: '203.0.113.7', destIP: '1.2.3.4', destPort: 80 }), { output: '10.180.0.8:80', masq: true });
  t.deepEqual(tracer.trace({ sourceIP: '203.0.113.200', destIP: '1.2.3.4', destPort: 80 }), { output: 'DROP', masq: false });
});

// ---------------------------------------------------------------------------
// The rules themselves

test('rule layout of one service: chains, comments, probabilities, DNAT', async (t) => {
  const { ipt } = await synced([
    svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    eps('ns1', 'svc1', [subset(['10.180.0.1', '10.180.0.2', '10.180.0.3'], [{ name: 'p80', port: 80 }])]),
  ]);
  t.deepEqual(ipt.rules('nat', 'KUBE-SERVICES'), [
    '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  ]);
  t.deepEqual(ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O'), [
    '-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-SXIVWICOYRO3J4NJ',
    `-m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.5000000000 -j ${ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O')![2].split(' -j ')[1]}`,
    `-m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j ${ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O')![3].split(' -j ')[1]}`,
  ]);
  t.deepEqual(ipt.rules('nat', 'KUBE-SEP-SXIVWICOYRO3J4NJ'), [
    '-m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
    '-m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
  ]);
  t.deepEqual(ipt.rules('nat', 'KUBE-MARK-MASQ'), ['-j MARK --or-mark 0x004000']);
  t.deepEqual(ipt.rules('nat', 'KUBE-POSTROUTING'), [
    '-m mark ! --mark 0x004000/0x004000 -j RETURN',
    '-j MARK --xor-mark 0x004000',
    '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ]);
  t.deepEqual(ipt.rules('filter', 'KUBE-FORWARD'), [
    '-m conntrack --ctstate INVALID -j DROP',
    '-m comment --comment "kubernetes forwarding rules" -m mark --mark 0x004000/0x004000 -j ACCEPT',
    '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  ]);
});

test('ClientIP affinity: -m recent checks precede the random rules; endpoints record clients', async (t) => {
  const { ipt } = await synced([
    svc('ns1', 'svc1', { clusterIP: '172.30.0.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    eps('ns1', 'svc1', [subset(['10.180.0.1', '10.180.0.2'], [{ name: 'p80', port: 80 }])]),
  ]);
  const rules = ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O')!;
  t.regex(rules[1], /-m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --rcheck --seconds 600 --reap -j KUBE-SEP-SXIVWICOYRO3J4NJ$/);
  t.regex(rules[2], /-m recent --name KUBE-SEP-\w+ --rcheck --seconds 600 --reap/);
  t.regex(rules[3], /--probability 0.5000000000/);
  t.deepEqual(ipt.rules('nat', 'KUBE-SEP-SXIVWICOYRO3J4NJ')![1], '-m comment --comment ns1/svc1:p80 -m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80');
});

test('one restore per sync, with every table; jumps ensured in built-in chains', async (t) => {
  const { ipt } = await synced(world);
  t.is(ipt.restores.length, 1);
  const input = ipt.lastRestore!;
  t.true(input.startsWith('*filter\n'));
  t.regex(input, /\nCOMMIT\n\*nat\n[\s\S]*\nCOMMIT\n$/);
  t.true(ipt.restores[0].opts.noflush);
  t.truthy(ipt.rules('nat', 'OUTPUT')!.find((r) => r.endsWith('-j KUBE-SERVICES')));
  t.truthy(ipt.rules('nat', 'PREROUTING')!.find((r) => r.endsWith('-j KUBE-SERVICES')));
  t.truthy(ipt.rules('nat', 'POSTROUTING')!.find((r) => r.endsWith('-j KUBE-POSTROUTING')));
  for (const [chain, target] of [
    ['INPUT', 'KUBE-EXTERNAL-SERVICES'],
    ['FORWARD', 'KUBE-FORWARD'],
    ['OUTPUT', 'KUBE-SERVICES'],
    ['INPUT', 'KUBE-PROXY-FIREWALL'],
  ] as const) {
    t.truthy(ipt.rules('filter', chain)!.find((r) => r.endsWith(`-j ${target}`)), `${chain} → ${target}`);
  }
});

test('partial sync writes only the changed service chains; a periodic full sync writes all', async (t) => {
  const { p, ipt, clock } = await synced(world);
  const full = ipt.lastRestore!;
  t.regex(full, /:KUBE-SVC-XPGD46QRK7WJZT7O /);
  p.onEndpointsUpdate(eps('ns2', 'svc2', [subset(['10.180.0.2'], [{ name: 'p80', port: 8080 }])]), eps('ns2', 'svc2', [subset(['10.180.0.3'], [{ name: 'p80', port: 8080 }])]));
  const stats = await p.sync();
  t.false(stats.full);
  const partial = ipt.lastRestore!;
  t.notRegex(partial, /:KUBE-SVC-XPGD46QRK7WJZT7O /, 'unchanged service chains are not rewritten');
  t.regex(partial, /:KUBE-SVC-GNZBNJ2PO5MGZ6GT /, 'the changed service is');
  t.regex(partial, /-X KUBE-SEP-/, 'the endpoint that went away loses its chain');
  t.regex(partial, /:KUBE-SERVICES /, 'top-level chains are always written');
  // Unchanged chains kept their rules, so packets still flow.
  const tracer = new PacketTracer(await ipt.save(), [NODE_IP]);
  t.is(tracer.trace({ sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80 }).output, '10.180.0.1:80, 10.180.0.2:80');
  t.is(tracer.trace({ sourceIP: '10.0.0.2', destIP: '172.30.0.42', destPort: 80 }).output, '10.180.0.3:8080');
  await clock.advance(30_000);
  const again = await p.sync();
  t.true(again.full);
  t.regex(ipt.lastRestore!, /:KUBE-SVC-XPGD46QRK7WJZT7O /);
});

test('a deleted service loses every chain (stale chains are flushed and deleted)', async (t) => {
  const { p, ipt } = await synced(world);
  const before = ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O');
  t.truthy(before);
  p.onServiceDelete(world[0] as Service);
  p.onEndpointsDelete(world[1] as Endpoints);
  await p.sync();
  t.is(ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O'), undefined);
  t.is(ipt.rules('nat', 'KUBE-SEP-SXIVWICOYRO3J4NJ'), undefined);
  t.is(new PacketTracer(await ipt.save(), [NODE_IP]).trace({ sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80 }).output, '');
});

test('chains left by an earlier run are found with iptables-save and deleted on the first sync', async (t) => {
  const ipt = new FakeIptables('ipv4', 'legacy');
  await ipt.restore('*nat\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]\n:DOCKER - [0:0]\n-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-BBBBBBBBBBBBBBBB\nCOMMIT\n');
  const p = new IptablesProxier({ hostname: HOSTNAME, minSyncPeriodMs: 0, syncPeriodMs: 30_000, log: quietLogger(), iptables: ipt, config: DEFAULT_IPTABLES_CONFIG });
  p.onServicesSynced();
  p.onEndpointsSynced();
  await p.sync();
  t.is(ipt.rules('nat', 'KUBE-SVC-AAAAAAAAAAAAAAAA'), undefined);
  t.is(ipt.rules('nat', 'KUBE-SEP-BBBBBBBBBBBBBBBB'), undefined);
  t.deepEqual(ipt.rules('nat', 'DOCKER'), [], "others' chains stay");
});

test('a failed restore throws; the next sync is full and rewrites every table', async (t) => {
  const { p, ipt } = await synced(world);
  p.onEndpointsUpdate(world[1] as Endpoints, eps('ns1', 'svc1', [subset(['10.180.0.1'], [{ name: 'p80', port: 80 }])]));
  ipt.failNextRestore = new IptablesError('RestoreFailed', 'boom', 3);
  await t.throwsAsync(() => p.sync(), { message: /boom/ });
  const stats = await p.sync();
  t.true(stats.full);
  t.regex(ipt.lastRestore!, /\*filter[\s\S]*\*nat/);
  t.regex(ipt.lastRestore!, /:KUBE-SVC-GNZBNJ2PO5MGZ6GT /, 'unchanged services are rewritten too');
  t.is(new PacketTracer(await ipt.save(), [NODE_IP]).trace({ sourceIP: '10.0.0.2', destIP: '172.30.0.41', destPort: 80 }).output, '10.180.0.1:80');
});

test('nothing is written before both informers synced', async (t) => {
  const { p, ipt } = newProxier();
  p.onServiceAdd(world[0] as Service);
  p.onServicesSynced();
  const s = await p.sync();
  t.false(s.ran);
  t.is(ipt.restores.length, 0);
  p.onEndpointsSynced();
  t.true((await p.sync()).ran);
  t.is(ipt.restores.length, 1);
});

test('UDP: stale endpoints and newly served services clear conntrack; TCP does not', async (t) => {
  const { p, ct } = await synced(world);
  t.deepEqual(ct.deletes, [{ protocol: 'udp', origDst: '172.30.0.10' }], 'first sync: the UDP service went from no endpoints to one');
  ct.deletes.length = 0;
  p.onEndpointsUpdate(world[10] as Endpoints, eps('ns6', 'dns', [subset(['10.180.0.7'], [{ port: 5353, protocol: 'UDP' }])]));
  p.onEndpointsUpdate(world[1] as Endpoints, eps('ns1', 'svc1', [subset(['10.180.0.1'], [{ name: 'p80', port: 80 }])]));
  await p.sync();
  t.deepEqual(ct.deletes, [{ protocol: 'udp', origDst: '172.30.0.10', dstNat: '10.180.0.6' }]);
  ct.deletes.length = 0;
  p.onServiceDelete(world[9] as Service);
  await p.sync();
  t.deepEqual(ct.deletes, [{ protocol: 'udp', origDst: '172.30.0.10' }]);
});

test('large cluster mode leaves out per-endpoint comments', async (t) => {
  const ips = Array.from({ length: 6 }, (_, i) => `10.180.0.${i + 1}`);
  const { ipt } = await synced(
    [svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }), eps('ns1', 'svc1', [subset(ips, [{ name: 'p80', port: 80 }])])],
    { config: { largeClusterEndpoints: 5 } },
  );
  const rules = ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O')!;
  t.false(rules.slice(1).some((r) => r.includes('--comment')));
  t.false(ipt.rules('nat', 'KUBE-SEP-SXIVWICOYRO3J4NJ')!.some((r) => r.includes('--comment')));
});

test('cleanup removes every chain and jump it made, and nothing else', async (t) => {
  const { p, ipt } = await synced(world);
  await ipt.restore('*nat\n:DOCKER - [0:0]\n-A OUTPUT -j DOCKER\nCOMMIT\n');
  await p.cleanup();
  const save = await ipt.save();
  t.notRegex(save, /KUBE-/);
  t.regex(save, /-A OUTPUT -j DOCKER/);
});

test('cleanup leaves a chain of ours that someone else still jumps to', async (t) => {
  const { p, ipt } = await synced(world);
  await ipt.restore('*nat\n:KUBE-HOSTPORTS - [0:0]\n-A KUBE-HOSTPORTS -j KUBE-MARK-MASQ\nCOMMIT\n');
  await p.cleanup();
  t.deepEqual(ipt.rules('nat', 'KUBE-MARK-MASQ'), ['-j MARK --or-mark 0x004000']);
  t.is(ipt.rules('nat', 'KUBE-SERVICES'), undefined);
});

test('jump rules: ensured on the first sync; a later full sync re-ensures only what someone removed', async (t) => {
  const { p, ipt } = await synced(world);
  const ensured = () => ipt.calls.filter((c) => c.startsWith('ensureRule'));
  t.is(ensured().length, 12);
  ipt.calls.length = 0;
  p.forceFullSync();
  t.true((await p.sync()).full);
  t.deepEqual(ensured(), [], 'nothing missing: no iptables process per jump');
  await ipt.flushChain('filter', 'INPUT');
  ipt.calls.length = 0;
  p.forceFullSync();
  await p.sync();
  t.deepEqual(
    ensured().map((c) => c.split(' -j ')[1]),
    ['KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'],
  );
});

test('a mode switch removes only the other mode\'s chains', async (t) => {
  const { ipt } = await synced(world);
  await ipt.restore('*nat\n:KUBE-PORTALS-HOST - [0:0]\n-A KUBE-PORTALS-HOST -d 172.30.0.41/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 192.168.0.2:40000\n-I OUTPUT 1 -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-HOST\nCOMMIT\n');
  await cleanupLeftovers(ipt, quietLogger(), 'userspace');
  t.is(ipt.rules('nat', 'KUBE-PORTALS-HOST'), undefined);
  t.false(ipt.rules('nat', 'OUTPUT')!.some((r) => r.includes('KUBE-PORTALS-HOST')));
  t.truthy(ipt.rules('nat', 'KUBE-SVC-XPGD46QRK7WJZT7O'), 'the iptables mode keeps its chains');
});
