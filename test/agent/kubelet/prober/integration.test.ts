// The ProberManager on the real system, with the real clock and the real
// exec/tcp/http prober: against a server on 127.0.0.1, and against busybox
// httpd running in a throwaway network namespace reached over a veth pair,
// as a pod would be. Readiness flips both ways; liveness failure calls
// onUnhealthy. The netns test needs root.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { ProbeKind } from '../../../../agent/kubelet/types.js';
import { KubeletProberManager } from '../../../../agent/kubelet/prober/manager.js';
import { createNetNs, createVethPair, requireRoot } from '../../../harness/netns.js';
import { uniqueSuffix } from '../../../harness/exec.js';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function manager(podIP: string) {
  const pm = new KubeletProberManager({ targets: { podIP: () => podIP, exec: async () => ({ exitCode: 0, output: '' }) } });
  const unhealthy: { kind: ProbeKind; message: string }[] = [];
  let changes = 0;
  pm.onUnhealthy((_u, _c, _id, kind, message) => unhealthy.push({ kind, message }));
  pm.onChange(() => changes++);
  const ac = new AbortController();
  const running = pm.run(ac.signal);
  return { pm, unhealthy, changes: () => changes, stop: async () => (ac.abort(), await running) };
}

test('[integration] http readiness and tcp liveness against a real server on 127.0.0.1', async (t) => {
  let healthy = true;
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/ready' && healthy ? 200 : 503);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const m = manager('127.0.0.1');
  t.teardown(async () => {
    await m.stop();
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((r) => server.close(() => r()));
  });
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u-local' },
    spec: {
      containers: [
        {
          name: 'web',
          ports: [{ name: 'http', containerPort: port }],
          readinessProbe: { httpGet: { port: 'http', path: '/ready' }, periodSeconds: 1, failureThreshold: 1 },
          livenessProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 2 },
        },
      ],
    },
  };
  m.pm.addPod(pod);
  m.pm.containerStarted('u-local', 'web', 'cid-1', new Date());
  await until(() => m.pm.isReady('u-local', 'web'), 'ready');
  healthy = false;
  await until(() => !m.pm.isReady('u-local', 'web'), 'not ready after the server says 503');
  healthy = true;
  await until(() => m.pm.isReady('u-local', 'web'), 'ready again');
  t.true(m.changes() >= 3);
  t.deepEqual(m.unhealthy, []);

  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await until(() => m.unhealthy.length > 0, 'liveness to fail twice');
  t.is(m.unhealthy[0].kind, 'liveness');
  t.is(m.unhealthy[0].message, `Liveness probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`);
  t.false(m.pm.isReady('u-local', 'web'));
});

test('[integration] probes reach a process in a network namespace over a veth pair', async (t) => {
  requireRoot('the netns probe test');
  const netns = await createNetNs('ktp');
  const sfx = uniqueSuffix(5);
  const octet = 1 + Math.floor(Math.random() * 250);
  const hostIP = `10.252.${octet}.1`;
  const podIP = `10.252.${octet}.2`;
  let veth: { destroy(): Promise<void> } | undefined;
  let httpd: ChildProcess | undefined;
  const www = await mkdtemp(join(tmpdir(), 'kubets-probe-www-'));
  const m = manager(podIP);
  t.teardown(async () => {
    await m.stop();
    // Still running: neither an exit code nor a terminating signal recorded yet.
    if (httpd && httpd.exitCode === null && httpd.signalCode === null) {
      httpd.kill('SIGKILL');
      await new Promise((r) => httpd!.once('exit', r));
    }
    await veth?.destroy();
    await netns.destroy();
    await rm(www, { recursive: true, force: true });
  });
  veth = await createVethPair({ aName: `kth${sfx}`, bName: `ktp${sfx}`, bNs: netns, aAddr: `${hostIP}/30`, bAddr: `${podIP}/30` });
  await writeFile(join(www, 'healthz'), 'ok\n');
  httpd = spawn('ip', ['netns', 'exec', netns.name, 'busybox', 'httpd', '-f', '-p', `${podIP}:8080`, '-h', www], { stdio: 'ignore' });

  const pod: Pod = {
    metadata: { name: 'netns-pod', namespace: 'ns', uid: 'u-netns' },
    spec: {
      containers: [
        {
          name: 'httpd',
          ports: [{ name: 'web', containerPort: 8080 }],
          startupProbe: { tcpSocket: { port: 'web' }, periodSeconds: 1, failureThreshold: 30 },
          readinessProbe: { httpGet: { port: 'web', path: '/healthz' }, periodSeconds: 1, failureThreshold: 1 },
          livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    },
  };
  m.pm.addPod(pod);
  m.pm.containerStarted('u-netns', 'httpd', 'cid-n', new Date());
  await until(() => m.pm.isStarted('u-netns', 'httpd'), 'startup to pass');
  await until(() => m.pm.isReady('u-netns', 'httpd'), 'ready');

  await unlink(join(www, 'healthz')); // busybox httpd now answers 404
  await until(() => !m.pm.isReady('u-netns', 'httpd'), 'not ready on 404');
  t.deepEqual(m.unhealthy, [], 'liveness (tcp) is still fine');

  httpd.kill('SIGTERM');
  await until(() => m.unhealthy.length > 0, 'liveness to fail once the process is gone');
  t.is(m.unhealthy[0].kind, 'liveness');
  t.regex(m.unhealthy[0].message, new RegExp(`dial tcp ${podIP.replaceAll('.', '\\.')}:8080: connect: connection refused`));
});
