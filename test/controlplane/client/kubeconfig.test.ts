// Kubeconfig loading as kubectl does it: the precedence of --kubeconfig,
// $KUBECONFIG (merged), ~/.kube/config, --master and in-cluster; the merge
// rules; relative paths; embedded vs file credentials; validation errors;
// and that a config's description never shows secrets.
import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadRestConfig } from '../../../controlplane/client/kubeconfig.js';

async function dir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'kubets-kubeconfig-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

const one = (server: string, extra = '') => `apiVersion: v1
kind: Config
current-context: ctx
clusters:
- name: c1
  cluster:
    server: ${server}
contexts:
- name: ctx
  context: { cluster: c1, user: u1, namespace: team-a }
users:
- name: u1
  user:
${extra || '    token: secret-token'}
`;

test('--kubeconfig: one file; context, namespace, token', async (t) => {
  const d = await dir(t);
  await writeFile(join(d, 'cfg'), one('https://1.2.3.4:6443'));
  const c = loadRestConfig({ kubeconfig: join(d, 'cfg'), env: {} });
  t.is(c.server, 'https://1.2.3.4:6443');
  t.is(c.token, 'secret-token');
  t.is(c.namespace, 'team-a');
});

test('--master overrides the server of the chosen cluster and keeps its credentials', async (t) => {
  const d = await dir(t);
  await writeFile(join(d, 'cfg'), one('https://1.2.3.4:6443'));
  const c = loadRestConfig({ kubeconfig: join(d, 'cfg'), master: 'http://127.0.0.1:8080', env: {} });
  t.is(c.server, 'http://127.0.0.1:8080');
  t.is(c.token, 'secret-token');
});

test('--master alone, without any kubeconfig', async (t) => {
  const d = await dir(t);
  const c = loadRestConfig({ master: '127.0.0.1:8080', env: {}, home: d });
  t.is(c.server, 'http://127.0.0.1:8080');
  t.is(c.source, 'master');
});

test('KUBECONFIG list: missing files skipped, the first file to set a key wins', async (t) => {
  const d = await dir(t);
  await writeFile(
    join(d, 'a'),
    `current-context: first
clusters:
- name: shared
  cluster: { server: "https://a:6443", insecure-skip-tls-verify: true }
users:
- name: ua
  user: { username: admin, password: pw }
contexts:
- name: first
  context: { cluster: shared, user: ua }
`,
  );
  await writeFile(
    join(d, 'b'),
    `current-context: second
clusters:
- name: shared
  cluster: { server: "https://b:6443" }
- name: only-b
  cluster: { server: "https://only-b:6443" }
users:
- name: ub
  user: { token: tb }
contexts:
- name: second
  context: { cluster: only-b, user: ub }
`,
  );
  const env = { KUBECONFIG: [join(d, 'missing'), join(d, 'a'), join(d, 'b')].join(':') };
  const c = loadRestConfig({ env, home: d });
  t.is(c.server, 'https://a:6443', 'cluster "shared" from the first file, current-context from the first');
  t.true(c.insecureSkipTLSVerify);
  t.is(c.username, 'admin');
  t.is(c.password, 'pw');
  const c2 = loadRestConfig({ env, home: d, context: 'second' });
  t.is(c2.server, 'https://only-b:6443', 'contexts merge across files');
  t.is(c2.token, 'tb');
});

test('relative certificate, key, CA and token paths resolve against the kubeconfig’s directory', async (t) => {
  const d = await dir(t);
  await mkdir(join(d, 'conf', 'pki'), { recursive: true });
  await writeFile(join(d, 'conf', 'pki', 'ca.crt'), 'CA-PEM');
  await writeFile(join(d, 'conf', 'pki', 'c.crt'), 'CERT-PEM');
  await writeFile(join(d, 'conf', 'pki', 'c.key'), 'KEY-PEM');
  await writeFile(
    join(d, 'conf', 'kubeconfig'),
    `current-context: x
clusters: [{ name: c, cluster: { server: "https://h:6443", certificate-authority: pki/ca.crt } }]
users: [{ name: u, user: { client-certificate: pki/c.crt, client-key: pki/c.key } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
`,
  );
  const c = loadRestConfig({ kubeconfig: join(d, 'conf', 'kubeconfig'), env: {} });
  t.is(c.ca?.toString(), 'CA-PEM');
  t.is(c.cert?.toString(), 'CERT-PEM');
  t.is(c.key?.toString(), 'KEY-PEM');
});

