// Stats arithmetic: memory.stat parsing, working set = usage − inactive_file,
// CPU nanocores from two readings, statfs → fs numbers; and the provider over
// fake cgroups and runtime.
import test from 'ava';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { memoryReading, parseMemoryStat, type CgroupReader } from '../../../../agent/kubelet/stats/cgroup.js';
import { DiskUsageCache, diskUsage, fsInfoOf } from '../../../../agent/kubelet/stats/fs.js';
import { StatsProvider } from '../../../../agent/kubelet/stats/provider.js';
import { rc } from '../../../../agent/kubelet/testing/fixtures.js';

test('memory.stat → working set (hierarchical inactive_file preferred)', (t) => {
  const stat = parseMemoryStat('cache 100\nrss 50\ninactive_file 10\ntotal_inactive_file 30\ntotal_rss 70\ntotal_pgfault 5\ntotal_pgmajfault 1\n');
  t.is(stat.get('total_inactive_file'), 30);
  t.deepEqual(memoryReading(1000, stat, 2 ** 63), { usageBytes: 1000, workingSetBytes: 970, rssBytes: 70, pageFaults: 5, majorPageFaults: 1, limitBytes: undefined });
  t.is(memoryReading(10, stat).workingSetBytes, 0, 'never negative');
  t.is(memoryReading(10, new Map(), 4096).limitBytes, 4096);
});

const rates: { name: string; prev: { at: number; ns: number }; cur: { at: number; ns: number }; want: number | undefined }[] = [
  { name: 'one core busy', prev: { at: 0, ns: 0 }, cur: { at: 1000, ns: 1e9 }, want: 1e9 },
  { name: 'a quarter core over 2 s', prev: { at: 0, ns: 1e9 }, cur: { at: 2000, ns: 1.5e9 }, want: 2.5e8 },
  { name: 'no time passed', prev: { at: 5, ns: 0 }, cur: { at: 5, ns: 10 }, want: undefined },
  { name: 'counter went back (new cgroup)', prev: { at: 0, ns: 10 }, cur: { at: 1000, ns: 5 }, want: undefined },
];
for (const c of rates) {
  test(`nanocores: ${c.name}`, (t) => {
    t.is(StatsProvider.nanoCores(c.prev, c.cur), c.want);
  });
}

test('statfs numbers', (t) => {
  t.deepEqual(fsInfoOf({ bsize: 4096, blocks: 100, bfree: 40, bavail: 30, files: 50, ffree: 20 }), { capacityBytes: 409600, availableBytes: 122880, usedBytes: 245760, inodes: 50, inodesFree: 20, inodesUsed: 30 });
});

test('du and its cache', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-du-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'f'), Buffer.alloc(64 * 1024, 1));
  const u = await diskUsage(dir);
  t.true(u!.bytes >= 64 * 1024);
  t.is(u!.inodes, 3);
  let now = 0;
  let calls = 0;
  const cache = new DiskUsageCache(1000, () => now, async () => ({ bytes: ++calls, inodes: 1 }));
  t.is((await cache.get('x'))?.bytes, 1);
  t.is((await cache.get('x'))?.bytes, 1, 'fresh: cached');
  now = 1000;
  await cache.get('x');
  await new Promise((r) => setImmediate(r));
  t.is((await cache.get('x'))?.bytes, 2, 'stale: re-measured in the background');
});

test('provider: node from the root cgroup, running app containers per pod, sandbox hidden, CPU rate on the second reading', async (t) => {
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  let cpu = 0;
  const cgroups: CgroupReader = {
    memory: async (p) => (p === '' ? { usageBytes: 3000, workingSetBytes: 2000, rssBytes: 1, pageFaults: 0, majorPageFaults: 0 } : { usageBytes: 500, workingSetBytes: 400, rssBytes: 300, pageFaults: 0, majorPageFaults: 0, limitBytes: 1000 }),
    cpuUsageNs: async () => cpu,
    containerPath: async (id) => (id === 'gone' ? undefined : `docker/${id}`),
  };
  const p = new StatsProvider({
    nodeName: 'n1',
    rootDir: tmpdir(),
    memoryCapacityBytes: 10_000,
    nodeStartTime: new Date(0),
    cgroups,
    runtime: {
      list: async () => [rc('POD', { id: 'sb', isSandbox: true }), rc('app', { id: 'a1' }), rc('old', { id: 'x', state: 'exited' })],
      containerFiles: async () => ({}),
      imageFs: async () => ({ root: tmpdir(), imagesBytes: 1234 }),
    },
    pods: () => [],
    duPeriodMs: 60_000,
    clock,
  });
  const s1 = await p.summary();
  t.is(s1.node.nodeName, 'n1');
  t.like(s1.node.memory, { availableBytes: 8000, workingSetBytes: 2000, usageBytes: 3000 });
  t.is(s1.node.runtime?.imageFs?.usedBytes, 1234);
  t.true((s1.node.fs?.capacityBytes ?? 0) > 0);
  t.is(s1.pods.length, 1);
  t.deepEqual(s1.pods[0].podRef, { name: 'p', namespace: 'default', uid: 'uid-1' });
  t.deepEqual(s1.pods[0].containers.map((c) => c.name), ['app']);
  t.like(s1.pods[0].containers[0].memory, { workingSetBytes: 400, availableBytes: 600 });
  t.is(s1.pods[0].containers[0].cpu?.usageNanoCores, undefined, 'no rate from one reading');
  await clock.advance(2000);
  cpu = 1e9;
  const s2 = await p.summary();
  t.is(s2.pods[0].containers[0].cpu?.usageNanoCores, 5e8);
  t.is(s2.pods[0].containers[0].cpu?.usageCoreNanoSeconds, 1e9);
});
