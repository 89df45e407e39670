// TLS bootstrapping end to end, the seeds' workflow: the real
// bin/kube-apiserver on its secure port (--token-auth-file with the
// kubelet-bootstrap token line, --client-ca-file, Node,RBAC), the operator's
// `kubectl create clusterrolebinding kubelet-bootstrap
// --clusterrole=system:node-bootstrapper --user=kubelet-bootstrap` (real
// kubectl 1.33), the real bin/kube-controller-manager signing with the same CA
// (--controllers=csrsigning[,csrapproving]), and a kubelet process started with
// --bootstrap-kubeconfig and a not-yet-existing --kubeconfig. Its CSR shows in
// `kubectl get csr`, is approved (by csrapproving, or by `kubectl certificate
// approve`), signed, the kubelet writes its kubeconfig and registers its Node
// as system:node:<name>. Every process is killed by PID, the node's
// containers (io.kubets.node=<name>) and the temp dirs removed.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { issue, makeCA } from '../harness/pki.js';
import { freePorts } from '../harness/ports.js';
import { makeKubectl, type Kubectl } from '../harness/kubectl.js';
import { uniqueSuffix } from '../harness/exec.js';
import { images, removeNodeContainers, removeRootDir, REPO } from '../agent/kubelet/harness.js';
import { loadRestConfig } from '../../controlplane/client/kubeconfig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The seeds' token.csv line (002: "73dec876dabd7a74ebbb092272307d85,kubelet-bootstrap,10001,"system:kubelet-bootstrap"").
const BOOTSTRAP_TOKEN = '73dec876dabd7a74ebbb092272307d85';

interface Proc {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function start(cmd: string[], cleanups: Array<() => Promise<void>>): Proc {
  const proc = spawn(process.execPath, cmd, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
    await exited;
  });
  return { proc, out: () => out, exited };
}

async function makePKI(dir: string): Promise<void> {
  await makeCA(dir, 'kubets-bootstrap-ca');
  await issue(dir, 'server', '/CN=kube-apiserver', 'server');
  await issue(dir, 'admin', '/O=system:masters/CN=admin', 'client');
}

function kubeconfig(server: string, ca: string, user: Record<string, string>): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kubernetes',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${ca}`,
    'users:',
    '- name: u',
    '  user:',
    ...Object.entries(user).map(([k, v]) => `    ${k}: ${v}`),
    'contexts:',
    '- name: default',
    '  context: {cluster: kubernetes, user: u}',
    'current-context: default',
    '',
  ].join('\n');
}

async function until<T>(what: string, f: () => Promise<T | undefined | false>, diag: () => string, limitMs = 90_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}\n${diag().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

interface Cluster {
  dir: string;
  server: string;
  admin: Kubectl;
  apiserver: Proc;
}

async function startCluster(cleanups: Array<() => Promise<void>>): Promise<Cluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-tlsboot-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await makePKI(dir);
  await writeFile(join(dir, 'token.csv'), `${BOOTSTRAP_TOKEN},kubelet-bootstrap,10001,"system:kubelet-bootstrap"\n`);
  const [insecure, secure] = await freePorts(2);
  const apiserver = start(
    [
      join(ROOT, 'bin/kube-apiserver'),
      '--storage-backend=sqlite',
      `--data-dir=${join(dir, 'data')}`,
      `--insecure-port=${insecure}`,
      `--secure-port=${secure}`,
      '--bind-address=127.0.0.1',
      `--tls-cert-file=${join(dir, 'server.crt')}`,
      `--tls-private-key-file=${join(dir, 'server.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`,
      `--token-auth-file=${join(dir, 'token.csv')}`,
      '--authorization-mode=Node,RBAC',
    ],
    cleanups,
  );
  const server = `https://127.0.0.1:${secure}`;
  const admin = await makeKubectl('1.33', server);
  cleanups.push(() => admin.cleanup());
  await writeFile(admin.kubeconfig, kubeconfig(server, join(dir, 'ca.crt'), { 'client-certificate': join(dir, 'admin.crt'), 'client-key': join(dir, 'admin.key') }));
  await until('kube-apiserver to serve', async () => (await admin.run(['get', 'clusterroles', 'system:node-bootstrapper'])).exitCode === 0, apiserver.out);
  // The seeds' operator step.
  await admin.ok(['create', 'clusterrolebinding', 'kubelet-bootstrap', '--clusterrole=system:node-bootstrapper', '--user=kubelet-bootstrap']);
  return { dir, server, admin, apiserver };
}

