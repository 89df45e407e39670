// What the kubelet puts in a container, checked inside real containers and
// on Docker's side: env (ConfigMap, Secret, downward API, Service links,
// $(VAR)), securityContext, resources, QoS; and the waiting reasons of
// containers that cannot start.
import test from 'ava';
import type { Container } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { BUSYBOX_IMAGE, containersOf, docker, dockerExec, dockerLogs, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

test.serial('env from ConfigMap, Secret, downward API and Services, with $(VAR) in command; a missing key is CreateContainerConfigError until it appears', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env, ['--cluster-dns=10.0.0.10', '--cluster-domain=cluster.local']);
  try {
    await env.client.resource(resources.services, env.ns).create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'mysql', namespace: env.ns },
      spec: { ports: [{ name: 'db', port: 3306, protocol: 'TCP' }], selector: { app: 'mysql' } },
    });
    await env.client.resource(resources.configmaps, env.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: env.ns }, data: { color: 'blue' } });
    await env.client.resource(resources.configmaps, env.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'odd', namespace: env.ns }, data: { '1bad': 'x', GOOD: 'yes' } });
    await env.client.resource(resources.secrets, env.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: env.ns }, data: { password: Buffer.from('s3cret').toString('base64') } });
    const c: Container = {
      name: 'app',
      image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'echo "$(GREETING) $(COLOR)"; exec sleep 3600'],
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'odd' } }],
      env: [
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'GREETING', value: 'hello-$(COLOR)' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM_LIMIT_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'LATE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'late' } } },
      ],
      resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { cpu: '500m', memory: '64Mi' } },
      securityContext: { runAsUser: 1234, runAsGroup: 2345, capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] }, readOnlyRootFilesystem: true },
    };
    await env.client.resource(resources.pods, env.ns).create(pod('envy', env.ns, k.nodeName, { containers: [c] }));
    const waiting = await eventually(async () => (await getPod(env, 'envy')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? getPod(env, 'envy') : undefined);
    t.is(waiting.status?.containerStatuses?.[0]?.state?.waiting?.message, `couldn't find key late in ConfigMap ${env.ns}/cfg`);
    t.is(waiting.status?.phase, 'Pending');

    await env.client.resource(resources.configmaps, env.ns).patch('cfg', 'merge', { data: { late: 'arrived' } });
    const p = await eventually(async () => {
      const x = await getPod(env, 'envy');
      return x.status?.phase === 'Running' ? x : undefined;
    }, 30_000);
    t.is(p.status?.qosClass, 'Burstable');
    const [ctr] = await containersOf(k.nodeName, 'envy', 'app');
    const envOut = (await dockerExec(ctr.Id, ['env'])).out.split('\n');
    const has = (kv: string) => t.true(envOut.includes(kv), `${kv} in env`);
    has('COLOR=blue');
    has('PASSWORD=s3cret');
    has('GREETING=hello-blue');
    has('POD_NAME=envy');
    has(`POD_IP=${p.status?.podIP}`);
    has('MEM_LIMIT_MI=64');
    has('LATE=arrived');
    has('CFG_color=blue');
    has('GOOD=yes');
    t.false(envOut.some((l) => l.startsWith('1bad=')), 'a key that is no variable name is skipped');
    const svc = await env.client.resource(resources.services, env.ns).get('mysql');
    const ip = svc.spec!.clusterIP!;
    has(`MYSQL_SERVICE_HOST=${ip}`);
    has('MYSQL_SERVICE_PORT=3306');
    has('MYSQL_SERVICE_PORT_DB=3306');
    has(`MYSQL_PORT=tcp://${ip}:3306`);
    has(`MYSQL_PORT_3306_TCP_ADDR=${ip}`);
    t.true(envOut.some((l) => l.startsWith('KUBERNETES_SERVICE_HOST=')), 'the master service too');
    t.is((await dockerLogs(ctr.Id)).trim(), 'hello-blue blue');
    const resolv = (await dockerExec(ctr.Id, ['cat', '/etc/resolv.conf'])).out;
    t.true(resolv.startsWith(`nameserver 10.0.0.10\nsearch ${env.ns}.svc.cluster.local svc.cluster.local cluster.local`), resolv);
    t.true(resolv.includes('options ndots:5'));
    t.is((await dockerExec(ctr.Id, ['id', '-u'])).out.trim(), '1234');
    t.is((await dockerExec(ctr.Id, ['id', '-g'])).out.trim(), '2345');
    t.not((await dockerExec(ctr.Id, ['touch', '/etc/x'])).code, 0, 'read-only root filesystem');

    const hc = (await docker.getContainer(ctr.Id).inspect()).HostConfig;
    t.is(hc.CpuShares, 256);
    t.is(hc.CpuQuota, 50_000);
    t.is(hc.CpuPeriod, 100_000);
    t.is(hc.Memory, 64 * 1024 * 1024);
    t.deepEqual(hc.CapAdd, ['CAP_NET_ADMIN']);
    t.deepEqual(hc.CapDrop, ['CAP_MKNOD']);
    t.true(hc.ReadonlyRootfs);
    const oom = Number((await dockerExec(ctr.Id, ['cat', '/proc/self/oom_score_adj'])).out.trim());
    t.true(oom > 0 && oom < 1000, `burstable oom_score_adj ${oom}`);
  } finally {
    await k.cleanup();
    await env.stop();
  }
});

