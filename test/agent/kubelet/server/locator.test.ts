// RuntimeLocator: a pod's containers found by their labels, newest attempt first.
import test from 'ava';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { RuntimeContainer } from '../../../../agent/kubelet/types.js';
import { RuntimeLocator } from '../../../../agent/kubelet/server/index.js';

const c = (id: string, o: Partial<RuntimeContainer>): RuntimeContainer => ({ id, podUID: 'u1', podNamespace: 'ns', podName: 'p', containerName: 'app', isSandbox: false, attempt: 0, image: '', imageID: '', state: 'running', labels: {}, inspected: false, ...o });

const containers = [
  c('old', { attempt: 0, state: 'exited' }),
  c('cur', { attempt: 2, state: 'running' }),
  c('mid', { attempt: 1, state: 'exited' }),
  c('other-pod-same-name', { podUID: 'u0', attempt: 7 }),
  c('side', { containerName: 'sidecar' }),
  c('sb-old', { isSandbox: true, containerName: 'POD', attempt: 0, state: 'exited' }),
  c('sb', { isSandbox: true, containerName: 'POD', attempt: 1, state: 'running' }),
];
const runtime = { list: async () => containers, sandboxNetns: async (id: string) => `/proc/netns-of-${id}` };
const pods = (): Pod[] => [{ metadata: { name: 'p', namespace: 'ns', uid: 'u1' } }];

test('current and previous instances, by attempt, of this pod UID only', async (t) => {
  const l = new RuntimeLocator(runtime, pods);
  t.deepEqual(await l.find('ns', 'p', 'app', {}), { id: 'cur', podUID: 'u1' });
  t.deepEqual(await l.find('ns', 'p', 'app', { previous: true }), { id: 'mid', podUID: 'u1' });
  t.deepEqual(await l.find('ns', 'p', 'sidecar', {}), { id: 'side', podUID: 'u1' });
  t.is(await l.find('ns', 'p', 'sidecar', { previous: true }), undefined);
  t.is(await l.find('ns', 'p', 'nope', {}), undefined);
  t.is(await l.find('other', 'p', 'app', {}), undefined);
});

test('the running sandbox\'s network namespace', async (t) => {
  const l = new RuntimeLocator(runtime, pods);
  t.is(await l.sandboxNetns('ns', 'p'), '/proc/netns-of-sb');
  t.is(await l.sandboxNetns('ns', 'q'), undefined);
});
