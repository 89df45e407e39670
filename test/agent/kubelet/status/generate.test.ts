// generatePodStatus: phases, container states with their reasons, conditions.
import test from 'ava';
import type { Pod, PodStatus } from '../../../../controlplane/api/core/v1/types.js';
import { generatePodStatus, type StartFailure } from '../../../../agent/kubelet/status/generate.js';
import { exited, podStatus, rc, sandbox, testPod } from '../../../../agent/kubelet/testing/fixtures.js';
import type { RuntimePodStatus } from '../../../../agent/kubelet/runtime/podstatus.js';

const NOW = new Date(Date.UTC(2025, 0, 1, 12));

function gen(pod: Pod, rs: RuntimePodStatus, failures: Record<string, StartFailure> = {}, ready = true): PodStatus {
  return generatePodStatus({ pod, runtime: rs, failures: new Map(Object.entries(failures)), isReady: () => ready, isStarted: () => true, podIPs: rs.sandboxes[0]?.ip ? [rs.sandboxes[0].ip] : [], hostIP: '192.0.2.1', now: NOW });
}

const two = testPod({ containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }] });
const never = (spec = {}) => testPod({ restartPolicy: 'Never', ...spec });

const phases: { name: string; pod: Pod; rs: RuntimePodStatus; failures?: Record<string, StartFailure>; want: PodStatus['phase'] }[] = [
  { name: 'nothing yet: Pending', pod: two, rs: podStatus([], []), want: 'Pending' },
  { name: 'one running, one waiting: Pending', pod: two, rs: podStatus([sandbox()], [rc('a')]), want: 'Pending' },
  { name: 'all running: Running', pod: two, rs: podStatus([sandbox()], [rc('a'), rc('b')]), want: 'Running' },
  { name: 'Always, one exited and restarting: Running', pod: two, rs: podStatus([sandbox()], [rc('a'), exited('b', 1)]), want: 'Running' },
  { name: 'Always, all exited: still Running (restarting)', pod: two, rs: podStatus([sandbox()], [exited('a', 0), exited('b', 0)]), want: 'Running' },
  { name: 'Never, exited 0: Succeeded', pod: never(), rs: podStatus([sandbox()], [exited('a', 0)]), want: 'Succeeded' },
  { name: 'Never, exited 1: Failed', pod: never(), rs: podStatus([sandbox()], [exited('a', 1)]), want: 'Failed' },
  { name: 'OnFailure, exited 1: Running (restarting)', pod: testPod({ restartPolicy: 'OnFailure' }), rs: podStatus([sandbox()], [exited('a', 1)]), want: 'Running' },
  { name: 'init running: Pending', pod: testPod({ initContainers: [{ name: 'i' }] }), rs: podStatus([sandbox()], [rc('i')]), want: 'Pending' },
  { name: 'init failed under Never: Failed', pod: never({ initContainers: [{ name: 'i' }] }), rs: podStatus([sandbox()], [exited('i', 2)]), want: 'Failed' },
  { name: 'CrashLoopBackOff after a run: Running', pod: testPod(), rs: podStatus([sandbox()], [exited('a', 1)]), failures: { a: { reason: 'CrashLoopBackOff', message: 'back-off' } }, want: 'Running' },
  { name: 'ErrImagePull before any run: Pending', pod: testPod(), rs: podStatus([sandbox()], []), failures: { a: { reason: 'ErrImagePull', message: 'x' } }, want: 'Pending' },
];
for (const tc of phases) test(`phase: ${tc.name}`, (t) => t.is(gen(tc.pod, tc.rs, tc.failures).phase, tc.want));

test('container states: running, terminated, lastState and restartCount', (t) => {
  const start = new Date(Date.UTC(2025, 0, 1, 11));
  const s = gen(testPod(), podStatus([sandbox()], [rc('a', { id: 'new', attempt: 2, startedAt: start }), exited('a', 3, { id: 'old', attempt: 1 })]));
  const cs = s.containerStatuses![0];
  t.deepEqual(cs.state, { running: { startedAt: '2025-01-01T11:00:00Z' } });
  t.is(cs.restartCount, 2);
  t.is(cs.containerID, 'docker://new');
  t.like(cs.lastState?.terminated, { exitCode: 3, reason: 'Error', containerID: 'docker://old' });
  t.true(cs.ready);
  t.is(s.podIP, '10.1.0.5');
  t.is(s.qosClass, 'BestEffort');
});

