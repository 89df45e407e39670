// The kubelet on the REAL Docker engine with a REAL kube-apiserver: pods
// bound to its node run, report status, restart with back-off, and go away.
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resources } from '../../../controlplane/client/resources.js';
import { BUSYBOX_IMAGE, containersOf, docker, dockerExec, dockerLogs, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

test.serial('a two-container pod shares localhost: httpd in one, wget from 127.0.0.1 in the other; status Running and Ready', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  try {
    await env.client.resource(resources.pods, env.ns).create(
      pod('web', env.ns, k.nodeName, {
        containers: [
          { name: 'server', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www'] },
          { name: 'client', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'until wget -q -O /tmp/got http://127.0.0.1:8080/index.html; do sleep 0.2; done; cat /tmp/got; exec sleep 3600'] },
        ],
      }),
    );
    const p = await eventually(async () => {
      const x = await getPod(env, 'web');
      return x.status?.phase === 'Running' && x.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? x : undefined;
    });
    t.is(p.status?.containerStatuses?.length, 2);
    t.truthy(p.status?.podIP);
    t.is(p.status?.qosClass, 'BestEffort');
    t.deepEqual(
      p.status?.conditions?.map((c) => `${c.type}=${c.status}`).sort(),
      ['ContainersReady=True', 'Initialized=True', 'PodScheduled=True', 'Ready=True'],
    );
    const [client] = await containersOf(k.nodeName, 'web', 'client');
    await eventually(async () => (await dockerLogs(client.Id)).includes('hello-from-server'));
    t.pass();

    // Same network namespace: the client sees the server's listening socket on its own loopback.
    const [server] = await containersOf(k.nodeName, 'web', 'server');
    const a = await dockerExec(server.Id, ['readlink', '/proc/self/ns/net']);
    const b = await dockerExec(client.Id, ['readlink', '/proc/self/ns/net']);
    t.is(a.out.trim(), b.out.trim());
    // The pod's hostname (the sandbox's UTS name, joined by every container).
    t.is((await dockerExec(client.Id, ['hostname'])).out.trim(), 'web');
    // /etc/hosts is the kubelet's, with the pod's own line.
    const hosts = await dockerExec(client.Id, ['cat', '/etc/hosts']);
    t.true(hosts.out.startsWith('# Kubernetes-managed hosts file.\n'));
    t.true(hosts.out.split('\n').includes(`${p.status?.podIP}\tweb`), hosts.out);
    // Pod IP reachable from the host.
    const res = await fetch(`http://${p.status?.podIP}:8080/index.html`);
    t.is((await res.text()).trim(), 'hello-from-server');

    // shareProcessNamespace: one container sees the other's processes (and the pause process as PID 1).
    await env.client.resource(resources.pods, env.ns).create(
      pod('shared', env.ns, k.nodeName, {
        shareProcessNamespace: true,
        containers: [
          { name: 'one', image: BUSYBOX_IMAGE, command: ['sleep', '3601'] },
          { name: 'two', image: BUSYBOX_IMAGE, command: ['sleep', '3602'] },
        ],
      }),
    );
    await eventually(async () => (await getPod(env, 'shared')).status?.phase === 'Running');
    const [two] = await containersOf(k.nodeName, 'shared', 'two');
    const ps = (await dockerExec(two.Id, ['ps', '-o', 'args'])).out;
    t.true(ps.includes('sleep 3601'), ps);
    t.is((await dockerExec(two.Id, ['cat', '/proc/1/cmdline'])).out.replace(/\0/g, ' ').trim(), '/pause');
  } finally {
    await k.cleanup();
    await env.stop();
  }
});

