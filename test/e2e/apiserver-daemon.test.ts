// The real bin/kube-apiserver started with the seed document's own start-up
// script (002_*.txt), variables filled in for this machine: a real etcd, TLS
// files made with openssl, free ports instead of 8080/6443. It must serve,
// log to --log-dir with its flags (secrets redacted), and stop on SIGTERM.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { splitCommandLine } from '../../controlplane/machinery/flags/index.js';
import { scriptEnv, seedScripts } from '../harness/seeds.js';
import { startEtcd } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';
import { makeKubectl } from '../harness/kubectl.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function makeCerts(dir: string): Promise<void> {
  const o = (args: string[]) => execa('openssl', args, { cwd: dir });
  await o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kubets-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  await o(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'server.key', '-out', 'server.csr']);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt']);
}

test("bin/kube-apiserver runs the seeds' start-up script unchanged (but for ports and paths)", async (t) => {
  const etcd = await startEtcd(t);
  const dir = await mkdtemp(join(tmpdir(), 'kubets-seed-apiserver-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await makeCerts(dir);
  const token = 'seed-secret-token-0123456789';
  await writeFile(join(dir, 'token.csv'), `${token},kubelet-bootstrap,10001,"system:kubelet-bootstrap"\n`);
  const [insecure, secure] = [await freePort(), await freePort()];
  const etcdPort = new URL(etcd.endpoints[0]).port;
  const script = seedScripts().find((s) => s.daemon === 'kube-apiserver');
  if (!script) return t.fail('no kube-apiserver script in 002');
  const body = script.body.replaceAll(':4001', `:${etcdPort}`).replace('--insecure-port="8080"', `--insecure-port="${insecure}"`).replace('--secure-port="6443"', `--secure-port="${secure}"`);
  const env = { ...scriptEnv, CERTIFICATE_PATH: dir, LOGS_PATH: dir, LOCAL_IPADDRESS: '127.0.0.1', ETCD_NODE01_IPADDRESS: '127.0.0.1', ETCD_NODE02_IPADDRESS: '127.0.0.1', ETCD_NODE03_IPADDRESS: '127.0.0.1' };
  const argv = splitCommandLine(body, env, { strict: true }).slice(1);
  const proc = spawn(process.execPath, [join(ROOT, 'bin/kube-apiserver'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.teardown(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
  });

  let healthy = false;
  for (let i = 0; i < 100 && !healthy && proc.exitCode === null; i++) {
    healthy = await fetch(`http://127.0.0.1:${insecure}/healthz`).then((r) => r.ok, () => false);
    if (!healthy) await new Promise((r) => setTimeout(r, 200));
  }
  t.true(healthy, `kube-apiserver did not become healthy; stderr: ${stderr.slice(-2000)}`);

  // The secure port serves with the seed's certificate files; the seed sets --anonymous-auth=false,
  // so only the token file's user gets in (AlwaysAllow then).
  const https = await execa('curl', ['-sS', '--cacert', join(dir, 'ca.crt'), '-H', `Authorization: Bearer ${token}`, `https://127.0.0.1:${secure}/healthz`], { reject: false });
  t.is(https.stdout, 'ok');
  const anonymous = await execa('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(dir, 'ca.crt'), `https://127.0.0.1:${secure}/healthz`], { reject: false });
  t.is(anonymous.stdout, '401');

  // kubectl over the insecure port: the seed's service range gives the kubernetes Service 10.0.0.1.
  const k = await makeKubectl('1.33', `http://127.0.0.1:${insecure}`);
  t.teardown(() => k.cleanup());
  t.is(await k.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), '10.0.0.1');
  t.regex(await k.ok(['get', 'namespaces']), /kube-system\s+Active/);
  // It is really over etcd, under /registry.
  const inEtcd = await execa('etcdctl', ['--endpoints', etcd.endpoints[0], 'get', '--prefix', '--keys-only', '/registry/namespaces/'], { env: { ETCDCTL_API: '3' } });
  t.regex(inEtcd.stdout, /\/registry\/namespaces\/kube-system/);

  // --logtostderr=false --log-dir: the log file holds the flags at --v=6, the token file path but never a token.
  proc.kill('SIGTERM');
  t.is(await exited, 0);
  const logText = await readFile(join(dir, 'kube-apiserver.log'), 'utf8');
  t.regex(logText, /FLAG: --etcd-servers=/);
  t.regex(logText, /FLAG: --token-auth-file=/);
  t.false(logText.includes(token));
  t.regex(logText, /Serving insecurely on 0\.0\.0\.0:\d+/);
});
