// computePodActions: the plan for every situation a pod's runtime state can be in.
import test from 'ava';
import { computePodActions, type PodActions } from '../../../../agent/kubelet/runtime/actions.js';
import { exited, podStatus, rc, runningFor, sandbox, testPod } from '../../../../agent/kubelet/testing/fixtures.js';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { RuntimePodStatus } from '../../../../agent/kubelet/runtime/podstatus.js';

type Want = Partial<Omit<PodActions, 'containersToKill'>> & { kill?: string[] };

const two = testPod({ containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }] });
const withInit = testPod({ initContainers: [{ name: 'i1', image: 'img' }, { name: 'i2', image: 'img' }], containers: [{ name: 'a', image: 'img' }] });
const never = testPod({ restartPolicy: 'Never' });
const onFailure = testPod({ restartPolicy: 'OnFailure' });
const hostNet = testPod({ hostNetwork: true });

const cases: { name: string; pod: Pod; status: RuntimePodStatus; unhealthy?: string[]; want: Want }[] = [
  { name: 'new pod: create the sandbox and start every container', pod: two, status: podStatus([], []), want: { killPod: true, createSandbox: true, attempt: 0, containersToStart: ['a', 'b'] } },
  { name: 'new pod with init containers: only the first init container', pod: withInit, status: podStatus([], []), want: { createSandbox: true, nextInitContainer: 'i1', containersToStart: [] } },
  { name: 'steady state: nothing to do', pod: two, status: podStatus([sandbox()], [runningFor(two, 'a'), runningFor(two, 'b')]), want: { killPod: false, createSandbox: false, containersToStart: [], kill: [] } },
  { name: 'dead sandbox: kill the pod and re-create with attempt + 1', pod: two, status: podStatus([sandbox({ ready: false, attempt: 2 })], [runningFor(two, 'a')]), want: { killPod: true, createSandbox: true, attempt: 3, containersToStart: ['a', 'b'] } },
  { name: 'sandbox without an IP is re-created', pod: two, status: podStatus([sandbox({ ip: undefined })], [runningFor(two, 'a'), runningFor(two, 'b')]), want: { killPod: true, createSandbox: true, attempt: 1 } },
  { name: 'hostNetwork sandbox needs no IP', pod: hostNet, status: podStatus([sandbox({ ip: undefined, hostNetwork: true })], [runningFor(hostNet, 'a')]), want: { killPod: false, createSandbox: false } },
  { name: 'hostNetwork changed: new sandbox', pod: hostNet, status: podStatus([sandbox()], [runningFor(hostNet, 'a')]), want: { killPod: true, createSandbox: true } },
  { name: 'two ready sandboxes: start over', pod: two, status: podStatus([sandbox({ id: 'sb2', attempt: 1 }), sandbox()], []), want: { killPod: true, createSandbox: true, attempt: 2 } },
  { name: 'Always: an exited container is restarted', pod: two, status: podStatus([sandbox()], [runningFor(two, 'a'), exited('b', 0)]), want: { containersToStart: ['b'], killPod: false } },
  { name: 'OnFailure: exit 0 stays down', pod: onFailure, status: podStatus([sandbox()], [exited('a', 0)]), want: { containersToStart: [], killPod: true, createSandbox: false } },
  { name: 'OnFailure: exit 1 restarts', pod: onFailure, status: podStatus([sandbox()], [exited('a', 1)]), want: { containersToStart: ['a'], killPod: false } },
  { name: 'Never: a finished pod is killed (sandbox) and nothing starts', pod: never, status: podStatus([sandbox()], [exited('a', 1)]), want: { containersToStart: [], killPod: true, createSandbox: false } },
  { name: 'Never: after its sandbox died, no new sandbox', pod: never, status: podStatus([sandbox({ ready: false })], [exited('a', 0)]), want: { killPod: true, createSandbox: false } },
  { name: 'OnFailure: everything succeeded and the sandbox is gone: no new sandbox', pod: onFailure, status: podStatus([sandbox({ ready: false })], [exited('a', 0)]), want: { killPod: true, createSandbox: false, containersToStart: [] } },
  { name: 'spec changed (hash): kill and restart', pod: two, status: podStatus([sandbox()], [rc('a', { id: 'old', specHash: 'deadbeef' }), runningFor(two, 'b')]), want: { containersToStart: ['a'], kill: ['old'] } },
  { name: 'liveness failed: kill and restart under Always', pod: two, status: podStatus([sandbox()], [runningFor(two, 'a', { id: 'sick' }), runningFor(two, 'b')]), unhealthy: ['sick'], want: { containersToStart: ['a'], kill: ['sick'] } },
  { name: 'liveness failed under Never: kill only', pod: testPod({ restartPolicy: 'Never', containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }] }), status: podStatus([sandbox()], [rc('a', { id: 'sick' }), rc('b')]), unhealthy: ['sick'], want: { containersToStart: [], kill: ['sick'], killPod: false } },
  { name: 'unknown state: kill it, then start it', pod: two, status: podStatus([sandbox()], [rc('a', { id: 'u', state: 'unknown' }), runningFor(two, 'b')]), want: { containersToStart: ['a'], kill: ['u'] } },
  { name: 'created but never started: start again', pod: two, status: podStatus([sandbox()], [rc('a', { state: 'created' }), runningFor(two, 'b')]), want: { containersToStart: ['a'] } },
  { name: 'init: first done, second next', pod: withInit, status: podStatus([sandbox()], [exited('i1', 0)]), want: { nextInitContainer: 'i2', containersToStart: [] } },
  { name: 'init: one running, wait', pod: withInit, status: podStatus([sandbox()], [exited('i1', 0), rc('i2')]), want: { nextInitContainer: undefined, containersToStart: [], killPod: false } },
  { name: 'init: all done, start the app', pod: withInit, status: podStatus([sandbox()], [exited('i2', 0), exited('i1', 0)]), want: { nextInitContainer: undefined, containersToStart: ['a'] } },
  { name: 'init failed under Always: retry it', pod: withInit, status: podStatus([sandbox()], [exited('i1', 2)]), want: { nextInitContainer: 'i1', killPod: false } },
  { name: 'init OOM-killed counts as failed', pod: withInit, status: podStatus([sandbox()], [exited('i1', 0, { reason: 'OOMKilled' })]), want: { nextInitContainer: 'i1' } },
  { name: 'init failed under Never: kill the pod', pod: testPod({ restartPolicy: 'Never', initContainers: [{ name: 'i1', image: 'img' }], containers: [{ name: 'a', image: 'img' }] }), status: podStatus([sandbox()], [exited('i1', 1)]), want: { killPod: true, nextInitContainer: undefined } },
  { name: 'app already running: init containers are not looked at', pod: withInit, status: podStatus([sandbox()], [runningFor(withInit, 'a')]), want: { nextInitContainer: undefined, containersToStart: [], killPod: false } },
];

for (const tc of cases) {
  test(tc.name, (t) => {
    const got = computePodActions(tc.pod, tc.status, { unhealthy: new Set(tc.unhealthy ?? []) });
    const { kill, ...rest } = tc.want;
    t.like(got, rest);
    if (kill) t.deepEqual([...got.containersToKill.keys()].sort(), [...kill].sort());
  });
}

test('the plan is pure: same input, same plan, input untouched', (t) => {
  const s = podStatus([sandbox()], [runningFor(two, 'a'), exited('b', 1)]);
  const before = JSON.stringify(s);
  t.deepEqual(computePodActions(two, s), computePodActions(two, s));
  t.is(JSON.stringify(s), before);
});
