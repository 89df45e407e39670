// The crash-loop back-off: 10 s doubling to 5 min, reset after 10 min without a crash.
import test from 'ava';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { Backoff, CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS, formatGoDuration } from '../../../../agent/kubelet/runtime/backoff.js';

test('delays double from 10 s and stop at 5 min', async (t) => {
  const clock = new FakeClock();
  const b = new Backoff(CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS, clock);
  const seen: number[] = [];
  for (let i = 0; i < 8; i++) {
    b.next('k', clock.now());
    seen.push(b.get('k'));
    await clock.advance(b.get('k'));
  }
  t.deepEqual(seen, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('in back-off since the container finished, until the delay passed', async (t) => {
  const clock = new FakeClock();
  const b = new Backoff(10_000, 300_000, clock);
  const finished = clock.now();
  t.false(b.isInBackOffSince('k', finished), 'no entry: restart at once');
  b.next('k', finished);
  await clock.advance(9_999);
  t.true(b.isInBackOffSince('k', finished));
  t.is(b.remaining('k', finished), 1);
  await clock.advance(1);
  t.false(b.isInBackOffSince('k', finished));
});

test('a container that ran 10 minutes (2 × max) starts over at 10 s', async (t) => {
  const clock = new FakeClock();
  const b = new Backoff(10_000, 300_000, clock);
  for (let i = 0; i < 4; i++) b.next('k', clock.now());
  t.is(b.get('k'), 80_000);
  await clock.advance(600_001);
  b.next('k', clock.now());
  t.is(b.get('k'), 10_000);
});

test('gc drops idle entries; keys are independent', async (t) => {
  const clock = new FakeClock();
  const b = new Backoff(10_000, 300_000, clock);
  b.next('a', clock.now());
  b.next('b', clock.now());
  b.next('b', clock.now());
  t.is(b.get('a'), 10_000);
  t.is(b.get('b'), 20_000);
  await clock.advance(600_001);
  b.gc();
  t.is(b.get('a'), 0);
});

const durations: [number, string][] = [
  [10_000, '10s'],
  [80_000, '1m20s'],
  [160_000, '2m40s'],
  [300_000, '5m0s'],
];
for (const [ms, want] of durations) test(`Go duration ${ms} ms = ${want}`, (t) => t.is(formatGoDuration(ms), want));
