// The kubelet on the REAL Docker engine with a REAL kube-apiserver: pods
// bound to its node run, report status, restart with back-off, and go away.
import test from 'ava';
import { resources } from '../../../controlplane/client/resources.js';
import { BUSYBOX_IMAGE, containersOf, dockerExec, dockerLogs, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

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
    // /etc/hosts is the kubelet's, with the pod's own line.
    const hosts = await dockerExec(client.Id, ['cat', '/etc/hosts']);
    t.true(hosts.out.startsWith('# Kubernetes-managed hosts file.\n'));
    t.true(hosts.out.split('\n').includes(`${p.status?.podIP}\tweb`), hosts.out);
    // Pod IP reachable from the host.
    const res = await fetch(`http://${p.status?.podIP}:8080/index.html`);
    t.is((await res.text()).trim(), 'hello-from-server');
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
