// The deployment controller: the pod-template-hash, the replica arithmetic
// (fenceposts, new-set growth, proportional scaling), a simulated rolling
// update that must never break maxSurge/maxUnavailable, revision
// annotations, and sync on a FakeClient (new set, new revision, undo reuse).
import test from 'ava';
import type { Deployment, ReplicaSet } from '../../../controlplane/api/apps/v1/types.js';
import type { PodTemplateSpec } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { DeploymentController, isScalingEvent } from '../../../controlplane/controllers/deployment/controller.js';
import { computeHash, equalIgnoreHash } from '../../../controlplane/controllers/deployment/hash.js';
import { cleanupUnhealthyReplicas, maxScaleDown, scaleDownOldForRollingUpdate } from '../../../controlplane/controllers/deployment/rolling.js';
import { findActiveOrLatest, planProportionalScale, type DeploymentSyncer } from '../../../controlplane/controllers/deployment/sync.js';
import {
  bySizeNewer,
  bySizeOlder,
  deploymentComplete,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  resolveFenceposts,
  setCondition,
  setNewReplicaSetAnnotations,
  type RS,
} from '../../../controlplane/controllers/deployment/util.js';
import { deployment, fixture, replicaSet, template, type Fixture } from './fixtures.js';

// ---- hash ---------------------------------------------------------------------------------

test('pod-template-hash is stable, semantic and changes with the template or the collision count', (t) => {
  const base = template({ app: 'web' });
  const h = computeHash(base);
  t.regex(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/, 'safe alphabet only');
  t.is(computeHash(base), h, 'deterministic');
  const same: [string, PodTemplateSpec][] = [
    ['creationTimestamp null and empty resources (as kubectl sends on undo)', { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', resources: {} }] } }],
    ['defaults spelled out', { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }] } }],
    ['a pod-template-hash label', { metadata: { labels: { app: 'web', 'pod-template-hash': 'xyz' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } }],
    ['keys in another order', { spec: { containers: [{ image: 'nginx:1.25', name: 'c' }] }, metadata: { labels: { app: 'web' } } }],
  ];
  for (const [name, tpl] of same) {
    t.is(computeHash(tpl), h, name);
    t.true(equalIgnoreHash(tpl, base), name);
  }
  const different: [string, PodTemplateSpec][] = [
    ['another image', template({ app: 'web' }, 'nginx:1.27')],
    ['another label', template({ app: 'web', v: '2' })],
    ['an env var', { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }] }] } }],
  ];
  for (const [name, tpl] of different) {
    t.not(computeHash(tpl), h, name);
    t.false(equalIgnoreHash(tpl, base), name);
  }
  t.not(computeHash(base, 1), h, 'a collision count changes the hash');
  t.not(computeHash(base, 1), computeHash(base, 2));
});

// ---- arithmetic ---------------------------------------------------------------------------

test('fenceposts: surge rounds up, unavailable down, never both zero', (t) => {
  const cases: [number, string | number, string | number, number, number][] = [
    [10, '25%', '25%', 3, 2],
    [3, '25%', '25%', 1, 0],
    [1, '25%', '25%', 1, 0],
    [10, 0, 0, 0, 1],
    [10, '0%', '0%', 0, 1],
    [5, 2, 1, 2, 1],
    [4, '100%', 0, 4, 0],
  ];
  for (const [replicas, surge, unavailable, wantSurge, wantUnavailable] of cases) {
    const d = deployment('web', replicas, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });
    t.deepEqual(resolveFenceposts(d), { surge: wantSurge, unavailable: wantUnavailable }, `${replicas} ${surge}/${unavailable}`);
  }
  const recreate = deployment('web', 5, 'x', { strategy: { type: 'Recreate' } });
  t.is(maxSurge(recreate), 0);
  t.is(maxUnavailable(recreate), 0);
  t.is(maxUnavailable(deployment('web', 2, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } } })), 2, 'capped at replicas');
});

const rs = (name: string, replicas: number, available = replicas, extra: { created?: string; maxReplicas?: number; desired?: number } = {}): RS =>
  ({
    ...replicaSet(name, replicas, { app: 'web' }, { creationTimestamp: extra.created ?? '2025-01-01T00:00:00Z', uid: `uid-${name}` }),
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: extra.created ?? '2025-01-01T00:00:00Z',
      annotations: {
        ...(extra.maxReplicas !== undefined ? { 'deployment.kubernetes.io/max-replicas': String(extra.maxReplicas) } : {}),
        ...(extra.desired !== undefined ? { 'deployment.kubernetes.io/desired-replicas': String(extra.desired) } : {}),
      },
    },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  }) as RS;

