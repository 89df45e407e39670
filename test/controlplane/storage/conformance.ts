/**
 * One conformance suite for every Store backend: the same cases, unchanged,
 * against memory/, sqlite/ (temp file) and etcd3/ (real etcd). Each case gets
 * a fresh store from the factory (isolated by temp dir or key prefix) and
 * asserts etcd semantics only through the Store interface. No timing
 * assertions: waits are bounded only so a broken backend fails instead of
 * hanging.
 */
import type { ExecutionContext, TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { StoreError, type KV, type Revision, type Store, type StoreErrorCode, type WatchEvent } from '../../../controlplane/storage/types.js';

export type StoreFactory = (t: ExecutionContext) => Promise<Store>;

export interface ConformanceOptions {
  /** Test title prefix, e.g. 'sqlite'. */
  name: string;
  open: StoreFactory;
  /** Run cases one at a time (a shared etcd: compaction is cluster-wide). */
  serial?: boolean;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function expectCode(t: ExecutionContext, p: Promise<unknown>, code: StoreErrorCode): Promise<StoreError> {
  const err = await t.throwsAsync(p, { instanceOf: StoreError });
  t.is((err as StoreError).code, code, (err as StoreError).message);
  return err as StoreError;
}

/** Takes exactly n events (or fails after a generous bound), then stops the watch. */
export async function take(store: Store, prefix: string, from: Revision, n: number, boundMs = 20_000): Promise<WatchEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), boundMs);
  const out: WatchEvent[] = [];
  try {
    for await (const ev of store.watch(prefix, from, ac.signal)) {
      out.push(ev);
      if (out.length >= n) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return out;
}

/** A watch must refuse a compacted start, synchronously or on its first next(). */
async function expectWatchCode(t: ExecutionContext, store: Store, prefix: string, from: Revision, code: StoreErrorCode): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20_000);
  try {
    await expectCode(
      t,
      (async () => {
        for await (const ev of store.watch(prefix, from, ac.signal)) void ev;
      })(),
      code,
    );
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

/** GuaranteedUpdate: read, modify, CAS; on Conflict retry from the current value carried by the error. */
async function increment(store: Store, key: string): Promise<void> {
  let cur: KV | undefined = await store.get(key);
  for (;;) {
    if (!cur) throw new Error(`${key} vanished`);
    try {
      await store.update(key, cur.modRevision, enc(String(Number(dec(cur.value)) + 1)));
      return;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Conflict') {
        cur = err.current ?? (await store.get(key));
        continue;
      }
      throw err;
    }
  }
}

interface Case {
  title: string;
  run(t: ExecutionContext, s: Store): Promise<void>;
}