test('waiting reasons: CrashLoopBackOff keeps the last run as lastState; defaults are ContainerCreating / PodInitializing', (t) => {
  const s = gen(testPod(), podStatus([sandbox()], [exited('a', 1, { attempt: 4 })]), { a: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_default(uid-1)' } });
  const cs = s.containerStatuses![0];
  t.deepEqual(cs.state?.waiting, { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=a pod=p_default(uid-1)' });
  t.is(cs.lastState?.terminated?.exitCode, 1);
  t.is(cs.restartCount, 4);
  t.is(gen(testPod(), podStatus([], [])).containerStatuses![0].state?.waiting?.reason, 'ContainerCreating');
  const init = gen(testPod({ initContainers: [{ name: 'i' }] }), podStatus([], []));
  t.is(init.containerStatuses![0].state?.waiting?.reason, 'PodInitializing');
  t.is(init.initContainerStatuses![0].state?.waiting?.reason, 'PodInitializing');
});

test('a reason does not hide a container that will not be restarted (Never, exited)', (t) => {
  const s = gen(never(), podStatus([sandbox()], [exited('a', 0)]), { a: { reason: 'CrashLoopBackOff', message: 'x' } });
  t.is(s.containerStatuses![0].state?.terminated?.reason, 'Completed');
});

test('OOMKilled and the termination message come through', (t) => {
  const s = gen(never(), podStatus([sandbox()], [exited('a', 137, { reason: 'OOMKilled', message: 'bye' })]));
  t.like(s.containerStatuses![0].state?.terminated, { exitCode: 137, reason: 'OOMKilled', message: 'bye' });
  t.is(s.phase, 'Failed');
});

test('conditions: Initialized, ContainersReady, Ready with upstream reasons; PodScheduled kept', (t) => {
  const pod = testPod({ initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }] });
  const s = gen(pod, podStatus([sandbox()], [rc('i')]));
  const cond = (type: string) => s.conditions!.find((c) => c.type === type);
  t.like(cond('Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i]' });
  t.like(cond('ContainersReady'), { status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
  t.like(cond('Ready'), { status: 'False', reason: 'ContainersNotReady' });
  t.is(cond('PodScheduled')?.status, 'True');
  const ok = gen(pod, podStatus([sandbox()], [exited('i', 0), rc('a'), rc('b')]));
  t.deepEqual(ok.conditions!.map((c) => `${c.type}=${c.status}`), ['Initialized=True', 'ContainersReady=True', 'Ready=True', 'PodScheduled=True']);
  const unready = gen(pod, podStatus([sandbox()], [exited('i', 0), rc('a'), rc('b')]), {}, false);
  t.is(unready.conditions!.find((c) => c.type === 'Ready')?.status, 'False');
  const done = gen(never(), podStatus([sandbox()], [exited('a', 0)]));
  t.like(done.conditions!.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodCompleted' });
});

test('transition times move only when a condition changes; others’ conditions are kept', (t) => {
  const earlier = '2024-12-31T00:00:00Z';
  const pod = testPod();
  pod.status = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: earlier }, { type: 'Initialized', status: 'False', lastTransitionTime: earlier }, { type: 'example.com/gate', status: 'True' }], startTime: earlier };
  const s = gen(pod, podStatus([sandbox()], [rc('a')]));
  t.is(s.conditions!.find((c) => c.type === 'Ready')?.lastTransitionTime, earlier);
  t.is(s.conditions!.find((c) => c.type === 'Initialized')?.lastTransitionTime, '2025-01-01T12:00:00Z');
  t.truthy(s.conditions!.find((c) => c.type === 'example.com/gate'));
  t.is(s.startTime, earlier);
});
