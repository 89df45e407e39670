// The node lifecycle controller: its pure decisions (zone state, eviction
// rate, conditions set Unknown) and its sync on a FakeClient with a
// FakeClock — a silent node becomes Unknown after the grace period, its
// pods not ready; pods are deleted only after --pod-eviction-timeout, at
// --node-eviction-rate, never in a full disruption; a node that comes back
// loses nothing more.
import test from 'ava';
import { Registry } from 'prom-client';
import type { Lease } from '../../../controlplane/api/coordination/v1/types.js';
import type { Node, Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { computeZoneState, evictionRateFor, markUnknown, zoneKey, ZONE_LABEL, type ZoneState } from '../../../controlplane/controllers/nodelifecycle/health.js';
import { NODE_LEASE_NAMESPACE, NodeLifecycleController } from '../../../controlplane/controllers/nodelifecycle/controller.js';
import { defaultNodeLifecycleOptions, type NodeLifecycleOptions } from '../../../controlplane/controllers/nodelifecycle/options.js';
import { ControllerManagerConfigError, optionsFromFlags } from '../../../controlplane/controllers/config.js';
import { DONE_ELSEWHERE, enabledControllers, IMPLEMENTED, isControllerEnabled } from '../../../controlplane/controllers/names.js';
import { controllerManagerCommand } from '../../../controlplane/controllers/options.js';
import { commandTable } from '../../../controlplane/machinery/flags/command.js';
import { parseArgs } from '../../../controlplane/machinery/flags/parse.js';
import { fixture, iso, pod, type Fixture } from './fixtures.js';
import { testLogger } from './harness.js';

test('zone state: full disruption when none is ready, partial at the threshold with at least 3 down', (t) => {
  const T = 'True';
  const F = 'False';
  const U = 'Unknown';
  const cases: [string, (string | undefined)[], string, number][] = [
    ['all ready', [T, T, T], 'Normal', 0],
    ['one of one down', [U], 'FullDisruption', 1],
    ['none ready, one without condition', [F, undefined], 'FullDisruption', 2],
    ['two of three down: fewer than 3', [T, F, U], 'Normal', 2],
    ['3 of 5 down (0.6 ≥ 0.55)', [T, T, F, U, U], 'PartialDisruption', 3],
    ['3 of 6 down (0.5 < 0.55)', [T, T, T, F, U, U], 'Normal', 3],
    ['empty', [], 'Normal', 0],
  ];
  for (const [name, statuses, state, notReady] of cases) t.deepEqual(computeZoneState(statuses, 0.55), { state: state as never, notReady }, name);
});

test('eviction rate per zone state: secondary rate only in large zones, 0 in small partially disrupted ones', (t) => {
  const o = defaultNodeLifecycleOptions();
  const cases: [string, number, number][] = [
    ['Normal', 3, 0.1],
    ['Initial', 3, 0.1],
    ['FullDisruption', 3, 0.1],
    ['PartialDisruption', 50, 0],
    ['PartialDisruption', 51, 0.01],
  ];
  for (const [state, size, rate] of cases) t.is(evictionRateFor(state as never, size, o), rate, `${state} ${size}`);
});

test('markUnknown: monitored conditions become Unknown keeping the last heartbeat; missing ones are added', (t) => {
  const n: Node = {
    metadata: { name: 'n', creationTimestamp: iso(0) },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastHeartbeatTime: iso(1000), lastTransitionTime: iso(500), reason: 'KubeletReady' },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: iso(1000) },
        { type: 'NetworkUnavailable', status: 'False' },
      ],
    },
  };
  t.true(markUnknown(n, iso(9000)));
  const byType = Object.fromEntries(n.status!.conditions!.map((c) => [c.type, c]));
  t.like(byType.Ready, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: iso(1000), lastTransitionTime: iso(9000) });
  t.like(byType.MemoryPressure, { status: 'Unknown', reason: 'NodeStatusUnknown' });
  t.like(byType.DiskPressure, { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
  t.like(byType.NetworkUnavailable, { status: 'False' }, 'the route controller owns it');
  t.false('OutOfDisk' in byType);
  t.false(markUnknown(n, iso(10_000)), 'already Unknown: no write');
  t.is(zoneKey({ metadata: { name: 'x', labels: { [ZONE_LABEL]: 'z1' } } }), ':z1');
  t.is(zoneKey({ metadata: { name: 'x' } }), '');
});

