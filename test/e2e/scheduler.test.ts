// The REAL bin/kube-scheduler process (compiled code in dist/) against a
// kube-apiserver: it serves /healthz and /metrics on --port, binds pods,
// honours --policy-config-file, rejects bad flags with exit 2, and stops
// cleanly on SIGTERM. Every process started here is killed by PID in teardown.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { resources } from '../../controlplane/client/resources.js';
import { freePort } from '../harness/ports.js';
import { node, pod } from '../controlplane/scheduler/fixtures.js';
import { createNode, createPod, nodeOf, startEnv, type Env } from '../controlplane/scheduler/harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test.before(async () => {
  // Build the scheduler's project (and the layers it references) so bin/ runs the current code.
  await execa('npx', ['tsc', '-b', 'controlplane/scheduler/tsconfig.json'], { cwd: ROOT });
});

interface Proc {
  proc: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startScheduler(t: { teardown(fn: () => Promise<void>): void }, args: string[]): Proc {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/kube-scheduler'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  for (let i = 0; i < 150 && p.proc.exitCode === null; i++) {
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

test('bin/kube-scheduler serves healthz and metrics, binds a pod, and exits 0 on SIGTERM', async (t) => {
  const env = await withEnv(t);
  const port = await freePort();
  const p = startScheduler(t, [`--master=${env.api.url}`, `--port=${port}`, '--address=127.0.0.1', '--leader-elect=true', '--leader-elect-retry-period=500ms']);
  t.true(await waitHealthy(port, p), `kube-scheduler did not become healthy; stderr: ${p.stderr().slice(-2000)}`);
  await createNode(env, node('node-1'));
  await createPod(env, pod('web'));
  t.is(await nodeOf(env, 'web', 'default', 15_000), 'node-1');
  const lease = await env.client.resource(resources.leases, 'kube-system').get('kube-scheduler');
  t.truthy(lease.spec?.holderIdentity);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  t.regex(metrics, /scheduler_schedule_attempts_total\{result="scheduled"\} 1/);
  t.regex(metrics, /leader_election_master_status\{name="kube-scheduler"\} 1/);
  p.proc.kill('SIGTERM');
  t.is(await p.exited, 0, p.stderr().slice(-2000));
});

test('bin/kube-scheduler --policy-config-file: only the named predicates apply', async (t) => {
  const env = await withEnv(t);
  const dir = await mkdtemp(join(tmpdir(), 'kubets-sched-policy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const policy = join(dir, 'policy.json');
  // No CheckNodeUnschedulable: a cordoned node is fair game under this policy.
  await writeFile(policy, JSON.stringify({ kind: 'Policy', apiVersion: 'v1', predicates: [{ name: 'PodFitsResources' }], priorities: [{ name: 'MostRequestedPriority', weight: 1 }] }));
  const port = await freePort();
  const p = startScheduler(t, [`--master=${env.api.url}`, `--port=${port}`, '--address=127.0.0.1', `--policy-config-file=${policy}`]);
  t.true(await waitHealthy(port, p), p.stderr().slice(-2000));
  await createNode(env, node('cordoned', { unschedulable: true }));
  await createPod(env, pod('p'));
  t.is(await nodeOf(env, 'p', 'default', 15_000), 'cordoned');
});

const badFlags: [string, string[], RegExp][] = [
  ['weight out of range', ['--hard-pod-affinity-symmetric-weight=101'], /must be in the range 0-100/],
  ['unknown provider', ['--algorithm-provider=Nope'], /algorithm-provider/],
  ['unknown predicate in policy', ['--policy-config-file=POLICY'], /invalid predicate name "NoSuchPredicate"/],
];
for (const [name, args, msg] of badFlags) {
  test(`bin/kube-scheduler exits 2 on bad configuration: ${name}`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'kubets-sched-bad-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const policy = join(dir, 'policy.json');
    await writeFile(policy, '{"predicates":[{"name":"NoSuchPredicate"}]}');
    const p = startScheduler(t, ['--master=http://127.0.0.1:1', '--port=0', ...args.map((a) => a.replace('POLICY', policy))]);
    t.is(await p.exited, 2);
    t.regex(p.stderr(), msg);
  });
}
