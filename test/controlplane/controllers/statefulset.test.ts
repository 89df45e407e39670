// The StatefulSet controller: identity helpers and the step planner (pure),
// and its sync on a FakeClient — ordered creation gated on Running and Ready,
// Parallel, scale-down from the top, claims made before pods and kept,
// failed pods replaced, RollingUpdate with a partition, OnDelete, revisions.
import test from 'ava';
import type { ControllerRevision, StatefulSet } from '../../../controlplane/api/apps/v1/types.js';
import type { PersistentVolumeClaim, Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { StatefulSetController } from '../../../controlplane/controllers/statefulset/controller.js';
import { claimsFor, identityMatches, newStatefulPod, ordinalOf } from '../../../controlplane/controllers/statefulset/identity.js';
import { planStatefulSet, type Revision } from '../../../controlplane/controllers/statefulset/plan.js';
import { fixture, template, type Fixture } from './fixtures.js';

function sts(replicas: number, extra: Partial<NonNullable<StatefulSet['spec']>> = {}, name = 'web'): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      serviceName: 'nginx',
      selector: { matchLabels: { app: name } },
      template: template({ app: name }),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      ...extra,
    },
  };
}

const claimTemplate: PersistentVolumeClaim = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };

test('identity: ordinals, names, hostname/subdomain, pod-name label, claims', (t) => {
  const cases: [string, number][] = [
    ['web-0', 0],
    ['web-12', 12],
    ['web-01', -1],
    ['web-', -1],
    ['webx-1', -1],
    ['web-1-2', -1],
  ];
  for (const [n, want] of cases) t.is(ordinalOf('web', n), want, n);
  const set = sts(3, { volumeClaimTemplates: [claimTemplate] });
  const p = newStatefulPod(set, set.spec!.template, 'web-abc', 2);
  t.is(p.metadata.name, 'web-2');
  t.falsy(p.metadata.generateName);
  t.like(p.spec, { hostname: 'web-2', subdomain: 'nginx' });
  t.like(p.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'controller-revision-hash': 'web-abc' });
  t.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } }]);
  t.true(identityMatches(set, { ...p, metadata: { ...p.metadata, namespace: 'default' } }));
  const [claim] = claimsFor(set, 2);
  t.like(claim.metadata, { name: 'data-web-2', namespace: 'default', labels: { app: 'web' } });
});

// ---- the planner -----------------------------------------------------------------

const R1: Revision = { name: 'web-r1', template: template({ app: 'web' }, 'nginx:1') };
const R2: Revision = { name: 'web-r2', template: template({ app: 'web' }, 'nginx:2') };

type State = 'pending' | 'ready' | 'notready' | 'failed' | 'terminating';
/** A pod of the set as the API server would show it. */
function spod(ord: number, state: State = 'ready', rev = R1): Pod {
  const p = newStatefulPod(sts(1), rev.template, rev.name, ord);
  p.metadata.namespace = 'default';
  p.metadata.uid = `uid-web-${ord}`;
  p.status = { phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running' };
  if (state === 'ready' || state === 'terminating') p.status.conditions = [{ type: 'Ready', status: 'True' }];
  if (state === 'terminating') p.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  return p;
}

const summary = (set: StatefulSet, pods: Pod[], current = R1, update = R1) =>
  planStatefulSet(set, current, update, pods, Date.UTC(2025, 0, 1)).actions.map((a) => `${a.kind} ${a.kind === 'create' ? a.pod.metadata.name : a.pod.metadata.name}`);

test('planner: ordered and parallel creation, scale-down from the top, failed pods, updates with a partition', (t) => {
  const cases: [string, StatefulSet, Pod[], Revision, Revision, string[]][] = [
    ['empty, OrderedReady: only web-0', sts(3), [], R1, R1, ['create web-0']],
    ['web-0 pending: wait', sts(3), [spod(0, 'pending')], R1, R1, []],
    ['web-0 running but not ready: wait', sts(3), [spod(0, 'notready')], R1, R1, []],
    ['web-0 ready: web-1 next', sts(3), [spod(0)], R1, R1, ['create web-1']],
    ['a gap is filled in order', sts(3), [spod(0), spod(2)], R1, R1, ['create web-1']],
    ['Parallel: all at once', sts(3, { podManagementPolicy: 'Parallel' }), [], R1, R1, ['create web-0', 'create web-1', 'create web-2']],
    ['scale down: highest first, one at a time', sts(1), [spod(0), spod(1), spod(2)], R1, R1, ['delete web-2']],
    ['scale down waits for a terminating pod', sts(1), [spod(0), spod(1), spod(2, 'terminating')], R1, R1, []],
    ['scale down waits while a lower pod is unhealthy', sts(1), [spod(0, 'notready'), spod(1), spod(2)], R1, R1, []],
    ['Parallel scale down: all at once', sts(1, { podManagementPolicy: 'Parallel' }), [spod(0), spod(1), spod(2)], R1, R1, ['delete web-2', 'delete web-1']],
    ['a failed pod is deleted and recreated', sts(2), [spod(0, 'failed'), spod(1)], R1, R1, ['delete web-0', 'create web-0']],
    ['rolling update: the highest ordinal first', sts(3), [spod(0), spod(1), spod(2)], R1, R2, ['delete web-2']],
    ['rolling update: waits for the replacement to be ready', sts(3), [spod(0), spod(1), spod(2, 'pending', R2)], R1, R2, []],
    ['rolling update: then the next one', sts(3), [spod(0), spod(1), spod(2, 'ready', R2)], R1, R2, ['delete web-1']],
    ['partition 2: ordinals below it stay', sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), [spod(0), spod(1), spod(2, 'ready', R2)], R1, R2, []],
    ['OnDelete: nothing is deleted for an update', sts(3, { updateStrategy: { type: 'OnDelete' } }), [spod(0), spod(1), spod(2)], R1, R2, []],
  ];
  for (const [name, set, pods, cur, upd, want] of cases) t.deepEqual(summary(set, pods, cur, upd), want, name);
});

