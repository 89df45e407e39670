// Image GC decisions: how much to free (high/low thresholds), which images (LRU,
// unused, old enough, never protected), and the manager over a fake image service.
import test from 'ava';
import type { ObjectReference } from '../../../../controlplane/api/core/v1/types.js';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { createLogger, defaultLogOptions } from '../../../../controlplane/machinery/log/index.js';
import { ImageGCManager, imageBytesToFree, selectImagesToDelete, validateImageGCPolicy, type ImageInfo, type ImageRecord } from '../../../../agent/kubelet/gc/images.js';

const log = createLogger(defaultLogOptions('test'), { stderr: { write: () => true } });

const need: { name: string; capacity: number; available: number; high: number; low: number; want: number }[] = [
  { name: 'below high: nothing', capacity: 1000, available: 200, high: 90, low: 80, want: 0 },
  { name: 'at high: down to low', capacity: 1000, available: 100, high: 90, low: 80, want: 100 },
  { name: 'over high', capacity: 1000, available: 50, high: 90, low: 80, want: 150 },
  { name: 'high 0 always collects down to low', capacity: 1000, available: 900, high: 0, low: 0, want: 100 },
  { name: 'no capacity', capacity: 0, available: 0, high: 90, low: 80, want: 0 },
];
for (const c of need) {
  test(`bytes to free: ${c.name}`, (t) => {
    t.is(imageBytesToFree({ capacity: c.capacity, available: c.available }, { highThresholdPercent: c.high, lowThresholdPercent: c.low }), c.want);
  });
}

test('policy validation names the flags', (t) => {
  t.is(validateImageGCPolicy({ highThresholdPercent: 90, lowThresholdPercent: 80, minAgeMs: 120_000 }), undefined);
  t.regex(validateImageGCPolicy({ highThresholdPercent: 90, lowThresholdPercent: 95, minAgeMs: 0 })!, /--image-gc-low-threshold \(95\) can not be higher than --image-gc-high-threshold \(90\)/);
  t.regex(validateImageGCPolicy({ highThresholdPercent: -1, lowThresholdPercent: 0, minAgeMs: 0 })!, /--image-gc-high-threshold: -1/);
});

const NOW = 1_000_000;
const rec = (id: string, size: number, firstDetected: number, lastUsed: number): ImageRecord => ({ id, size, firstDetected, lastUsed });
const select: { name: string; records: ImageRecord[]; inUse?: string[]; protect?: string[]; bytes: number; minAge?: number; want: string[] }[] = [
  { name: 'least recently used first, until enough', records: [rec('new', 10, 0, NOW - 10), rec('old', 10, 0, NOW - 1000), rec('mid', 10, 0, NOW - 100)], bytes: 15, want: ['old', 'mid'] },
  { name: 'ties: first detected first', records: [rec('b', 10, 5, 0), rec('a', 10, 1, 0)], bytes: 10, want: ['a'] },
  { name: 'in use never', records: [rec('used', 100, 0, 0), rec('free', 10, 0, 0)], inUse: ['used'], bytes: 1000, want: ['free'] },
  { name: 'protected never (pause)', records: [rec('pause', 100, 0, 0), rec('free', 10, 0, 0)], protect: ['pause'], bytes: 1000, want: ['free'] },
  { name: 'younger than the TTL skipped', records: [rec('fresh', 100, NOW - 1000, NOW - 2000), rec('aged', 10, NOW - 200_000, NOW - 200_000)], minAge: 120_000, bytes: 1000, want: ['aged'] },
  { name: 'everything unused (eviction)', records: [rec('a', 1, 0, 0), rec('b', 1, 0, 0)], bytes: Infinity, want: ['a', 'b'] },
  { name: 'nothing to free', records: [rec('a', 1, 0, 0)], bytes: 0, want: [] },
];
for (const c of select) {
  test(`select images: ${c.name}`, (t) => {
    const r = selectImagesToDelete(c.records, new Set(c.inUse ?? []), { now: NOW, minAgeMs: c.minAge ?? 0, bytesToFree: c.bytes, isProtected: (id) => (c.protect ?? []).includes(id) });
    t.deepEqual(r.ids, c.want);
  });
}

test('manager: frees down to the low threshold, oldest unused first, never pause, records an event when short', async (t) => {
  const clock = new FakeClock();
  const images: ImageInfo[] = [
    { id: 'sha256:pause', tags: ['kubets.local/pause:3.9'], size: 50 },
    { id: 'sha256:a', tags: ['a:1'], size: 100 },
    { id: 'sha256:b', tags: ['b:1', 'b:latest'], size: 100 },
    { id: 'sha256:used', tags: ['u:1'], size: 500 },
  ];
  let available = 50;
  const removed: string[] = [];
  const events: string[] = [];
  const m = new ImageGCManager({
    policy: { highThresholdPercent: 90, lowThresholdPercent: 80, minAgeMs: 60_000 },
    images: {
      listImages: async () => images.filter((i) => !removed.includes(i.id)),
      imagesInUse: async () => new Set(['sha256:used']),
      removeImage: async (i) => {
        removed.push(i.id);
        available += i.size;
      },
      imageFs: async () => ({ capacity: 1000, available }),
    },
    podInfraImage: 'kubets.local/pause:3.9',
    recorder: { event: (_o, _t, reason, message) => events.push(`${reason}: ${message}`) },
    nodeRef: { kind: 'Node', name: 'n' } as ObjectReference,
    clock,
    log,
  });
  // First sight: too young to delete; GC cannot free what it needs.
  await t.throwsAsync(() => m.garbageCollect(), { message: /Wanted to free 150 bytes, but freed 0 bytes/ });
  t.deepEqual(events, ['FreeDiskSpaceFailed: failed to garbage collect required amount of images. Wanted to free 150 bytes, but freed 0 bytes']);
  await clock.advance(60_000);
  await m.garbageCollect();
  t.deepEqual(removed, ['sha256:a', 'sha256:b']);
  t.is(available, 250);
  // Eviction's reclaim: every unused image — only pause and the used one are left, so nothing.
  t.is(await m.deleteUnusedImages(), 0);
});
