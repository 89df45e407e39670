// The node IPAM controller: the CIDR bitmap (pure) and the range
// allocator's sync on a FakeClient — assignment, the service range kept
// out, exhaustion (CIDRNotAvailable), release on deletion, rebuild at start.
import test from 'ava';
import { Registry } from 'prom-client';
import type { Node } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { CidrError, CidrSet, formatCidr, parseCidr } from '../../../controlplane/controllers/nodeipam/cidrset.js';
import { NodeIpamController, podCIDROf } from '../../../controlplane/controllers/nodeipam/controller.js';
import { checkNodeIpamOptions, defaultNodeIpamOptions } from '../../../controlplane/controllers/nodeipam/options.js';
import { fixture, type Fixture } from './fixtures.js';

test('CIDR text: parsed with host bits cleared, printed canonically', (t) => {
  const cases: [string, string][] = [
    ['10.244.0.0/16', '10.244.0.0/16'],
    ['10.244.7.9/16', '10.244.0.0/16'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd00::/48', 'fd00::/48'],
    ['fd00:0:0:1::5/64', 'fd00:0:0:1::/64'],
    ['::ffff:10.1.2.3/120', '::ffff:a01:200/120'],
  ];
  for (const [input, want] of cases) t.is(formatCidr(parseCidr(input)), want, input);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.256/8', 'fd00:::1/64', 'x/8']) t.throws(() => parseCidr(bad), { instanceOf: CidrError }, bad);
});

test('CidrSet: allocates in order, skips what is occupied, wraps after a release, knows when it is full', (t) => {
  const s = new CidrSet('10.244.0.0/22', 24);
  t.is(s.max, 4);
  t.true(s.occupy('10.244.1.0/24'));
  t.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.244.0.0/24', '10.244.2.0/24', '10.244.3.0/24']);
  t.is(s.allocateNext(), undefined, 'exhausted');
  t.is(s.used, 4);
  t.true(s.release('10.244.0.0/24'));
  t.is(s.allocateNext(), '10.244.0.0/24', 'the released one, found after wrapping');
  t.false(s.occupy('192.168.0.0/24'), 'outside the cluster CIDR');
  t.false(s.overlaps('fd00::/64'), 'other family');

  const v6 = new CidrSet('fd00:10:244::/56', 64);
  t.is(v6.allocateNext(), 'fd00:10:244::/64');
  t.is(v6.allocateNext(), 'fd00:10:244:1::/64');
});

test('CidrSet: a service range inside the cluster CIDR occupies every node subnet it overlaps', (t) => {
  const cases: [string, string, number, string, number][] = [
    // cluster, service range, node mask → first allocation, subnets used by the range
    ['10.0.0.0/16', '10.0.0.0/24', 24, '10.0.1.0/24', 1],
    ['10.0.0.0/16', '10.0.0.0/23', 24, '10.0.2.0/24', 2],
    ['10.0.0.0/16', '10.0.0.128/25', 24, '10.0.1.0/24', 1],
    ['10.0.0.0/16', '10.96.0.0/12', 24, '10.0.0.0/24', 0],
  ];
  for (const [cluster, svc, mask, first, used] of cases) {
    const s = new CidrSet(cluster, mask);
    s.occupy(svc);
    t.is(s.used, used, `${svc} in ${cluster}`);
    t.is(s.allocateNext(), first, `${svc} in ${cluster}`);
  }
});

test('CidrSet and options: a node mask that does not fit is refused, naming the flags', (t) => {
  t.throws(() => new CidrSet('10.0.0.0/24', 16), { instanceOf: CidrError });
  t.throws(() => new CidrSet('10.0.0.0/8', 30), { instanceOf: CidrError, message: /2\^16/ });
  const o = { ...defaultNodeIpamOptions(), allocateNodeCIDRs: true };
  t.deepEqual(checkNodeIpamOptions({ ...defaultNodeIpamOptions() }), [], 'off: nothing checked');
  t.regex(checkNodeIpamOptions(o)[0], /--cluster-cidr must be set/);
  t.regex(checkNodeIpamOptions({ ...o, clusterCIDR: '10.0.0.0/24', nodeCIDRMaskSize: 16 })[0], /--node-cidr-mask-size/);
  t.regex(checkNodeIpamOptions({ ...o, clusterCIDR: '10.0.0.0/16', allocatorType: 'CloudAllocator' })[0], /--cidr-allocator-type/);
  t.deepEqual(checkNodeIpamOptions({ ...o, clusterCIDR: '10.244.0.0/16', serviceClusterIPRange: '10.96.0.0/12' }), []);
});

function node(name: string, podCIDR?: string): Node {
  const n: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} };
  if (podCIDR) n.spec = { podCIDR, podCIDRs: [podCIDR] };
  return n;
}

