// Informer logic on the fake client: initial list, adds/updates/deletes from
// the watch, resume after a dropped stream, relist after 410 with the missed
// changes turned into events, resync, late handlers, indexers and listers.
import test from 'ava';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { SharedInformer } from '../../../controlplane/client/informer.js';
import { SharedInformerFactory } from '../../../controlplane/client/factory.js';
import { Indexer, indexFuncs, keyOf } from '../../../controlplane/client/indexer.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { ListerWatcher } from '../../../controlplane/client/informer.js';
import type { WatchEvent, WatchOptions } from '../../../controlplane/client/interfaces.js';
import { FakeClient } from '../../../controlplane/client/testing/fake.js';
import { FakeClock, flush } from '../../../controlplane/client/testing/clock.js';

const pod = (name: string, node = '', labels: Record<string, string> = {}, ns = 'default'): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(node ? { nodeName: node } : {}) },
});

function record(inf: SharedInformer<Pod>) {
  const log: string[] = [];
  inf.onAdd((p) => log.push(`add ${keyOf(p)}`));
  inf.onUpdate((a, b) => log.push(`update ${keyOf(b)} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`));
  inf.onDelete((p) => log.push(`delete ${keyOf(p)}`));
  return log;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('lists, syncs, then follows adds, updates and deletes', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('a', 'n1'), pod('b'));
  const inf = new SharedInformer<Pod>(fake.resource(resources.pods));
  const log = record(inf);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  t.true(await inf.waitForSync());
  t.deepEqual(log.sort(), ['add default/a', 'add default/b']);
  log.length = 0;
  const pods = fake.resource(resources.pods, 'default');
  await pods.create(pod('c'));
  const b = await pods.get('b');
  b.metadata.labels = { x: 'y' };
  await pods.update(b);
  await pods.delete('a');
  await until(() => log.length === 3, 'three events');
  t.deepEqual(log, ['add default/c', 'update default/b 2->4', 'delete default/a']);
  t.is(inf.lister.get('default/b')?.metadata.labels?.x, 'y');
  t.is(inf.lister.get('default/a'), undefined);
  ac.abort();
  await run;
});

test('a 410 on watch relists; the difference becomes add/update/delete events', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('keep'), pod('gone'), pod('changed'));
  // A ListerWatcher whose first watch ends at once, so we can change things "while disconnected".
  const base = fake.resource(resources.pods);
  let watches = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const lw: ListerWatcher<Pod> = {
    listAll: (o) => base.listAll(o),
    watch: (o: WatchOptions) => ({
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<Pod>> {
        if (watches++ === 0) {
          await gate;
          return; // stream dropped
        }
        yield* base.watch(o);
      },
    }),
  };
  const inf = new SharedInformer<Pod>(lw);
  const log = record(inf);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync();
  log.length = 0;
  const pods = fake.resource(resources.pods, 'default');
  await pods.delete('gone');
  const c = await pods.get('changed');
  c.metadata.annotations = { a: 'b' };
  await pods.update(c);
  await pods.create(pod('new'));
  fake.compact();
  release();
  await until(() => log.length === 3, 'relist diff');
  t.deepEqual(log.sort(), ['add default/new', 'delete default/gone', 'update default/changed 3->5']);
  t.deepEqual(inf.lister.list().map(keyOf).sort(), ['default/changed', 'default/keep', 'default/new']);
  ac.abort();
  await run;
});

test('a dropped watch resumes from the last resourceVersion without relisting', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('a'));
  const base = fake.resource(resources.pods);
  const seen: string[] = [];
  let lists = 0;
  const lw: ListerWatcher<Pod> = {
    listAll: (o) => {
      lists++;
      return base.listAll(o);
    },
    watch: (o: WatchOptions) => {
      seen.push(o.resourceVersion ?? '');
      return {
        async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<Pod>> {
          // Each stream delivers one event then drops.
          for await (const ev of base.watch(o)) {
            yield ev;
            return;
          }
        },
      };
    },
  };
  const inf = new SharedInformer<Pod>(lw);
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync();
  const pods = fake.resource(resources.pods, 'default');
  await pods.create(pod('b'));
  await pods.create(pod('c'));
  await until(() => inf.lister.list().length === 3, 'both creates');
  t.is(lists, 1);
  t.deepEqual(seen.slice(0, 3), ['1', '2', '3']);
  ac.abort();
  await run;
});

