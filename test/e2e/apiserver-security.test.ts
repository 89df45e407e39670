// The secure port of the real bin/kube-apiserver (sqlite, free ports) driven
// by the real kubectl 1.27 and 1.33: client certificates from an openssl CA,
// a --token-auth-file, anonymous requests, service account JWTs signed with a
// test key; --authorization-mode=Node,RBAC with the default roles; admission
// NamespaceLifecycle,ServiceAccount,ResourceQuota.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issue, makeCA, openssl } from '../harness/pki.js';
import { freePorts } from '../harness/ports.js';
import { makeKubectl, type Kubectl, type KubectlVersion } from '../harness/kubectl.js';
import { signJWT } from '../../controlplane/apiserver/authn/jwt.js';
import { legacyClaims } from '../../controlplane/apiserver/authn/serviceaccount.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JANE_TOKEN = 'jane-0123456789abcdef0123456789';

interface Cluster {
  dir: string;
  secure: string;
  insecure: string;
  proc: ChildProcess;
  stderr: () => string;
  kubectls: Kubectl[];
}

let cluster: Cluster;

async function makePKI(dir: string): Promise<void> {
  await makeCA(dir, 'kubets-security-ca', 'ca', 1);
  await issue(dir, 'server', '/CN=kube-apiserver', 'server');
  await issue(dir, 'admin', '/O=system:masters/CN=admin', 'client');
  // A certificate from a CA the server does not trust.
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/O=system:masters/CN=mallory', '-keyout', 'mallory.key', '-out', 'mallory.crt']);
  // The service account signing key (kube-controller-manager's --service-account-private-key-file).
  await openssl(dir, ['genrsa', '-out', 'sa.key', '2048']);
  await openssl(dir, ['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function kubeconfig(c: Cluster, user: Record<string, string>): string {
  const userLines = Object.entries(user).map(([k, v]) => `    ${k}: ${v}`);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: t',
    '  cluster:',
    `    server: ${c.secure}`,
    `    certificate-authority: ${join(c.dir, 'ca.crt')}`,
    'users:',
    '- name: u',
    '  user:',
    ...(userLines.length ? userLines : ['    {}']),
    'contexts:',
    '- name: t',
    '  context: {cluster: t, user: u, namespace: default}',
    'current-context: t',
    '',
  ].join('\n');
}

/** A kubectl of the version speaking to the secure port as the given user. */
async function kubectlAs(version: KubectlVersion, user: Record<string, string>): Promise<Kubectl> {
  const k = await makeKubectl(version, cluster.secure);
  cluster.kubectls.push(k);
  await writeFile(k.kubeconfig, kubeconfig(cluster, user));
  return k;
}

const admin = () => kubectlAs('1.33', { 'client-certificate': join(cluster.dir, 'admin.crt'), 'client-key': join(cluster.dir, 'admin.key') });

/** GET on the secure port with the test CA; no client certificate. */
function httpsGet(path: string, headers: Record<string, string> = {}): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    readFile(join(cluster.dir, 'ca.crt')).then((ca) => {
      const req = request(`${cluster.secure}${path}`, { ca, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    }, reject);
  });
}

/** Runs until it exits 0 (RBAC reads the watch cache, which follows writes closely but not at once). */
async function eventually(k: Kubectl, args: string[], input?: string): Promise<string> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const r = await k.run(args, { input });
    if (r.exitCode === 0) return r.stdout;
    last = r.stderr;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`kubectl ${args.join(' ')} kept failing: ${last}`);
}