test.serial('a crashing container reaches CrashLoopBackOff and its restarts back off 10 s, then 20 s', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  try {
    await env.client.resource(resources.pods, env.ns).create(pod('crash', env.ns, k.nodeName, { containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo dying; exit 3'] }] }));
    // The first restart is immediate (no back-off yet).
    await eventually(async () => ((await getPod(env, 'crash')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 6000);
    const st = await eventually(
      async () => {
        const cs = (await getPod(env, 'crash')).status?.containerStatuses?.[0];
        return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && cs.state.waiting.message?.startsWith('back-off 20s restarting failed container=c pod=crash_') ? cs : undefined;
      },
      40_000,
    );
    t.is(st.restartCount, 2);
    t.is(st.lastState?.terminated?.exitCode, 3);
    t.is(st.lastState?.terminated?.reason, 'Error');
    t.false(st.ready);
    const p = await getPod(env, 'crash');
    t.is(p.status?.phase, 'Running');
    t.is(p.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    // The second restart waited out a 10 s back-off (runs 1 and 2 are kept; older dead runs are collected).
    const runs = await containersOf(k.nodeName, 'crash', 'c');
    t.deepEqual(runs.map((r) => r.Names[0].split('_').pop()), ['2', '1']);
    const gap = runs[0].Created - runs[1].Created;
    t.true(gap >= 9 && gap <= 14, `second restart after ${gap}s`);
  } finally {
    await k.cleanup();
    await env.stop();
  }
});

test.serial('an init container gates the app container; the pod is Pending/PodInitializing until it succeeds', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  try {
    await env.client.resource(resources.pods, env.ns).create(
      pod('gated', env.ns, k.nodeName, {
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [{ name: 'setup', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'sleep 2; echo prepared > /work/ready'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        containers: [{ name: 'app', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'cat /work/ready || exit 1; exec sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
      }),
    );
    const during = await eventually(async () => {
      const p = await getPod(env, 'gated');
      return p.status?.initContainerStatuses?.[0]?.state?.running ? p : undefined;
    });
    t.is(during.status?.phase, 'Pending');
    t.like(during.status?.conditions?.find((c) => c.type === 'Initialized'), { status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [setup]' });
    t.is(during.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
    t.deepEqual(await containersOf(k.nodeName, 'gated', 'app'), []);

    const after = await eventually(async () => {
      const p = await getPod(env, 'gated');
      return p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready ? p : undefined;
    });
    const init = after.status!.initContainerStatuses![0];
    t.is(init.state?.terminated?.reason, 'Completed');
    t.true(init.ready);
    t.is(after.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    t.true(Date.parse(after.status!.containerStatuses![0].state!.running!.startedAt!) >= Date.parse(init.state!.terminated!.finishedAt!));
    const [app] = await containersOf(k.nodeName, 'gated', 'app');
    t.is((await dockerLogs(app.Id)).trim(), 'prepared');
  } finally {
    await k.cleanup();
    await env.stop();
  }
});

test.serial('deleting a pod runs preStop, sends SIGTERM, kills what ignores it after the grace period, then removes the pod from the API', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  const hostDir = await mkdtemp(join(tmpdir(), 'kubets-prestop-'));
  try {
    await env.client.resource(resources.pods, env.ns).create(
      pod('graceful', env.ns, k.nodeName, {
        terminationGracePeriodSeconds: 4,
        volumes: [{ name: 'host', hostPath: { path: hostDir, type: 'Directory' } }],
        containers: [
          {
            name: 'polite',
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', "trap 'date +%s > /host/term; exit 0' TERM; while true; do sleep 0.1; done"],
            volumeMounts: [{ name: 'host', mountPath: '/host' }],
            lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /host/poststart'] } }, preStop: { exec: { command: ['sh', '-c', 'date +%s > /host/prestop; sleep 1'] } } },
          },
          { name: 'stubborn', image: BUSYBOX_IMAGE, command: ['sh', '-c', "trap '' TERM; while true; do sleep 0.2; done"] },
        ],
      }),
    );
    await eventually(async () => (await getPod(env, 'graceful')).status?.phase === 'Running');
    t.is((await readFile(join(hostDir, 'poststart'), 'utf8')).trim(), 'started', 'postStart ran');
    const t0 = Date.now();
    await env.client.resource(resources.pods, env.ns).delete('graceful');
    const [stubborn] = await containersOf(k.nodeName, 'graceful', 'stubborn');
    await eventually(
      async () => {
        try {
          await getPod(env, 'graceful');
          return false;
        } catch {
          return true;
        }
      },
      20_000,
      100,
    );
    const elapsed = (Date.now() - t0) / 1000;
    t.true(elapsed >= 3.5 && elapsed < 10, `pod gone after ${elapsed}s with a 4 s grace period`);
    const prestop = Number((await readFile(join(hostDir, 'prestop'), 'utf8')).trim());
    const term = Number((await readFile(join(hostDir, 'term'), 'utf8')).trim());
    t.true(prestop <= term, 'preStop ran before SIGTERM');
    // The stubborn container was killed (SIGKILL: 137) and then removed with the pod.
    const gone = await eventually(async () => ((await containersOf(k.nodeName, 'graceful', 'stubborn')).length === 0 ? true : undefined), 10_000);
    t.true(gone);
    t.truthy(stubborn);
  } finally {
    await k.cleanup();
    await env.stop();
    await rm(hostDir, { recursive: true, force: true });
  }
});

test.serial('terminated states: termination message file, FallbackToLogsOnError, OOMKilled, Completed; restartPolicy Never ends Failed', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  try {
    await env.client.resource(resources.pods, env.ns).create(
      pod('ends', env.ns, k.nodeName, {
        restartPolicy: 'Never',
        containers: [
          { name: 'msg', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo -n bye > /dev/termination-log; exit 2'] },
          { name: 'logs', image: BUSYBOX_IMAGE, terminationMessagePolicy: 'FallbackToLogsOnError', command: ['sh', '-c', 'echo from-logs; exit 1'] },
          // dd is OOM-killed (137) and the shell exits with its status a second later:
          // Docker reports OOMKilled only when containerd's OOM event beats the exit
          // event, and a process that dies of the kill itself makes that a coin toss.
          { name: 'oom', image: BUSYBOX_IMAGE, resources: { limits: { memory: '16Mi' } }, command: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=64M count=1; s=$?; sleep 1; exit $s'] },
          { name: 'ok', image: BUSYBOX_IMAGE, command: ['true'] },
        ],
      }),
    );
    const p = await eventually(async () => {
      const x = await getPod(env, 'ends');
      return x.status?.phase === 'Failed' ? x : undefined;
    }, 30_000);
    const term = (n: string) => p.status?.containerStatuses?.find((c) => c.name === n)?.state?.terminated;
    t.like(term('msg'), { exitCode: 2, reason: 'Error', message: 'bye' });
    t.like(term('logs'), { exitCode: 1, reason: 'Error', message: 'from-logs\n' });
    t.like(term('oom'), { exitCode: 137, reason: 'OOMKilled' });
    t.like(term('ok'), { exitCode: 0, reason: 'Completed' });
    t.like(p.status?.conditions?.find((c) => c.type === 'Ready'), { status: 'False', reason: 'PodCompleted' });
    // Nothing restarted; the sandbox was stopped with the pod.
    t.true(p.status!.containerStatuses!.every((c) => c.restartCount === 0));
    const sandboxes = await docker.listContainers({ filters: { label: [`io.kubets.node=${k.nodeName}`, 'io.kubernetes.docker.type=podsandbox'] } });
    await eventually(async () => (await docker.listContainers({ filters: { label: [`io.kubets.node=${k.nodeName}`, 'io.kubernetes.docker.type=podsandbox'] } })).length === 0, 10_000);
    t.true(sandboxes.length <= 1);
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
