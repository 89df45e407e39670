// Docker inspect → RuntimeContainer exit reasons, as dockershim reported them.
import test from 'ava';
import type Dockerode from 'dockerode';
import { fromInspect } from '../../../../../agent/kubelet/runtime/docker/convert.js';
import { LABEL } from '../../../../../agent/kubelet/runtime/labels.js';

function inspected(state: Partial<Dockerode.ContainerInspectInfo['State']>): Dockerode.ContainerInspectInfo {
  return {
    Id: 'c1',
    Name: '/k8s_app_p_ns_uid_0',
    Created: '2026-11-22T07:00:00Z',
    Image: 'sha256:abc',
    Config: { Image: 'busybox', Labels: { [LABEL.podUID]: 'uid', [LABEL.containerName]: 'app' } },
    HostConfig: { NetworkMode: 'container:x' },
    NetworkSettings: {},
    State: { Status: 'exited', StartedAt: '2026-11-22T07:00:01Z', FinishedAt: '2026-11-22T07:00:02Z', ExitCode: 0, OOMKilled: false, Error: '', ...state },
  } as unknown as Dockerode.ContainerInspectInfo;
}

const cases: { name: string; state: Partial<Dockerode.ContainerInspectInfo['State']>; oomSeen?: boolean; want: { exitCode: number; reason: string } }[] = [
  { name: 'exit 0 is Completed', state: { ExitCode: 0 }, want: { exitCode: 0, reason: 'Completed' } },
  { name: 'non-zero exit is Error', state: { ExitCode: 2 }, want: { exitCode: 2, reason: 'Error' } },
  { name: 'Docker saw the OOM kill', state: { ExitCode: 137, OOMKilled: true }, want: { exitCode: 137, reason: 'OOMKilled' } },
  { name: 'OOM event arrived after the exit: the runtime saw the oom event', state: { ExitCode: 137 }, oomSeen: true, want: { exitCode: 137, reason: 'OOMKilled' } },
  { name: 'plain SIGKILL without OOM is Error', state: { ExitCode: 137 }, want: { exitCode: 137, reason: 'Error' } },
];

for (const c of cases) {
  test(c.name, (t) => {
    t.like(fromInspect(inspected(c.state), c.oomSeen), c.want);
  });
}

test('a running container has no exit reason', (t) => {
  const rc = fromInspect(inspected({ Status: 'running', Pid: 42 }), true);
  t.is(rc?.state, 'running');
  t.is(rc?.reason, undefined);
  t.is(rc?.pid, 42);
});

test('a container without our labels is not ours', (t) => {
  const i = inspected({});
  i.Config.Labels = {};
  t.is(fromInspect(i), undefined);
});