async function setup(nodes: Node[], clusterCIDR = '10.244.0.0/16', extra: { serviceClusterIPRange?: string; nodeCIDRMaskSize?: number } = {}): Promise<{ f: Fixture; c: NodeIpamController; registry: Registry }> {
  const f = fixture();
  for (const n of nodes) f.client.seed(resources.nodes, n);
  const registry = new Registry();
  const c = new NodeIpamController(f.ctx, { ...defaultNodeIpamOptions(), allocateNodeCIDRs: true, clusterCIDR, ...extra, registry });
  await f.refresh(resources.nodes);
  f.client.clearActions();
  c.rebuild();
  return { f, c, registry };
}

const cidrOf = async (f: Fixture, name: string) => podCIDROf(await f.client.resource(resources.nodes).get(name));

test('sync gives a node without a podCIDR the next free subnet (podCIDR and podCIDRs), after the ones nodes already hold', async (t) => {
  const { f, c, registry } = await setup([node('a', '10.244.0.0/24'), node('b')]);
  t.is(c.set.used, 1, 'rebuilt from the existing node');
  await c.sync('b');
  const b = await f.client.resource(resources.nodes).get('b');
  t.is(b.spec?.podCIDR, '10.244.1.0/24');
  t.deepEqual(b.spec?.podCIDRs, ['10.244.1.0/24']);
  t.is(f.client.actions.filter((a) => a.verb === 'update').length, 1);
  await f.refresh(resources.nodes);
  f.client.clearActions();
  await c.sync('b');
  await c.sync('a');
  t.is(f.client.actions.filter((a) => a.verb === 'update').length, 0, 'nothing more to write');
  t.regex(await registry.metrics(), /node_ipam_controller_cidrset_cidrs_allocations_total\{clusterCIDR="10.244.0.0\/16"\} 1/);
});

test('the service range is never handed to a node', async (t) => {
  const { f, c } = await setup([node('a'), node('b')], '10.0.0.0/22', { serviceClusterIPRange: '10.0.0.0/24' });
  await c.sync('a');
  await c.sync('b');
  t.deepEqual([await cidrOf(f, 'a'), await cidrOf(f, 'b')], ['10.0.1.0/24', '10.0.2.0/24']);
});

test('exhausted: CIDRNotAvailable once, no write; a deleted node releases its subnet and the waiting node gets it', async (t) => {
  const { f, c } = await setup([node('a'), node('b')], '10.0.0.0/24', { nodeCIDRMaskSize: 24 });
  await c.sync('a');
  t.is(await cidrOf(f, 'a'), '10.0.0.0/24');
  await c.sync('b');
  await c.sync('b');
  t.is(await cidrOf(f, 'b'), undefined);
  t.deepEqual(
    f.events.filter((e) => e.reason === 'CIDRNotAvailable'),
    [{ type: 'Normal', reason: 'CIDRNotAvailable', message: 'Node b status is now: CIDRNotAvailable', name: 'b' }],
    'one event per node until it gets a subnet',
  );

  await f.client.resource(resources.nodes).delete('a');
  await f.refresh(resources.nodes);
  await c.sync('a');
  t.is(c.set.used, 0, 'released');
  t.true(c.queue.length > 0, 'the waiting node was re-queued');
  await c.sync('b');
  t.is(await cidrOf(f, 'b'), '10.0.0.0/24');
});

test('a podCIDR set elsewhere meanwhile wins: the allocated one goes back to the pool', async (t) => {
  const { f, c } = await setup([node('a')]);
  // The cache says no podCIDR; the live object got one from somebody else.
  await f.client.resource(resources.nodes).patch('a', 'merge', { spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] } });
  f.client.clearActions();
  await c.sync('a');
  t.is(f.client.actions.filter((a) => a.verb === 'update').length, 0);
  t.is(await cidrOf(f, 'a'), '10.244.9.0/24');
  t.true(c.set.isUsed('10.244.9.0/24'));
  t.false(c.set.isUsed('10.244.0.0/24'), 'the one allocated first was released');
  t.is(c.set.used, 1);
});

test('rebuild: existing podCIDRs are occupied, one shared by two nodes is freed only when both are gone, foreign ones ignored', async (t) => {
  const { f, c } = await setup([node('a', '10.244.0.0/24'), node('b', '10.244.0.0/24'), node('c', '192.168.5.0/24'), node('d')]);
  t.is(c.set.used, 1);
  await c.sync('d');
  t.is(await cidrOf(f, 'd'), '10.244.1.0/24');
  await f.client.resource(resources.nodes).delete('a');
  await f.refresh(resources.nodes);
  await c.sync('a');
  t.true(c.set.isUsed('10.244.0.0/24'), 'b still holds it');
  await f.client.resource(resources.nodes).delete('b');
  await f.refresh(resources.nodes);
  await c.sync('b');
  t.false(c.set.isUsed('10.244.0.0/24'));
});
