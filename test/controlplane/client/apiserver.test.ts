// The client against the real kube-apiserver (in-process, sqlite store):
// kubeconfig end to end, CRUD with the server's errors, paging, watch resume,
// an informer through adds/updates/deletes and a relist after compaction,
// leader election hand-over between two electors, and event aggregation.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Event, Pod } from '../../../controlplane/api/core/v1/types.js';
import { GoneError, isAlreadyExists, isConflict, isNotFound } from '../../../controlplane/client/errors.js';
import { EventBroadcaster } from '../../../controlplane/client/events.js';
import { SharedInformer, type ListerWatcher } from '../../../controlplane/client/informer.js';
import type { ResourceClient, WatchEvent, WatchOptions } from '../../../controlplane/client/interfaces.js';
import { loadRestConfig } from '../../../controlplane/client/kubeconfig.js';
import { LeaderElector } from '../../../controlplane/client/leaderelection.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import { keyOf } from '../../../controlplane/client/indexer.js';
import { startApiServer, type TestApiServer } from '../../harness/apiserver.js';

let srv: TestApiServer;
let client: RestClient;

test.before(async () => {
  srv = await startApiServer();
  client = new RestClient({ server: srv.url, source: 'test' }, { qps: 0 });
});
test.after.always(async () => {
  client?.close();
  await srv?.stop();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels: Record<string, string> = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});
const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Pushes a revision out of the apiserver's watch cache (a ring of at least 100
 * events per resource) so that compacting the store makes it answer 410.
 */
async function churn(cms: ResourceClient<ConfigMap>, n = 60): Promise<void> {
  for (let i = 0; i < n; i++) await cms.create(cm(`churn-${i}`));
  await cms.deleteCollection({ labelSelector: '!keep' });
}

