// The kubelet with its VolumeManager and ProberManager, end to end on Docker:
// a ConfigMap as env and as files (an update reaches the file), a Secret on
// tmpfs, readiness flipping Ready both ways, a failed liveness probe
// restarting the container.
import test from 'ava';
import { resources } from '../../../controlplane/client/resources.js';
import { BUSYBOX_IMAGE, containersOf, dockerExec, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

test('ConfigMap env and files (updated in place), Secret on tmpfs, readiness and liveness probes', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env);
  try {
    await env.client.resource(resources.configmaps, env.ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: env.ns }, data: { color: 'blue' } });
    await env.client.resource(resources.secrets, env.ns).create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: env.ns }, data: { token: Buffer.from('t0ken').toString('base64') } });
    await env.client.resource(resources.pods, env.ns).create(
      pod('wired', env.ns, k.nodeName, {
        volumes: [
          { name: 'cfg', configMap: { name: 'settings' } },
          { name: 'sec', secret: { secretName: 'creds' } },
        ],
        containers: [
          {
            name: 'app',
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/ready && exec httpd -f -p 8080 -h /www'],
            env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'settings', key: 'color' } } }],
            volumeMounts: [
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'sec', mountPath: '/etc/sec', readOnly: true },
            ],
            readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
            livenessProbe: { exec: { command: ['sh', '-c', '! test -f /tmp/die'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    const isReady = async () => (await getPod(env, 'wired')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    await eventually(isReady, 30_000);
    const [c] = await containersOf(k.nodeName, 'wired', 'app');
    t.true((await dockerExec(c.Id, ['env'])).out.split('\n').includes('COLOR=blue'));
    t.is((await dockerExec(c.Id, ['cat', '/etc/cfg/color'])).out, 'blue');
    t.is((await dockerExec(c.Id, ['cat', '/etc/sec/token'])).out, 't0ken');
    const mounts = (await dockerExec(c.Id, ['cat', '/proc/mounts'])).out.split('\n');
    t.true(mounts.some((l) => l.split(' ')[1] === '/etc/sec' && l.split(' ')[2] === 'tmpfs'), 'the secret is on tmpfs');

    // A ConfigMap update reaches the file (not the env var, fixed at start).
    await env.client.resource(resources.configmaps, env.ns).patch('settings', 'merge', { data: { color: 'green' } });
    await eventually(async () => (await dockerExec(c.Id, ['cat', '/etc/cfg/color'])).out === 'green', 20_000);
    t.pass();

    // Readiness: out of Ready while /ready is gone, back when it returns; no restart.
    await dockerExec(c.Id, ['rm', '/www/ready']);
    await eventually(async () => !(await isReady()), 15_000);
    await dockerExec(c.Id, ['sh', '-c', 'echo ok > /www/ready']);
    await eventually(isReady, 15_000);
    t.is((await getPod(env, 'wired')).status?.containerStatuses?.[0]?.restartCount, 0);

    // Liveness: a failure restarts the container.
    await dockerExec(c.Id, ['touch', '/tmp/die']);
    const restarted = await eventually(async () => {
      const cs = (await getPod(env, 'wired')).status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && cs.state?.running ? cs : undefined;
    }, 30_000);
    t.not(restarted.containerID, `docker://${c.Id}`);
    await eventually(isReady, 15_000);
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
