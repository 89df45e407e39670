// The replica controller's sync on a FakeClient (upstream replica_set_test.go
// style): the informer caches are filled by hand, sync(key) is called
// directly, and the writes are read from the fake's recorded actions.
import test from 'ava';
import type { ReplicaSet } from '../../../controlplane/api/apps/v1/types.js';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { apiErrors } from '../../../controlplane/machinery/errors.js';
import { slowStartBatch } from '../../../controlplane/controllers/common/batch.js';
import { ControllerExpectations } from '../../../controlplane/controllers/common/expectations.js';
import { compareForDeletion, isPodAvailable } from '../../../controlplane/controllers/common/pods.js';
import { ReplicaController } from '../../../controlplane/controllers/replicaset/controller.js';
import { replicaSetKind, replicationControllerKind } from '../../../controlplane/controllers/replicaset/kinds.js';
import { calculateStatus } from '../../../controlplane/controllers/replicaset/status.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { fixture, iso, pod, replicaSet, type Fixture } from './fixtures.js';

async function setupRS(rs: ReplicaSet, pods: Pod[] = [], burst?: number): Promise<{ f: Fixture; c: ReplicaController<ReplicaSet>; owner: ReplicaSet }> {
  const f = fixture();
  f.client.seed(resources.replicasets, rs);
  const owner = (await f.client.resource(resources.replicasets, 'default').get(rs.metadata.name!)) as ReplicaSet;
  for (const p of pods) {
    const ref = p.metadata.ownerReferences?.[0];
    if (ref && ref.name === rs.metadata.name) ref.uid = owner.metadata.uid!;
    f.client.seed(resources.pods, p);
  }
  const c = new ReplicaController(f.ctx, replicaSetKind, { workers: 1, burstReplicas: burst });
  await f.refresh(resources.replicasets);
  await f.refresh(resources.pods);
  f.client.clearActions();
  return { f, c, owner };
}

const creates = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'create' && a.resource === 'pods');
const deletes = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'delete' && a.resource === 'pods');
const statusWrites = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'update' && a.subresource === 'status');

