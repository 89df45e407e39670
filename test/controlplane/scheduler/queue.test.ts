// The scheduling queue with a fake clock: priority order, back-off growth,
// the unschedulable parking lot and the events that move pods out of it.
import test from 'ava';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { isPodUpdated, SchedulingQueue } from '../../../controlplane/scheduler/queue/queue.js';
import { pod } from './fixtures.js';

const mk = () => {
  const clock = new FakeClock();
  return { clock, q: new SchedulingQueue({ clock }) };
};

test('active: higher priority first, then first in', async (t) => {
  const { q } = mk();
  q.add(pod('low1'));
  q.add(pod('high', { spec: { priority: 100 } }));
  q.add(pod('low2'));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.pod.metadata.name);
  t.deepEqual(order, ['high', 'low1', 'low2']);
});

test('duplicates collapse', (t) => {
  const { q } = mk();
  q.add(pod('a'));
  q.add(pod('a'));
  t.deepEqual(q.pending, { active: 1, backoff: 0, unschedulable: 0 });
});

const backoffs: [number, number][] = [
  [1, 1000],
  [2, 2000],
  [3, 4000],
  [4, 8000],
  [5, 10000],
  [9, 10000],
];
for (const [attempts, ms] of backoffs) {
  test(`back-off after ${attempts} attempt(s) is ${ms} ms`, (t) => t.is(mk().q.backoffDuration(attempts), ms));
}

test('unschedulable pods wait for a cluster event, then retry after their back-off', async (t) => {
  const { q, clock } = mk();
  q.add(pod('p'));
  const qp = (await q.pop())!;
  q.addUnschedulable(qp, q.cycle);
  t.deepEqual(q.pending, { active: 0, backoff: 0, unschedulable: 1 });
  // Nothing happens with time alone (until the 60 s safety net).
  await clock.advance(5000);
  q.flushBackoff();
  t.is(q.pending.unschedulable, 1);
  // A node appears: back-off (1 s) is already over, so straight to active.
  q.moveAllToActiveOrBackoff();
  t.deepEqual(q.pending, { active: 1, backoff: 0, unschedulable: 0 });
});

test('a move while still backing off parks the pod in backoff until it expires', async (t) => {
  const { q, clock } = mk();
  q.add(pod('p'));
  q.addUnschedulable((await q.pop())!, q.cycle);
  q.moveAllToActiveOrBackoff();
  t.deepEqual(q.pending, { active: 0, backoff: 1, unschedulable: 0 });
  await clock.advance(999);
  q.flushBackoff();
  t.is(q.pending.backoff, 1);
  await clock.advance(1);
  q.flushBackoff();
  t.deepEqual(q.pending, { active: 1, backoff: 0, unschedulable: 0 });
});

test('a move during the scheduling attempt sends the pod to backoff, not unschedulable', async (t) => {
  const { q } = mk();
  q.add(pod('p'));
  const qp = (await q.pop())!;
  const cycle = q.cycle;
  q.moveAllToActiveOrBackoff(); // e.g. a node was added while the pod was being tried
  q.addUnschedulable(qp, cycle);
  t.deepEqual(q.pending, { active: 0, backoff: 1, unschedulable: 0 });
});

test('unschedulable pods are retried after the timeout even without events', async (t) => {
  const { q, clock } = mk();
  q.add(pod('p'));
  q.addUnschedulable((await q.pop())!, q.cycle);
  await clock.advance(60_000);
  q.flushUnschedulableTimedOut();
  t.is(q.pending.active, 1);
});

test('a status-only update does not wake an unschedulable pod; a spec change does', async (t) => {
  const { q } = mk();
  const p = pod('p');
  q.add(p);
  q.addUnschedulable((await q.pop())!, q.cycle);
  const withStatus = { ...p, status: { conditions: [{ type: 'PodScheduled', status: 'False' as const }] }, metadata: { ...p.metadata, resourceVersion: '9' } };
  q.update(p, withStatus);
  t.is(q.pending.unschedulable, 1);
  const relabelled = { ...withStatus, metadata: { ...withStatus.metadata, labels: { x: 'y' } } };
  q.update(withStatus, relabelled);
  t.is(q.pending.unschedulable, 0);
  t.true(isPodUpdated(withStatus, relabelled));
  t.false(isPodUpdated(p, withStatus));
});

test('delete removes a pod wherever it is; addUnschedulable after delete is ignored', async (t) => {
  const { q } = mk();
  q.add(pod('a'));
  q.add(pod('b'));
  const qa = (await q.pop())!;
  q.delete(pod('a'));
  q.addUnschedulable(qa, q.cycle);
  q.delete(pod('b'));
  t.deepEqual(q.pending, { active: 0, backoff: 0, unschedulable: 0 });
});

test('movePods moves only matching pods', async (t) => {
  const { q } = mk();
  q.add(pod('aff', { spec: { affinity: { podAffinity: {} } } }));
  q.add(pod('plain'));
  for (let i = 0; i < 2; i++) q.addUnschedulable((await q.pop())!, q.cycle);
  q.movePods((p) => Boolean(p.spec?.affinity));
  t.deepEqual(q.pending, { active: 0, backoff: 1, unschedulable: 1 });
});

test('pop waits for work and returns undefined on close', async (t) => {
  const { q } = mk();
  const waiting = q.pop();
  q.add(pod('late'));
  t.is((await waiting)?.pod.metadata.name, 'late');
  const again = q.pop();
  q.close();
  t.is(await again, undefined);
});

test('run() moves expired back-offs on its own', async (t) => {
  const { q, clock } = mk();
  const ac = new AbortController();
  const running = q.run(ac.signal);
  q.add(pod('p'));
  q.addBackoff((await q.pop())!);
  t.is(q.pending.backoff, 1);
  await clock.advance(1000);
  t.is(q.pending.active, 1);
  ac.abort();
  await running;
});
