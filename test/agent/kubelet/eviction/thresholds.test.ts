// The eviction flags → thresholds: quantities and percentages, soft grace periods,
// minimum reclaims; bad input names the flag, and the kubelet exits 2 on it.
import test from 'ava';
import { main } from '../../../../agent/kubelet/main.js';
import { EvictionConfigError, parseEvictionConfig, parseThresholdStatements, type EvictionFlags } from '../../../../agent/kubelet/eviction/thresholds.js';
import type { Threshold } from '../../../../agent/kubelet/eviction/types.js';

const none: EvictionFlags = { hard: '', soft: '', softGracePeriod: '', minimumReclaim: '' };

const good: { name: string; flags: Partial<EvictionFlags>; want: Threshold[] }[] = [
  { name: 'nothing configured', flags: {}, want: [] },
  {
    name: 'memory quantity',
    flags: { hard: 'memory.available<100Mi' },
    want: [{ signal: 'memory.available', operator: 'LessThan', value: { quantity: 100 * 1024 * 1024 }, gracePeriodMs: 0 }],
  },
  {
    name: 'percentages and inodes',
    flags: { hard: 'nodefs.available<10%,nodefs.inodesFree<5%,imagefs.available<15%' },
    want: [
      { signal: 'nodefs.available', operator: 'LessThan', value: { percentage: 0.1 }, gracePeriodMs: 0 },
      { signal: 'nodefs.inodesFree', operator: 'LessThan', value: { percentage: 0.05 }, gracePeriodMs: 0 },
      { signal: 'imagefs.available', operator: 'LessThan', value: { percentage: 0.15 }, gracePeriodMs: 0 },
    ],
  },
  {
    name: 'the seed script (hard, soft with grace periods)',
    flags: { hard: 'memory.available<200Mi', soft: 'memory.available<300Mi,nodefs.available<15%', softGracePeriod: 'memory.available=1m0s,nodefs.available=3m0s' },
    want: [
      { signal: 'memory.available', operator: 'LessThan', value: { quantity: 200 * 1024 * 1024 }, gracePeriodMs: 0 },
      { signal: 'memory.available', operator: 'LessThan', value: { quantity: 300 * 1024 * 1024 }, gracePeriodMs: 60_000 },
      { signal: 'nodefs.available', operator: 'LessThan', value: { percentage: 0.15 }, gracePeriodMs: 180_000 },
    ],
  },
  {
    name: 'minimum reclaim attached to every threshold of the signal',
    flags: { hard: 'imagefs.available<1Gi', soft: 'imagefs.available<2Gi', softGracePeriod: 'imagefs.available=30s', minimumReclaim: 'imagefs.available=500Mi' },
    want: [
      { signal: 'imagefs.available', operator: 'LessThan', value: { quantity: 1 << 30 }, gracePeriodMs: 0, minReclaim: { quantity: 500 * 1024 * 1024 } },
      { signal: 'imagefs.available', operator: 'LessThan', value: { quantity: 2 * 2 ** 30 }, gracePeriodMs: 30_000, minReclaim: { quantity: 500 * 1024 * 1024 } },
    ],
  },
  {
    name: 'structured input (as the flag parser hands it over)',
    flags: { hard: [{ signal: 'memory.available', operator: '<', value: '1Gi' }], minimumReclaim: { 'memory.available': '10%' } },
    want: [{ signal: 'memory.available', operator: 'LessThan', value: { quantity: 1 << 30 }, gracePeriodMs: 0, minReclaim: { percentage: 0.1 } }],
  },
];
for (const c of good) {
  test(`parse: ${c.name}`, (t) => {
    t.deepEqual(parseEvictionConfig({ ...none, ...c.flags }), c.want);
  });
}

const bad: { name: string; flags: Partial<EvictionFlags>; flag: string; re: RegExp }[] = [
  { name: 'unknown signal', flags: { hard: 'cpu.available<1' }, flag: 'eviction-hard', re: /unsupported eviction signal cpu\.available/ },
  { name: 'no operator', flags: { hard: 'memory.available=100Mi' }, flag: 'eviction-hard', re: /invalid eviction threshold syntax/ },
  { name: 'bad quantity', flags: { hard: 'memory.available<lots' }, flag: 'eviction-hard', re: /invalid quantity "lots"/ },
  { name: 'zero', flags: { hard: 'memory.available<0' }, flag: 'eviction-hard', re: /must be positive/ },
  { name: 'over 100%', flags: { hard: 'nodefs.available<150%' }, flag: 'eviction-hard', re: /at most 100%/ },
  { name: 'duplicate', flags: { soft: 'memory.available<1Gi,memory.available<2Gi', softGracePeriod: 'memory.available=1m' }, flag: 'eviction-soft', re: /duplicate eviction threshold for signal memory\.available/ },
  { name: 'soft without grace', flags: { soft: 'memory.available<1Gi' }, flag: 'eviction-soft-grace-period', re: /grace period must be specified for the soft eviction threshold memory\.available/ },
  { name: 'bad grace', flags: { soft: 'memory.available<1Gi', softGracePeriod: 'memory.available=soon' }, flag: 'eviction-soft-grace-period', re: /invalid grace period "soon"/ },
  { name: 'bad reclaim', flags: { minimumReclaim: 'memory.available=x' }, flag: 'eviction-minimum-reclaim', re: /invalid quantity "x"/ },
];
for (const c of bad) {
  test(`parse error: ${c.name}`, (t) => {
    const e = t.throws(() => parseEvictionConfig({ ...none, ...c.flags }), { instanceOf: EvictionConfigError });
    t.is(e?.flag, c.flag);
    t.true(e!.message.startsWith(`invalid value for --${c.flag}: `), e!.message);
    t.regex(e!.message, c.re);
  });
}

test('a text statement list parses like the flag', (t) => {
  t.is(parseThresholdStatements('eviction-hard', 'memory.available<100Mi, nodefs.available<10%').length, 2);
});

function io() {
  let err = '';
  return { io: { stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) } }, err: () => err };
}

const exits: [string[], RegExp][] = [
  [['--eviction-soft=memory.available<1Gi'], /invalid value for --eviction-soft-grace-period: grace period must be specified for the soft eviction threshold memory\.available/],
  [['--eviction-minimum-reclaim=memory.available=-1Gi'], /--eviction-minimum-reclaim/],
  [['--eviction-hard=memory.available<0'], /--eviction-hard/],
  [['--image-gc-high-threshold=70', '--image-gc-low-threshold=80'], /--image-gc-low-threshold \(80\) can not be higher than --image-gc-high-threshold \(70\)/],
  [['--image-gc-high-threshold=101'], /invalid value for --image-gc-high-threshold: 101/],
];
for (const [argv, re] of exits) {
  test(`kubelet exits 2: ${argv.join(' ')}`, async (t) => {
    const o = io();
    t.is(await main([...argv, '--root-dir=/tmp/kubets-never-created'], o.io as never), 2);
    t.regex(o.err(), re);
  });
}