test('periodic resync re-delivers every object as update(obj, obj), in [1x, 2x) of the period', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('a'), pod('b'));
  const clock = new FakeClock();
  const inf = new SharedInformer<Pod>(fake.resource(resources.pods), { resyncMs: 10_000, clock, rand: () => 0.5 });
  t.is(inf.resyncPeriodMs, 15_000);
  const updates: string[] = [];
  inf.onUpdate((a, b) => {
    t.is(a, b);
    updates.push(keyOf(b));
  });
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync();
  await clock.advance(14_999);
  t.is(updates.length, 0);
  await clock.advance(1);
  t.deepEqual(updates.sort(), ['default/a', 'default/b']);
  await clock.advance(15_000);
  t.is(updates.length, 4);
  ac.abort();
  await run;
});

test('a handler added after sync receives adds for the cached objects; a throwing handler does not stop others', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('a'));
  const inf = new SharedInformer<Pod>(fake.resource(resources.pods));
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  await inf.waitForSync();
  inf.onAdd(() => {
    throw new Error('boom');
  });
  const late: string[] = [];
  inf.onAdd((p) => late.push(keyOf(p)));
  t.deepEqual(late, ['default/a']);
  await fake.resource(resources.pods, 'default').create(pod('b'));
  await until(() => late.length === 2, 'second add');
  ac.abort();
  await run;
});

test('indexers: namespace, node name, owner UID and label; kept current on update and delete', (t) => {
  const ix = new Indexer<Pod>({ namespace: indexFuncs.namespace, node: indexFuncs.nodeName, owner: indexFuncs.ownerUID, label: indexFuncs.label });
  const p1 = pod('a', 'n1', { app: 'web' });
  p1.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }];
  ix.set(keyOf(p1), p1);
  ix.set('kube-system/b', pod('b', 'n2', { app: 'dns' }, 'kube-system'));
  t.deepEqual(ix.byIndex('namespace', 'default').map(keyOf), ['default/a']);
  t.deepEqual(ix.byIndex('node', 'n2').map(keyOf), ['kube-system/b']);
  t.deepEqual(ix.byIndex('owner', 'u1').map(keyOf), ['default/a']);
  t.deepEqual(ix.byIndex('label', 'app=web').map(keyOf), ['default/a']);
  ix.set('default/a', pod('a', 'n2', { app: 'api' }));
  t.deepEqual(ix.byIndex('node', 'n1'), []);
  t.is(ix.byIndex('node', 'n2').length, 2);
  t.deepEqual(ix.byIndex('owner', 'u1'), []);
  t.deepEqual(ix.byIndex('label', 'app=web'), []);
  ix.delete('default/a');
  t.deepEqual(ix.byIndex('node', 'n2').map(keyOf), ['kube-system/b']);
  t.throws(() => ix.byIndex('nope', 'x'));
});

test('the factory shares one informer per resource and selection; listers never call the server', async (t) => {
  const fake = new FakeClient();
  fake.seed(resources.pods, pod('a', 'n1'), pod('b', 'n2'));
  fake.seed(resources.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const f = new SharedInformerFactory(fake);
  const pods1 = f.informerFor(resources.pods);
  t.is(f.informerFor(resources.pods), pods1);
  t.not(f.informerFor(resources.pods, { namespace: 'kube-system' }), pods1);
  const nodes = f.informerFor(resources.nodes);
  const ac = new AbortController();
  f.start(ac.signal);
  t.true(await f.waitForCacheSync(ac.signal));
  fake.clearActions();
  t.deepEqual(pods1.lister.byIndex('spec.nodeName', 'n2').map(keyOf), ['default/b']);
  t.is(nodes.lister.get('n1')?.metadata.name, 'n1');
  t.is(pods1.lister.list().length, 2);
  await flush();
  t.deepEqual(fake.actions, [], 'no calls from listers');
  ac.abort();
  await f.shutdown();
});