test('the new set grows by what the surge budget leaves', (t) => {
  const d = deployment('web', 10); // surge 3
  const cases: [string, RS[], RS, number][] = [
    ['fresh rollout', [rs('old', 10)], rs('new', 0), 3],
    ['budget used up', [rs('old', 10)], rs('new', 3), 3],
    ['old shrank by 2', [rs('old', 8)], rs('new', 3), 5],
    ['never past desired', [rs('old', 0)], rs('new', 9), 10],
  ];
  for (const [name, old, nw, want] of cases) t.is(newRSNewReplicas(d, [...old, nw], nw), want, name);
  t.is(newRSNewReplicas(deployment('web', 4, 'x', { strategy: { type: 'Recreate' } }), [rs('old', 4)], rs('new', 0)), 4, 'Recreate: all at once');
});

/** A syncer whose scale just returns the resized set (no server): enough for the rolling-update steps. */
const memorySyncer = {
  scaleReplicaSet: async (x: RS, n: number) => ({ ...x, spec: { ...x.spec!, replicas: n } }) as RS,
} as unknown as DeploymentSyncer;

for (const [replicas, surge, unavailable] of [
  [10, '25%', '25%'],
  [10, 0, 1],
  [10, 1, 0],
  [3, '25%', '25%'],
  [5, '100%', 0],
  [7, 2, 3],
] as [number, string | number, string | number][]) {
  test(`a rolling update of ${replicas} (maxSurge ${surge}, maxUnavailable ${unavailable}) converges without breaking its bounds`, async (t) => {
    const d = deployment('web', replicas, 'x', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } });
    const { surge: s, unavailable: u } = resolveFenceposts(d);
    let old = rs('old', replicas, replicas, { created: '2025-01-01T00:00:00Z' });
    let nw = rs('new', 0, 0, { created: '2025-01-01T00:01:00Z' });
    const ready = (x: RS) => ({ ...x, status: { replicas: x.spec!.replicas!, availableReplicas: x.spec!.replicas!, readyReplicas: x.spec!.replicas! } }) as RS;
    for (let step = 0; step < 100; step++) {
      // Step 1: grow the new set.
      const target = newRSNewReplicas(d, [old, nw], nw);
      if (target !== nw.spec!.replicas) {
        nw = { ...nw, spec: { ...nw.spec!, replicas: target } } as RS;
      } else if (maxScaleDown([old, nw], nw, d) > 0 && old.spec!.replicas! > 0) {
        // Step 2: shrink the old set (unhealthy first, then healthy).
        const { sets } = await cleanupUnhealthyReplicas(memorySyncer, [old], d, maxScaleDown([old, nw], nw, d));
        old = sets[0];
        await scaleDownOldForRollingUpdate(memorySyncer, [old, nw], [old], d).then(async (n) => {
          if (n > 0) old = { ...old, spec: { ...old.spec!, replicas: old.spec!.replicas! - n } } as RS;
        });
      }
      t.true(replicaCount([old, nw]) <= replicas + s, `step ${step}: at most desired + maxSurge pods`);
      // Pods of a shrunk set are gone at once; the new set's are not available until the kubelet says so.
      const available = Math.min(old.spec!.replicas!, old.status!.availableReplicas!) + Math.min(nw.spec!.replicas!, nw.status!.availableReplicas!);
      t.true(available >= replicas - u, `step ${step}: at least desired − maxUnavailable available`);
      // The kubelet's part: pods become available.
      old = ready(old);
      nw = ready(nw);
      if (nw.spec!.replicas === replicas && old.spec!.replicas === 0) break;
    }
    t.is(nw.spec!.replicas, replicas, 'new set at full size');
    t.is(old.spec!.replicas, 0, 'old set drained');
  });
}

