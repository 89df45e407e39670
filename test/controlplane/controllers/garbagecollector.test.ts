// The garbage collector's decisions (pure) and its graph: which events put
// which nodes on the attemptToDelete / attemptToOrphan queues.
import test from 'ava';
import type { KubeObject, OwnerReference } from '../../../controlplane/machinery/meta/types.js';
import { decide, type Decision, type OwnerState } from '../../../controlplane/controllers/garbagecollector/decide.js';
import { DependencyGraph, type GraphNode, type Identity } from '../../../controlplane/controllers/garbagecollector/graph.js';
import { monitoredResources } from '../../../controlplane/controllers/garbagecollector/collector.js';
import { scheme } from '../../../controlplane/api/scheme.js';

const ref = (uid: string, block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion: block });
const obj = (uid: string, owners: OwnerReference[] = [], extra: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject => ({ metadata: { name: `o-${uid}`, namespace: 'default', uid, ownerReferences: owners, ...extra } });

test('decide: keep, drop references, or delete with the right propagation', (t) => {
  const cases: { name: string; latest: KubeObject; states: [string, OwnerState][]; deps?: boolean; depDeleting?: boolean; want: Decision }[] = [
    { name: 'no owners', latest: obj('x'), states: [], want: { action: 'none' } },
    { name: 'owner alive', latest: obj('x', [ref('a')]), states: [['a', 'solid']], want: { action: 'none' } },
    { name: 'owner gone → background delete', latest: obj('x', [ref('a')]), states: [['a', 'dangling']], want: { action: 'delete', policy: 'Background', unblock: [] } },
    { name: 'one of two owners gone → drop its reference', latest: obj('x', [ref('a'), ref('b')]), states: [['a', 'solid'], ['b', 'dangling']], want: { action: 'removeOwners', uids: ['b'] } },
    { name: 'alive owner and a foreground one → drop the waiting reference', latest: obj('x', [ref('a'), ref('b')]), states: [['a', 'solid'], ['b', 'waiting']], want: { action: 'removeOwners', uids: ['b'] } },
    { name: 'foreground owner, no dependents of our own → background delete', latest: obj('x', [ref('a')]), states: [['a', 'waiting']], want: { action: 'delete', policy: 'Background', unblock: [] } },
    { name: 'foreground owner, dependents → foreground delete', latest: obj('x', [ref('a')]), states: [['a', 'waiting']], deps: true, want: { action: 'delete', policy: 'Foreground', unblock: [] } },
    { name: 'foreground cycle → unblock first', latest: obj('x', [ref('a')]), states: [['a', 'waiting']], deps: true, depDeleting: true, want: { action: 'delete', policy: 'Foreground', unblock: ['a'] } },
    { name: 'owner gone, own orphan finalizer → orphan delete', latest: obj('x', [ref('a')], { finalizers: ['orphan'] }), states: [['a', 'dangling']], want: { action: 'delete', policy: 'Orphan', unblock: [] } },
    { name: 'owner gone, own foreground finalizer → foreground delete', latest: obj('x', [ref('a')], { finalizers: ['foregroundDeletion'] }), states: [['a', 'dangling']], want: { action: 'delete', policy: 'Foreground', unblock: [] } },
  ];
  for (const tc of cases) {
    t.deepEqual(decide({ latest: tc.latest, states: new Map(tc.states), hasDependents: tc.deps ?? false, dependentDeletingDependents: tc.depDeleting ?? false }), tc.want, tc.name);
  }
});

function graph() {
  const toDelete: string[] = [];
  const toOrphan: string[] = [];
  const g = new DependencyGraph({ attemptToDelete: (n: GraphNode) => toDelete.push(n.identity.uid), attemptToOrphan: (n: GraphNode) => toOrphan.push(n.identity.uid) });
  const id = (o: KubeObject, kind = 'Pod'): Identity => ({ apiVersion: 'v1', kind, name: o.metadata!.name!, namespace: 'default', uid: o.metadata!.uid! });
  return { g, toDelete, toOrphan, id };
}

test('graph: an unseen owner becomes a virtual node to verify; seeing it makes it real', (t) => {
  const { g, toDelete, id } = graph();
  const p = obj('p', [ref('rs1')]);
  g.observe('add', id(p), p);
  t.deepEqual(toDelete, ['rs1'], 'the virtual owner is checked');
  t.true(g.get('rs1')!.virtual);
  const rs = obj('rs1');
  g.observe('add', id(rs, 'ReplicaSet'), rs);
  t.false(g.get('rs1')!.virtual);
  t.is(g.get('rs1')!.dependents.size, 1);
});

test('graph: an owner deleted queues its dependents; a dependent gone queues its foreground owner', (t) => {
  const { g, toDelete, id } = graph();
  const rs = obj('rs1');
  const p1 = obj('p1', [ref('rs1')]);
  const p2 = obj('p2', [ref('rs1')]);
  for (const o of [rs, p1, p2]) g.observe('add', id(o), o);
  toDelete.length = 0;
  g.observe('delete', id(rs), rs);
  t.deepEqual(toDelete.sort(), ['p1', 'p2']);
  t.true(g.absent.has('rs1'), 'remembered absent: one GET for all its dependents');

  const { g: g2, toDelete: q2, id: id2 } = graph();
  const owner = obj('d1');
  const dep = obj('r1', [ref('d1')]);
  g2.observe('add', id2(owner), owner);
  g2.observe('add', id2(dep), dep);
  q2.length = 0;
  const deleting = obj('d1', [], { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] });
  g2.observe('update', id2(deleting), deleting, owner);
  t.true(g2.get('d1')!.deletingDependents);
  t.deepEqual(q2.sort(), ['d1', 'r1'], 'foreground: the owner and its dependents');
  q2.length = 0;
  g2.observe('delete', id2(dep), dep);
  t.deepEqual(q2, ['d1'], 'the waiting owner looks again once a dependent is gone');
  t.is(g2.get('d1')!.blockingDependents().length, 0);
});

test('graph: the orphan finalizer queues the owner for orphaning once', (t) => {
  const { g, toOrphan, id } = graph();
  const rs = obj('rs1');
  g.observe('add', id(rs), rs);
  const orphaning = obj('rs1', [], { deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['orphan'] });
  g.observe('update', id(orphaning), orphaning, rs);
  g.observe('update', id(orphaning), orphaning, orphaning);
  t.deepEqual(toOrphan, ['rs1']);
});

test('graph: a reference that stops blocking wakes the owner', (t) => {
  const { g, toDelete, id } = graph();
  const rs = obj('rs1');
  const p = obj('p', [ref('rs1', true)]);
  g.observe('add', id(rs), rs);
  g.observe('add', id(p), p);
  toDelete.length = 0;
  const unblocked = obj('p', [ref('rs1', false)]);
  g.observe('update', id(unblocked), unblocked, p);
  t.deepEqual(toDelete, ['rs1']);
  const released = obj('p', []);
  g.observe('update', id(released), released, unblocked);
  t.is(g.get('rs1')!.dependents.size, 0, 'a removed reference leaves the owner');
});

test('monitors cover the workload resources and not events', (t) => {
  const names = monitoredResources(scheme).map((r) => `${r.group}/${r.resource}`);
  for (const r of ['/pods', 'apps/replicasets', 'apps/deployments', '/replicationcontrollers', 'batch/jobs', 'apps/daemonsets', 'apps/statefulsets', 'apps/controllerrevisions', '/endpoints', '/configmaps', '/secrets', '/services']) {
    t.true(names.includes(r), r);
  }
  t.false(names.includes('/events'));
});
