// The kubelet's TLS bootstrap module: the kubeconfig it writes, the CSR name,
// when it bootstraps (missing/expired/absent client certificate), and a full
// run against a fake CSR client that signs with a test CA (approval, denial →
// a new key, the files and their modes).
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import type { CertificateSigningRequest } from '../../../controlplane/api/certificates/v1/types.js';
import type { ResourceClient } from '../../../controlplane/client/interfaces.js';
import { loadRestConfig } from '../../../controlplane/client/kubeconfig.js';
import { bootstrapClientCertificate, csrName, hasValidClientCert, kubeletKubeconfig } from '../../../agent/kubelet/bootstrap/bootstrap.js';
import { testLogger } from './harness.js';

async function tmp(t: { teardown(f: () => Promise<void>): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kubets-kbootstrap-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function ca(dir: string): Promise<void> {
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], { cwd: dir });
}

test('the kubeconfig it writes: bootstrap server and CA, the certificate and key by path, no token', (t) => {
  const text = kubeletKubeconfig({ server: 'https://10.0.0.1:6443', ca: Buffer.from('CA-PEM'), token: 'secret-token', source: 'x' }, '/pki/kubelet-client.crt', '/pki/kubelet-client.key');
  t.notRegex(text, /secret-token/);
  const doc = YAML.parse(text) as Record<string, any>;
  t.is(doc['current-context'], 'default-context');
  t.is(doc.clusters[0].cluster.server, 'https://10.0.0.1:6443');
  t.is(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), 'CA-PEM');
  t.deepEqual(doc.users[0].user, { 'client-certificate': '/pki/kubelet-client.crt', 'client-key': '/pki/kubelet-client.key' });
});

test('CSR names are node-csr-<hex digest>: valid object names, stable per key and node', (t) => {
  const a = csrName(Buffer.from('key1'), 'n1', ['client auth']);
  t.regex(a, /^node-csr-[0-9a-f]{64}$/);
  t.is(a, csrName(Buffer.from('key1'), 'n1', ['client auth']));
  t.not(a, csrName(Buffer.from('key2'), 'n1', ['client auth']));
  t.not(a, csrName(Buffer.from('key1'), 'n2', ['client auth']));
});

/** A CSR store that approves (or denies) and signs with the test CA. */
function fakeCSRs(dir: string, decide: (n: number) => 'approve' | 'deny') {
  const store = new Map<string, CertificateSigningRequest>();
  let created = 0;
  const client = {
    async create(o: CertificateSigningRequest) {
      const n = created++;
      const name = o.metadata.name!;
      const cur: CertificateSigningRequest = structuredClone(o);
      store.set(name, cur);
      if (decide(n) === 'deny') cur.status = { conditions: [{ type: 'Denied', status: 'True', reason: 'NotToday', message: 'go away' }] };
      else {
        await writeFile(join(dir, 'req.pem'), Buffer.from(o.spec.request, 'base64'));
        await writeFile(join(dir, 'ext.cnf'), 'extendedKeyUsage=clientAuth\n');
        const r = await execa('openssl', ['x509', '-req', '-in', 'req.pem', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '7', '-days', '1', '-extfile', 'ext.cnf'], { cwd: dir });
        cur.status = { conditions: [{ type: 'Approved', status: 'True' }], certificate: Buffer.from(r.stdout + '\n').toString('base64') };
      }
      return cur;
    },
    async get(name: string) {
      const o = store.get(name);
      if (!o) throw new Error('not found');
      return o;
    },
  } as unknown as ResourceClient<CertificateSigningRequest>;
  return { client, store };
}

test('bootstraps: a denied request is retried with a new key; the signed certificate and kubeconfig are written 0600', async (t) => {
  const dir = await tmp(t);
  await ca(dir);
  const bootstrap = join(dir, 'bootstrap.kubeconfig');
  await writeFile(bootstrap, YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': join(dir, 'ca.crt') } }], users: [{ name: 'u', user: { token: 'bootstrap-secret' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
  const kc = join(dir, 'etc', 'kubelet.kubeconfig');
  const certDir = join(dir, 'pki');
  const fake = fakeCSRs(dir, (n) => (n === 0 ? 'deny' : 'approve'));
  t.false(hasValidClientCert(kc).ok);
  const did = await bootstrapClientCertificate({ nodeName: 'n1', bootstrapKubeconfig: bootstrap, kubeconfig: kc, certDir, log: testLogger('n1'), pollMs: 10, backoffMs: 10, csrClient: fake.client }, new AbortController().signal);
  t.true(did);
  const csrs = [...fake.store.values()];
  t.is(csrs.length, 2, 'a new request (new key) after the denial');
  t.not(csrs[0]!.metadata.name, csrs[1]!.metadata.name);
  for (const c of csrs) {
    t.is(c.spec.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    t.deepEqual(c.spec.usages, ['digital signature', 'key encipherment', 'client auth']);
  }
  const rc = loadRestConfig({ kubeconfig: kc });
  t.is(rc.server, 'https://127.0.0.1:6443');
  t.deepEqual(rc.ca, await readFile(join(dir, 'ca.crt')));
  t.is(rc.token, undefined);
  const cert = new X509Certificate(rc.cert!);
  t.regex(cert.subject, /CN=system:node:n1/);
  t.regex(cert.subject, /O=system:nodes/);
  for (const f of ['kubelet-client.crt', 'kubelet-client.key']) t.is(statSync(join(certDir, f)).mode & 0o777, 0o600);
  t.false(existsSync(join(certDir, 'kubelet-client.key.tmp')));
  t.true(hasValidClientCert(kc).ok);
  // A second start keeps what it has.
  t.false(await bootstrapClientCertificate({ nodeName: 'n1', bootstrapKubeconfig: bootstrap, kubeconfig: kc, certDir, log: testLogger('n1'), csrClient: fake.client }, new AbortController().signal));
});

test('a kubeconfig without a client certificate, or with an expired one, is not valid', async (t) => {
  const dir = await tmp(t);
  const kc = join(dir, 'kc');
  await writeFile(kc, YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://h:1' } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
  t.regex(hasValidClientCert(kc).reason, /no client certificate/);
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=x', '-keyout', 'k', '-out', 'c'], { cwd: dir });
  await writeFile(kc, YAML.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://h:1' } }], users: [{ name: 'u', user: { 'client-certificate': join(dir, 'c'), 'client-key': join(dir, 'k') } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
  t.true(hasValidClientCert(kc).ok);
  t.regex(hasValidClientCert(kc, new Date(Date.now() + 3 * 86_400_000)).reason, /expired/);
  await rm(join(dir, 'c'));
  t.false(hasValidClientCert(kc).ok);
});