async function startKCM(c: Cluster, controllers: string, cleanups: Array<() => Promise<void>>): Promise<Proc> {
  const kc = join(c.dir, 'kcm.kubeconfig');
  await writeFile(kc, kubeconfig(c.server, join(c.dir, 'ca.crt'), { 'client-certificate': join(c.dir, 'admin.crt'), 'client-key': join(c.dir, 'admin.key') }));
  return start(
    [join(ROOT, 'bin/kube-controller-manager'), `--kubeconfig=${kc}`, '--port=0', `--controllers=${controllers}`, `--cluster-signing-cert-file=${join(c.dir, 'ca.crt')}`, `--cluster-signing-key-file=${join(c.dir, 'ca.key')}`],
    cleanups,
  );
}

interface Node {
  name: string;
  rootDir: string;
  certDir: string;
  kubeconfig: string;
  proc: Proc;
}

async function startBootstrappingKubelet(c: Cluster, cleanups: Array<() => Promise<void>>): Promise<Node> {
  const name = `kt-tlsboot-${uniqueSuffix()}`;
  const rootDir = await mkdtemp(join(tmpdir(), 'kubets-kubelet-'));
  cleanups.push(async () => {
    await removeNodeContainers(name);
    await removeRootDir(rootDir);
  });
  const bootstrap = join(rootDir, 'bootstrap.kubeconfig');
  await writeFile(bootstrap, kubeconfig(c.server, join(c.dir, 'ca.crt'), { token: BOOTSTRAP_TOKEN }));
  const certDir = join(rootDir, 'pki');
  const kc = join(rootDir, 'etc', 'kubelet.kubeconfig');
  const [healthz] = await freePorts(1);
  const args = [
    `--hostname-override=${name}`,
    `--root-dir=${rootDir}`,
    `--cert-dir=${certDir}`,
    `--bootstrap-kubeconfig=${bootstrap}`,
    `--kubeconfig=${kc}`,
    '--port=0',
    '--read-only-port=0',
    `--healthz-port=${healthz}`,
    '--node-status-update-frequency=1s',
  ];
  // As harness.spawnKubelet does (main.ts through tsx), with the output kept for diagnostics.
  const proc = start(['--import=tsx', join(REPO, 'agent/kubelet/main.ts'), ...args], cleanups);
  return { name, rootDir, certDir, kubeconfig: kc, proc };
}

async function runCleanups(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const f of cleanups.reverse()) await f().catch(() => undefined);
}

