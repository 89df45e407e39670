// Who may use the kubelet's main port: client certificates from --client-ca-file,
// webhook tokens, anonymous; AlwaysAllow or Webhook authorization with
// upstream's attributes and 401/403 answers. Real HTTPS with openssl-made
// certificates; the API server's reviews are a fake (ReviewClient).
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { KubeletAuth, requestAttributes, type KubeletUser, type NodeRequestAttributes, type ReviewClient } from '../../../../agent/kubelet/server/auth.js';
import { startFakeServer } from './fake.js';

test('request attributes: verb from the method, subresource from the path (upstream)', (t) => {
  const cases: [string, string, string, string][] = [
    ['GET', '/stats/summary', 'get', 'stats'],
    ['GET', '/metrics', 'get', 'metrics'],
    ['GET', '/metrics/cadvisor', 'get', 'metrics'],
    ['GET', '/logs/syslog', 'get', 'log'],
    ['GET', '/spec/', 'get', 'spec'],
    ['GET', '/pods', 'get', 'proxy'],
    ['POST', '/exec/ns/p/c', 'create', 'proxy'],
    ['GET', '/containerLogs/ns/p/c', 'get', 'proxy'],
    ['GET', '/healthz', 'get', 'proxy'],
  ];
  for (const [method, path, verb, sub] of cases) t.deepEqual(requestAttributes(method, path, 'n1'), { verb, resource: 'nodes', name: 'n1', subresource: sub }, `${method} ${path}`);
});

function fakeReviews(tokens: Record<string, KubeletUser>, allow: (u: KubeletUser, a: NodeRequestAttributes) => boolean) {
  const calls = { token: 0, access: 0 };
  const r: ReviewClient = {
    tokenReview: async (token) => {
      calls.token++;
      const user = tokens[token];
      return user ? { authenticated: true, user } : { authenticated: false, error: 'invalid token' };
    },
    subjectAccessReview: async (u, a) => {
      calls.access++;
      return { allowed: allow(u, a) };
    },
  };
  return { r, calls };
}

async function pki(dir: string): Promise<void> {
  const ssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=system:masters/CN=kube-apiserver-kubelet-client', '-keyout', 'apiserver.key', '-out', 'apiserver.csr']);
  await ssl(['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'client.ext', '-out', 'apiserver.crt']);
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=mallory', '-keyout', 'mallory.key', '-out', 'mallory.crt']);
}

function get(port: number, path: string, o: { cert?: Buffer; key?: Buffer; token?: string } = {}): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, cert: o.cert, key: o.key, headers: o.token ? { authorization: `Bearer ${o.token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('client certificates, webhook tokens and anonymous, with Webhook authorization: 200, 401 and 403 as upstream', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-kubelet-auth-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await pki(dir);
  const { r, calls } = fakeReviews({ 'reader-token': { name: 'reader', groups: ['system:authenticated'] } }, (u, a) => u.name === 'kube-apiserver-kubelet-client' || (u.name === 'reader' && a.subresource === 'metrics'));
  const auth = new KubeletAuth({ anonymous: false, clientCertificates: true, tokenWebhook: true, authorization: 'Webhook', nodeName: 'n1', reviews: r });
  const ca = await readFile(join(dir, 'ca.crt'));
  const { server, port, readOnlyPort } = await startFakeServer({ auth, readOnlyPort: -1, tls: { certDir: dir, hostname: 'n1', clientCA: ca } });
  t.teardown(() => server.close());
  const apiserver = { cert: await readFile(join(dir, 'apiserver.crt')), key: await readFile(join(dir, 'apiserver.key')) };
  const mallory = { cert: await readFile(join(dir, 'mallory.crt')), key: await readFile(join(dir, 'mallory.key')) };

  t.is((await get(port, '/pods', apiserver)).code, 200, "the API server's client certificate");
  t.deepEqual(await get(port, '/pods'), { code: 401, body: 'Unauthorized' }, 'no credentials, anonymous off');
  t.is((await get(port, '/pods', mallory)).code, 401, 'a certificate from another CA');
  t.is((await get(port, '/pods', { token: 'bogus' })).code, 401, 'a token the API server refuses');
  t.deepEqual(await get(port, '/pods', { token: 'reader-token' }), { code: 403, body: 'Forbidden (user=reader, verb=get, resource=nodes, subresource=proxy)' });
  const before = { ...calls };
  t.is((await get(port, '/metrics', { token: 'reader-token' })).code, 200);
  t.is((await get(port, '/metrics', { token: 'reader-token' })).code, 200);
  t.is(calls.token, before.token, 'the token answer is cached');
  t.is(calls.access, before.access + 1, 'the allow answer is cached');
  // The read-only port is the unauthenticated one.
  const ro = await fetch(`http://127.0.0.1:${readOnlyPort}/pods`);
  t.is(ro.status, 200);
});

test('anonymous with AlwaysAllow (the default) lets everyone in; a refused token is still 401', async (t) => {
  const { r } = fakeReviews({}, () => false);
  const auth = new KubeletAuth({ anonymous: true, clientCertificates: false, tokenWebhook: true, authorization: 'AlwaysAllow', nodeName: 'n1', reviews: r });
  const { server, url } = await startFakeServer({ auth });
  t.teardown(() => server.close());
  t.is((await fetch(`${url}/pods`)).status, 200);
  t.is((await fetch(`${url}/pods`, { headers: { authorization: 'Bearer nope' } })).status, 401);
});

test('webhook modes without an API server are refused at start-up', (t) => {
  t.throws(() => new KubeletAuth({ anonymous: true, clientCertificates: false, tokenWebhook: false, authorization: 'Webhook', nodeName: 'n1' }), { message: /need an API server/ });
});