test.serial('waiting reasons: ErrImageNeverPull, ErrImagePull then ImagePullBackOff, privileged refused without --allow-privileged, hostNetwork refused by --host-network-sources', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env, ['--host-network-sources=file']);
  try {
    const pods = env.client.resource(resources.pods, env.ns);
    await pods.create(pod('never', env.ns, k.nodeName, { containers: [{ name: 'c', image: 'kubets.local/absent:1', imagePullPolicy: 'Never' }] }));
    await pods.create(pod('pull', env.ns, k.nodeName, { containers: [{ name: 'c', image: 'kubets.invalid/absent:1', imagePullPolicy: 'IfNotPresent' }] }));
    await pods.create(pod('priv', env.ns, k.nodeName, { containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '60'], securityContext: { privileged: true } }] }));
    await pods.create(pod('hostnet', env.ns, k.nodeName, { hostNetwork: true, containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '60'] }] }));
    const waitingOf = async (name: string) => (await getPod(env, name)).status?.containerStatuses?.[0]?.state?.waiting;
    const never = await eventually(async () => ((await waitingOf('never'))?.reason === 'ErrImageNeverPull' ? waitingOf('never') : undefined));
    t.is(never?.message, 'Container image "kubets.local/absent:1" is not present with pull policy of Never');
    const first = await eventually(async () => (await waitingOf('pull'))?.reason === 'ErrImagePull', 30_000);
    t.true(first);
    await eventually(async () => (await waitingOf('pull'))?.reason === 'ImagePullBackOff', 30_000);
    t.is((await waitingOf('pull'))?.message, 'Back-off pulling image "kubets.invalid/absent:1"');
    for (const name of ['priv', 'hostnet']) {
      const p = await eventually(async () => {
        const x = await getPod(env, name);
        return x.status?.reason === 'Forbidden' ? x : undefined;
      });
      t.is(p.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'Blocked');
      t.deepEqual(await containersOf(k.nodeName, name, 'c'), []);
    }
    t.regex((await getPod(env, 'priv')).status?.message ?? '', /specified privileged container, but is disallowed/);
    t.regex((await getPod(env, 'hostnet')).status?.message ?? '', /specified host networking, but is disallowed/);
    const events = await env.client.resource(resources.events, env.ns).list();
    t.true(events.items.some((e) => e.reason === 'Failed' && e.involvedObject.name === 'pull' && e.message?.startsWith('Failed to pull image "kubets.invalid/absent:1"')));
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