async function startDaemon(dir: string, extra: string[]): Promise<{ proc: ChildProcess; exited: Promise<number | null>; stderr: () => string; ports: number[] }> {
  const ports = await freePorts(2);
  const argv = [
    '--storage-backend=sqlite',
    `--data-dir=${join(dir, 'data')}`,
    `--insecure-port=${ports[0]}`,
    `--secure-port=${ports[1]}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${join(dir, 'server.crt')}`,
    `--tls-private-key-file=${join(dir, 'server.key')}`,
    ...extra,
  ];
  const proc = spawn(process.execPath, [join(ROOT, 'bin/kube-apiserver'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout!.on('data', () => undefined);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited, stderr: () => err, ports };
}

test.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-security-'));
  await makePKI(dir);
  await writeFile(join(dir, 'token.csv'), `${JANE_TOKEN},jane,1001\nbob-0123456789abcdef0123456789,bob,1002,"devs,qa"\n`);
  const d = await startDaemon(dir, [
    `--client-ca-file=${join(dir, 'ca.crt')}`,
    `--token-auth-file=${join(dir, 'token.csv')}`,
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    '--authorization-mode=Node,RBAC',
    '--admission-control=NamespaceLifecycle,ServiceAccount,ResourceQuota',
  ]);
  cluster = { dir, secure: `https://127.0.0.1:${d.ports[1]}`, insecure: `http://127.0.0.1:${d.ports[0]}`, proc: d.proc, stderr: d.stderr, kubectls: [] };
  let healthy = false;
  for (let i = 0; i < 150 && !healthy && d.proc.exitCode === null; i++) {
    healthy = await fetch(`${cluster.insecure}/healthz`).then((r) => r.ok, () => false);
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  if (!healthy) throw new Error(`kube-apiserver did not become healthy: ${d.stderr().slice(-2000)}`);
});

test.after.always(async () => {
  if (!cluster) return;
  for (const k of cluster.kubectls) await k.cleanup();
  if (cluster.proc.exitCode === null) {
    const gone = new Promise((r) => cluster.proc.once('exit', r));
    cluster.proc.kill('SIGTERM');
    await gone;
  }
  await rm(cluster.dir, { recursive: true, force: true });
});

test.serial('a token user is forbidden with upstream\'s message until a RoleBinding grants it; kubectl auth can-i follows RBAC', async (t) => {
  for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
    const jane = await kubectlAs(version, { token: JANE_TOKEN });
    const r = await jane.run(['get', 'pods', '-n', 'kube-public']);
    t.is(r.exitCode, 1, version);
    t.true(r.stderr.includes('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "kube-public"'), r.stderr);
    t.is((await jane.run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-public'])).stdout.trim(), 'no');
  }
  const a = await admin();
  await a.ok(['create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'kube-public']);
  for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
    const jane = await kubectlAs(version, { token: JANE_TOKEN });
    await eventually(jane, ['get', 'pods', '-n', 'kube-public']);
    t.is((await jane.run(['auth', 'can-i', 'list', 'pods', '-n', 'kube-public'])).stdout.trim(), 'yes', version);
    t.is((await jane.run(['auth', 'can-i', 'create', 'pods', '-n', 'kube-public'])).stdout.trim(), 'no', version);
    t.is((await jane.run(['auth', 'can-i', 'list', 'pods', '-n', 'default'])).stdout.trim(), 'no', version);
    // An answer with a name, in a namespace without a grant.
    const r = await jane.run(['get', 'secret', 'x', '-n', 'default']);
    t.true(r.stderr.includes('secrets "x" is forbidden: User "jane" cannot get resource "secrets" in API group "" in the namespace "default"'), r.stderr);
  }
  const jane = await kubectlAs('1.33', { token: JANE_TOKEN });
  const who = JSON.parse(await jane.ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; uid: string; groups: string[] } } };
  t.is(who.status.userInfo.username, 'jane');
  t.is(who.status.userInfo.uid, '1001');
  t.deepEqual(who.status.userInfo.groups, ['system:authenticated']);
});

test.serial('a client certificate in system:masters may do everything; one from an unknown CA is 401', async (t) => {
  const a = await admin();
  const who = JSON.parse(await a.ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
  t.is(who.status.userInfo.username, 'admin');
  t.deepEqual(who.status.userInfo.groups, ['system:masters', 'system:authenticated']);
  t.is((await a.run(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
  await a.ok(['create', 'namespace', 'certs-ok']);
  t.regex(await a.ok(['get', 'clusterroles', 'cluster-admin', 'system:node', 'view', 'system:public-info-viewer', '--no-headers']), /cluster-admin/);
  const m = await kubectlAs('1.33', { 'client-certificate': join(cluster.dir, 'mallory.crt'), 'client-key': join(cluster.dir, 'mallory.key') });
  const r = await m.run(['get', 'pods']);
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /Unauthorized|must be logged in/);
});

test.serial('anonymous requests: 403 on pods, but health and discovery are served; a bad token is 401', async (t) => {
  const pods = await httpsGet('/api/v1/pods');
  t.is(pods.code, 403);
  const status = JSON.parse(pods.body) as { kind: string; reason: string; message: string; code: number };
  t.is(status.kind, 'Status');
  t.is(status.reason, 'Forbidden');
  t.is(status.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
  t.is((await httpsGet('/healthz')).body, 'ok');
  t.is((await httpsGet('/version')).code, 200);
  t.is((await httpsGet('/api')).code, 200);
  t.is((await httpsGet('/apis')).code, 200);
  t.is((await httpsGet('/api/v1')).code, 200);
  const bad = await httpsGet('/api/v1/pods', { Authorization: 'Bearer not-a-known-token' });
  t.is(bad.code, 401);
  t.deepEqual(JSON.parse(bad.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  // The daemon never logs a credential.
  t.false(cluster.stderr().includes(JANE_TOKEN));
  t.false(cluster.stderr().includes('not-a-known-token'));
});

test.serial('a service account token signed with the key authenticates as system:serviceaccount:…; a forged one is 401', async (t) => {
  const a = await admin();
  await a.ok(['create', 'namespace', 'robots']);
  await eventually(a, ['create', 'serviceaccount', 'robot', '-n', 'robots']);
  const uid = await a.ok(['get', 'serviceaccount', 'robot', '-n', 'robots', '-o', 'jsonpath={.metadata.uid}']);
  const token = signJWT(legacyClaims('robots', 'robot', uid, 'robot-token-abcde'), await readFile(join(cluster.dir, 'sa.key')));
  const robot = await kubectlAs('1.33', { token });
  const who = JSON.parse(await robot.ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
  t.is(who.status.userInfo.username, 'system:serviceaccount:robots:robot');
  t.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:robots', 'system:authenticated']);
  const r = await robot.run(['get', 'pods', '-n', 'robots']);
  t.true(r.stderr.includes('pods is forbidden: User "system:serviceaccount:robots:robot" cannot list resource "pods" in API group "" in the namespace "robots"'), r.stderr);
  await a.ok(['create', 'rolebinding', 'robot-edit', '--clusterrole=edit', '--serviceaccount=robots:robot', '-n', 'robots']);
  await eventually(robot, ['get', 'pods', '-n', 'robots']);
  const forged = signJWT(legacyClaims('robots', 'robot', uid, 'robot-token-abcde'), await readFile(join(cluster.dir, 'server.key')));
  const f = await kubectlAs('1.33', { token: forged });
  t.is((await f.run(['get', 'pods', '-n', 'robots'])).exitCode, 1);
});

test.serial('admission: NamespaceLifecycle, ServiceAccount token volume, ResourceQuota pods=1', async (t) => {
  const a = await admin();
  const pod = (name: string, ns: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } });
  const missing = await a.run(['create', '-f', '-'], { input: pod('p', 'no-such-namespace') });
  t.is(missing.exitCode, 1);
  t.true(missing.stderr.includes('namespaces "no-such-namespace" not found'), missing.stderr);

  await a.ok(['create', 'namespace', 'adm']);
  // No service account yet (no controller manager runs here): refused, retryable.
  const early = await a.run(['create', '-f', '-'], { input: pod('p0', 'adm') });
  t.true(early.stderr.includes('pods "p0" is forbidden: service account adm/default was not found, retry after the service account is created'), early.stderr);
  // What the service account and token controllers would make.
  await a.ok(['create', 'serviceaccount', 'default', '-n', 'adm']);
  const saUID = await a.ok(['get', 'sa', 'default', '-n', 'adm', '-o', 'jsonpath={.metadata.uid}']);
  const secret = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'default-token-x7k2p', namespace: 'adm', annotations: { 'kubernetes.io/service-account.name': 'default', 'kubernetes.io/service-account.uid': saUID } }, data: { token: Buffer.from('t').toString('base64') } };
  await a.ok(['create', '-f', '-'], { input: JSON.stringify(secret) });
  await a.ok(['patch', 'sa', 'default', '-n', 'adm', '-p', '{"secrets":[{"name":"default-token-x7k2p"}]}']);
  await eventually(a, ['create', '-f', '-'], pod('p1', 'adm'));
  const made = JSON.parse(await a.ok(['get', 'pod', 'p1', '-n', 'adm', '-o', 'json'])) as { spec: { serviceAccountName: string; volumes: { name: string; secret?: { secretName: string } }[]; containers: { volumeMounts: { name: string; mountPath: string; readOnly: boolean }[] }[] } };
  t.is(made.spec.serviceAccountName, 'default');
  t.deepEqual(made.spec.volumes.find((v) => v.secret)?.secret, { secretName: 'default-token-x7k2p', defaultMode: 420 });
  t.deepEqual(made.spec.containers[0].volumeMounts, [{ name: 'default-token-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }]);

  await a.ok(['create', 'quota', 'q', '--hard=pods=2', '-n', 'adm']);
  t.is(await eventually(a, ['get', 'quota', 'q', '-n', 'adm', '-o', 'jsonpath={.status.used.pods}']), '1');
  await a.ok(['create', '-f', '-'], { input: pod('p2', 'adm') });
  const over = await a.run(['create', '-f', '-'], { input: pod('p3', 'adm') });
  t.is(over.exitCode, 1);
  t.true(over.stderr.includes('Error from server (Forbidden): error when creating "STDIN": pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2'), over.stderr);
  // Deleting a pod gives its unit back.
  await a.ok(['delete', 'pod', 'p2', '-n', 'adm', '--wait=false']);
  t.is(await a.ok(['get', 'quota', 'q', '-n', 'adm', '-o', 'jsonpath={.status.used.pods}']), '1');
  await a.ok(['create', '-f', '-'], { input: pod('p3', 'adm') });
});

test('an unknown admission plugin or a bad token file line stops kube-apiserver with exit 2, naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-security-bad-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'token.csv'), 'only-two,columns\n');
  // The flags are checked before the serving files are read; the key doubles as the service account key.
  await writeFile(join(dir, 'server.crt'), '');
  await openssl(dir, ['genrsa', '-out', 'server.key', '2048']);
  const bad = await startDaemon(dir, ['--admission-control=NamespaceLifecycle,NoSuchPlugin']);
  t.is(await bad.exited, 2);
  t.regex(bad.stderr(), /unknown admission plugin "NoSuchPlugin"/);
  const badFile = await startDaemon(dir, [`--token-auth-file=${join(dir, 'token.csv')}`]);
  t.is(await badFile.exited, 2);
  t.true(badFile.stderr().includes(`token file '${join(dir, 'token.csv')}' line 1: must have at least 3 columns`), badFile.stderr());
  t.false(badFile.stderr().includes('only-two'));
});

test.serial('kube-controller-manager with --service-account-private-key-file: every namespace\'s default account gets a token; pods are admitted with it and the token authenticates', async (t) => {
  const a = await admin();
  const [port] = await freePorts(1);
  const kcm = spawn(
    process.execPath,
    [join(ROOT, 'bin/kube-controller-manager'), `--master=${cluster.insecure}`, `--port=${port}`, '--address=127.0.0.1', `--service-account-private-key-file=${join(cluster.dir, 'sa.key')}`, `--root-ca-file=${join(cluster.dir, 'ca.crt')}`, '--controllers=serviceaccount,serviceaccount-token'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let kcmErr = '';
  kcm.stderr!.on('data', (d: Buffer) => (kcmErr += d.toString()));
  const kcmExited = new Promise((r) => kcm.once('exit', r));
  t.teardown(async () => {
    if (kcm.exitCode === null) kcm.kill('SIGTERM');
    await kcmExited;
  });
  await a.ok(['create', 'namespace', 'tok']);
  const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'tok' }, spec: { containers: [{ name: 'c', image: 'local/busybox:1' }] } });
  // Admitted once the account and its token exist (the controller manager makes both).
  // (the controller manager starts a Node process and syncs its caches first: allow a loaded machine a minute)
  let created = await a.run(['create', '-f', '-'], { input: pod });
  for (let i = 0; i < 300 && created.exitCode !== 0 && kcm.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 200));
    created = await a.run(['create', '-f', '-'], { input: pod });
  }
  t.is(created.exitCode, 0, `${created.stderr}\nkube-controller-manager: ${kcmErr.slice(-2000)}`);
  const made = JSON.parse(await a.ok(['get', 'pod', 'p', '-n', 'tok', '-o', 'json'])) as { spec: { volumes: { secret?: { secretName: string } }[] } };
  const secretName = made.spec.volumes.find((v) => v.secret)?.secret?.secretName ?? '';
  t.regex(secretName, /^default-token-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const secret = JSON.parse(await a.ok(['get', 'secret', secretName, '-n', 'tok', '-o', 'json'])) as { type: string; data: Record<string, string> };
  t.is(secret.type, 'kubernetes.io/service-account-token');
  t.is(Buffer.from(secret.data['ca.crt'], 'base64').toString(), await readFile(join(cluster.dir, 'ca.crt'), 'utf8'));
  const token = Buffer.from(secret.data.token, 'base64').toString();
  const asAccount = await kubectlAs('1.33', { token });
  t.regex(await asAccount.ok(['auth', 'whoami']), /system:serviceaccount:tok:default/);
  t.false(kcmErr.includes(token), 'the token is never logged');
});
