// The status manager: writes only changes, only the newest version, through pods/status; deletes finished pods.
import test from 'ava';
import type { Pod, PodStatus } from '../../../../controlplane/api/core/v1/types.js';
import { FakeClient } from '../../../../controlplane/client/testing/fake.js';
import { FakeClock } from '../../../../controlplane/client/testing/clock.js';
import { resources } from '../../../../controlplane/client/resources.js';
import { KubeletStatusManager } from '../../../../agent/kubelet/status/manager.js';
import { testLogger } from '../harness.js';

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
const st = (phase: PodStatus['phase']): PodStatus => ({ phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] });

function setup() {
  const client = new FakeClient();
  client.seed(resources.pods, structuredClone(pod));
  const clock = new FakeClock();
  const m = new KubeletStatusManager({
    client,
    clock,
    log: testLogger('status'),
    target: () => ({ namespace: 'ns', name: 'p', uid: 'u1' }),
  });
  const ac = new AbortController();
  const done = m.run(ac.signal);
  const patches = () => client.actions.filter((a) => a.verb === 'patch');
  return { client, clock, m, ac, done, patches };
}

test('only changes are written, and only the newest of a burst', async (t) => {
  const { client, clock, m, ac, done, patches } = setup();
  m.setPodStatus('u1', st('Pending'));
  m.setPodStatus('u1', st('Running'));
  await clock.advance(10);
  m.setPodStatus('u1', st('Running'));
  await clock.advance(10);
  t.is(patches().length, 1);
  const got = await client.resource(resources.pods, 'ns').get('p');
  t.is(got.status?.phase, 'Running');
  m.setPodStatus('u1', st('Failed'));
  await clock.advance(10);
  t.is(patches().length, 2);
  ac.abort();
  await done;
});

test('a status someone else overwrote is re-sent on reconcile', async (t) => {
  const { client, clock, m, ac, done, patches } = setup();
  const target = { namespace: 'ns', name: 'p', uid: 'u1', status: undefined as PodStatus | undefined };
  (m as unknown as { o: { target: () => typeof target } }).o.target = () => target;
  m.setPodStatus('u1', st('Running'));
  await clock.advance(10);
  target.status = st('Running');
  await clock.advance(10_000);
  t.is(patches().length, 1, 'in sync: nothing to do');
  target.status = st('Pending');
  await client.resource(resources.pods, 'ns').patch('p', 'merge', { status: st('Pending') }, { subresource: 'status' });
  await clock.advance(10_000);
  t.is(patches().length, 3);
  t.is((await client.resource(resources.pods, 'ns').get('p')).status?.phase, 'Running');
  ac.abort();
  await done;
});

test('requestDeletion deletes with grace 0 and the UID precondition; a gone pod is fine', async (t) => {
  const { client, clock, m, ac, done } = setup();
  m.requestDeletion('u1', { namespace: 'ns', name: 'p', uid: 'u1' });
  await clock.advance(10);
  const del = client.actions.find((a) => a.verb === 'delete');
  t.truthy(del);
  await t.throwsAsync(client.resource(resources.pods, 'ns').get('p'));
  m.requestDeletion('u1', { namespace: 'ns', name: 'p', uid: 'u1' });
  await clock.advance(10);
  ac.abort();
  await done;
});