test('proportional scaling spreads a resize over active sets by their share, leftover to the largest', (t) => {
  const cases: { name: string; d: Deployment; sets: RS[]; want: Record<string, number> }[] = [
    {
      name: 'scale 10 → 20 mid-rollout (surge 3 → 5)',
      d: deployment('web', 20),
      sets: [rs('a', 8, 8, { maxReplicas: 13 }), rs('b', 5, 0, { maxReplicas: 13, created: '2025-01-01T00:01:00Z' })],
      want: { a: 15, b: 10 },
    },
    {
      name: 'scale 10 → 5 mid-rollout (surge 3 → 2)',
      d: deployment('web', 5),
      sets: [rs('a', 8, 8, { maxReplicas: 13 }), rs('b', 5, 0, { maxReplicas: 13, created: '2025-01-01T00:01:00Z' })],
      want: { a: 4, b: 3 },
    },
    {
      name: 'scale to 0',
      d: deployment('web', 0),
      sets: [rs('a', 2, 2, { maxReplicas: 4 }), rs('b', 2, 2, { maxReplicas: 4 })],
      want: { a: 0, b: 0 },
    },
  ];
  for (const tc of cases) {
    const allowed = tc.d.spec!.replicas! > 0 ? tc.d.spec!.replicas! + maxSurge(tc.d) : 0;
    const toAdd = allowed - replicaCount(tc.sets);
    const sorted = [...tc.sets].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
    const sizes = planProportionalScale(tc.d, sorted, toAdd);
    t.deepEqual(Object.fromEntries(sizes), tc.want, tc.name);
    t.is([...sizes.values()].reduce((a, b) => a + b, 0), allowed, `${tc.name}: sums to the allowed size`);
  }
});

test('findActiveOrLatest and scaling events', (t) => {
  t.is(findActiveOrLatest(rs('new', 0), [rs('old', 3)])?.metadata.name, 'old', 'the one active set');
  t.is(findActiveOrLatest(rs('new', 0), [rs('old', 0)])?.metadata.name, 'new', 'none active: the new one');
  t.is(findActiveOrLatest(rs('new', 1), [rs('old', 3)]), undefined, 'several active: proportional');
  const d = deployment('web', 5);
  t.true(isScalingEvent(d, { newRS: rs('new', 3, 3, { desired: 3 }), oldRSs: [] }));
  t.false(isScalingEvent(d, { newRS: rs('new', 3, 3, { desired: 5 }), oldRSs: [] }));
});

test('revision annotations: new revision, revision-history on reuse, change-cause copied, bookkeeping not copied', (t) => {
  const d = deployment('web', 3);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '7' };
  const fresh = replicaSet('web-x', 0) as ReplicaSet;
  t.true(setNewReplicaSetAnnotations(d, fresh, 1, false));
  t.deepEqual(fresh.metadata.annotations, {
    'kubernetes.io/change-cause': 'v2',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  t.false(setNewReplicaSetAnnotations(d, fresh, 1, true), 'nothing to change the second time');
  // Reused by an undo: revision 1 → 5, history records 1; again 5 → 9 records 1,5.
  t.true(setNewReplicaSetAnnotations(d, fresh, 5, true));
  t.is(fresh.metadata.annotations!['deployment.kubernetes.io/revision'], '5');
  t.is(fresh.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  setNewReplicaSetAnnotations(d, fresh, 9, true);
  t.is(fresh.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,5');
  // The history is capped, oldest first out.
  setNewReplicaSetAnnotations(d, fresh, 10, true, 4);
  t.is(fresh.metadata.annotations!['deployment.kubernetes.io/revision-history'], '5,9');
});

test('conditions keep lastTransitionTime while the status stays the same', (t) => {
  const s: Deployment['status'] = {};
  setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
  setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: 't2', lastUpdateTime: 't2' });
  t.like(s.conditions![0], { reason: 'B', lastTransitionTime: 't1', lastUpdateTime: 't2' });
  setCondition(s, { type: 'Progressing', status: 'False', reason: 'C', lastTransitionTime: 't3', lastUpdateTime: 't3' });
  t.like(s.conditions![0], { reason: 'C', lastTransitionTime: 't3' });
  t.is(s.conditions!.length, 1);
});

// ---- sync on a FakeClient -----------------------------------------------------------------

async function setupDeployment(d: Deployment, sets: ReplicaSet[] = []): Promise<{ f: Fixture; c: DeploymentController; d: Deployment }> {
  const f = fixture();
  f.client.seed(resources.deployments, d);
  const stored = (await f.client.resource(resources.deployments, 'default').get(d.metadata.name!)) as Deployment;
  for (const s of sets) {
    s.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: stored.metadata.name!, uid: stored.metadata.uid!, controller: true, blockOwnerDeletion: true }];
    f.client.seed(resources.replicasets, s);
  }
  const c = new DeploymentController(f.ctx, { workers: 1 });
  await f.refresh(resources.deployments);
  await f.refresh(resources.replicasets);
  f.client.clearActions();
  return { f, c, d: stored };
}

