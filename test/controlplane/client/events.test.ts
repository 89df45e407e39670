// The event recorder on the fake client: repeats aggregate (one create, then
// patches of count/lastTimestamp), a burst recorded before the write coalesces
// into one write, different messages stay separate Events, a vanished Event
// is created again, and a full queue drops instead of blocking.
import test from 'ava';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { EventBroadcaster } from '../../../controlplane/client/events.js';
import { resources } from '../../../controlplane/client/resources.js';
import { FakeClient } from '../../../controlplane/client/testing/fake.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'prod', uid: 'u-1' }, spec: { containers: [] } };

test('repeats become one Event whose count and lastTimestamp grow', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock(Date.UTC(2025, 0, 1, 0, 0, 0));
  const b = new EventBroadcaster(fake, { clock });
  const rec = b.newRecorder({ component: 'default-scheduler', host: 'm1' });
  rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web to n1');
  rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web to n1');
  await b.flush();
  t.deepEqual(fake.actions.map((a) => a.verb), ['create'], 'a burst before the write is one create');
  let [ev] = (await fake.resource(resources.events, 'prod').list()).items;
  t.is(ev.count, 2);
  t.is(ev.firstTimestamp, '2025-01-01T00:00:00Z');
  t.deepEqual(ev.source, { component: 'default-scheduler', host: 'm1' });
  t.deepEqual(ev.involvedObject, { kind: 'Pod', apiVersion: 'v1', name: 'web', namespace: 'prod', uid: 'u-1' });
  t.regex(ev.metadata.name!, /^web\.[0-9a-f]+$/);
  fake.clearActions();
  await clock.advance(10_000);
  rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web to n1');
  await b.flush();
  t.deepEqual(fake.actions.map((a) => a.verb), ['patch'], 'a later repeat patches the same Event');
  [ev] = (await fake.resource(resources.events, 'prod').list()).items;
  t.is(ev.count, 3);
  t.is(ev.lastTimestamp, '2025-01-01T00:00:10Z');
});

test('a different reason or message is a separate Event', async (t) => {
  const fake = new FakeClient();
  const b = new EventBroadcaster(fake);
  const rec = b.newRecorder({ component: 'kubelet', host: 'n1' });
  rec.event(pod, 'Normal', 'Pulled', 'image a');
  rec.event(pod, 'Normal', 'Pulled', 'image b');
  rec.event(pod, 'Warning', 'BackOff', 'image a');
  await b.flush();
  t.is((await fake.resource(resources.events, 'prod').list()).items.length, 3);
});

test('an Event deleted on the server (TTL) is created again', async (t) => {
  const fake = new FakeClient();
  const b = new EventBroadcaster(fake);
  const rec = b.newRecorder({ component: 'c' });
  rec.event(pod, 'Normal', 'R', 'm');
  await b.flush();
  await fake.resource(resources.events, 'prod').deleteCollection();
  rec.event(pod, 'Normal', 'R', 'm');
  await b.flush();
  const items = (await fake.resource(resources.events, 'prod').list()).items;
  t.is(items.length, 1);
  t.is(items[0].count, 2);
});

test('a full queue drops events instead of blocking the caller', (t) => {
  const fake = new FakeClient();
  const b = new EventBroadcaster(fake, { maxQueue: 2 });
  const rec = b.newRecorder({ component: 'c' });
  for (let i = 0; i < 5; i++) rec.event(pod, 'Normal', 'R', `m${i}`);
  t.is(b.pending, 2);
  t.is(b.droppedCount, 3);
});

test('run() writes through the event-qps limiter and stops on abort', async (t) => {
  const fake = new FakeClient();
  const b = new EventBroadcaster(fake, { qps: 1000, burst: 10 });
  const rec = b.newRecorder({ component: 'c' });
  const ac = new AbortController();
  const run = b.run(ac.signal);
  for (let i = 0; i < 5; i++) rec.event(pod, 'Normal', 'R', `m${i}`);
  for (let i = 0; i < 100 && b.pending > 0; i++) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 10));
  t.is((await fake.resource(resources.events, 'prod').list()).items.length, 5);
  ac.abort();
  await run;
});
