// The pod garbage collector: what a pass deletes (pure plan: the oldest
// finished pods beyond the threshold, orphans, unscheduled terminating
// pods) and the pass itself on a FakeClient (force deletes with a uid
// precondition; an orphan is confirmed with a fresh GET of its node).
import test from 'ava';
import { Registry } from 'prom-client';
import type { Node, Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { plan, PodGCController } from '../../../controlplane/controllers/podgc/controller.js';
import { defaultPodGCOptions } from '../../../controlplane/controllers/podgc/options.js';
import { fixture, pod } from './fixtures.js';

const T0 = Date.UTC(2025, 0, 1);
const finished = (name: string, createdMin: number, phase: 'Succeeded' | 'Failed' = 'Succeeded', node = 'n1') => pod(name, { phase, created: T0 + createdMin * 60_000, node });

test('plan: the oldest finished pods beyond the threshold, orphans, unscheduled terminating pods', (t) => {
  const nodes = new Set(['n1']);
  const cases: [string, Pod[], number, string[]][] = [
    ['under the threshold', [finished('a', 1), finished('b', 2)], 2, []],
    ['one over: the oldest goes', [finished('c', 3), finished('a', 1, 'Failed'), finished('b', 2)], 2, ['a']],
    ['running pods never count', [finished('a', 1), pod('r1', { node: 'n1', created: T0 }), pod('r2', { node: 'n1', created: T0 })], 1, []],
    ['threshold 0 disables the count', [finished('a', 1), finished('b', 2)], 0, []],
    ['same age: by name', [finished('y', 1), finished('x', 1), finished('z', 1)], 1, ['x', 'y']],
    ['orphan: bound to a node that is not there', [pod('o', { node: 'gone' }), pod('ok', { node: 'n1' }), pod('pending')], 0, ['o']],
    ['unscheduled and terminating', [pod('t', { deleting: true }), pod('t2', { deleting: true, node: 'n1' })], 0, ['t']],
    ['a finished orphan is listed once', [finished('fo', 1, 'Failed', 'gone'), finished('b', 2)], 1, ['fo']],
  ];
  for (const [name, pods, threshold, want] of cases) t.deepEqual(plan(pods, nodes, threshold).map((i) => i.name), want, name);
  t.like(plan([pod('o', { node: 'gone' })], nodes, 0)[0], { reason: 'orphaned', node: 'gone', uid: 'uid-o' });
});

const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

test('gc force-deletes with grace 0; an orphan whose node the cache has not seen yet is kept', async (t) => {
  const f = fixture();
  f.client.seed(resources.nodes, node('n1'), node('late'));
  for (const p of [finished('old', 1), finished('mid', 2), finished('new', 3), pod('orphan', { node: 'gone' }), pod('early', { node: 'late' }), pod('stuck', { deleting: true })]) f.client.seed(resources.pods, p);
  const registry = new Registry();
  const c = new PodGCController(f.ctx, { ...defaultPodGCOptions(), terminatedPodThreshold: 2, registry });
  await f.refresh(resources.pods);
  // The cache knows n1 only: 'late' was registered after its last list.
  f.informers.informerFor(resources.nodes).replace([node('n1')]);
  f.client.clearActions();

  const done = await c.gc();
  t.deepEqual(done.map((i) => `${i.reason}:${i.name}`).sort(), ['orphaned:orphan', 'terminated:old', 'unscheduled-terminating:stuck']);
  const left = (await f.client.resource(resources.pods).list()).items.map((p) => p.metadata.name).sort();
  t.deepEqual(left, ['early', 'mid', 'new']);
  const deletes = f.client.actions.filter((a) => a.verb === 'delete');
  t.is(deletes.length, 3);
  t.deepEqual(
    f.client.actions.filter((a) => a.verb === 'get' && a.resource === 'nodes').map((a) => a.name).sort(),
    ['gone', 'late'],
    'each missing node checked once, fresh',
  );
  t.regex(await registry.metrics(), /pod_gc_collector_force_delete_pods_total\{namespace="default",reason="orphaned"\} 1/);

  await f.refresh(resources.pods);
  f.client.clearActions();
  t.deepEqual(await c.gc(), [], 'level-triggered: a second pass finds nothing more');
});

test('gc passes the grace period 0 and the uid precondition to the API', async (t) => {
  const f = fixture();
  f.client.seed(resources.pods, pod('stuck', { deleting: true }));
  const seen: unknown[] = [];
  const c = new PodGCController(f.ctx, defaultPodGCOptions());
  await f.refresh(resources.pods);
  await f.refresh(resources.nodes);
  const orig = f.client.resource.bind(f.client);
  f.client.resource = ((r: Parameters<typeof orig>[0], ns?: string) => {
    const rc = orig(r, ns);
    const del = rc.delete.bind(rc);
    rc.delete = (name, opts) => {
      seen.push(opts);
      return del(name, opts);
    };
    return rc;
  }) as typeof f.client.resource;
  await c.gc();
  t.like(seen[0], { gracePeriodSeconds: 0, preconditions: { uid: 'uid-stuck' } });
});
