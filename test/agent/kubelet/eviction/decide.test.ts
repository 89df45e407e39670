// Threshold evaluation: met / not met (quantities, percentages), soft grace periods,
// minimum reclaim keeping a met threshold met, the pressure transition period,
// all on a manual clock; then the manager end to end on fakes: one pod per pass,
// the right one, with upstream's reason/message/grace, and admission.
import test from 'ava';
import type { Pod, ResourceRequirements } from '../../../../controlplane/api/core/v1/types.js';
import type { ObjectReference } from '../../../../controlplane/api/core/v1/types.js';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { createLogger, defaultLogOptions } from '../../../../controlplane/machinery/log/index.js';
import { evaluate, initialState, isSoftEviction, observationsFromSummary, starvedResources, thresholdQuantity, thresholdsMet, type EvictionState } from '../../../../agent/kubelet/eviction/decide.js';
import { KubeletEvictionManager } from '../../../../agent/kubelet/eviction/manager.js';
import { parseEvictionConfig } from '../../../../agent/kubelet/eviction/thresholds.js';
import type { Observation, Signal } from '../../../../agent/kubelet/eviction/types.js';
import type { Summary } from '../../../../agent/kubelet/stats/types.js';

const Mi = 1024 * 1024;
const log = createLogger(defaultLogOptions('test'), { stderr: { write: () => true } });
const th = (hard: string, soft = '', grace = '', reclaim = '') => parseEvictionConfig({ hard, soft, softGracePeriod: grace, minimumReclaim: reclaim });
const obs = (o: Partial<Record<Signal, Partial<Observation>>>) => new Map(Object.entries(o).map(([k, v]) => [k as Signal, { available: 0, capacity: 1000 * Mi, ...v }]));

test('threshold quantity: absolute, or a floored fraction of capacity', (t) => {
  t.is(thresholdQuantity({ quantity: 5 }, 100), 5);
  t.is(thresholdQuantity({ percentage: 0.1 }, 1005), 100);
});

const metCases: { name: string; hard: string; reclaim?: string; o: Partial<Record<Signal, Partial<Observation>>>; enforce?: boolean; met: string[] }[] = [
  { name: 'below a quantity', hard: 'memory.available<100Mi', o: { 'memory.available': { available: 99 * Mi } }, met: ['memory.available'] },
  { name: 'exactly at it is not met', hard: 'memory.available<100Mi', o: { 'memory.available': { available: 100 * Mi } }, met: [] },
  { name: 'below a percentage', hard: 'nodefs.available<10%', o: { 'nodefs.available': { available: 99 * Mi, capacity: 1000 * Mi } }, met: ['nodefs.available'] },
  { name: 'above a percentage', hard: 'nodefs.available<10%', o: { 'nodefs.available': { available: 101 * Mi, capacity: 1000 * Mi } }, met: [] },
  { name: 'inodes', hard: 'nodefs.inodesFree<5%', o: { 'nodefs.inodesFree': { available: 4, capacity: 100 } }, met: ['nodefs.inodesFree'] },
  { name: 'no observation, not met', hard: 'imagefs.available<1Gi', o: {}, met: [] },
  { name: 'min reclaim raises the bar once met', hard: 'memory.available<100Mi', reclaim: 'memory.available=50Mi', o: { 'memory.available': { available: 120 * Mi } }, enforce: true, met: ['memory.available'] },
  { name: 'past the min reclaim: resolved', hard: 'memory.available<100Mi', reclaim: 'memory.available=50Mi', o: { 'memory.available': { available: 151 * Mi } }, enforce: true, met: [] },
];
for (const c of metCases) {
  test(`thresholdsMet: ${c.name}`, (t) => {
    t.deepEqual(
      thresholdsMet(th(c.hard, '', '', c.reclaim), obs(c.o), c.enforce === true).map((x) => x.signal),
      c.met,
    );
  });
}

test('soft threshold: acted on only after its grace period; conditions at once', (t) => {
  const ts = th('', 'memory.available<300Mi', 'memory.available=1m');
  let s: EvictionState = initialState();
  let at = 1_000_000;
  const low = () => obs({ 'memory.available': { available: 200 * Mi, time: at } });
  let ev = evaluate(ts, s, low(), at, 5 * 60_000);
  t.deepEqual(ev.conditions, ['MemoryPressure']);
  t.deepEqual(ev.actionable, []);
  s = ev.state;
  at += 59_000;
  ev = evaluate(ts, s, low(), at, 5 * 60_000);
  t.deepEqual(ev.actionable, [], 'grace period not over');
  s = ev.state;
  at += 1000;
  ev = evaluate(ts, s, low(), at, 5 * 60_000);
  t.deepEqual(ev.actionable.map((x) => x.signal), ['memory.available']);
  t.true(isSoftEviction(ev.actionable, 'memory'));
  // It goes away: the grace period starts over next time.
  s = ev.state;
  at += 1000;
  ev = evaluate(ts, s, obs({ 'memory.available': { available: 900 * Mi, time: at } }), at, 5 * 60_000);
  t.deepEqual(ev.actionable, []);
  t.is(ev.state.firstObservedAt.size, 0);
});