const rsCreates = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'create' && a.resource === 'replicasets').map((a) => a.object as ReplicaSet);

test('sync of a new Deployment creates <name>-<hash> with the hash label and selector, revision 1, and records progress', async (t) => {
  const { f, c, d } = await setupDeployment(deployment('web', 3));
  await c.sync('default/web');
  const [made] = rsCreates(f);
  const hash = computeHash(d.spec!.template);
  t.is(made.metadata.name, `web-${hash}`);
  t.deepEqual(made.metadata.labels, { app: 'web', 'pod-template-hash': hash });
  t.deepEqual(made.spec!.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
  t.is(made.spec!.template!.metadata!.labels!['pod-template-hash'], hash);
  t.is(made.spec!.replicas, 3);
  t.like(made.metadata.annotations, { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  t.like(made.metadata.ownerReferences![0], { kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true });
  const stored = (await f.client.resource(resources.deployments, 'default').get('web')) as Deployment;
  t.is(stored.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  t.like(stored.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'True', reason: 'NewReplicaSetCreated' });
  t.is(stored.status?.observedGeneration, 1);
  t.true(f.events.some((e) => e.reason === 'ScalingReplicaSet' && /Scaled up replica set web-\w+ to 3/.test(e.message)));
});

test('a new template makes revision 2 next to the old set; the old template again reuses revision 1 as 3', async (t) => {
  const old = deployment('web', 3, 'nginx:1.25');
  const oldHash = computeHash(old.spec!.template);
  const oldRS = replicaSet(`web-${oldHash}`, 3, { app: 'web', 'pod-template-hash': oldHash });
  oldRS.spec!.template = { metadata: { labels: { app: 'web', 'pod-template-hash': oldHash } }, spec: old.spec!.template.spec };
  oldRS.metadata.annotations = { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' };
  oldRS.status = { replicas: 3, availableReplicas: 3, readyReplicas: 3 };
  const next = deployment('web', 3, 'nginx:1.27');
  const { f, c } = await setupDeployment(next, [oldRS]);
  await c.sync('default/web');
  const [made] = rsCreates(f);
  t.like(made.metadata.annotations, { 'deployment.kubernetes.io/revision': '2' });
  t.is(made.spec!.replicas, 1, 'surge 1 above the old 3');

  // Undo: the Deployment's template is the old one again (as kubectl sends it: null timestamp, empty resources).
  const undo = deployment('web', 3, 'nginx:1.25');
  undo.spec!.template = { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', resources: {} }] } };
  const newRS = { ...made, metadata: { ...made.metadata, creationTimestamp: '2025-01-01T00:05:00Z' }, status: { replicas: 1, availableReplicas: 1, readyReplicas: 1 } } as ReplicaSet;
  const g = await setupDeployment(undo, [structuredClone(oldRS), newRS]);
  await g.c.sync('default/web');
  t.is(rsCreates(g.f).length, 0, 'no third ReplicaSet');
  const reused = (await g.f.client.resource(resources.replicasets, 'default').get(oldRS.metadata.name!)) as ReplicaSet;
  t.is(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  t.is(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  const stored = (await g.f.client.resource(resources.deployments, 'default').get('web')) as Deployment;
  t.is(stored.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('a paused Deployment does not roll out a new template', async (t) => {
  const { f, c } = await setupDeployment(deployment('web', 3, 'nginx:1.27', { paused: true }), []);
  await c.sync('default/web');
  t.is(rsCreates(f).length, 0);
  const stored = (await f.client.resource(resources.deployments, 'default').get('web')) as Deployment;
  t.like(stored.status?.conditions?.find((x) => x.type === 'Progressing'), { status: 'Unknown', reason: 'DeploymentPaused' });
});

test('complete means every replica updated, available and the generation observed', (t) => {
  const d = deployment('web', 3);
  d.metadata.generation = 2;
  t.true(deploymentComplete(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 }));
  t.false(deploymentComplete(d, { replicas: 4, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 2 }), 'old pods left');
  t.false(deploymentComplete(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 2, observedGeneration: 2 }), 'one unavailable');
  t.false(deploymentComplete(d, { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 }), 'spec not yet observed');
});

test('Recreate waits while any old pod may still run', async (t) => {
  const { oldPodsRunning } = await import('../../../controlplane/controllers/deployment/recreate.js');
  const { pod } = await import('./fixtures.js');
  const oldSet = rs('old', 0, 0);
  const oldDrained = { ...oldSet, status: { replicas: 0 } } as RS;
  const cases: [string, RS[], [string, ReturnType<typeof pod>[]][], boolean][] = [
    ['old set still reports pods', [rs('old', 0, 0)], [], true],
    ['a running pod of the old set', [oldDrained], [['uid-old', [pod('p', { phase: 'Running' })]]], true],
    ['only finished pods', [oldDrained], [['uid-old', [pod('p', { phase: 'Succeeded' }), pod('q', { phase: 'Failed' })]]], false],
    ['pods of the new set do not count', [oldDrained], [['uid-new', [pod('p', { phase: 'Running' })]]], false],
  ];
  for (const [name, olds, pods, want] of cases) {
    const withStatus = olds.map((o) => ({ ...o, status: { ...o.status, replicas: name.startsWith('old set') ? 1 : 0 } }) as RS);
    t.is(oldPodsRunning(rs('new', 0, 0), withStatus, new Map(pods)), want, name);
  }
});

test('a complete rollout prunes drained old sets beyond revisionHistoryLimit, oldest revision first', async (t) => {
  const d = deployment('web', 2, 'nginx:1.30', { revisionHistoryLimit: 1 });
  const hash = computeHash(d.spec!.template);
  const current = replicaSet(`web-${hash}`, 2, { app: 'web', 'pod-template-hash': hash });
  current.spec!.template = { metadata: { labels: { app: 'web', 'pod-template-hash': hash } }, spec: d.spec!.template.spec };
  current.metadata.annotations = { 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/desired-replicas': '2', 'deployment.kubernetes.io/max-replicas': '3' };
  current.status = { replicas: 2, availableReplicas: 2, readyReplicas: 2, observedGeneration: 1 };
  const old = (rev: number, replicas = 0) => {
    const r = replicaSet(`web-old${rev}`, replicas, { app: 'web', 'pod-template-hash': `old${rev}` });
    r.spec!.template = template({ app: 'web', 'pod-template-hash': `old${rev}` }, `nginx:1.${rev}`);
    r.metadata.annotations = { 'deployment.kubernetes.io/revision': String(rev) };
    r.status = { replicas, observedGeneration: 1 };
    return r;
  };
  d.status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: 2 };
  const { f, c } = await setupDeployment(d, [old(1), old(3), old(2), current]);
  await c.sync('default/web');
  const deleted = f.client.actions.filter((a) => a.verb === 'delete' && a.resource === 'replicasets').map((a) => a.name);
  t.deepEqual(deleted, ['web-old1', 'web-old2'], 'keeps the newest old revision (3)');
});

test('a name taken by someone else\'s ReplicaSet is a hash collision: collisionCount goes up, and the next hash differs', async (t) => {
  const d = deployment('web', 1);
  const hash = computeHash(d.spec!.template);
  const squatter = replicaSet(`web-${hash}`, 0, { app: 'elsewhere' });
  const f = fixture();
  f.client.seed(resources.deployments, d);
  f.client.seed(resources.replicasets, squatter);
  const c = new DeploymentController(f.ctx, { workers: 1 });
  await f.refresh(resources.deployments);
  await f.refresh(resources.replicasets);
  await t.throwsAsync(c.sync('default/web'), { message: /hash collision/ });
  const stored = (await f.client.resource(resources.deployments, 'default').get('web')) as Deployment;
  t.is(stored.status?.collisionCount, 1);
  await f.refresh(resources.deployments);
  f.client.clearActions();
  await c.sync('default/web');
  const [made] = rsCreates(f);
  t.is(made.metadata.name, `web-${computeHash(d.spec!.template, 1)}`);
});
