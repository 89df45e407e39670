// The relisting PLEG over a fake runtime: events per container change, statuses newer than a time, cheap steady state.
import test from 'ava';
import { GenericPLEG } from '../../../../agent/kubelet/pleg/generic.js';
import type { PodLifecycleEvent } from '../../../../agent/kubelet/pleg/types.js';
import { FakeRuntime } from '../../../../agent/kubelet/testing/runtime.js';
import { rc } from '../../../../agent/kubelet/testing/fixtures.js';
import { testLogger } from '../harness.js';

function setup() {
  const runtime = new FakeRuntime();
  const pleg = new GenericPLEG({ runtime, log: testLogger('pleg'), sandboxIPs: (s) => (s.id === 'sb' ? ['10.0.0.5'] : undefined), relistPeriodMs: 20 });
  const events: PodLifecycleEvent[] = [];
  pleg.onEvent((e) => events.push(e));
  const ac = new AbortController();
  const done = pleg.run(ac.signal);
  return { runtime, pleg, events, ac, done };
}

test('container changes become pod lifecycle events; statuses carry sandboxes and IPs', async (t) => {
  const { runtime, pleg, events, ac, done } = setup();
  runtime.put(rc('POD', { id: 'sb', isSandbox: true, podUID: 'u1' }));
  runtime.put(rc('a', { id: 'a1', podUID: 'u1', sandboxId: 'sb' }));
  const s = await pleg.statusNewerThan('u1', Date.now(), ac.signal);
  t.is(s?.sandboxes[0].ip, '10.0.0.5');
  t.deepEqual(s?.containers.map((c) => c.id), ['a1']);
  t.deepEqual(events.map((e) => `${e.type} ${e.data}`).sort(), ['ContainerStarted a1', 'ContainerStarted sb']);
  events.length = 0;
  runtime.containers.get('a1')!.state = 'exited';
  runtime.containers.get('a1')!.exitCode = 2;
  const s2 = await pleg.statusNewerThan('u1', Date.now(), ac.signal);
  t.is(s2?.containers[0].exitCode, 2);
  t.deepEqual(events.map((e) => `${e.type} ${e.data}`), ['ContainerDied a1']);
  events.length = 0;
  runtime.containers.delete('a1');
  await pleg.statusNewerThan('u1', Date.now(), ac.signal);
  t.deepEqual(events.map((e) => `${e.type} ${e.data}`), ['ContainerRemoved a1']);
  ac.abort();
  await done;
});

test('a steady node costs one list per relist, no inspects', async (t) => {
  const { runtime, pleg, ac, done } = setup();
  for (let i = 0; i < 30; i++) runtime.put(rc('c', { id: `x${i}`, podUID: `u${i}` }));
  await pleg.statusNewerThan('u0', Date.now(), ac.signal);
  const inspects = runtime.inspectCalls;
  t.is(inspects, 30);
  const lists = runtime.listCalls;
  await new Promise((r) => setTimeout(r, 120));
  t.true(runtime.listCalls > lists);
  t.is(runtime.inspectCalls, inspects);
  t.is(pleg.podUIDs().length, 30);
  ac.abort();
  await done;
});

test('statusNewerThan returns at once when aborted; unknown pods are empty', async (t) => {
  const { pleg, ac, done } = setup();
  const s = await pleg.statusNewerThan('nobody', Date.now(), ac.signal);
  t.deepEqual(s?.containers, []);
  ac.abort();
  t.is(await pleg.statusNewerThan('nobody', Date.now() + 1e6, ac.signal), undefined);
  await done;
});