test('planner: a missing pod is recreated at the current revision below the partition, at the update revision above', (t) => {
  const set = sts(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, podManagementPolicy: 'Parallel' });
  const plan = planStatefulSet(set, R1, R2, [], Date.UTC(2025, 0, 1));
  const revs = plan.actions.map((a) => (a.kind === 'create' ? a.pod.metadata.labels?.['controller-revision-hash'] : ''));
  t.deepEqual(revs, ['web-r1', 'web-r1', 'web-r2']);
  t.like(plan.status, { replicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: 'web-r1', updateRevision: 'web-r2' });
});

// ---- sync on the fake client ------------------------------------------------------

async function setup(set: StatefulSet): Promise<{ f: Fixture; c: StatefulSetController }> {
  const f = fixture();
  f.client.seed(resources.statefulsets, set);
  const c = new StatefulSetController(f.ctx);
  await refreshAll(f);
  f.client.clearActions();
  return { f, c };
}

async function refreshAll(f: Fixture): Promise<void> {
  await f.refresh(resources.statefulsets);
  await f.refresh(resources.pods);
  await f.refresh(resources.controllerrevisions);
  await f.refresh(resources.persistentvolumeclaims);
}

async function step(f: Fixture, c: StatefulSetController): Promise<void> {
  await refreshAll(f);
  await c.sync('default/web');
  await refreshAll(f);
}

const podNames = async (f: Fixture) => (await f.client.resource(resources.pods, 'default').list()).items.map((p) => p.metadata.name).sort();
const stsStatus = async (f: Fixture) => ((await f.client.resource(resources.statefulsets, 'default').get('web')) as StatefulSet).status;

async function markReady(f: Fixture, name: string): Promise<void> {
  const pods = f.client.resource(resources.pods, 'default');
  const p = await pods.get(name);
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  await pods.updateStatus(p);
}

test('sync: scales up one pod at a time as each becomes ready, claims before pods; status and revisions', async (t) => {
  const { f, c } = await setup(sts(3, { volumeClaimTemplates: [claimTemplate] }));
  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0']);
  const writes = f.client.actions.filter((a) => a.verb === 'create').map((a) => `${a.resource}/${(a.object as Pod).metadata.name}`);
  t.true(writes.indexOf('persistentvolumeclaims/data-web-0') < writes.indexOf('pods/web-0'), 'the claim comes first');
  const revs = (await f.client.resource(resources.controllerrevisions, 'default').list()).items as ControllerRevision[];
  t.is(revs.length, 1);
  const s0 = await stsStatus(f);
  t.like(s0, { replicas: 1, readyReplicas: 0, currentRevision: revs[0].metadata.name, updateRevision: revs[0].metadata.name, observedGeneration: 1 });
  t.is((await f.client.resource(resources.pods, 'default').get('web-0')).metadata.labels?.['controller-revision-hash'], revs[0].metadata.name);

  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0'], 'web-0 not ready: wait');
  await markReady(f, 'web-0');
  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0', 'web-1']);
  await markReady(f, 'web-1');
  await step(f, c);
  await markReady(f, 'web-2');
  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0', 'web-1', 'web-2']);
  t.like(await stsStatus(f), { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
  t.true(f.events.some((e) => e.reason === 'SuccessfulCreate' && e.message === 'create Pod web-2 in StatefulSet web successful'));

  // Scale to 1: web-2 goes, then web-1; the claims stay.
  const set = (await f.client.resource(resources.statefulsets, 'default').get('web')) as StatefulSet;
  set.spec!.replicas = 1;
  await f.client.resource(resources.statefulsets, 'default').update(set);
  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0', 'web-1']);
  await step(f, c);
  t.deepEqual(await podNames(f), ['web-0']);
  const claims = (await f.client.resource(resources.persistentvolumeclaims, 'default').list()).items.map((x) => x.metadata.name).sort();
  t.deepEqual(claims, ['data-web-0', 'data-web-1', 'data-web-2']);
});

test('sync: a rolling update replaces pods from the top and then makes the update revision current', async (t) => {
  const { f, c } = await setup(sts(2));
  for (const n of ['web-0', 'web-1']) {
    await step(f, c);
    await markReady(f, n);
  }
  await step(f, c);
  const r1 = (await stsStatus(f))?.currentRevision;
  const set = (await f.client.resource(resources.statefulsets, 'default').get('web')) as StatefulSet;
  set.spec!.template.spec!.containers[0].image = 'nginx:2';
  set.metadata.generation = 2;
  await f.client.resource(resources.statefulsets, 'default').update(set);
  await step(f, c);
  const mid = await stsStatus(f);
  t.is(mid?.currentRevision, r1);
  t.not(mid?.updateRevision, r1);
  t.deepEqual(await podNames(f), ['web-0'], 'web-1 deleted first');
  for (let i = 0; i < 6; i++) {
    await step(f, c);
    for (const n of await podNames(f)) await markReady(f, n!);
  }
  await step(f, c);
  const pods = (await f.client.resource(resources.pods, 'default').list()).items;
  t.true(pods.every((p) => p.spec?.containers[0].image === 'nginx:2'));
  const end = await stsStatus(f);
  t.like(end, { replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentReplicas: 2, observedGeneration: 2 });
  t.is(end?.currentRevision, end?.updateRevision);
});
