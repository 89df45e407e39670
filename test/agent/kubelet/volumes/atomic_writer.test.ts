// AtomicWriter semantics: the ..data swap, user-visible links, no rewrite of
// identical content, pruning of removed names, path validation, and a reader
// that never sees two versions mixed.
import test from 'ava';
import { lstat, mkdtemp, readFile, readdir, readlink, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, DATA_DIR, invalidPayloadPath, timestampPrefix, type Payload } from '../../../../agent/kubelet/volumes/atomic_writer.js';

const payload = (entries: Record<string, string | [string, number]>): Payload =>
  new Map(
    Object.entries(entries).map(([k, v]) => {
      const [data, mode] = Array.isArray(v) ? v : [v, 0o644];
      return [k, { data: Buffer.from(data), mode }];
    }),
  );

async function withDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-aw-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function tsDirs(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('..') && n !== DATA_DIR).sort();
}

test('timestamp prefix is upstream\'s ..2006_01_02_15_04_05. in UTC', (t) => {
  t.is(timestampPrefix(new Date(Date.UTC(2025, 2, 4, 5, 6, 7))), '..2025_03_04_05_06_07.');
});

test('first write: a version dir, ..data pointing at it, and a link per top-level name', async (t) => {
  const dir = await withDir(t);
  const w = new AtomicWriter(dir, () => new Date(Date.UTC(2025, 0, 1)));
  t.true(await w.write(payload({ a: 'A', 'sub/b': 'B', 'sub/deeper/c': ['C', 0o600] })));
  const versions = await tsDirs(dir);
  t.is(versions.length, 1);
  t.true(versions[0].startsWith('..2025_01_01_00_00_00.'));
  t.is(await readlink(join(dir, DATA_DIR)), versions[0]);
  t.is(await readlink(join(dir, 'a')), join(DATA_DIR, 'a'));
  t.is(await readlink(join(dir, 'sub')), join(DATA_DIR, 'sub'));
  t.is(await readFile(join(dir, 'a'), 'utf8'), 'A');
  t.is(await readFile(join(dir, 'sub/deeper/c'), 'utf8'), 'C');
  t.is((await stat(join(dir, 'sub/deeper/c'))).mode & 0o777, 0o600);
  t.is((await stat(join(dir, 'a'))).mode & 0o777, 0o644);
  t.is((await stat(join(dir, versions[0]))).mode & 0o777, 0o755);
});

test('identical payload: nothing is written; a content or mode change swaps in a new version and removes the old', async (t) => {
  const dir = await withDir(t);
  const w = new AtomicWriter(dir);
  await w.write(payload({ a: 'A', b: 'B' }));
  const [v1] = await tsDirs(dir);
  t.false(await w.write(payload({ a: 'A', b: 'B' })));
  t.deepEqual(await tsDirs(dir), [v1]);

  t.true(await w.write(payload({ a: 'A2', b: 'B' })));
  const [v2] = await tsDirs(dir);
  t.not(v2, v1);
  t.deepEqual(await tsDirs(dir), [v2], 'the old version is gone');
  t.is(await readFile(join(dir, 'a'), 'utf8'), 'A2');

  t.true(await w.write(payload({ a: ['A2', 0o400], b: 'B' })), 'a mode change is a change');
  t.is((await stat(join(dir, 'a'))).mode & 0o777, 0o400);
});

test('names that disappear lose their link; nested ones vanish with the old version', async (t) => {
  const dir = await withDir(t);
  const w = new AtomicWriter(dir);
  await w.write(payload({ a: 'A', gone: 'G', 'd/x': 'X', 'd/y': 'Y' }));
  await w.write(payload({ a: 'A', 'd/x': 'X' }));
  const names = (await readdir(dir)).filter((n) => !n.startsWith('..')).sort();
  t.deepEqual(names, ['a', 'd']);
  await t.throwsAsync(lstat(join(dir, 'gone')));
  await t.throwsAsync(stat(join(dir, 'd/y')));
  t.is(await readFile(join(dir, 'd/x'), 'utf8'), 'X');
  // An empty payload (an optional ConfigMap that vanished) leaves an empty volume.
  await w.write(new Map());
  t.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), []);
});

const badPaths: [string, string][] = [
  ['', 'invalid path: must not be empty: ""'],
  ['/etc/passwd', 'invalid path: must be relative path: /etc/passwd'],
  ['a/../b', "invalid path: must not contain '..': a/../b"],
  ['..data/x', "invalid path: must not start with '..': ..data/x"],
  ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
];
for (const [p, msg] of badPaths) {
  test(`payload path ${JSON.stringify(p.slice(0, 20))} is refused: ${msg.slice(0, 40)}`, async (t) => {
    t.is(invalidPayloadPath(p), msg);
    const dir = await withDir(t);
    await t.throwsAsync(new AtomicWriter(dir).write(payload({ [p]: 'x' })), { message: msg });
    t.deepEqual(await readdir(dir), [], 'nothing was written');
  });
}

test('a reader resolving ..data never sees two versions mixed, across 40 updates', async (t) => {
  const dir = await withDir(t);
  const w = new AtomicWriter(dir);
  await w.write(payload({ a: '0', b: '0' }));
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      try {
        // What an inotify-driven consumer does: resolve the data dir once, read every file from it.
        const version = await realpath(join(dir, DATA_DIR));
        const [a, b] = await Promise.all([readFile(join(version, 'a'), 'utf8'), readFile(join(version, 'b'), 'utf8')]);
        t.is(a, b);
        reads++;
      } catch (e) {
        // The version was removed after we resolved it: retry with the new one.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  for (let i = 1; i <= 40; i++) await w.write(payload({ a: String(i), b: String(i) }));
  stop = true;
  await reader;
  t.true(reads > 0);
  t.is(await readFile(join(dir, 'a'), 'utf8'), '40');
  t.is((await tsDirs(dir)).length, 1);
});