const cases: Case[] = [
  {
    title: 'create, get, and the errors of a missing or existing key',
    async run(t, s) {
      const r1 = await s.create('/registry/pods/ns/a', enc('v1'));
      t.true(r1 > 0);
      const kv = await s.get('/registry/pods/ns/a');
      t.truthy(kv);
      t.is(dec(kv!.value), 'v1');
      t.is(kv!.key, '/registry/pods/ns/a');
      t.is(kv!.createRevision, r1);
      t.is(kv!.modRevision, r1);
      await expectCode(t, s.create('/registry/pods/ns/a', enc('v2')), 'AlreadyExists');
      t.is(dec((await s.get('/registry/pods/ns/a'))!.value), 'v1', 'a failed create changes nothing');
      t.is(await s.get('/registry/pods/ns/missing'), undefined);
      await expectCode(t, s.update('/registry/pods/ns/missing', r1, enc('x')), 'NotFound');
      await expectCode(t, s.update('/registry/pods/ns/missing', 0, enc('x')), 'NotFound');
      t.is(await s.get('/registry/pods/ns/missing'), undefined, 'an update never creates');
      await expectCode(t, s.delete('/registry/pods/ns/missing'), 'NotFound');
      t.true((await s.currentRevision()) >= r1);
      await s.check();
    },
  },
  {
    title: 'update is compare-and-swap on modRevision',
    async run(t, s) {
      const r1 = await s.create('/registry/cm/a', enc('1'));
      const r2 = await s.update('/registry/cm/a', r1, enc('2'));
      t.true(r2 > r1);
      const kv = await s.get('/registry/cm/a');
      t.is(kv!.modRevision, r2);
      t.is(kv!.createRevision, r1, 'createRevision survives updates');
      const err = await expectCode(t, s.update('/registry/cm/a', r1, enc('stale')), 'Conflict');
      t.is(err.current?.modRevision, r2, 'Conflict carries the current value');
      t.is(dec(err.current!.value), '2');
      t.is(dec((await s.get('/registry/cm/a'))!.value), '2');
    },
  },
  {
    title: 'concurrent CAS: exactly one of N updaters wins each round; retried increments are never lost',
    async run(t, s) {
      const key = '/registry/counters/c';
      await s.create(key, enc('0'));
      const N = 8;
      for (let round = 0; round < 5; round++) {
        const cur = (await s.get(key))!;
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, i) => s.update(key, cur.modRevision, enc(`round${round}-writer${i}`))),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        t.is(won.length, 1, `round ${round}: one winner`);
        for (const l of lost) t.is((l.reason as StoreError).code, 'Conflict');
      }
      await s.update(key, (await s.get(key))!.modRevision, enc('0'));
      const K = 10;
      await Promise.all(Array.from({ length: N }, async () => {
        for (let k = 0; k < K; k++) await increment(s, key);
      }));
      t.is(dec((await s.get(key))!.value), String(N * K));
    },
  },
  {
    title: 'delete with and without a precondition; re-create starts a new life',
    async run(t, s) {
      const r1 = await s.create('/registry/sec/a', enc('a1'));
      const r2 = await s.update('/registry/sec/a', r1, enc('a2'));
      const c = await expectCode(t, s.delete('/registry/sec/a', r1), 'Conflict');
      t.is(c.current?.modRevision, r2);
      t.truthy(await s.get('/registry/sec/a'), 'a failed delete changes nothing');
      const d = await s.delete('/registry/sec/a', r2);
      t.true(d.revision > r2);
      t.is(dec(d.prev.value), 'a2');
      t.is(d.prev.modRevision, r2);
      t.is(await s.get('/registry/sec/a'), undefined);
      await expectCode(t, s.delete('/registry/sec/a'), 'NotFound');
      await expectCode(t, s.update('/registry/sec/a', r2, enc('x')), 'NotFound');
      const r3 = await s.create('/registry/sec/a', enc('b1'));
      t.true(r3 > d.revision);
      t.is((await s.get('/registry/sec/a'))!.createRevision, r3);
      const d2 = await s.delete('/registry/sec/a');
      t.is(dec(d2.prev.value), 'b1');
      const r4 = await s.create('/registry/sec/b', enc('b'));
      await expectCode(t, s.delete('/registry/sec/b', r4 + 1000), 'Conflict');
    },
  },
  {
    title: 'list by prefix, in key order, with no leakage across /registry/pods and /registry/podsx',
    async run(t, s) {
      for (const k of ['/registry/pods/ns/b', '/registry/podsx/ns/c', '/registry/pods/ns/a', '/registry/pod', '/registry/pods/other/z', '/registry/pods']) {
        await s.create(k, enc(k));
      }
      const l = await s.list('/registry/pods/');
      t.deepEqual(l.items.map((i) => i.key), ['/registry/pods/ns/a', '/registry/pods/ns/b', '/registry/pods/other/z']);
      t.false(l.more);
      t.is(l.continue, undefined);
      t.is(l.revision, await s.currentRevision());
      t.deepEqual((await s.list('/registry/pods/ns/')).items.map((i) => dec(i.value)), ['/registry/pods/ns/a', '/registry/pods/ns/b']);
      t.deepEqual((await s.list('/registry/podsx/')).items.map((i) => i.key), ['/registry/podsx/ns/c']);
      t.is(await s.count('/registry/pods/'), 3);
      t.is(await s.count('/registry/podsx/'), 1);
      t.is(await s.count('/registry/none/'), 0);
      t.deepEqual((await s.list('/registry/none/')).items, []);
      await s.delete('/registry/pods/ns/a');
      t.deepEqual((await s.list('/registry/pods/')).items.map((i) => i.key), ['/registry/pods/ns/b', '/registry/pods/other/z']);
      t.is(await s.count('/registry/pods/'), 2);
    },
  },
  {
    title: 'limit + continue: pages are consistent at the first page\'s revision across concurrent writes',
    async run(t, s) {
      const key = (i: number): string => `/registry/cm/ns/k${String(i).padStart(3, '0')}`;
      for (let i = 0; i < 25; i++) await s.create(key(i), enc(`v${i}`));
      const snapshot = (await s.list('/registry/cm/')).items.map((i) => `${i.key}=${dec(i.value)}`);
      let page = await s.list('/registry/cm/', { limit: 10 });
      const rev0 = page.revision;
      const seen = page.items.map((i) => `${i.key}=${dec(i.value)}`);
      t.is(page.items.length, 10);
      t.true(page.more);
      t.truthy(page.continue);
      let n = 0;
      while (page.more) {
        // Writes between pages: before, inside and after the remaining range.
        await s.create(`/registry/cm/ns/k${String(n).padStart(3, '0')}a`, enc('new'));
        await s.update(key(20), (await s.get(key(20)))!.modRevision, enc(`changed${n}`));
        await s.delete(key(24 - n));
        await s.create(`/registry/cm/ns/zz${n}`, enc('new'));
        page = await s.list('/registry/cm/', { limit: 10, continueFrom: page.continue! });
        t.is(page.revision, rev0, 'every page is served at the first page\'s revision');
        seen.push(...page.items.map((i) => `${i.key}=${dec(i.value)}`));
        n++;
      }
      t.deepEqual(seen, snapshot);
      t.is(n, 2);
      await expectCode(t, s.list('/registry/cm/', { limit: 10, continueFrom: 'not-a-token' }), 'InvalidContinue');
    },
  },
  {
    title: 'list at a revision sees exactly that state; future revisions are refused',
    async run(t, s) {
      const r1 = await s.create('/registry/x/a', enc('a1'));
      const r2 = await s.update('/registry/x/a', r1, enc('a2'));
      const r3 = await s.create('/registry/x/b', enc('b1'));
      const r4 = (await s.delete('/registry/x/a')).revision;
      const at = async (rev: Revision): Promise<string[]> =>
        (await s.list('/registry/x/', { atRevision: rev })).items.map((i) => `${i.key.slice('/registry/x/'.length)}=${dec(i.value)}@${i.modRevision}`);
      t.deepEqual(await at(r1), [`a=a1@${r1}`]);
      t.deepEqual(await at(r2), [`a=a2@${r2}`]);
      t.deepEqual(await at(r3), [`a=a2@${r2}`, `b=b1@${r3}`]);
      t.deepEqual(await at(r4), [`b=b1@${r3}`]);
      t.is((await s.list('/registry/x/', { atRevision: r2 })).revision, r2);
      const paged = await s.list('/registry/x/', { atRevision: r3, limit: 1 });
      t.deepEqual(paged.items.map((i) => i.key), ['/registry/x/a']);
      t.true(paged.more);
      const rest = await s.list('/registry/x/', { continueFrom: paged.continue! });
      t.deepEqual(rest.items.map((i) => i.key), ['/registry/x/b']);
      t.is(rest.revision, r3);
      await expectCode(t, s.list('/registry/x/', { atRevision: (await s.currentRevision()) + 100 }), 'FutureRevision');
    },
  },
  {
    title: 'watch delivers puts and deletes in strictly increasing revision order, with prev values',
    async run(t, s) {
      const from = await s.currentRevision();
      const got = take(s, '/registry/w/', from, 5);
      const r1 = await s.create('/registry/w/a', enc('a1'));
      await s.create('/registry/wx/leak', enc('no'));
      const r2 = await s.update('/registry/w/a', r1, enc('a2'));
      const r3 = await s.create('/registry/w/b', enc('b1'));
      const d = await s.delete('/registry/w/a');
      const r5 = await s.update('/registry/w/b', r3, enc('b2'));
      const evs = await got;
      t.deepEqual(evs.map((e) => e.kv.modRevision), [r1, r2, r3, d.revision, r5]);
      for (let i = 1; i < evs.length; i++) t.true(evs[i].kv.modRevision > evs[i - 1].kv.modRevision);
      t.deepEqual(evs.map((e) => `${e.type}:${e.kv.key}:${e.created}`), [
        'put:/registry/w/a:true', 'put:/registry/w/a:false', 'put:/registry/w/b:true', 'delete:/registry/w/a:false', 'put:/registry/w/b:false',
      ]);
      t.is(dec(evs[0].kv.value), 'a1');
      t.is(evs[0].kv.createRevision, r1);
      t.is(evs[0].prev, undefined);
      t.is(dec(evs[1].prev!.value), 'a1');
      t.is(evs[1].prev!.modRevision, r1);
      t.is(evs[1].kv.createRevision, r1);
      t.is(dec(evs[3].prev!.value), 'a2', 'a delete carries the deleted value');
      t.is(evs[3].prev!.modRevision, r2);
      t.is(evs[3].kv.key, '/registry/w/a');
      t.is(dec(evs[4].prev!.value), 'b1');
    },
  },
  {
    title: 'watch from 0 starts now; a watch resumes from a revision with no gap and no duplicate',
    async run(t, s) {
      await s.create('/registry/r/before', enc('x'));
      const live = take(s, '/registry/r/', 0, 1);
      await new Promise((r) => setTimeout(r, 50)); // let the watch establish (backends that pin "now" asynchronously)
      const revs: Revision[] = [];
      for (let i = 0; i < 10; i++) revs.push(await s.create(`/registry/r/k${i}`, enc(String(i))));
      const first = await live;
      t.true(first[0].kv.key.startsWith('/registry/r/k'), 'the earlier write is not replayed');
      // Resume from the 3rd write: k3..k9, then stop after 4 and resume from the last one delivered.
      const a = await take(s, '/registry/r/', revs[2], 4);
      t.deepEqual(a.map((e) => e.kv.key), ['/registry/r/k3', '/registry/r/k4', '/registry/r/k5', '/registry/r/k6']);
      const b = take(s, '/registry/r/', a[3].kv.modRevision, 4);
      const more = await s.create('/registry/r/k10', enc('10'));
      const bb = await b;
      t.deepEqual(bb.map((e) => e.kv.key), ['/registry/r/k7', '/registry/r/k8', '/registry/r/k9', '/registry/r/k10']);
      t.is(bb[3].kv.modRevision, more);
    },
  },
  {
    title: 'compaction: reads and watches below it are Compacted; above it everything is intact',
    async run(t, s) {
      const r1 = await s.create('/registry/cp/a', enc('a1'));
      let rev = r1;
      for (let i = 2; i <= 6; i++) rev = await s.update('/registry/cp/a', rev, enc(`a${i}`));
      const rb = await s.create('/registry/cp/b', enc('b1'));
      const del = await s.delete('/registry/cp/b');
      const rc = await s.create('/registry/cp/c', enc('c1'));
      const compactAt = rc;
      const after = await s.update('/registry/cp/c', rc, enc('c2'));
      await s.compact(compactAt);
      await s.compact(compactAt - 1); // at or below the compaction point: a no-op
      const err = await expectCode(t, s.list('/registry/cp/', { atRevision: r1 }), 'Compacted');
      t.true(err.code === 'Compacted');
      await expectCode(t, s.list('/registry/cp/', { atRevision: rb }), 'Compacted');
      await expectWatchCode(t, s, '/registry/cp/', r1, 'Compacted');
      await expectWatchCode(t, s, '/registry/cp/', del.revision - 1, 'Compacted');
      t.deepEqual((await s.list('/registry/cp/', { atRevision: compactAt })).items.map((i) => `${i.key}=${dec(i.value)}`), ['/registry/cp/a=a6', '/registry/cp/c=c1']);
      t.deepEqual((await s.list('/registry/cp/')).items.map((i) => `${i.key}=${dec(i.value)}`), ['/registry/cp/a=a6', '/registry/cp/c=c2']);
      t.is((await s.get('/registry/cp/a'))!.modRevision, rev);
      t.is((await s.get('/registry/cp/a'))!.createRevision, r1, 'createRevision survives compaction');
      const w = await take(s, '/registry/cp/', compactAt, 1);
      t.is(w[0].kv.modRevision, after);
      t.is(dec(w[0].prev!.value), 'c1');
      // Writes after compaction keep working, with revisions that never go back.
      const next = await s.update('/registry/cp/a', rev, enc('a7'));
      t.true(next > after);
      await expectCode(t, s.compact((await s.currentRevision()) + 10), 'FutureRevision');
    },
  },
  {
    title: 'an aborted watch ends its iteration',
    async run(t, s) {
      const ac = new AbortController();
      const seen: WatchEvent[] = [];
      const from = await s.currentRevision();
      const done = (async () => {
        for await (const ev of s.watch('/registry/ab/', from, ac.signal)) {
          seen.push(ev);
          ac.abort();
        }
      })();
      await s.create('/registry/ab/a', enc('1'));
      await done;
      t.is(seen.length, 1);
      t.is(seen[0].kv.key, '/registry/ab/a');
    },
  },
];

