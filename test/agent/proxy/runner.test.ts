/** BoundedFrequencyRunner on a fake clock: coalescing, min interval with burst 2, periodic runs, retries. */
import test from 'ava';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { BoundedFrequencyRunner } from '../../../agent/proxy/runner.js';

function setup(opts: { min: number; max: number; fail?: () => boolean; slowMs?: number; retryMs?: number }) {
  const clock = new FakeClock(0);
  const starts: number[] = [];
  const r = new BoundedFrequencyRunner(
    async () => {
      starts.push(clock.now());
      if (opts.slowMs) await clock.sleep(opts.slowMs);
      if (opts.fail?.()) throw new Error('sync failed');
    },
    { name: 'test', minIntervalMs: opts.min, maxIntervalMs: opts.max, retryIntervalMs: opts.retryMs, clock },
  );
  const ac = new AbortController();
  const loop = r.run(ac.signal);
  return {
    r,
    clock,
    starts,
    stop: async () => {
      ac.abort();
      await loop;
    },
  };
}

test('requests while idle run at once; a burst of requests coalesces', async (t) => {
  const s = setup({ min: 0, max: 60_000, slowMs: 100 });
  s.r.requestRun();
  await s.clock.advance(0);
  t.deepEqual(s.starts, [0]);
  for (let i = 0; i < 1000; i++) s.r.requestRun();
  await s.clock.advance(100);
  t.deepEqual(s.starts, [0, 100], '1000 requests during a run cost one more run');
  await s.clock.advance(1000);
  t.deepEqual(s.starts, [0, 100]);
  await s.stop();
});

test('min interval: two runs back to back (burst 2), then one per interval', async (t) => {
  const s = setup({ min: 1000, max: 60_000 });
  s.r.requestRun();
  await s.clock.advance(0);
  s.r.requestRun();
  await s.clock.advance(0);
  s.r.requestRun();
  await s.clock.advance(0);
  t.deepEqual(s.starts, [0, 0]);
  await s.clock.advance(999);
  t.deepEqual(s.starts, [0, 0]);
  await s.clock.advance(1);
  t.deepEqual(s.starts, [0, 0, 1000]);
  s.r.requestRun();
  await s.clock.advance(500);
  t.is(s.starts.length, 3);
  await s.clock.advance(500);
  t.deepEqual(s.starts, [0, 0, 1000, 2000]);
  await s.stop();
});

test('max interval: runs periodically without requests, the timer restarting after each run', async (t) => {
  const s = setup({ min: 0, max: 30_000 });
  await s.clock.advance(29_999);
  t.deepEqual(s.starts, []);
  await s.clock.advance(1);
  t.deepEqual(s.starts, [30_000]);
  await s.clock.advance(10_000);
  s.r.requestRun();
  await s.clock.advance(0);
  t.deepEqual(s.starts, [30_000, 40_000]);
  await s.clock.advance(29_999);
  t.is(s.starts.length, 2);
  await s.clock.advance(1);
  t.deepEqual(s.starts, [30_000, 40_000, 70_000]);
  await s.stop();
});

test('a failed run is retried after the retry interval', async (t) => {
  let failures = 1;
  const s = setup({ min: 0, max: 60_000, retryMs: 5_000, fail: () => failures-- > 0 });
  s.r.requestRun();
  await s.clock.advance(0);
  t.deepEqual(s.starts, [0]);
  await s.clock.advance(4_999);
  t.is(s.starts.length, 1);
  await s.clock.advance(1);
  t.deepEqual(s.starts, [0, 5_000]);
  await s.clock.advance(30_000);
  t.is(s.starts.length, 2, 'no retry after success');
  await s.stop();
});

test('retryAfter keeps the earliest retry', async (t) => {
  const s = setup({ min: 0, max: 60_000 });
  s.r.retryAfter(5_000);
  s.r.retryAfter(2_000);
  s.r.retryAfter(9_000);
  await s.clock.advance(2_000);
  t.deepEqual(s.starts, [2_000]);
  await s.clock.advance(10_000);
  t.deepEqual(s.starts, [2_000]);
  await s.stop();
});

test('abort stops the loop', async (t) => {
  const s = setup({ min: 0, max: 1000 });
  await s.stop();
  await s.clock.advance(5000);
  t.deepEqual(s.starts, []);
});

for (const [name, min, max, burst] of [
  ['negative min', -1, 1000, 2],
  ['zero max', 0, 0, 2],
  ['min above max', 2000, 1000, 2],
  ['zero burst', 0, 1000, 0],
] as const) {
  test(`bad intervals are refused: ${name}`, (t) => {
    t.throws(() => new BoundedFrequencyRunner(async () => undefined, { name: 'x', minIntervalMs: min, maxIntervalMs: max, burst }), { instanceOf: RangeError });
  });
}