test('pressure condition is held for the transition period after the last time it was met', (t) => {
  const ts = th('memory.available<100Mi');
  let at = 5_000_000;
  let ev = evaluate(ts, initialState(), obs({ 'memory.available': { available: 10 * Mi, time: at } }), at, 30_000);
  t.deepEqual(ev.conditions, ['MemoryPressure']);
  t.deepEqual(ev.actionable.map((x) => x.signal), ['memory.available'], 'hard: at once');
  t.false(isSoftEviction(ev.actionable, 'memory'));
  const fine = (now: number) => obs({ 'memory.available': { available: 900 * Mi, time: now } });
  at += 29_000;
  ev = evaluate(ts, ev.state, fine(at), at, 30_000);
  t.deepEqual(ev.conditions, ['MemoryPressure'], 'within the transition period');
  t.deepEqual(ev.actionable, []);
  at += 1000;
  ev = evaluate(ts, ev.state, fine(at), at, 30_000);
  t.deepEqual(ev.conditions, []);
});

test('stale stats are not acted on twice', (t) => {
  const ts = th('memory.available<100Mi');
  const o = obs({ 'memory.available': { available: 10 * Mi, time: 1000 } });
  const first = evaluate(ts, initialState(), o, 2000, 0);
  t.is(first.actionable.length, 1);
  const again = evaluate(ts, first.state, o, 3000, 0);
  t.is(again.actionable.length, 0);
  t.deepEqual(again.conditions, ['MemoryPressure']);
});

test('memory is reclaimed before disk; disk signals map to DiskPressure', (t) => {
  const ts = th('memory.available<100Mi,nodefs.available<10%,imagefs.inodesFree<5%');
  const ev = evaluate(ts, initialState(), obs({ 'memory.available': { available: 1 }, 'nodefs.available': { available: 1 }, 'imagefs.inodesFree': { available: 1, capacity: 100 } }), 1, 0);
  t.deepEqual(ev.conditions, ['MemoryPressure', 'DiskPressure']);
  t.deepEqual(starvedResources(ev.actionable), ['memory', 'nodefs', 'imagefsInodes']);
});

function summary(memAvail: number, pods: { uid: string; ws: number }[], time = new Date().toISOString()): Summary {
  return {
    node: { nodeName: 'n', startTime: time, memory: { time, availableBytes: memAvail, workingSetBytes: 1000 * Mi - memAvail }, fs: { time, availableBytes: 500 * Mi, capacityBytes: 1000 * Mi, inodesFree: 500, inodes: 1000 } },
    pods: pods.map((p) => ({ podRef: { name: p.uid, namespace: 'default', uid: p.uid }, startTime: time, containers: [{ name: 'c', startTime: time, memory: { time, workingSetBytes: p.ws } }] })),
  };
}

test('observations from a summary', (t) => {
  const o = observationsFromSummary(summary(300 * Mi, []));
  t.deepEqual(o.get('memory.available')?.available, 300 * Mi);
  t.deepEqual(o.get('memory.available')?.capacity, 1000 * Mi);
  t.is(o.get('nodefs.inodesFree')?.available, 500);
  t.false(o.has('imagefs.available'));
});

function pod(uid: string, qos: 'BestEffort' | 'Burstable' | 'Guaranteed'): Pod {
  const resources: ResourceRequirements = qos === 'BestEffort' ? {} : qos === 'Burstable' ? { requests: { memory: '10Mi' } } : { requests: { memory: '50Mi', cpu: '100m' }, limits: { memory: '50Mi', cpu: '100m' } };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'i', resources }] } };
}