async function namespace(name: string): Promise<string> {
  await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

test.serial('[integration] a kubeconfig file with --master override reaches the server', async (t) => {
  const d = await mkdtemp(join(tmpdir(), 'kubets-client-kc-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  await writeFile(
    join(d, 'kubeconfig'),
    `apiVersion: v1
kind: Config
current-context: local
clusters: [{ name: local, cluster: { server: "http://127.0.0.1:1" } }]
users: [{ name: admin, user: { token: abc } }]
contexts: [{ name: local, context: { cluster: local, user: admin, namespace: kube-system } }]
`,
  );
  const cfg = loadRestConfig({ kubeconfig: join(d, 'kubeconfig'), master: srv.url, env: {} });
  const c = new RestClient(cfg, { qps: 0 });
  const ns = await c.resource(resources.namespaces).get(cfg.namespace!);
  t.is(ns.metadata.name, 'kube-system');
  c.close();
});

test('[integration] CRUD, patches, status and the server’s errors', async (t) => {
  const ns = await namespace('crud');
  const cms = client.resource(resources.configmaps, ns);
  const created = await cms.create(cm('one'));
  t.truthy(created.metadata.uid);
  t.true(isAlreadyExists(await t.throwsAsync(cms.create(cm('one')))));
  t.true(isNotFound(await t.throwsAsync(cms.get('none'))));
  const got = await cms.get('one');
  got.data = { a: '2' };
  const updated = await cms.update(got);
  t.is(updated.data?.a, '2');
  t.true(isConflict(await t.throwsAsync(cms.update(created))), 'stale resourceVersion → Conflict');
  t.is((await cms.patch('one', 'merge', { data: { b: '3' } })).data?.b, '3');
  t.is((await cms.patch('one', 'strategic', { metadata: { labels: { x: 'y' } } })).metadata.labels?.x, 'y');
  t.is((await cms.patch('one', 'json', [{ op: 'replace', path: '/data/a', value: '9' }])).data?.a, '9');
  // status subresource on pods
  const pods = client.resource(resources.pods, ns);
  const p = await pods.create(pod('p'));
  p.status = { phase: 'Running' };
  t.is((await pods.updateStatus(p)).status?.phase, 'Running');
  const deleted = await cms.delete('one');
  t.true(deleted === undefined || deleted.metadata.name === 'one', 'the server answers with the object or a Status');
  t.true(isNotFound(await t.throwsAsync(cms.get('one'))));
  for (let i = 0; i < 3; i++) await cms.create(cm(`del-${i}`, {}, { batch: 'x' }));
  await cms.create(cm('keep'));
  await cms.deleteCollection({ labelSelector: 'batch=x' });
  const left = (await cms.list()).items.map((c) => c.metadata.name).filter((n) => n !== 'kube-root-ca.crt');
  t.deepEqual(left, ['keep']);
});

test('[integration] paging: listAll follows continue tokens at one revision; selectors filter', async (t) => {
  const ns = await namespace('paging');
  const cms = client.resource(resources.configmaps, ns);
  for (let i = 0; i < 25; i++) await cms.create(cm(`c${String(i).padStart(2, '0')}`, {}, { parity: i % 2 ? 'odd' : 'even' }));
  const page = await cms.list({ limit: 10 });
  t.is(page.items.length, 10);
  t.truthy(page.continue);
  // (+1: the namespace's kube-root-ca.crt, when the publisher runs)
  const all = await cms.listAll({ pageSize: 7 });
  all.items = all.items.filter((c) => c.metadata.labels?.parity);
  t.is(all.items.length, 25);
  t.is(new Set(all.items.map((c) => c.metadata.name)).size, 25);
  t.is((await cms.listAll({ pageSize: 4, labelSelector: 'parity=odd' })).items.length, 12);
  t.is((await cms.list({ fieldSelector: 'metadata.name=c03' })).items.length, 1);
});

test('[integration] watch from a resourceVersion, then resume from the last one seen', async (t) => {
  const ns = await namespace('watching');
  const cms = client.resource(resources.configmaps, ns);
  const { resourceVersion } = await cms.list();
  await cms.create(cm('w1'));
  await cms.create(cm('w2'));
  const ac = new AbortController();
  let last = '';
  const seen: string[] = [];
  for await (const ev of cms.watch({ resourceVersion, signal: ac.signal })) {
    seen.push(`${ev.type} ${ev.object.metadata.name}`);
    last = ev.object.metadata.resourceVersion!;
    if (seen.length === 2) ac.abort();
  }
  t.deepEqual(seen, ['ADDED w1', 'ADDED w2']);
  await cms.delete('w1');
  await cms.create(cm('w3'));
  const ac2 = new AbortController();
  const seen2: string[] = [];
  for await (const ev of cms.watch({ resourceVersion: last, signal: ac2.signal })) {
    seen2.push(`${ev.type} ${ev.object.metadata.name}`);
    if (seen2.length === 2) ac2.abort();
  }
  t.deepEqual(seen2, ['DELETED w1', 'ADDED w3'], 'only what happened after the last event');
  // timeoutSeconds ends the stream cleanly (otherwise this loop would never end),
  // after replaying what happened since `last`.
  const seen3: string[] = [];
  for await (const ev of cms.watch({ resourceVersion: last, timeoutSeconds: 1 })) seen3.push(`${ev.type} ${ev.object.metadata.name}`);
  t.deepEqual(seen3, ['DELETED w1', 'ADDED w3']);
});

test.serial('[integration] watch from a compacted revision answers 410 as GoneError', async (t) => {
  const ns = await namespace('gone');
  const cms = client.resource(resources.configmaps, ns);
  const { resourceVersion } = await cms.list();
  await cms.create(cm('g1'));
  await cms.create(cm('g2'));
  await churn(client.resource(resources.configmaps, ns));
  await srv.store.compact(await srv.store.currentRevision());
  const err = await t.throwsAsync(
    (async () => {
      for await (const ev of cms.watch({ resourceVersion })) void ev;
    })(),
    { instanceOf: GoneError },
  );
  t.is(err!.code, 410);
});

test.serial('[integration] an informer sees adds, updates and deletes, and relists after a 410', async (t) => {
  const ns = await namespace('informer');
  await namespace('informer-churn');
  const cms = client.resource(resources.configmaps, ns);
  await cms.create(cm('before'));
  // Wrap the real client so the test can cut the watch stream and hold the re-watch.
  let cut = () => undefined as void;
  let hold: Promise<void> | undefined;
  let rewatches = 0;
  const lw: ListerWatcher<ConfigMap> = {
    listAll: (o) => cms.listAll(o),
    watch: (o: WatchOptions) => ({
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<ConfigMap>> {
        rewatches++;
        if (hold) await hold;
        const ac = new AbortController();
        cut = () => ac.abort();
        o.signal?.addEventListener('abort', () => ac.abort(), { once: true });
        yield* cms.watch({ ...o, signal: ac.signal });
      },
    }),
  };
  const inf = new SharedInformer<ConfigMap>(lw, { name: 'configmaps' });
  const log: string[] = [];
  inf.onAdd((o) => log.push(`add ${o.metadata.name}`));
  inf.onUpdate((a, b) => log.push(`update ${b.metadata.name} ${a.data?.a}->${b.data?.a}`));
  inf.onDelete((o) => log.push(`delete ${o.metadata.name}`));
  const ac = new AbortController();
  const run = inf.run(ac.signal);
  t.true(await inf.waitForSync());
  await until(() => rewatches === 1, 'first watch');
  const live = (n: number) => until(() => log.length >= n, `${n} events: ${log.join(', ')}`);
  await cms.create(cm('x'));
  await live(2);
  await cms.patch('x', 'merge', { data: { a: '2' } });
  await live(3);
  await cms.delete('before');
  await live(4);
  t.deepEqual(log.filter((l) => !l.includes('kube-root-ca')), ['add before', 'add x', 'update x 1->2', 'delete before']);

  // Cut the stream, change things while disconnected, compact past the informer's revision.
  let release!: () => void;
  hold = new Promise<void>((r) => (release = r));
  cut();
  await until(() => rewatches === 2, 'the re-watch to be held');
  log.length = 0;
  await cms.create(cm('y'));
  await cms.patch('x', 'merge', { data: { a: '3' } });
  await cms.delete('x');
  await cms.create(cm('z'));
  await cms.patch('z', 'merge', { data: { a: '5' } });
  await churn(client.resource(resources.configmaps, 'informer-churn'));
  await srv.store.compact(await srv.store.currentRevision());
  hold = undefined;
  release();
  await until(() => log.length >= 3, `relist events: ${log.join(', ')}`);
  t.deepEqual(log.sort(), ['add y', 'add z', 'delete x']);
  t.deepEqual(inf.lister.list().map(keyOf).filter((k) => !k.includes('kube-root-ca')).sort(), ['informer/y', 'informer/z']);
  t.is(inf.lister.get('informer/z')?.data?.a, '5');
  // And it keeps watching after the relist.
  await cms.create(cm('after'));
  await until(() => log.includes('add after'), 'watch after relist');
  ac.abort();
  await run;
});

test.serial('[integration] leader election: killing the leader hands the lease to the standby within the lease duration', async (t) => {
  const leases = client.resource(resources.leases, 'kube-system');
  const timing = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 300 };
  const started: string[] = [];
  const mk = (id: string, releaseOnCancel: boolean) =>
    new LeaderElector({
      leases,
      name: `sched-${releaseOnCancel ? 'release' : 'crash'}`,
      identity: id,
      releaseOnCancel,
      ...timing,
      callbacks: {
        onStartedLeading: async (sig) => {
          started.push(`${id} ${Date.now()}`);
          await new Promise<void>((r) => sig.addEventListener('abort', () => r(), { once: true }));
        },
      },
    });
  for (const releaseOnCancel of [true, false]) {
    started.length = 0;
    const a = mk('a', releaseOnCancel);
    const b = mk('b', releaseOnCancel);
    const acA = new AbortController();
    const acB = new AbortController();
    const runA = a.run(acA.signal);
    await until(() => started.length === 1, 'a to lead');
    const runB = b.run(acB.signal);
    await new Promise((r) => setTimeout(r, 700));
    t.is(started.length, 1, 'b waits while a renews');
    t.is(b.getLeader(), 'a');
    const killed = Date.now();
    acA.abort();
    await runA;
    await until(() => started.length === 2, 'b to lead', 5000);
    const took = Number(started[1].split(' ')[1]) - killed;
    t.true(started[1].startsWith('b'));
    // No upper bounds on time here (tests don't assert timings; a loaded machine is slow):
    // a crashed leader's lease is never taken before it could have expired.
    if (!releaseOnCancel) t.true(took >= timing.leaseDurationMs - timing.retryPeriodMs, `crashed: took over after ${took} ms, before the lease could expire`);
    const l = await leases.get(`sched-${releaseOnCancel ? 'release' : 'crash'}`);
    t.is(l.spec?.holderIdentity, 'b');
    t.is(l.spec?.leaseTransitions, releaseOnCancel ? 0 : 1, 'a released lease has no holder to transition from');
    acB.abort();
    await runB;
  }
});

test('[integration] events: repeats aggregate into one Event with count and lastTimestamp', async (t) => {
  const ns = await namespace('events');
  const p = await client.resource(resources.pods, ns).create(pod('web'));
  const b = new EventBroadcaster(client, { qps: 50, burst: 100 });
  const rec = b.newRecorder({ component: 'default-scheduler' });
  const ref = { ...p, kind: 'Pod', apiVersion: 'v1' };
  const ac = new AbortController();
  const run = b.run(ac.signal);
  rec.event(ref, 'Normal', 'Scheduled', 'Successfully assigned events/web to n1');
  await until(async () => (await client.resource(resources.events, ns).list()).items.length === 1, 'first event');
  await new Promise((r) => setTimeout(r, 1100)); // lastTimestamp has second precision
  rec.event(ref, 'Normal', 'Scheduled', 'Successfully assigned events/web to n1');
  rec.event(ref, 'Normal', 'Scheduled', 'Successfully assigned events/web to n1');
  rec.event(ref, 'Warning', 'FailedMount', 'volume not found');
  await until(async () => {
    const items = (await client.resource(resources.events, ns).list()).items;
    return items.length === 2 && items.some((e) => e.count === 3);
  }, 'aggregated events');
  ac.abort();
  await run;
  const items: Event[] = (await client.resource(resources.events, ns).list()).items;
  const sched = items.find((e) => e.reason === 'Scheduled')!;
  t.is(sched.count, 3);
  t.is(sched.type, 'Normal');
  t.is(sched.source?.component, 'default-scheduler');
  t.is(sched.involvedObject.name, 'web');
  t.is(sched.involvedObject.uid, p.metadata.uid);
  t.true(Date.parse(sched.lastTimestamp!) > Date.parse(sched.firstTimestamp!), 'x3 over >0s');
  t.is(items.find((e) => e.reason === 'FailedMount')?.count, 1);
});