const START = Date.UTC(2025, 0, 1, 12, 0, 0);

function readyNode(name: string, heartbeatMs: number, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, creationTimestamp: iso(START - 3600_000), uid: `uid-${name}` },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: iso(heartbeatMs), lastTransitionTime: iso(START - 3600_000) },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: iso(heartbeatMs), lastTransitionTime: iso(START - 3600_000) },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: iso(heartbeatMs), lastTransitionTime: iso(START - 3600_000) },
      ],
    },
  };
}

interface Env {
  f: Fixture;
  c: NodeLifecycleController;
  registry: Registry;
  /** Every node heart-beats now, except those named. */
  beat(...except: string[]): Promise<void>;
  /** One monitor period: caches refreshed, zones recomputed, every node synced, then an eviction pass. */
  pass(): Promise<void>;
  readyOf(node: string): Promise<string | undefined>;
  podNames(): Promise<string[]>;
}

async function setup(nodes: Node[], pods: Pod[] = [], o: Partial<NodeLifecycleOptions> = {}): Promise<Env> {
  const f = fixture();
  for (const n of nodes) f.client.seed(resources.nodes, n);
  for (const p of pods) f.client.seed(resources.pods, p);
  const registry = new Registry();
  const c = new NodeLifecycleController(f.ctx, { ...defaultNodeLifecycleOptions(), ...o, registry });
  const refresh = async () => {
    await f.refresh(resources.nodes);
    await f.refresh(resources.pods);
    // The controller's Lease informer watches one namespace: fill that one.
    const leases = (await f.client.resource(resources.leases, NODE_LEASE_NAMESPACE).list()).items;
    f.informers.informerFor(resources.leases, { namespace: NODE_LEASE_NAMESPACE }).replace(leases);
  };
  await refresh();
  const nodeClient = f.client.resource(resources.nodes);
  return {
    f,
    c,
    registry,
    beat: async (...except) => {
      for (const n of (await nodeClient.list()).items) {
        if (except.includes(n.metadata.name!)) continue;
        const conds = (n.status?.conditions ?? []).map((x) => ({ ...x, status: x.type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: iso(f.clock.now()) }));
        await nodeClient.patch(n.metadata.name!, 'merge', { status: { conditions: conds } }, { subresource: 'status' });
      }
    },
    pass: async () => {
      await refresh();
      c.handleDisruption();
      for (const n of (await nodeClient.list()).items) await c.sync(n.metadata.name!);
      await refresh();
      await c.evictionPass();
    },
    readyOf: async (name) => (await nodeClient.get(name)).status?.conditions?.find((x) => x.type === 'Ready')?.status,
    podNames: async () => (await f.client.resource(resources.pods).list()).items.map((p) => p.metadata.name!).sort(),
  };
}

test('grace period: Unknown only when the heartbeat has not moved for longer than --node-monitor-grace-period', async (t) => {
  const cases: [string, number, boolean, boolean, string][] = [
    // name, time passed (ms), heartbeat via the Ready condition, via the Lease → Ready status
    ['silent 39 s', 39_000, false, false, 'True'],
    ['silent 41 s', 41_000, false, false, 'Unknown'],
    ['heart-beating through status', 120_000, true, false, 'True'],
    ['heart-beating through the Lease only', 120_000, false, true, 'True'],
  ];
  for (const [name, silence, viaStatus, viaLease, want] of cases) {
    const e = await setup([readyNode('a', START), readyNode('b', START)]);
    const leases = e.f.client.resource(resources.leases, NODE_LEASE_NAMESPACE);
    const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'a', namespace: NODE_LEASE_NAMESPACE }, spec: { holderIdentity: 'a', renewTime: iso(START) } };
    await leases.create(lease);
    await e.pass();
    for (let waited = 0; waited < silence; ) {
      const step = Math.min(10_000, silence - waited);
      await e.f.clock.advance(step);
      waited += step;
      await e.beat(...(viaStatus ? [] : ['a']));
      if (viaLease) {
        const cur = await leases.get('a');
        await leases.update({ ...cur, spec: { ...cur.spec, renewTime: iso(e.f.clock.now()) } });
      }
      await e.pass();
    }
    t.is(await e.readyOf('a'), want, name);
    t.is(await e.readyOf('b'), 'True', `${name}: the other node`);
  }
});

