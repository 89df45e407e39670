// The real bin/kube-apiserver (sqlite, free ports) started with the
// recommended v1.8 admission list plus DenyEscalatingExec and
// SecurityContextDeny, driven by the real kubectl 1.33: it starts, says once
// per name which plugins do nothing here, gives pods the default not-ready /
// unreachable tolerations and refuses runAsUser with upstream's message.
// An unknown plugin name is still a start-up error (exit 2).
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/ports.js';
import { makeKubectl } from '../harness/kubectl.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECOMMENDED_18 = 'NamespaceLifecycle,LimitRanger,ServiceAccount,PersistentVolumeLabel,DefaultStorageClass,DefaultTolerationSeconds,NodeRestriction,ResourceQuota';

interface Daemon {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startApiserver(args: string[]): Daemon {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/kube-apiserver'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, stderr: () => stderr };
}

test('the recommended v1.8 admission list with DenyEscalatingExec and SecurityContextDeny', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-admission18-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const insecure = await freePort();
  const d = startApiserver([
    `--data-dir=${dir}`,
    '--insecure-bind-address=127.0.0.1',
    `--insecure-port=${insecure}`,
    '--secure-port=0',
    `--admission-control=${RECOMMENDED_18},DenyEscalatingExec,SecurityContextDeny`,
    '--default-unreachable-toleration-seconds=120',
  ]);
  t.teardown(async () => {
    if (d.proc.exitCode === null) d.proc.kill('SIGKILL');
    await d.exited;
  });
  let healthy = false;
  for (let i = 0; i < 150 && !healthy && d.proc.exitCode === null; i++) {
    healthy = await fetch(`http://127.0.0.1:${insecure}/healthz`).then((r) => r.ok, () => false);
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  t.true(healthy, `kube-apiserver did not become healthy (exit ${d.proc.exitCode}); output: ${d.stderr().slice(-2000)}`);
  t.regex(d.stderr(), /Admission plugin PersistentVolumeLabel has no effect in kubets: no cloud provider integration/);
  t.is(d.stderr().match(/Admission plugin \S+ has no effect/g)?.length, 1, 'only PersistentVolumeLabel is inert in this list');

  const k = await makeKubectl('1.33', `http://127.0.0.1:${insecure}`);
  t.teardown(() => k.cleanup());
  // No controller-manager here: the default service account is made by hand, without a token.
  await k.ok(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' }, automountServiceAccountToken: false }) });
  const podJSON = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], ...extra } });

  await k.ok(['create', '-f', '-'], { input: podJSON('plain') });
  const tols = JSON.parse(await k.ok(['get', 'pod', 'plain', '-o', 'jsonpath={.spec.tolerations}'])) as unknown[];
  t.deepEqual(tols, [
    { key: 'node.alpha.kubernetes.io/notReady', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.alpha.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 120 },
  ]);
  t.is(await k.ok(['get', 'pod', 'plain', '-o', 'jsonpath={.spec.tolerations[0].tolerationSeconds}']), '300');

  const refused = await k.run(['create', '-f', '-'], { input: podJSON('asuser', { securityContext: { runAsUser: 1000 } }) });
  t.not(refused.exitCode, 0);
  t.regex(refused.stderr, /Error from server \(Forbidden\).*pods "asuser" is forbidden: pod\.Spec\.SecurityContext\.RunAsUser is forbidden/);
  const refusedC = await k.run(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'asuser2' }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { runAsUser: 1 } }] } }) });
  t.regex(refusedC.stderr, /pods "asuser2" is forbidden: SecurityContext\.RunAsUser is forbidden/);
  t.is((await k.run(['get', 'pod', 'asuser'])).exitCode, 1);

  d.proc.kill('SIGTERM');
  t.is(await d.exited, 0);
});

test('an unknown admission plugin name is still a start-up error (exit 2)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-admission18-bad-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const d = startApiserver([`--data-dir=${dir}`, `--insecure-port=${await freePort()}`, '--secure-port=0', `--admission-control=${RECOMMENDED_18},NoSuchPlugin`]);
  t.teardown(async () => {
    if (d.proc.exitCode === null) d.proc.kill('SIGKILL');
    await d.exited;
  });
  t.is(await d.exited, 2);
  t.regex(d.stderr(), /--admission-control: unknown admission plugin "NoSuchPlugin"/);
});
