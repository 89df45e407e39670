// The DaemonSet controller: node eligibility (pure) and its sync on a
// FakeClient with a FakeClock — one pod per eligible node placed through
// spec.nodeName, misscheduled and failed pods deleted, ControllerRevisions,
// a rolling update within maxUnavailable, OnDelete, and the status.
import test from 'ava';
import type { ControllerRevision, DaemonSet } from '../../../controlplane/api/apps/v1/types.js';
import type { Node, Pod, Taint } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { DaemonSetController } from '../../../controlplane/controllers/daemonset/controller.js';
import { nodeShouldRunDaemonPod } from '../../../controlplane/controllers/daemonset/eligibility.js';
import { fixture, pod, template, type Fixture } from './fixtures.js';

function node(name: string, o: { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } }, spec: { taints: o.taints, unschedulable: o.unschedulable } };
}

function daemonSet(name = 'agent', extra: Partial<NonNullable<DaemonSet['spec']>> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: { selector: { matchLabels: { app: name } }, template: template({ app: name }), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }, revisionHistoryLimit: 10, ...extra },
  };
}

test('eligibility: node selector, required node affinity, taints and tolerations, cordoned nodes', (t) => {
  const tmpl = (spec: Record<string, unknown> = {}) => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }], ...spec } });
  const cases: [string, ReturnType<typeof tmpl>, Node, [boolean, boolean, boolean]][] = [
    // name, template, node → [wantToRun, shouldSchedule, shouldContinueRunning]
    ['plain node', tmpl(), node('n'), [true, true, true]],
    ['node selector matches', tmpl({ nodeSelector: { disk: 'ssd' } }), node('n', { labels: { disk: 'ssd' } }), [true, true, true]],
    ['node selector does not match', tmpl({ nodeSelector: { disk: 'ssd' } }), node('n', { labels: { disk: 'hdd' } }), [false, false, false]],
    [
      'required affinity In matches',
      tmpl({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } } }),
      node('n', { labels: { zone: 'b' } }),
      [true, true, true],
    ],
    [
      'required affinity NotIn excludes',
      tmpl({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }] } } } }),
      node('n', { labels: { zone: 'b' } }),
      [false, false, false],
    ],
    ['untolerated NoSchedule: no new pod, a running one stays', tmpl(), node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), [false, false, true]],
    ['untolerated NoExecute: evicted', tmpl(), node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }), [false, false, false]],
    ['tolerated taint', tmpl({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }), node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), [true, true, true]],
    ['PreferNoSchedule is ignored', tmpl(), node('n', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), [true, true, true]],
    ['not-ready NoExecute is tolerated by every daemon pod', tmpl(), node('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }), [true, true, true]],
    ['a cordoned node still runs daemon pods (1.8: the controller places them)', tmpl(), node('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }), [true, true, true]],
    ['template pinned to another node', tmpl({ nodeName: 'other' }), node('n'), [false, false, false]],
  ];
  for (const [name, tp, n, want] of cases) {
    const d = nodeShouldRunDaemonPod(tp, n);
    t.deepEqual([d.wantToRun, d.shouldSchedule, d.shouldContinueRunning], want, name);
  }
});

async function setup(ds: DaemonSet, nodes: Node[], pods: Pod[] = [], revisions: ControllerRevision[] = []): Promise<{ f: Fixture; c: DaemonSetController }> {
  const f = fixture();
  f.client.seed(resources.daemonsets, ds);
  for (const n of nodes) f.client.seed(resources.nodes, n);
  for (const p of pods) f.client.seed(resources.pods, p);
  for (const r of revisions) f.client.seed(resources.controllerrevisions, r);
  const c = new DaemonSetController(f.ctx);
  await refreshAll(f);
  f.client.clearActions();
  return { f, c };
}

async function refreshAll(f: Fixture): Promise<void> {
  await f.refresh(resources.daemonsets);
  await f.refresh(resources.nodes);
  await f.refresh(resources.pods);
  await f.refresh(resources.controllerrevisions);
}

const creates = (f: Fixture, resource = 'pods') => f.client.actions.filter((a) => a.verb === 'create' && a.resource === resource).map((a) => a.object as Pod);
const deletes = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'delete' && a.resource === 'pods').map((a) => a.name);
const dsStatus = async (f: Fixture, name = 'agent') => ((await f.client.resource(resources.daemonsets, 'default').get(name)) as DaemonSet).status;
const allPods = async (f: Fixture) => (await f.client.resource(resources.pods, 'default').list()).items;

/** Plays the kubelet for every pod of the fake: Running and Ready. */
async function markAllReady(f: Fixture): Promise<void> {
  for (const p of await allPods(f)) {
    if (p.metadata.deletionTimestamp) continue;
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    await f.client.resource(resources.pods, 'default').updateStatus(p);
  }
}