test('a silent node: Unknown with NodeStatusUnknown, its pods not ready, one NodeNotReady event', async (t) => {
  const e = await setup([readyNode('a', START), readyNode('b', START)], [pod('p1', { node: 'a', ready: true }), pod('p2', { node: 'b', ready: true })]);
  await e.pass();
  await e.f.clock.advance(45_000);
  await e.beat('a');
  await e.pass();
  const a = await e.f.client.resource(resources.nodes).get('a');
  t.like(a.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: iso(START) });
  t.like(a.status?.conditions?.find((c) => c.type === 'MemoryPressure'), { status: 'Unknown' });
  const pods = e.f.client.resource(resources.pods, 'default');
  t.is((await pods.get('p1')).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  t.is((await pods.get('p2')).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  await e.f.clock.advance(5_000);
  await e.beat('a');
  await e.pass();
  t.deepEqual(
    e.f.events.filter((x) => x.reason === 'NodeNotReady'),
    [{ type: 'Normal', reason: 'NodeNotReady', message: 'Node a status is now: NodeNotReady', name: 'a' }],
  );
  t.deepEqual(await e.podNames(), ['p1', 'p2'], 'nothing evicted yet');
});

test('a node that never posted status gets --node-startup-grace-period from its creation, then NodeStatusNeverUpdated', async (t) => {
  const fresh: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'new', creationTimestamp: iso(START) } };
  const e = await setup([fresh, readyNode('b', START)]);
  await e.pass();
  await e.f.clock.advance(50_000);
  await e.beat('new');
  await e.pass();
  t.is(await e.readyOf('new'), undefined, 'still within the startup grace (more than the monitor grace)');
  await e.f.clock.advance(11_000);
  await e.beat('new');
  await e.pass();
  const n = await e.f.client.resource(resources.nodes).get('new');
  t.like(n.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
});

/** Advances in monitor periods, heart-beating every node but `dead`, with a pass each time. */
async function run(e: Env, ms: number, dead: string[]): Promise<void> {
  for (let t = 0; t < ms; t += 5_000) {
    await e.f.clock.advance(5_000);
    await e.beat(...dead);
    await e.pass();
  }
}

