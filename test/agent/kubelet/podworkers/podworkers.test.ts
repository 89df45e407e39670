// Pod workers: one sync at a time per pod, updates collapse, requeues, errors, concurrency limit.
import test from 'ava';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { PodWorkers, type SyncResult } from '../../../../agent/kubelet/podworkers/podworkers.js';
import { testLogger } from '../harness.js';

function deferred() {
  let resolve: () => void = () => undefined;
  const p = new Promise<void>((r) => (resolve = r));
  return { p, resolve };
}
const tick = () => new Promise((r) => setImmediate(r));

test('updates during a sync collapse into one more sync; pods run in parallel', async (t) => {
  const gates = new Map<string, ReturnType<typeof deferred>>();
  const runs: string[] = [];
  let active = 0;
  let maxActive = 0;
  const w = new PodWorkers(
    async (uid) => {
      runs.push(uid);
      active++;
      maxActive = Math.max(maxActive, active);
      const g = deferred();
      gates.set(uid, g);
      await g.p;
      active--;
      return {};
    },
    { log: testLogger('w') },
  );
  const ac = new AbortController();
  const done = w.run(ac.signal);
  w.update('a');
  w.update('b');
  await tick();
  w.update('a');
  w.update('a');
  w.update('a');
  t.deepEqual(runs, ['a', 'b']);
  t.is(maxActive, 2);
  gates.get('a')!.resolve();
  await tick();
  await tick();
  t.deepEqual(runs, ['a', 'b', 'a']);
  gates.get('a')!.resolve();
  gates.get('b')!.resolve();
  await tick();
  t.is(runs.length, 3);
  ac.abort();
  await done;
});

test('requeueAfterMs syncs again after the delay (the sooner of two wins); done drops the worker', async (t) => {
  const clock = new FakeClock();
  const results: SyncResult[] = [{ requeueAfterMs: 10_000 }, { requeueAfterMs: 2_000 }, { done: true }];
  const at: number[] = [];
  const w = new PodWorkers(
    async () => {
      at.push(clock.now());
      return results.shift() ?? {};
    },
    { log: testLogger('w'), clock },
  );
  const ac = new AbortController();
  const done = w.run(ac.signal);
  const t0 = clock.now();
  w.update('a');
  await clock.advance(10_000);
  await clock.advance(2_000);
  t.deepEqual(at.map((x) => x - t0), [0, 10_000, 12_000]);
  t.false(w.has('a'));
  ac.abort();
  await done;
});

test('a throwing sync is retried after the error back-off', async (t) => {
  const clock = new FakeClock();
  let n = 0;
  const w = new PodWorkers(
    async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return {};
    },
    { log: testLogger('w'), clock, errorBackoffMs: 5000 },
  );
  const ac = new AbortController();
  const done = w.run(ac.signal);
  w.update('a');
  await clock.advance(4999);
  t.is(n, 1);
  await clock.advance(1);
  t.is(n, 2);
  ac.abort();
  await done;
});

test('maxConcurrent bounds syncs across pods', async (t) => {
  let active = 0;
  let maxActive = 0;
  const gates: (() => void)[] = [];
  const w = new PodWorkers(
    async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => gates.push(r));
      active--;
      return {};
    },
    { log: testLogger('w'), maxConcurrent: 2 },
  );
  const ac = new AbortController();
  const done = w.run(ac.signal);
  for (const u of ['a', 'b', 'c', 'd']) w.update(u);
  await tick();
  t.is(active, 2);
  while (gates.length) {
    gates.shift()!();
    await tick();
    await tick();
  }
  t.is(maxActive, 2);
  ac.abort();
  await done;
});