test('manager: under hard memory pressure it evicts the BestEffort pod first, one per pass, with upstream wording', async (t) => {
  const clock = new FakeClock();
  const events: { obj: unknown; type: string; reason: string; message: string }[] = [];
  const evicted: { uid: string; reason: string; message: string; grace: number | undefined }[] = [];
  const pods = [pod('guaranteed', 'Guaranteed'), pod('burstable', 'Burstable'), pod('besteffort', 'BestEffort')];
  let avail = 50 * Mi;
  const conditions: string[][] = [];
  const m = new KubeletEvictionManager({
    thresholds: th('memory.available<100Mi'),
    pressureTransitionPeriodMs: 60_000,
    maxPodGracePeriodSeconds: 30,
    summary: { summary: async () => summary(avail, [{ uid: 'guaranteed', ws: 400 * Mi }, { uid: 'burstable', ws: 200 * Mi }, { uid: 'besteffort', ws: 1 * Mi }], new Date(clock.now()).toISOString()) },
    hasDedicatedImageFs: async () => false,
    activePods: () => pods.filter((p) => !evicted.some((e) => e.uid === p.metadata.uid)),
    evictPod: (p, status, grace) => evicted.push({ uid: p.metadata.uid!, ...status, grace }),
    podCleanedUp: () => true,
    recorder: { event: (obj, type, reason, message) => events.push({ obj, type, reason, message }) },
    nodeRef: { kind: 'Node', name: 'n' } as ObjectReference,
    onConditions: (c) => conditions.push([...c]),
    clock,
    log,
  });
  t.deepEqual(m.admit(pod('new', 'BestEffort')), { admit: true });
  const first = await m.synchronize();
  t.is(first?.metadata.uid, 'besteffort');
  t.deepEqual(evicted[0], { uid: 'besteffort', reason: 'Evicted', message: 'The node was low on resource: memory.', grace: 0 });
  t.true(m.isUnderMemoryPressure());
  t.deepEqual(conditions, [['MemoryPressure']]);
  t.truthy(events.find((e) => e.reason === 'EvictionThresholdMet' && e.message === 'Attempting to reclaim memory'));
  t.truthy(events.find((e) => e.reason === 'Evicted' && e.message === 'The node was low on resource: memory.'));
  t.truthy(events.find((e) => e.reason === 'NodeHasInsufficientMemory' && e.message === 'Node n status is now: NodeHasInsufficientMemory'));

  // Admission under memory pressure: BestEffort refused, others admitted.
  t.deepEqual(m.admit(pod('new', 'BestEffort')), { admit: false, reason: 'Evicted', message: 'The node was low on resource: [MemoryPressure].' });
  t.deepEqual(m.admit(pod('new', 'Burstable')), { admit: true });

  // Next pass (newer stats): Burstable next (QoS before usage).
  await clock.advance(10_000);
  t.is((await m.synchronize())?.metadata.uid, 'burstable');
  // Pressure relieved: nothing more is evicted, the condition stays for the transition period.
  avail = 800 * Mi;
  await clock.advance(10_000);
  t.is(await m.synchronize(), undefined);
  t.true(m.isUnderMemoryPressure());
  await clock.advance(60_000);
  await m.synchronize();
  t.false(m.isUnderMemoryPressure());
  t.truthy(events.find((e) => e.reason === 'NodeHasSufficientMemory'));
  t.is(evicted.length, 2);
});

test('manager: disk pressure reclaims containers and images first, and evicts nobody when that was enough', async (t) => {
  const clock = new FakeClock();
  const calls: string[] = [];
  const evicted: string[] = [];
  const m = new KubeletEvictionManager({
    thresholds: th('', 'nodefs.available<600Mi', 'nodefs.available=30s'),
    pressureTransitionPeriodMs: 0,
    maxPodGracePeriodSeconds: 30,
    summary: { summary: async () => summary(900 * Mi, [], new Date(clock.now()).toISOString()) },
    hasDedicatedImageFs: async () => false,
    activePods: () => [pod('a', 'BestEffort')],
    evictPod: (p) => evicted.push(p.metadata.uid!),
    podCleanedUp: () => true,
    reclaim: {
      deleteAllUnusedContainers: async () => void calls.push('containers'),
      deleteUnusedImages: async () => (calls.push('images'), 200 * Mi),
    },
    recorder: { event: () => undefined },
    nodeRef: { kind: 'Node', name: 'n' } as ObjectReference,
    clock,
    log,
  });
  t.is(await m.synchronize(), undefined, 'soft: grace period first');
  t.true(m.isUnderDiskPressure());
  t.deepEqual(m.admit(pod('new', 'Guaranteed')), { admit: false, reason: 'Evicted', message: 'The node was low on resource: [DiskPressure].' });
  await clock.advance(30_000);
  t.is(await m.synchronize(), undefined);
  t.deepEqual(calls, ['containers', 'images']);
  t.deepEqual(evicted, [], '500Mi available + 200Mi freed ≥ 600Mi: no pod evicted');
});

test('manager: a soft eviction kills with --eviction-max-pod-grace-period', async (t) => {
  const clock = new FakeClock();
  const graces: (number | undefined)[] = [];
  const m = new KubeletEvictionManager({
    thresholds: th('', 'memory.available<100Mi', 'memory.available=1s'),
    pressureTransitionPeriodMs: 0,
    maxPodGracePeriodSeconds: 7,
    summary: { summary: async () => summary(10 * Mi, [{ uid: 'a', ws: Mi }], new Date(clock.now()).toISOString()) },
    hasDedicatedImageFs: async () => false,
    activePods: () => [pod('a', 'BestEffort')],
    evictPod: (_p, _s, g) => graces.push(g),
    podCleanedUp: () => true,
    recorder: { event: () => undefined },
    nodeRef: { kind: 'Node', name: 'n' } as ObjectReference,
    clock,
    log,
  });
  await m.synchronize();
  await clock.advance(1000);
  await m.synchronize();
  // (A soft threshold with a 0s grace period counts as hard, as upstream: grace 0.)
  t.deepEqual(graces, [7]);
});