async function pendingCSR(c: Cluster): Promise<string | undefined> {
  const out = await c.admin.ok(['get', 'csr', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.username}{"\\n"}{end}']);
  return out
    .split('\n')
    .map((l) => l.trim().split(' '))
    .find(([n, u]) => n?.startsWith('node-csr-') && u === 'kubelet-bootstrap')?.[0];
}

async function checkBootstrapped(t: { true(v: boolean, m?: string): void; is<T>(a: T, b: T, m?: string): void; regex(s: string, r: RegExp): void }, c: Cluster, node: Node, diag: () => string): Promise<void> {
  await until('the kubelet to write its kubeconfig', async () => existsSync(node.kubeconfig), diag);
  const rc = loadRestConfig({ kubeconfig: node.kubeconfig });
  t.is(rc.server, c.server);
  t.true(rc.cert !== undefined && rc.key !== undefined, 'the kubeconfig names a client certificate and key');
  const cert = new X509Certificate(rc.cert!);
  t.regex(cert.subject, new RegExp(`CN=system:node:${node.name}`));
  t.regex(cert.subject, /O=system:nodes/);
  t.true(cert.checkIssued(new X509Certificate(await readFile(join(c.dir, 'ca.crt')))), 'signed by the cluster CA');
  t.is(statSync(join(node.certDir, 'kubelet-client.key')).mode & 0o777, 0o600);
  t.is(statSync(join(node.certDir, 'kubelet-client.crt')).mode & 0o777, 0o600);
  // The Node is registered, as system:node:<name> (the Node authorizer only lets a node create itself).
  await until('the Node object', async () => (await c.admin.run(['get', 'node', node.name])).exitCode === 0, diag);
}

test.before(async () => {
  await execa('npx', ['tsc', '-b', 'controlplane/controllers/tsconfig.json', 'controlplane/apiserver/tsconfig.json'], { cwd: ROOT });
  await images();
});

test.serial('[integration] TLS bootstrap: csrapproving auto-approves the kubelet client CSR, csrsigning signs it, the node registers', async (t) => {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const c = await startCluster(cleanups);
    // Auto-approval is allowed for the bootstrap user (upstream docs bind this role to the bootstrappers).
    await c.admin.ok(['create', 'clusterrolebinding', 'node-client-auto-approve-csr', '--clusterrole=system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--user=kubelet-bootstrap']);
    const kcm = await startKCM(c, 'csrsigning,csrapproving', cleanups);
    const node = await startBootstrappingKubelet(c, cleanups);
    const diag = () => `apiserver:\n${c.apiserver.out().slice(-1500)}\nkcm:\n${kcm.out().slice(-2500)}\nkubelet:\n${node.proc.out().slice(-2500)}`;
    await checkBootstrapped(t, c, node, diag);
    const csr = await until('the CSR in kubectl get csr', () => pendingCSR(c), diag);
    const json = JSON.parse(await c.admin.ok(['get', 'csr', csr, '-o', 'json'])) as { spec: { signerName: string; usages: string[] }; status: { conditions: Array<{ type: string; reason: string; message: string }>; certificate?: string } };
    t.is(json.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    t.deepEqual([...json.spec.usages].sort(), ['client auth', 'digital signature', 'key encipherment']);
    const approved = json.status.conditions.find((x) => x.type === 'Approved');
    t.is(approved?.reason, 'AutoApproved');
    t.is(approved?.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
    t.truthy(json.status.certificate);
    t.notRegex(kcm.out(), /BEGIN (CERTIFICATE|.*PRIVATE KEY)/);
    t.notRegex(node.proc.out(), new RegExp(BOOTSTRAP_TOKEN));
  } finally {
    await runCleanups(cleanups);
  }
});

test.serial('[integration] TLS bootstrap: without csrapproving the CSR waits for `kubectl certificate approve` (seeds workflow)', async (t) => {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const c = await startCluster(cleanups);
    const kcm = await startKCM(c, 'csrsigning', cleanups);
    const node = await startBootstrappingKubelet(c, cleanups);
    const diag = () => `kcm:\n${kcm.out().slice(-2500)}\nkubelet:\n${node.proc.out().slice(-2500)}`;
    const csr = await until('the CSR in kubectl get csr', () => pendingCSR(c), diag);
    const listed = await c.admin.ok(['get', 'csr']);
    t.regex(listed, new RegExp(`${csr}.*kubelet-bootstrap.*Pending`));
    t.false(existsSync(node.kubeconfig), 'no kubeconfig before approval');
    await c.admin.ok(['certificate', 'approve', csr]);
    await checkBootstrapped(t, c, node, diag);
    t.regex(await c.admin.ok(['get', 'csr', csr]), /Approved,Issued/);
  } finally {
    await runCleanups(cleanups);
  }
});