const owned = (rs: ReplicaSet, name: string, o: Parameters<typeof pod>[1] = {}) => pod(name, { labels: { app: 'web' }, owner: { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, ...o });

test('slowStartBatch issues 1, 2, 4 … and stops after the first failing batch', async (t) => {
  const cases: { name: string; count: number; failAt?: number; calls: number; successes: number }[] = [
    { name: 'all succeed', count: 10, calls: 10, successes: 10 },
    { name: 'zero', count: 0, calls: 0, successes: 0 },
    { name: 'failure in the third batch (calls 4..7) stops there', count: 20, failAt: 5, calls: 7, successes: 6 },
    { name: 'failure in the first call', count: 5, failAt: 1, calls: 1, successes: 0 },
  ];
  for (const tc of cases) {
    let calls = 0;
    const r = await slowStartBatch(tc.count, 1, async () => {
      calls++;
      if (calls === tc.failAt) throw new Error('boom');
    });
    t.is(calls, tc.calls, tc.name);
    t.is(r.successes, tc.successes, tc.name);
    t.is(r.error !== undefined, tc.failAt !== undefined, tc.name);
  }
});

test('expectations: pending creates block a sync until observed, deletions count only tracked pods, TTL expires', async (t) => {
  const clock = new FakeClock();
  const e = new ControllerExpectations(clock, 1000);
  t.true(e.satisfied('ns/a'), 'no record: go ahead');
  e.expectCreations('ns/a', 2);
  t.false(e.satisfied('ns/a'));
  e.creationObserved('ns/a');
  t.false(e.satisfied('ns/a'));
  e.creationObserved('ns/a');
  t.true(e.satisfied('ns/a'));
  e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
  e.deletionObserved('ns/a', 'ns/other');
  t.deepEqual(e.pending('ns/a'), { add: 0, del: 2 }, 'a pod we did not delete does not count');
  e.deletionObserved('ns/a', 'ns/p1');
  e.deletionObserved('ns/a', 'ns/p1');
  t.deepEqual(e.pending('ns/a'), { add: 0, del: 1 }, 'each tracked pod counts once');
  t.false(e.satisfied('ns/a'));
  await clock.advance(1001);
  t.true(e.satisfied('ns/a'), 'a lost event does not wedge the owner past the TTL');
});

test('surplus pods are deleted in upstream order', (t) => {
  const now = Date.UTC(2025, 0, 1, 12);
  const cases: { name: string; first: Pod; second: Pod }[] = [
    { name: 'unscheduled before scheduled', first: pod('a'), second: pod('b', { node: 'n1' }) },
    { name: 'pending before running', first: pod('a', { node: 'n', phase: 'Pending' }), second: pod('b', { node: 'n' }) },
    { name: 'not ready before ready', first: pod('a', { node: 'n', ready: false }), second: pod('b', { node: 'n', ready: true }) },
    { name: 'ready more recently before ready longer', first: pod('a', { node: 'n', ready: true, readySince: now }), second: pod('b', { node: 'n', ready: true, readySince: now - 60_000 }) },
    { name: 'more restarts first', first: pod('a', { node: 'n', ready: true, readySince: now, restarts: 5 }), second: pod('b', { node: 'n', ready: true, readySince: now, restarts: 1 }) },
    { name: 'newer before older', first: pod('a', { node: 'n', created: now }), second: pod('b', { node: 'n', created: now - 1000 }) },
  ];
  for (const tc of cases) {
    t.true(compareForDeletion(tc.first, tc.second) < 0, tc.name);
    t.true(compareForDeletion(tc.second, tc.first) > 0, `${tc.name} (reversed)`);
    t.deepEqual([tc.second, tc.first].sort(compareForDeletion)[0].metadata.name, 'a', `${tc.name} (sorted)`);
  }
});

test('availability needs minReadySeconds of readiness', (t) => {
  const now = Date.UTC(2025, 0, 1, 12);
  const cases: [string, Pod, number, boolean][] = [
    ['ready, no minReadySeconds', pod('a', { ready: true, readySince: now }), 0, true],
    ['ready for 5 s of 10', pod('a', { ready: true, readySince: now - 5000 }), 10, false],
    ['ready for 11 s of 10', pod('a', { ready: true, readySince: now - 11_000 }), 10, true],
    ['not ready', pod('a', { ready: false, readySince: now - 60_000 }), 0, false],
  ];
  for (const [name, p, min, want] of cases) t.is(isPodAvailable(p, min, now), want, name);
});

test('status counts fully labelled, ready and available pods and reports create failures', (t) => {
  const now = Date.UTC(2025, 0, 1, 12);
  const pods = [
    pod('a', { labels: { app: 'web', tier: 'x' }, ready: true, readySince: now - 60_000 }),
    pod('b', { labels: { app: 'web' }, ready: true, readySince: now }),
    pod('c', { labels: { app: 'web', tier: 'x' }, ready: false }),
  ];
  const s = calculateStatus({ current: undefined, specReplicas: 5, minReadySeconds: 10, templateLabels: { app: 'web', tier: 'x' }, pods, nowMs: now });
  t.like(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
  const failed = calculateStatus({ current: s, specReplicas: 5, minReadySeconds: 10, templateLabels: {}, pods, manageError: new Error('quota'), nowMs: now });
  t.like(failed.conditions?.[0], { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota' });
  const cleared = calculateStatus({ current: failed, specReplicas: 3, minReadySeconds: 0, templateLabels: {}, pods, nowMs: now });
  t.is(cleared.conditions, undefined, 'a clean sync removes the condition');
});

test('sync creates the missing pods from the template, owned by the set, then waits for them to be observed', async (t) => {
  const rs = replicaSet('web', 3, { app: 'web' });
  const { f, c, owner } = await setupRS(rs);
  await c.sync('default/web');
  const made = creates(f);
  t.is(made.length, 3);
  for (const a of made) {
    const p = a.object as Pod;
    t.is(p.metadata.generateName, 'web-');
    t.deepEqual(p.metadata.labels, { app: 'web' });
    t.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }
  t.deepEqual(c.expectations.pending('default/web'), { add: 3, del: 0 });
  // The informer has not shown them yet: a second sync must not create again.
  f.client.clearActions();
  await c.sync('default/web');
  t.is(creates(f).length, 0, 'no double creation while creates are in flight');
  // Now they arrive.
  await f.refresh(resources.pods);
  t.true(c.expectations.satisfied('default/web'));
  f.client.clearActions();
  await c.sync('default/web');
  t.is(creates(f).length, 0);
  const st = statusWrites(f).at(-1)?.object as ReplicaSet;
  t.like(st.status, { replicas: 3, observedGeneration: 1 });
  t.is(f.events.filter((e) => e.reason === 'SuccessfulCreate').length, 3);
});

test('creates are capped per sync (burstReplicas) and a failing create stops the slow start', async (t) => {
  const { f, c } = await setupRS(replicaSet('web', 10, { app: 'web' }), [], 4);
  await c.sync('default/web');
  t.is(creates(f).length, 4, 'burst cap');

  const g = await setupRS(replicaSet('web', 10, { app: 'web' }));
  let n = 0;
  g.f.client.prependReactor('create', 'pods', () => (++n === 2 ? { err: apiErrors.forbidden('exceeded quota') } : undefined));
  await t.throwsAsync(g.c.sync('default/web'), { message: /exceeded quota/ });
  t.is(creates(g.f).length, 3, 'batches of 1 then 2, then stop');
  t.deepEqual(g.c.expectations.pending('default/web'), { add: 2, del: 0 }, 'only the two created pods are still expected');
  const st = statusWrites(g.f).at(-1)?.object as ReplicaSet;
  t.like(st.status?.conditions?.[0], { type: 'ReplicaFailure', reason: 'FailedCreate' });
});

test('sync deletes surplus pods, least valuable first', async (t) => {
  const rs = replicaSet('web', 1, { app: 'web' });
  rs.metadata.uid = 'rs-uid';
  const now = Date.UTC(2025, 0, 1, 12);
  const pods = [owned(rs, 'old-ready', { node: 'n', ready: true, readySince: now - 600_000, created: now - 600_000 }), owned(rs, 'pending', { phase: 'Pending' }), owned(rs, 'unready', { node: 'n', ready: false })];
  const { f, c } = await setupRS(rs, pods);
  await c.sync('default/web');
  t.deepEqual(deletes(f).map((a) => a.name).sort(), ['pending', 'unready']);
  t.deepEqual(c.expectations.pending('default/web'), { add: 0, del: 2 });
});

test('sync adopts matching orphans, releases owned pods that stopped matching, ignores pods of other owners', async (t) => {
  const rs = replicaSet('web', 2, { app: 'web' });
  rs.metadata.uid = 'rs-uid';
  const other = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'other', uid: 'other-uid' } };
  const pods = [pod('orphan', { labels: { app: 'web' } }), owned(rs, 'stray', { labels: { app: 'elsewhere' } }), pod('theirs', { labels: { app: 'web' }, owner: other }), pod('finished', { labels: { app: 'web' }, phase: 'Succeeded' })];
  const { f, c, owner } = await setupRS(rs, pods);
  await c.sync('default/web');
  const patches = f.client.actions.filter((a) => a.verb === 'patch');
  const adopt = patches.find((a) => a.name === 'orphan');
  t.deepEqual((adopt?.object as { metadata: { ownerReferences: unknown[] } }).metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const release = patches.find((a) => a.name === 'stray');
  t.deepEqual((release?.object as { metadata: { ownerReferences: unknown[] } }).metadata.ownerReferences, [{ $patch: 'delete', uid: owner.metadata.uid }]);
  t.falsy(patches.find((a) => a.name === 'theirs' || a.name === 'finished'));
  t.true(f.client.actions.some((a) => a.verb === 'get' && a.resource === 'replicasets'), 'adoption re-checks the owner with a fresh GET');
  t.is(creates(f).length, 1, 'one adopted + one created = 2');
});

test('no adoption into an owner that a fresh read shows being deleted', async (t) => {
  const rs = replicaSet('web', 2, { app: 'web' });
  const { f, c } = await setupRS(rs, [pod('orphan', { labels: { app: 'web' } })]);
  const fresh = (await f.client.resource(resources.replicasets, 'default').get('web')) as ReplicaSet;
  f.client.prependReactor('get', 'replicasets', () => ({ ret: { ...fresh, metadata: { ...fresh.metadata, deletionTimestamp: iso(Date.UTC(2025, 0, 1)) } } }));
  await t.throwsAsync(c.sync('default/web'), { message: /has just been deleted/ });
  t.falsy(f.client.actions.find((a) => a.verb === 'patch'));
});

test('pod events settle expectations and enqueue the owner', async (t) => {
  const rs = replicaSet('web', 1, { app: 'web' });
  const { f, c, owner } = await setupRS(rs);
  c.expectations.expectCreations('default/web', 1);
  f.informers.informerFor(resources.pods).applyEvent({ type: 'ADDED', object: { ...owned(owner, 'new'), metadata: { ...owned(owner, 'new').metadata, resourceVersion: '99' } } });
  t.true(c.expectations.satisfied('default/web'));
  t.is(c.queue.length, 1);
});

test('the same controller manages ReplicationControllers (map selector, v1 owner references)', async (t) => {
  const f = fixture();
  f.client.seed(resources.replicationcontrollers, { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'default', generation: 1 }, spec: { replicas: 2, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c' }] } } } });
  const c = new ReplicaController(f.ctx, replicationControllerKind, { workers: 1 });
  await f.refresh(resources.replicationcontrollers);
  await c.sync('default/rc');
  const made = creates(f);
  t.is(made.length, 2);
  t.like((made[0].object as Pod).metadata.ownerReferences?.[0], { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc' });
});
