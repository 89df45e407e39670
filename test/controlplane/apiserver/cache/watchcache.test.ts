// The watch cache over the in-memory reference Store: lists from memory,
// watches replayed from the ring, older revisions answered by the store,
// live events filtered by revision, slow watchers ended.
import test from 'ava';
import { MemoryStore } from '../../../../controlplane/storage/memory/store.js';
import { WatchCache } from '../../../../controlplane/apiserver/cache/watchcache.js';
import type { WatchEvent } from '../../../../controlplane/storage/types.js';

const enc = (s: string) => new TextEncoder().encode(s);

async function setup(capacity = 100, maxBacklog?: number) {
  const store = new MemoryStore();
  const cache = new WatchCache(store, '/pods/', { capacity, maxBacklog });
  const ac = new AbortController();
  const running = cache.run(ac.signal);
  return {
    store,
    cache,
    stop: async () => {
      ac.abort();
      await running;
      await store.close();
    },
  };
}

async function take(it: AsyncIterator<WatchEvent>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(`${r.value.type} ${r.value.kv.key} @${r.value.kv.modRevision}`);
  }
  return out;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

test('list serves current state from memory, only under the prefix asked', async (t) => {
  const { store, cache, stop } = await setup();
  t.teardown(stop);
  await store.create('/pods/a/p1', enc('1'));
  await store.create('/pods/b/p2', enc('2'));
  await store.create('/podsx/a/p3', enc('3'));
  const rev = await store.currentRevision();
  await until(() => cache.size === 2);
  const all = await cache.list('/pods/');
  t.deepEqual(all.items.map((kv) => kv.key), ['/pods/a/p1', '/pods/b/p2']);
  t.true(all.revision <= rev);
  t.deepEqual((await cache.list('/pods/a/')).items.map((kv) => kv.key), ['/pods/a/p1']);
});

test('a watch from a revision in the ring replays what came after it, then goes live', async (t) => {
  const { store, cache, stop } = await setup();
  t.teardown(stop);
  const r1 = await store.create('/pods/a/p1', enc('1'));
  await store.create('/pods/a/p2', enc('2'));
  await until(() => cache.size === 2);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const it = cache.watch('/pods/', r1, ac.signal)[Symbol.asyncIterator]();
  const first = take(it, 2);
  const r3 = await store.update('/pods/a/p1', r1, enc('1b'));
  t.deepEqual(await first, [`put /pods/a/p2 @${r1 + 1}`, `put /pods/a/p1 @${r3}`]);
});

test('a watch from before the ring falls back to the store', async (t) => {
  const { store, cache, stop } = await setup(100);
  t.teardown(stop);
  const r1 = await store.create('/pods/a/p0', enc('x'));
  for (let i = 1; i <= 150; i++) await store.create(`/pods/a/p${i}`, enc('x'));
  await until(() => cache.size === 151);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const got = await take(cache.watch('/pods/', r1, ac.signal)[Symbol.asyncIterator](), 3);
  t.deepEqual(got, [`put /pods/a/p1 @${r1 + 1}`, `put /pods/a/p2 @${r1 + 2}`, `put /pods/a/p3 @${r1 + 3}`]);
});

test('live events at or before the requested revision are not delivered twice', async (t) => {
  const { store, cache, stop } = await setup();
  t.teardown(stop);
  await store.create('/pods/a/p1', enc('1'));
  await until(() => cache.size === 1);
  const other = await store.create('/services/a/s', enc('s')); // a revision from another resource
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const it = cache.watch('/pods/', other, ac.signal)[Symbol.asyncIterator]();
  const next = take(it, 1);
  const r = await store.create('/pods/a/p2', enc('2'));
  t.deepEqual(await next, [`put /pods/a/p2 @${r}`]);
});

test('a watcher that falls too far behind is ended with an error', async (t) => {
  const { store, cache, stop } = await setup(100, 5);
  t.teardown(stop);
  await store.create('/pods/a/p0', enc('x'));
  await until(() => cache.size === 1);
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const it = cache.watch('/pods/', 0, ac.signal)[Symbol.asyncIterator]();
  const firstRead = it.next(); // registers the subscriber, then never reads again
  for (let i = 1; i <= 10; i++) await store.create(`/pods/a/p${i}`, enc('x'));
  await until(() => cache.size === 11);
  await firstRead;
  const err = await t.throwsAsync(async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
    }
  });
  t.regex(err?.message ?? '', /fell too far behind/);
});
