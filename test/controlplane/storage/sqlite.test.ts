import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { SqliteStore } from '../../../controlplane/storage/sqlite/store.js';
import { StoreError } from '../../../controlplane/storage/types.js';
import { conformance, crashSafety, take } from './conformance.js';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-sqlite-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

conformance(test, {
  name: 'sqlite',
  // Small compaction batches so the batching is exercised by the conformance case.
  open: async (t) => new SqliteStore({ dataDir: await tempDir(t), compactBatch: 3, pollIntervalMs: 100 }),
});

test('sqlite: every acknowledged write survives kill -9 of the writing process', async (t) => {
  const dataDir = await tempDir(t);
  await crashSafety(t, {
    writerConfig: { backend: 'sqlite', dataDir },
    crash: async () => undefined, // the child itself is killed with SIGKILL mid-burst
    reopen: async () => new SqliteStore({ dataDir }),
  });
});

test('sqlite: a watcher sees writes made by a second process on the same file', async (t) => {
  const dataDir = await tempDir(t);
  const a = new SqliteStore({ dataDir, pollIntervalMs: 50 });
  const b = new SqliteStore({ dataDir, pollIntervalMs: 50 });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const from = await a.currentRevision();
  const got = take(a, '/registry/p/', from, 3);
  const r1 = await b.create('/registry/p/x', new TextEncoder().encode('1'));
  const r2 = await b.update('/registry/p/x', r1, new TextEncoder().encode('2'));
  const r3 = await a.create('/registry/p/y', new TextEncoder().encode('3'));
  t.deepEqual((await got).map((e) => e.kv.modRevision), [r1, r2, r3]);
  // The second handle's CAS and the first's agree on one history.
  await t.throwsAsync(a.update('/registry/p/x', r1, new TextEncoder().encode('stale')), { instanceOf: StoreError, message: /revision/ });
});

test('sqlite: state persists across close and reopen, revisions keep growing', async (t) => {
  const dataDir = await tempDir(t);
  const s1 = new SqliteStore({ dataDir });
  const r1 = await s1.create('/registry/a', new TextEncoder().encode('1'));
  await s1.delete('/registry/a');
  const top = await s1.currentRevision();
  await s1.compact(top);
  await s1.close();
  const s2 = new SqliteStore({ dataDir });
  t.teardown(() => s2.close());
  t.is(await s2.currentRevision(), top, 'the revision does not go back even when compaction removed the newest row');
  const r2 = await s2.create('/registry/a', new TextEncoder().encode('2'));
  t.true(r2 > top && top > r1);
  await t.throwsAsync(s2.list('/registry/', { atRevision: r1 }), { instanceOf: StoreError, message: /compacted/ });
});