test('pods are deleted only after --pod-eviction-timeout, with NodeLost and events; DaemonSet pods stay', async (t) => {
  const ds = pod('ds-pod', { node: 'a', owner: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', uid: 'ds-uid' } } });
  const e = await setup([readyNode('a', START), readyNode('b', START)], [pod('p1', { node: 'a' }), ds, pod('p2', { node: 'b' })], { podEvictionTimeoutMs: 60_000 });
  await e.pass();
  // Heard from at START: Unknown after 40 s, evicted once START + 60 s has passed.
  await run(e, 55_000, ['a']);
  t.is(await e.readyOf('a'), 'Unknown');
  t.deepEqual(await e.podNames(), ['ds-pod', 'p1', 'p2'], 'not yet: within the eviction timeout');
  await run(e, 10_000, ['a']);
  t.deepEqual(await e.podNames(), ['ds-pod', 'p2']);
  const deletes = e.f.client.actions.filter((a) => a.verb === 'delete');
  t.deepEqual(deletes.map((a) => a.name), ['p1']);
  t.is((await e.f.client.resource(resources.pods, 'default').get('ds-pod')).status?.reason, 'NodeLost');
  t.truthy(e.f.events.find((x) => x.reason === 'NodeControllerEviction' && x.message === 'Marking for deletion Pod p1 from Node a'));
  t.truthy(e.f.events.find((x) => x.reason === 'DeletingAllPods' && x.message === 'Deleting all Pods from Node a.'));
  t.regex(await e.registry.metrics(), /node_collector_evictions_number\{zone=""\} 1/);
  // Evicted once per outage: a new pod on the still-dead node is left to the scheduler's judgement.
  await e.f.client.resource(resources.pods, 'default').create(pod('p3', { node: 'a' }));
  await run(e, 10_000, ['a']);
  t.true((await e.podNames()).includes('p3'));
});

test('--node-eviction-rate: one node per 1/rate seconds', async (t) => {
  // 3 dead of 10: the zone stays Normal (0.3 < 0.55), so the normal rate applies.
  const nodes = Array.from({ length: 10 }, (_, i) => readyNode(`n${i}`, START));
  const pods = nodes.map((n) => pod(`p-${n.metadata.name}`, { node: n.metadata.name }));
  const dead = ['n0', 'n1', 'n2'];
  const e = await setup(nodes, pods, { podEvictionTimeoutMs: 60_000, evictionRate: 0.1 });
  await e.pass();
  await run(e, 60_000, dead);
  t.is(e.c.zoneStates.get(''), 'Normal');
  await e.f.clock.advance(1_000);
  await e.pass();
  const gone = async () => {
    const left = await e.podNames();
    return dead.filter((d) => !left.includes(`p-${d}`)).length;
  };
  t.is(await gone(), 1, 'the first at once (burst 1)');
  await run(e, 5_000, dead);
  t.is(await gone(), 1, '5 s later: still one');
  await run(e, 5_000, dead);
  t.is(await gone(), 2, '10 s later: the second');
  await run(e, 10_000, dead);
  t.is(await gone(), 3);
  t.is((await e.podNames()).length, 7, 'healthy nodes keep their pods');
});

test('no eviction in a full disruption (every node down) nor in a small, partially disrupted zone', async (t) => {
  const cases: [string, number, number, string][] = [
    // name, nodes, dead → zone state
    ['the only node down', 1, 1, 'FullDisruption'],
    ['all 3 down', 3, 3, 'FullDisruption'],
    ['4 of 5 down, zone below --large-cluster-size-threshold', 5, 4, 'PartialDisruption'],
  ];
  for (const [name, count, deadCount, state] of cases) {
    const nodes = Array.from({ length: count }, (_, i) => readyNode(`n${i}`, START));
    const e = await setup(nodes, nodes.map((n) => pod(`p-${n.metadata.name}`, { node: n.metadata.name })), { podEvictionTimeoutMs: 60_000 });
    await e.pass();
    await run(e, 120_000, nodes.slice(0, deadCount).map((n) => n.metadata.name!));
    t.is(e.c.zoneStates.get(''), state as ZoneState, name);
    t.is((await e.podNames()).length, count, `${name}: nothing evicted`);
    t.is(await e.readyOf('n0'), 'Unknown', `${name}: still marked Unknown`);
  }
});

test('zones from failure-domain labels: a dead zone next to a healthy one is evicted at the normal rate', async (t) => {
  const nodes = [readyNode('a1', START, { [ZONE_LABEL]: 'a' }), readyNode('a2', START, { [ZONE_LABEL]: 'a' }), readyNode('b1', START, { [ZONE_LABEL]: 'b' })];
  const e = await setup(nodes, nodes.map((n) => pod(`p-${n.metadata.name}`, { node: n.metadata.name })), { podEvictionTimeoutMs: 60_000 });
  await e.pass();
  await run(e, 80_000, ['a1', 'a2']);
  t.is(e.c.zoneStates.get(':a'), 'FullDisruption');
  t.is(e.c.zoneStates.get(':b'), 'Normal');
  t.deepEqual(await e.podNames(), ['p-b1']);
});

test('a node that comes back is not evicted, and its eviction is cancelled', async (t) => {
  const nodes = [readyNode('a', START), readyNode('b', START), readyNode('c', START)];
  // A slow rate (one node per 1000 s): a takes the zone's one token, so b, queued later, waits.
  const e = await setup(nodes, [pod('pa', { node: 'a' }), pod('pb', { node: 'b' })], { podEvictionTimeoutMs: 60_000, evictionRate: 0.001 });
  await e.pass();
  await run(e, 65_000, ['a']);
  t.deepEqual(await e.podNames(), ['pb'], 'the first eviction went at once');
  await run(e, 65_000, ['a', 'b']);
  t.is(await e.readyOf('b'), 'Unknown');
  t.true(e.c.evictor.isQueued('b'), 'b is queued, waiting for a token');
  await run(e, 5_000, ['a']);
  t.is(await e.readyOf('b'), 'True', 'the kubelet posted Ready again');
  t.false(e.c.evictor.isQueued('b'), 'cancelled when it came back');
  await run(e, 1_100_000, ['a']);
  t.deepEqual(await e.podNames(), ['pb'], 'nothing more evicted, though tokens came');
});

function flags(argv: string[]) {
  const r = parseArgs(commandTable(controllerManagerCommand), argv);
  if (r.kind !== 'flags') throw new Error(`unexpected parse result ${r.kind}`);
  return optionsFromFlags(r.flags, testLogger('flags'));
}

test('flags: the seeds\' defaults, overrides, bad node IPAM settings exit as flag errors naming the flag', (t) => {
  const d = flags([]);
  t.deepEqual(d.nodeLifecycle, defaultNodeLifecycleOptions());
  t.like(d.nodeIpam, { allocateNodeCIDRs: false, nodeCIDRMaskSize: 24, allocatorType: 'RangeAllocator' });
  t.is(d.podGC.terminatedPodThreshold, 12500);
  const o = flags(['--node-monitor-period=1s', '--node-monitor-grace-period=20s', '--pod-eviction-timeout=1m', '--node-eviction-rate=0.5', '--allocate-node-cidrs=true', '--cluster-cidr=10.244.0.0/16', '--node-cidr-mask-size=26', '--terminated-pod-gc-threshold=10']);
  t.like(o.nodeLifecycle, { monitorPeriodMs: 1000, monitorGracePeriodMs: 20_000, podEvictionTimeoutMs: 60_000, evictionRate: 0.5 });
  t.like(o.nodeIpam, { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 26 });
  t.is(o.podGC.terminatedPodThreshold, 10);
  const cases: [string[], RegExp][] = [
    [['--allocate-node-cidrs=true'], /--cluster-cidr must be set/],
    [['--allocate-node-cidrs=true', '--cluster-cidr=10.0.0.0/24', '--node-cidr-mask-size=16'], /--node-cidr-mask-size/],
    [['--allocate-node-cidrs=true', '--cluster-cidr=10.0.0.0/16', '--cidr-allocator-type=CloudAllocator'], /--cidr-allocator-type/],
    [['--unhealthy-zone-threshold=1.5'], /--unhealthy-zone-threshold/],
  ];
  for (const [argv, msg] of cases) t.throws(() => flags(argv), { instanceOf: ControllerManagerConfigError, message: msg }, argv.join(' '));
});

test('--controllers: 1.8\'s "node" selects (or with -node deselects) nodelifecycle and nodeipam', (t) => {
  t.deepEqual(enabledControllers(['node']), ['node', 'nodeipam', 'nodelifecycle']);
  t.false(isControllerEnabled('nodelifecycle', ['*', '-node']));
  t.false(isControllerEnabled('nodeipam', ['*', '-node']));
  t.true(isControllerEnabled('podgc', ['*', '-node']));
  t.true(isControllerEnabled('nodelifecycle', ['*']));
  t.false(isControllerEnabled('nodelifecycle', ['*', '-nodelifecycle']));
  t.true(IMPLEMENTED.has('nodelifecycle') && IMPLEMENTED.has('nodeipam') && IMPLEMENTED.has('podgc') && !IMPLEMENTED.has('node'));
  t.truthy(DONE_ELSEWHERE.node);
});

test('leaving a full disruption: the nodes still down get a fresh --pod-eviction-timeout before eviction', async (t) => {
  const nodes = [readyNode('a', START), readyNode('b', START), readyNode('c', START)];
  const e = await setup(nodes, nodes.map((n) => pod(`p-${n.metadata.name}`, { node: n.metadata.name })), { podEvictionTimeoutMs: 60_000 });
  await e.pass();
  await run(e, 120_000, ['a', 'b', 'c']);
  t.is(e.c.zoneStates.get(''), 'FullDisruption');
  t.is((await e.podNames()).length, 3, 'nothing evicted while every node is down');
  await run(e, 5_000, ['a', 'b']);
  t.is(e.c.zoneStates.get(''), 'Normal');
  await run(e, 50_000, ['a', 'b']);
  t.is((await e.podNames()).length, 3, 'within the fresh timeout');
  await run(e, 30_000, ['a', 'b']);
  t.deepEqual(await e.podNames(), ['p-c'], 'then evicted at the normal rate');
});
