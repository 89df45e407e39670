// The whole kubelet (runKubelet, as bin/kubelet runs it) serving its own
// port: the API server reaches it over https (self-signed, as upstream with no
// --kubelet-certificate-authority) at the port the node status reports, and
// the real kubectl's logs, exec, port-forward and node proxy work on a pod the
// kubelet runs on Docker.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { resources } from '../../../controlplane/client/resources.js';
import { kubectlPath, makeKubectl } from '../../harness/kubectl.js';
import { waitForOutput } from './server/env.js';
import { BUSYBOX_IMAGE, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

test('kubectl logs, exec, port-forward and the node proxy reach the kubelet daemon over https', async (t) => {
  // The test node's addresses: InternalIP 127.0.0.1 (--node-ip), Hostname (its made-up name, not resolvable).
  const env = await startEnv({ api: { kubelet: { https: true, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
  const k = await startKubelet(env, ['--node-ip=127.0.0.1']);
  const kubectls = await Promise.all((['1.27', '1.33'] as const).map((v) => makeKubectl(v, env.api.url)));
  try {
    const listening = await k.server;
    t.truthy(listening.certFile, 'a self-signed serving certificate was made in --cert-dir');
    t.true(listening.certFile!.startsWith(join(k.rootDir, 'pki')));
    const node = await eventually(async () => env.client.resource(resources.nodes).get(k.nodeName), 30_000);
    t.is(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, listening.port, 'the node reports the port the server took');

    await env.client.resource(resources.pods, env.ns).create(
      pod('served', env.ns, k.nodeName, {
        containers: [
          {
            name: 'web',
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', 'echo started-web; mkdir -p /www && echo page-ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
          },
        ],
      }),
    );
    await eventually(async () => ((await getPod(env, 'served')).status?.phase === 'Running' ? true : undefined), 30_000);

    for (const kc of kubectls) {
      const logs = await eventually(async () => {
        const out = await kc.ok(['-n', env.ns, 'logs', 'served']);
        return out.includes('started-web') ? out : undefined;
      }, 10_000);
      t.is(logs, 'started-web', `kubectl ${kc.version} logs`);
      t.is(await kc.ok(['-n', env.ns, 'exec', 'served', '--', 'cat', '/www/index.html']), 'page-ok', `kubectl ${kc.version} exec`);
      const failed = await kc.run(['-n', env.ns, 'exec', 'served', '--', 'sh', '-c', 'exit 3']);
      t.is(failed.exitCode, 3, `kubectl ${kc.version} exec passes the exit code on`);
      const missing = await kc.run(['-n', env.ns, 'logs', 'served', '-c', 'nope']);
      t.not(missing.exitCode, 0);
      t.regex(missing.stderr, /container nope is not valid for pod served|container "nope" not found/);
    }

    // port-forward: kubectl listens on loopback and tunnels into the pod's network namespace.
    const kc = kubectls[1];
    const child = spawn(kubectlPath(kc.version), ['--kubeconfig', kc.kubeconfig, '--cache-dir', join(kc.kubeconfig, '..', 'cache'), '-n', env.ns, 'port-forward', 'pod/served', ':8080'], {
      env: { HOME: join(kc.kubeconfig, '..'), PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => child.kill('SIGKILL'));
    const out = await waitForOutput(child, /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/, 'the forwarding line');
    const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const page = await fetch(`http://127.0.0.1:${localPort}/index.html`);
    t.is(await page.text(), 'page-ok\n');
    child.kill('SIGKILL');

    // The node proxy: the kubelet's /pods lists the pod with the status it wrote.
    const raw = JSON.parse(await kc.ok(['get', '--raw', `/api/v1/nodes/${k.nodeName}/proxy/pods`])) as { kind: string; items: { metadata: { name: string }; status?: { phase?: string } }[] };
    t.is(raw.kind, 'PodList');
    t.like(raw.items.find((p) => p.metadata.name === 'served'), { status: { phase: 'Running' } });
    t.is(await kc.ok(['get', '--raw', `/api/v1/nodes/${k.nodeName}/proxy/healthz`]), 'ok');
  } finally {
    for (const kc of kubectls) await kc.cleanup();
    await k.cleanup();
    await env.stop();
  }
});

test('--anonymous-auth=false --client-ca-file: only the API server (its --kubelet-client-certificate) gets through; kubectl logs still works', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-kubelet-ca-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubelet-client-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=system:masters/CN=kube-apiserver', '-keyout', 'client.key', '-out', 'client.csr']);
  await ssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'client.ext', '-out', 'client.crt']);
  const env = await startEnv({ api: { kubelet: { https: true, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'], certFile: join(dir, 'client.crt'), keyFile: join(dir, 'client.key') } } });
  const k = await startKubelet(env, ['--node-ip=127.0.0.1', '--anonymous-auth=false', `--client-ca-file=${join(dir, 'ca.crt')}`]);
  const kc = await makeKubectl('1.33', env.api.url);
  try {
    const listening = await k.server;
    // Straight to the kubelet without a certificate: 401.
    const code = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: listening.port, path: '/pods', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    t.is(code, 401);
    await env.client.resource(resources.pods, env.ns).create(pod('guarded', env.ns, k.nodeName, { containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'echo guarded-hello; sleep 3600'] }] }));
    const logs = await eventually(async () => {
      const r = await kc.run(['-n', env.ns, 'logs', 'guarded']);
      return r.exitCode === 0 && r.stdout.includes('guarded-hello') ? r.stdout : undefined;
    }, 30_000);
    t.is(logs, 'guarded-hello');
  } finally {
    await kc.cleanup();
    await k.cleanup();
    await env.stop();
  }
});