export function conformance(test: TestFn, opts: ConformanceOptions): void {
  const reg = opts.serial ? test.serial : test;
  for (const c of cases) {
    reg(`${opts.name}: ${c.title}`, async (t) => {
      const store = await opts.open(t);
      t.teardown(() => store.close());
      await c.run(t, store);
    });
  }
}

/**
 * Crash safety: a child process writes a burst (printing each acknowledged
 * key), `crash` kills something mid-burst (the child for sqlite; the etcd
 * member for etcd), then every acknowledged write must be in the reopened store.
 */
export interface CrashOptions {
  /** JSON for crash-writer.ts: which store to open. */
  writerConfig: unknown;
  /** Kill what must die once `acked` writes were acknowledged; the child is SIGKILLed afterwards regardless. */
  crash: () => Promise<void>;
  /** Bring the store back (restart etcd / reopen the file). */
  reopen: () => Promise<Store>;
  /** Acks to wait for before crashing. Default 300. */
  after?: number;
}

export async function crashSafety(t: ExecutionContext, o: CrashOptions): Promise<void> {
  const after = o.after ?? 300;
  const child = spawn(process.execPath, ['--import=tsx', new URL('./crash-writer.ts', import.meta.url).pathname, JSON.stringify(o.writerConfig)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.teardown(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const acked: string[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer acknowledged only ${acked.length} writes: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(line.slice(4));
      }
      if (acked.length >= after) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (acked.length < after) reject(new Error(`writer exited (${code}) after ${acked.length} acks: ${stderr}`));
    });
  });
  await o.crash();
  child.kill('SIGKILL');
  await exited;
  // Acks printed before the kill but read after it still count: drain what the pipe holds.
  for (const line of buf.split('\n')) if (line.startsWith('ack ')) acked.push(line.slice(4));
  const store = await o.reopen();
  t.teardown(() => store.close());
  const missing: string[] = [];
  for (const key of acked) {
    const kv = await store.get(key);
    if (!kv || dec(kv.value) !== `value-of-${key}`) missing.push(key);
  }
  t.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes lost`);
  t.true(acked.length >= after);
}
