// Work queue and rate limiters: de-duplication, one worker per key, back-off
// growth (5 ms·2^n capped, combined with the 10 qps / 100 burst bucket),
// addAfter, shutdown and drain, and the runWorkers controller loop.
import test from 'ava';
import { RateLimitingQueue, runWorkers } from '../../../controlplane/client/workqueue.js';
import { ItemExponentialBackoff, TokenBucket } from '../../../controlplane/client/ratelimit.js';
import { FakeClock, flush } from '../../../controlplane/client/testing/clock.js';

test('adding a queued key again is a no-op', async (t) => {
  const q = new RateLimitingQueue();
  for (const k of ['a', 'b', 'a', 'a', 'c', 'b']) q.add(k);
  t.is(q.length, 3);
  t.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
});

test('a key added while processing is re-queued on done, never handed out twice at once', async (t) => {
  const q = new RateLimitingQueue();
  q.add('a');
  const k = await q.get();
  t.is(k, 'a');
  q.add('a');
  q.add('a');
  t.is(q.length, 0, 'not in the queue while a worker holds it');
  let second: string | undefined;
  const p = q.get().then((x) => (second = x));
  await flush();
  t.is(second, undefined, 'a second worker does not get the key being processed');
  q.done('a');
  await p;
  t.is(second, 'a', 'processed again once, after done');
  q.done('a');
  t.is(q.length, 0);
});

const backoffCases = [
  { name: 'first failure', failures: 1, want: 5 },
  { name: 'second failure', failures: 2, want: 10 },
  { name: 'tenth failure', failures: 10, want: 5 * 2 ** 9 },
  { name: 'capped at 1000 s', failures: 40, want: 1_000_000 },
];
for (const tc of backoffCases) {
  test(`per-item back-off: ${tc.name}`, (t) => {
    const b = new ItemExponentialBackoff(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < tc.failures; i++) last = b.when('k');
    t.is(last, tc.want);
    t.is(b.numRequeues('k'), tc.failures);
    b.forget('k');
    t.is(b.numRequeues('k'), 0);
    t.is(b.when('k'), 5, 'forget resets the back-off');
  });
}

test('token bucket: burst passes at once, then qps', (t) => {
  const clock = new FakeClock();
  const b = new TokenBucket(10, 100, clock);
  for (let i = 0; i < 100; i++) t.is(b.reserve(), 0);
  t.is(b.reserve(), 100, '101st waits 1/10 s');
  t.is(b.reserve(), 200);
  t.false(b.tryAccept());
});

test('addRateLimited delays by the per-key back-off and grows; forget resets it', async (t) => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue({ clock });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = clock.now();
    q.addRateLimited('k');
    t.is(q.length, 0);
    // Step 1 ms at a time until it appears.
    while (q.length === 0) await clock.advance(1);
    delays.push(clock.now() - start);
    t.is(await q.get(), 'k');
    q.done('k');
  }
  t.deepEqual(delays, [5, 10, 20, 40]);
  t.is(q.numRequeues('k'), 4);
  q.forget('k');
  t.is(q.numRequeues('k'), 0);
});

test('the overall bucket limits re-adds across keys beyond its burst', async (t) => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue({ clock, qps: 10, burst: 2 });
  q.addRateLimited('a');
  q.addRateLimited('b');
  q.addRateLimited('c');
  await clock.advance(5);
  t.is(q.length, 2, 'two within the burst after the 5 ms item delay');
  await clock.advance(95);
  t.is(q.length, 3, 'the third after 1/qps');
});

test('addAfter keeps the earliest pending time per key', async (t) => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue({ clock });
  q.addAfter('k', 1000);
  q.addAfter('k', 100);
  q.addAfter('k', 500);
  await clock.advance(100);
  t.is(q.length, 1);
  await q.get();
  q.done('k');
  await clock.advance(1000);
  t.is(q.length, 0, 'the later timers were dropped');
});

test('shutDown releases waiting workers; drain waits for in-flight keys', async (t) => {
  const q = new RateLimitingQueue();
  q.add('a');
  const held = await q.get();
  const waiting = q.get();
  let drained = false;
  const d = q.drain().then(() => (drained = true));
  t.is(await waiting, undefined);
  q.add('b');
  t.is(q.length, 0, 'adds are ignored after shutdown');
  await flush();
  t.false(drained);
  q.done(held!);
  await d;
  t.true(drained);
});

test('runWorkers: N workers, never the same key concurrently, failures retried then forgotten', async (t) => {
  const q = new RateLimitingQueue({ baseDelayMs: 1 });
  const ac = new AbortController();
  const inFlight = new Set<string>();
  let maxConcurrent = 0;
  let doubled = false;
  const attempts = new Map<string, number>();
  const done = new Set<string>();
  const sync = async (key: string) => {
    if (inFlight.has(key)) doubled = true;
    inFlight.add(key);
    maxConcurrent = Math.max(maxConcurrent, inFlight.size);
    await new Promise((r) => setTimeout(r, 2));
    inFlight.delete(key);
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (key.startsWith('flaky') && n < 3) throw new Error('transient');
    done.add(key);
    if (done.size === 20) ac.abort();
  };
  const run = runWorkers(q, 4, sync, ac.signal);
  for (let round = 0; round < 3; round++) for (let i = 0; i < 18; i++) q.add(`k${i}`);
  q.add('flaky-1');
  q.add('flaky-2');
  await run;
  t.false(doubled);
  t.true(maxConcurrent > 1 && maxConcurrent <= 4, `concurrency ${maxConcurrent}`);
  t.is(attempts.get('flaky-1'), 3);
  t.is(q.numRequeues('flaky-1'), 0, 'forgotten after success');
  t.true(q.isShuttingDown);
});