test('embedded -data fields win over file paths; tokenFile is read from disk', async (t) => {
  const d = await dir(t);
  await writeFile(join(d, 'tok'), 'file-token\n');
  await writeFile(
    join(d, 'cfg'),
    `current-context: x
clusters: [{ name: c, cluster: { server: "https://h", certificate-authority-data: ${b64('CA')}, certificate-authority: /nonexistent } }]
users: [{ name: u, user: { client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')}, tokenFile: tok } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
`,
  );
  const c = loadRestConfig({ kubeconfig: join(d, 'cfg'), env: {} });
  t.is(c.ca?.toString(), 'CA');
  t.is(c.cert?.toString(), 'CERT');
  t.is(c.tokenFile, join(d, 'tok'));
});

test('~/.kube/config is used when nothing else is given', async (t) => {
  const d = await dir(t);
  await mkdir(join(d, '.kube'));
  await writeFile(join(d, '.kube', 'config'), one('https://home:6443'));
  t.is(loadRestConfig({ env: {}, home: d }).server, 'https://home:6443');
});

test('in-cluster config is the last fallback', async (t) => {
  const d = await dir(t);
  const sa = join(d, 'sa');
  await mkdir(sa);
  await writeFile(join(sa, 'token'), 'sa-token');
  await writeFile(join(sa, 'ca.crt'), 'SA-CA');
  await writeFile(join(sa, 'namespace'), 'kube-system\n');
  const c = loadRestConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, home: d, serviceAccountDir: sa });
  t.is(c.server, 'https://[fd00::1]:443');
  t.is(c.tokenFile, join(sa, 'token'));
  t.is(c.ca?.toString(), 'SA-CA');
  t.is(c.namespace, 'kube-system');
  t.is(c.source, 'in-cluster');
});

const bad = [
  { name: 'explicit file missing', file: null, re: /unable to read kubeconfig/ },
  { name: 'unknown context', file: one('https://h').replace('current-context: ctx', 'current-context: nope'), re: /context "nope" does not exist/ },
  { name: 'token and basic auth together', file: one('https://h', '    token: t\n    username: a\n    password: b'), re: /not both/ },
  { name: 'certificate without key', file: one('https://h', `    client-certificate-data: ${b64('C')}`), re: /must be set together/ },
  { name: 'not YAML', file: ': : :\n\t-', re: /not a kubeconfig/ },
];
for (const tc of bad) {
  test(`bad kubeconfig: ${tc.name}`, async (t) => {
    const d = await dir(t);
    if (tc.file !== null) await writeFile(join(d, 'cfg'), tc.file);
    const err = t.throws(() => loadRestConfig({ kubeconfig: join(d, 'cfg'), env: {} }), { instanceOf: ConfigError });
    t.regex(err!.message, tc.re);
  });
}

test('nothing configured: one error naming what was tried', async (t) => {
  const d = await dir(t);
  const err = t.throws(() => loadRestConfig({ env: {}, home: d, serviceAccountDir: join(d, 'none') }), { instanceOf: ConfigError });
  t.regex(err!.message, /no --kubeconfig.*no --master.*not in a cluster/);
});

test('describeConfig never shows tokens, passwords or keys', (t) => {
  const s = describeConfig({ server: 'https://h', token: 'SECRET1', username: 'u', password: 'SECRET2', key: Buffer.from('SECRET3'), cert: Buffer.from('c'), source: 'x' });
  t.false(/SECRET/.test(s), s);
  t.false(/SECRET/.test(describeConfig({ server: 'https://h', token: 'SECRET1', source: 'x' })));
  t.false(/SECRET/.test(describeConfig({ server: 'https://h', username: 'u', password: 'SECRET2', source: 'x' })));
});