test('sync: one pod per eligible node, bound by spec.nodeName, with the revision hash, tolerations and a controller reference', async (t) => {
  const { f, c } = await setup(daemonSet('agent', { template: { ...template({ app: 'agent' }), spec: { nodeSelector: { role: 'worker' }, containers: [{ name: 'c', image: 'busybox' }] } } }), [
    node('n1', { labels: { role: 'worker' } }),
    node('n2', { labels: { role: 'worker' } }),
    node('n3', { labels: { role: 'master' } }),
  ]);
  await c.sync('default/agent');
  const made = creates(f);
  t.deepEqual(made.map((p) => p.spec?.nodeName).sort(), ['n1', 'n2']);
  const revs = creates(f, 'controllerrevisions') as unknown as ControllerRevision[];
  t.is(revs.length, 1, 'one ControllerRevision for the template');
  const hash = revs[0].metadata.labels?.['controller-revision-hash'];
  t.truthy(hash);
  t.is(revs[0].metadata.name, `agent-${hash}`);
  t.is(revs[0].revision, 1);
  t.like(revs[0].metadata.ownerReferences?.[0], { kind: 'DaemonSet', name: 'agent', controller: true });
  for (const p of made) {
    t.like(p.metadata, { generateName: 'agent-', labels: { app: 'agent', 'controller-revision-hash': hash, 'pod-template-generation': '1' } });
    t.like(p.metadata.ownerReferences?.[0], { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'uid-agent', controller: true, blockOwnerDeletion: true });
    t.true(p.spec?.tolerations?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute'));
  }
  t.is(f.events.filter((e) => e.reason === 'SuccessfulCreate').length, 2);
  t.like(await dsStatus(f), { desiredNumberScheduled: 2, currentNumberScheduled: 0, numberReady: 0, observedGeneration: 1 });

  // The next sync sees the pods (expectations met), writes the counts, creates nothing.
  await refreshAll(f);
  await markAllReady(f);
  await refreshAll(f);
  f.client.clearActions();
  await c.sync('default/agent');
  t.is(creates(f).length, 0);
  t.like(await dsStatus(f), { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0 });
});

test('sync: pods on nodes that stopped matching are deleted; failed pods are deleted with an event; duplicates keep the oldest', async (t) => {
  const ds = daemonSet('agent', { template: { ...template({ app: 'agent' }), spec: { nodeSelector: { role: 'worker' }, containers: [{ name: 'c' }] } } });
  const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', uid: 'uid-agent' } };
  const pods = [
    pod('on-master', { labels: { app: 'agent' }, node: 'master', owner }),
    pod('failed', { labels: { app: 'agent' }, node: 'w1', owner, phase: 'Failed' }),
    pod('old', { labels: { app: 'agent' }, node: 'w2', owner, created: Date.UTC(2024, 0, 1) }),
    pod('young', { labels: { app: 'agent' }, node: 'w2', owner, created: Date.UTC(2024, 5, 1) }),
  ];
  const { f, c } = await setup(ds, [node('master', { labels: { role: 'master' } }), node('w1', { labels: { role: 'worker' } }), node('w2', { labels: { role: 'worker' } })], pods);
  await c.sync('default/agent');
  t.deepEqual(deletes(f).sort(), ['failed', 'on-master', 'young']);
  t.is(creates(f).length, 0, 'w1 gets its replacement on a later sync, once the failed pod is gone');
  t.true(f.events.some((e) => e.reason === 'FailedDaemonPod'));
  t.like(await dsStatus(f), { desiredNumberScheduled: 2, numberMisscheduled: 1 });
  await refreshAll(f);
  f.client.clearActions();
  await c.sync('default/agent');
  t.deepEqual(creates(f).map((p) => p.spec?.nodeName), ['w1']);
});

test('sync: an empty selector selects nothing and says so', async (t) => {
  const { f, c } = await setup(daemonSet('agent', { selector: {} }), [node('n1')]);
  await c.sync('default/agent');
  t.is(creates(f).length, 0);
  t.true(f.events.some((e) => e.reason === 'SelectingAll'));
});

test('rolling update: a new template gets a new revision; old pods go at most maxUnavailable at a time; OnDelete leaves them', async (t) => {
  const nodes = [node('n1'), node('n2'), node('n3')];
  for (const [strategy, wantDeleted] of [
    ['RollingUpdate', 1],
    ['OnDelete', 0],
  ] as const) {
    const { f, c } = await setup(daemonSet('agent', { updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }), nodes);
    await c.sync('default/agent');
    await refreshAll(f);
    await markAllReady(f);
    await refreshAll(f);
    await c.sync('default/agent');
    const firstHash = (await allPods(f))[0].metadata.labels?.['controller-revision-hash'];

    // A new image: generation 2.
    const ds = (await f.client.resource(resources.daemonsets, 'default').get('agent')) as DaemonSet;
    ds.spec!.template.spec!.containers[0].image = 'nginx:1.26';
    ds.metadata.generation = 2;
    await f.client.resource(resources.daemonsets, 'default').update(ds);
    await refreshAll(f);
    f.client.clearActions();
    await c.sync('default/agent');
    const revs = creates(f, 'controllerrevisions') as unknown as ControllerRevision[];
    t.is(revs.length, 1, `${strategy}: a second revision`);
    t.is(revs[0].revision, 2);
    t.not(revs[0].metadata.labels?.['controller-revision-hash'], firstHash);
    t.is(deletes(f).length, wantDeleted, `${strategy}: old pods deleted`);
    t.like(await dsStatus(f), { updatedNumberScheduled: 0, observedGeneration: 2 });
  }
});

test('rolling update runs to the end: each deleted pod is replaced from the new template', async (t) => {
  const { f, c } = await setup(daemonSet('agent'), [node('n1'), node('n2')]);
  const step = async () => {
    await refreshAll(f);
    await c.sync('default/agent');
    await refreshAll(f);
    await markAllReady(f);
  };
  await step();
  await step();
  const ds = (await f.client.resource(resources.daemonsets, 'default').get('agent')) as DaemonSet;
  ds.spec!.template.spec!.containers[0].image = 'nginx:1.26';
  ds.metadata.generation = 2;
  await f.client.resource(resources.daemonsets, 'default').update(ds);
  for (let i = 0; i < 8; i++) await step();
  const pods = await allPods(f);
  t.is(pods.length, 2);
  t.true(pods.every((p) => p.spec?.containers[0].image === 'nginx:1.26'));
  await step();
  t.like(await dsStatus(f), { desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, observedGeneration: 2 });
  const revs = (await f.client.resource(resources.controllerrevisions, 'default').list()).items;
  t.deepEqual(revs.map((r) => r.revision).sort(), [1, 2], 'history kept');
});
