// The conformance suite against a real etcd (Debian etcd 3.4, started by the
// harness on free loopback ports), plus what only a cluster can show: a
// 3-member cluster losing a member, and kill -9 / restart of etcd itself.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Etcd3Store } from '../../../controlplane/storage/etcd3/store.js';
import { StoreError, type Revision, type Store, type WatchEvent } from '../../../controlplane/storage/types.js';
import { startEtcd, type EtcdCluster } from '../../harness/etcd.js';
import { conformance, crashSafety } from './conformance.js';

// One member for the conformance cases, shared by this file; each case gets its own key prefix.
// Cases run serially: compaction is cluster-wide.
let shared: EtcdCluster | undefined;
const fileCleanups: (() => void | Promise<void>)[] = [];
test.before(async () => {
  shared = await startEtcd({ teardown: (fn) => fileCleanups.push(fn) });
});
test.after.always(async () => {
  for (const fn of fileCleanups.reverse()) await fn();
});

let seq = 0;
conformance(test, {
  name: 'etcd3',
  serial: true,
  open: async () => new Etcd3Store({ endpoints: shared!.endpoints, prefix: `/kubets-test-${process.pid}-${seq++}` }),
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Retries a write that fails with Unavailable (a member just died; the client moves on). */
async function retrying<T>(fn: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 'Unavailable') || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function collect(store: Store, prefix: string, from: Revision, signal: AbortSignal): { events: WatchEvent[]; done: Promise<void> } {
  const events: WatchEvent[] = [];
  const done = (async () => {
    for await (const ev of store.watch(prefix, from, signal)) events.push(ev);
  })();
  return { events, done };
}

async function until(cond: () => boolean, what: string, boundMs = 30_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function threeMembers(t: ExecutionContext): Promise<{ cluster: EtcdCluster; store: Etcd3Store }> {
  const cluster = await startEtcd(t, { members: 3 });
  const store = new Etcd3Store({ endpoints: cluster.endpoints, prefix: '/registry' });
  t.teardown(() => store.close());
  return { cluster, store };
}

test.serial('etcd3: 3 members, one killed with SIGKILL: writes still succeed and a watch keeps delivering, in order', async (t) => {
  const { cluster, store } = await threeMembers(t);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const from = await store.currentRevision();
  const w = collect(store, '/pods/', from, ac.signal);
  const revs: Revision[] = [];
  for (let i = 0; i < 20; i++) revs.push(await store.create(`/pods/ns/p${i}`, enc(`${i}`)));
  await until(() => w.events.length >= 20, 'events before the kill');
  await cluster.kill(0);
  for (let i = 20; i < 60; i++) revs.push(await retrying(() => store.create(`/pods/ns/p${i}`, enc(`${i}`))));
  await until(() => w.events.length >= 60, 'events after the kill');
  t.deepEqual(w.events.map((e) => e.kv.modRevision), revs, 'no gap, no duplicate, in revision order');
  t.is(await store.count('/pods/'), 60);
  await cluster.restart(0);
  revs.push(await retrying(() => store.create('/pods/ns/after-restart', enc('x'))));
  await until(() => w.events.length >= 61, 'events after the restart');
  t.is(w.events[60].kv.key, '/pods/ns/after-restart');
  ac.abort();
  await w.done;
});

test.serial('etcd3: etcd killed with SIGKILL and restarted: acknowledged writes survive, a watch resumes, errors are Unavailable', async (t) => {
  const cluster = await startEtcd(t, { members: 1 });
  const store = new Etcd3Store({ endpoints: cluster.endpoints, prefix: '/registry', requestTimeoutMs: 2000 });
  t.teardown(() => store.close());
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const from = await store.currentRevision();
  const w = collect(store, '/crash/', from, ac.signal);
  // A burst from a child process while etcd is killed under it.
  await crashSafety(t, {
    writerConfig: { backend: 'etcd3', etcdServers: cluster.endpoints, etcdPrefix: '/registry' },
    crash: async () => {
      await cluster.kill(0);
      const err = await t.throwsAsync(store.get('/crash/x'), { instanceOf: StoreError });
      t.is((err as StoreError).code, 'Unavailable');
      await cluster.restart(0);
    },
    reopen: async () => new Etcd3Store({ endpoints: cluster.endpoints, prefix: '/registry' }),
  });
  // The watch opened before the crash resumed from its last revision: it ends up with every write, once, in order.
  const total = await retrying(() => store.count('/crash/'));
  await until(() => w.events.length >= total, 'the resumed watch to catch up');
  const revs = w.events.map((e) => e.kv.modRevision);
  t.is(new Set(revs).size, revs.length, 'no duplicate');
  t.true(revs.every((r, i) => i === 0 || r > revs[i - 1]), 'strictly increasing');
  t.is(w.events.length, total);
  ac.abort();
  await w.done;
});

test.serial('etcd3: a continue token whose revision was compacted is Compacted (410 upstream)', async (t) => {
  const store = new Etcd3Store({ endpoints: shared!.endpoints, prefix: `/kubets-test-${process.pid}-cont` });
  t.teardown(() => store.close());
  for (let i = 0; i < 5; i++) await store.create(`/cm/k${i}`, enc(String(i)));
  const page = await store.list('/cm/', { limit: 2 });
  t.true(page.more);
  t.is(page.remaining, 3);
  await store.update('/cm/k4', (await store.get('/cm/k4'))!.modRevision, enc('x'));
  await store.compact(await store.currentRevision());
  const err = await t.throwsAsync(store.list('/cm/', { continueFrom: page.continue! }), { instanceOf: StoreError });
  t.is((err as StoreError).code, 'Compacted');
});
