// The REAL bin/kube-controller-manager process (compiled code in dist/)
// against a kube-apiserver: it serves /healthz and /metrics on --port, an RC
// gets its pods, --leader-elect takes the kube-controller-manager Lease,
// bad flags exit 2, SIGTERM stops it cleanly. Every process started here is
// killed by PID in teardown.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { execa } from 'execa';
import { resources } from '../../controlplane/client/resources.js';
import { freePort } from '../harness/ports.js';
import { eventually, listPods, startEnv, type Env } from '../controlplane/controllers/harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test.before(async () => {
  // Build the controller manager's project (and the layers it references) so bin/ runs the current code.
  await execa('npx', ['tsc', '-b', 'controlplane/controllers/tsconfig.json'], { cwd: ROOT });
});

interface Proc {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startKCM(t: { teardown(fn: () => Promise<void>): void }, args: string[]): Proc {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/kube-controller-manager'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.resume();
  const exited = new Promise<number | null>((r) => proc.once('close', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
    await exited;
  });
  return { proc, stderr: () => stderr, exited };
}

async function waitHealthy(port: number, p: Proc): Promise<boolean> {
  for (let i = 0; i < 300 && p.proc.exitCode === null; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      async (r) => r.ok && (await r.text()) === 'ok',
      () => false,
    );
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function withEnv(t: { teardown(fn: () => Promise<void>): void }): Promise<Env> {
  const env = await startEnv();
  t.teardown(() => env.stop());
  return env;
}

test('bin/kube-controller-manager serves healthz and metrics, an RC gets its pods (collected with it), exits 0 on SIGTERM', async (t) => {
  const env = await withEnv(t);
  const port = await freePort();
  const p = startKCM(t, [`--master=${env.api.url}`, `--port=${port}`, '--address=127.0.0.1', '--controllers=*,-serviceaccount', '--kube-api-qps=100', '--kube-api-burst=200', '--enable-garbage-collector=true']);
  t.true(await waitHealthy(port, p), `kube-controller-manager did not become healthy; stderr: ${p.stderr().slice(-2000)}`);
  await env.client.resource(resources.replicationcontrollers, 'default').create({
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const pods = await eventually(async () => {
    const l = await listPods(env, 'default', 'app=web');
    return l.length === 2 ? l : undefined;
  }, 'the RC to get 2 pods');
  t.true(pods.every((x) => x.metadata.ownerReferences?.[0]?.kind === 'ReplicationController'));
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  t.regex(metrics, /workqueue_adds_total\{name="replicationcontroller"\} [1-9]/);
  t.regex(metrics, /workqueue_depth\{name="replicationcontroller"\} \d+/);
  t.regex(p.stderr(), /controller "serviceaccount"|Started controller/);
  t.notRegex(p.stderr(), /Started controller controller="serviceaccount"/, '-serviceaccount disables it');
  await env.client.resource(resources.replicationcontrollers, 'default').delete('web');
  await eventually(async () => ((await listPods(env, 'default', 'app=web')).length === 0 ? true : undefined), 'the garbage collector to delete the pods');
  p.proc.kill('SIGTERM');
  t.is(await p.exited, 0, p.stderr().slice(-2000));
});

test('bin/kube-controller-manager --leader-elect takes the kube-controller-manager Lease', async (t) => {
  const env = await withEnv(t);
  const port = await freePort();
  const p = startKCM(t, [`--master=${env.api.url}`, `--port=${port}`, '--address=127.0.0.1', '--leader-elect=true', '--leader-elect-retry-period=500ms', '--controllers=replicaset']);
  t.true(await waitHealthy(port, p), p.stderr().slice(-2000));
  const lease = await eventually(() => env.client.resource(resources.leases, 'kube-system').get('kube-controller-manager'), 'the lease');
  t.truthy(lease.spec?.holderIdentity);
  const metrics = await eventually(async () => {
    const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return /leader_election_master_status\{name="kube-controller-manager"\} 1/.test(m) ? m : undefined;
  }, 'the leader gauge');
  t.truthy(metrics);
  p.proc.kill('SIGTERM');
  t.is(await p.exited, 0, p.stderr().slice(-2000));
});

const badFlags: [string, string[], RegExp][] = [
  ['unknown controller', ['--controllers=*,nosuch'], /"nosuch" is not in the list of known controllers/],
  ['zero workers', ['--concurrent-rc-syncs=0'], /concurrent-rc-syncs/],
  ['lease shorter than renew deadline', ['--leader-elect=true', '--leader-elect-lease-duration=5s', '--leader-elect-renew-deadline=10s'], /lease-duration must be greater/],
];
for (const [name, args, msg] of badFlags) {
  test(`bin/kube-controller-manager exits 2 on bad configuration: ${name}`, async (t) => {
    const p = startKCM(t, ['--master=http://127.0.0.1:1', '--port=0', ...args]);
    t.is(await p.exited, 2);
    t.regex(p.stderr(), msg);
  });
}
