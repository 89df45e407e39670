import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCredentialCSV, splitCSVLine } from '../../../../controlplane/apiserver/authn/csvfile.js';
import { BasicAuthenticator, TokenFileAuthenticator } from '../../../../controlplane/apiserver/authn/static.js';
import { publicKeysFromPEM, signJWT } from '../../../../controlplane/apiserver/authn/jwt.js';
import { legacyClaims, ServiceAccountAuthenticator } from '../../../../controlplane/apiserver/authn/serviceaccount.js';
import { BootstrapTokenAuthenticator } from '../../../../controlplane/apiserver/authn/bootstrap.js';
import { newAuthenticator } from '../../../../controlplane/apiserver/authn/index.js';
import { memoryObjects } from '../../../../controlplane/apiserver/admission/testing/objects.js';
import { StatusError } from '../../../../controlplane/machinery/errors.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('CSV lines split as Go encoding/csv does', (t) => {
  const cases: [string, string[] | RegExp][] = [
    ['a,b,c', ['a', 'b', 'c']],
    ['tok,user,uid,"g1,g2"', ['tok', 'user', 'uid', 'g1,g2']],
    ['  tok, user ,uid', ['tok', 'user ', 'uid']],
    ['"a""b",c,d', ['a"b', 'c', 'd']],
    ['a,,c', ['a', '', 'c']],
    ['"unterminated,b,c', /extraneous or missing "/],
    ['a"b,c,d', /bare "/],
  ];
  for (const [line, want] of cases) {
    if (want instanceof RegExp) t.throws(() => splitCSVLine(line), { message: want }, line);
    else t.deepEqual(splitCSVLine(line), want, line);
  }
});

test('token and password files: records, groups, and errors naming file and line but never the secret', (t) => {
  const ok = parseCredentialCSV('/etc/k/token.csv', 'secret1,alice,1\n\nsecret2,bob,2,"dev,ops"\n,empty,3\n', 'token');
  t.deepEqual(ok.map((r) => [r.secret, r.user.name, r.user.uid, r.user.groups, r.line]), [
    ['secret1', 'alice', '1', [], 1],
    ['secret2', 'bob', '2', ['dev', 'ops'], 3],
  ]);
  const bad: [string, 'token' | 'password', RegExp][] = [
    ['s3cr3t,alice\n', 'token', /^token file '\/f' line 1: must have at least 3 columns \(token, user name, user uid\), found 2$/],
    ['a,b,c\npw,bob\n', 'password', /^password file '\/f' line 2: must have at least 3 columns \(password, user name, user uid\), found 2$/],
    ['"x,alice,1\n', 'token', /^token file '\/f' line 1: extraneous/],
    ['s3cr3t,,1\n', 'token', /line 1: the user name \(column 2\) is empty/],
  ];
  for (const [text, what, re] of bad) {
    const e = t.throws(() => parseCredentialCSV('/f', text, what), { message: re });
    t.false(e!.message.includes('s3cr3t'));
  }
});

const req = (authorization?: string): IncomingMessage => ({ headers: authorization ? { authorization } : {}, socket: {} }) as unknown as IncomingMessage;

test('token file and basic auth authenticators', async (t) => {
  const tokens = new TokenFileAuthenticator(parseCredentialCSV('/f', 'tok-a,alice,1,"g"\n', 'token'));
  t.deepEqual(await tokens.authenticateToken('tok-a'), { user: { name: 'alice', uid: '1', groups: ['g'] } });
  t.is(await tokens.authenticateToken('tok-b'), undefined);
  const basic = new BasicAuthenticator(parseCredentialCSV('/f', 'pw,bob,2\n', 'password'));
  t.deepEqual(await basic.authenticate(req(`Basic ${b64('bob:pw')}`)), { user: { name: 'bob', uid: '2', groups: [] } });
  t.deepEqual(await basic.authenticate(req(`Basic ${b64('bob:nope')}`)), { error: 'invalid username/password combination' });
  t.is(await basic.authenticate(req('Bearer x')), undefined);
});

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

test('service account JWTs: good, expired, wrong key, wrong issuer, missing claims, lookup', async (t) => {
  const good = rsa();
  const other = rsa();
  const keys = publicKeysFromPEM(good.publicKey, 'test');
  const now = 1_700_000_000_000;
  const claims = legacyClaims('ns1', 'robot', 'uid-1', 'robot-token-x');
  const cases: { name: string; token: string; want: 'user' | 'error' | 'none'; message?: RegExp }[] = [
    { name: 'good', token: signJWT(claims, good.privateKey), want: 'user' },
    { name: 'not expired yet', token: signJWT({ ...claims, exp: now / 1000 + 60 }, good.privateKey), want: 'user' },
    { name: 'expired', token: signJWT({ ...claims, exp: now / 1000 - 1 }, good.privateKey), want: 'error', message: /expired/ },
    { name: 'wrong key', token: signJWT(claims, other.privateKey), want: 'error', message: /verification error/ },
    { name: 'wrong issuer', token: signJWT({ ...claims, iss: 'https://example.com' }, good.privateKey), want: 'none' },
    { name: 'missing uid claim', token: signJWT({ ...claims, 'kubernetes.io/serviceaccount/service-account.uid': undefined }, good.privateKey), want: 'error', message: /service-account.uid/ },
    { name: 'not a JWT', token: 'abcdef.0123456789abcdef', want: 'none' },
    { name: 'tampered payload', token: (() => { const [h, , s] = signJWT(claims, good.privateKey).split('.'); return `${h}.${Buffer.from(JSON.stringify({ ...claims, 'kubernetes.io/serviceaccount/namespace': 'kube-system' })).toString('base64url')}.${s}`; })(), want: 'error' },
  ];
  const sa = new ServiceAccountAuthenticator(keys, undefined, () => now);
  for (const c of cases) {
    const r = await sa.authenticateToken(c.token);
    if (c.want === 'none') t.is(r, undefined, c.name);
    else if (c.want === 'user') t.deepEqual(r, { user: { name: 'system:serviceaccount:ns1:robot', uid: 'uid-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1'] } }, c.name);
    else {
      t.truthy(r && 'error' in r, c.name);
      if (c.message && r && 'error' in r) t.regex(r.error, c.message, c.name);
    }
  }
  // --service-account-lookup: the secret must hold this token and the account must exist with the uid.
  const token = signJWT(claims, good.privateKey);
  const objects = memoryObjects([
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'robot-token-x', namespace: 'ns1' }, data: { token: b64(token) } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'ns1', uid: 'uid-1' } },
  ]);
  const lookup = new ServiceAccountAuthenticator(keys, objects, () => now);
  t.truthy(await lookup.authenticateToken(token).then((r) => r && 'user' in r));
  objects.objects.splice(1, 1);
  t.deepEqual(await lookup.authenticateToken(token), { error: 'ServiceAccount ns1/robot has been deleted' });
  objects.objects.splice(0, 1);
  t.regex(((await lookup.authenticateToken(token)) as { error: string }).error, /invalidated/);
});

test('bootstrap tokens: secret match, expiry, usage, extra groups', async (t) => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const secret = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token', metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
  const base = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true' };
  const cases: [string, Record<string, string>, string, unknown][] = [
    ['good', base, 'abcdef.0123456789abcdef', { user: { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] } }],
    ['extra groups', { ...base, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token' }, 'abcdef.0123456789abcdef', { user: { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] } }],
    ['bad extra group', { ...base, 'auth-extra-groups': 'system:masters' }, 'abcdef.0123456789abcdef', undefined],
    ['wrong secret', base, 'abcdef.0123456789abcdee', undefined],
    ['expired', { ...base, expiration: '2025-12-31T00:00:00Z' }, 'abcdef.0123456789abcdef', undefined],
    ['not for authentication', { ...base, 'usage-bootstrap-authentication': 'false' }, 'abcdef.0123456789abcdef', undefined],
    ['not a bootstrap token', base, 'hello', undefined],
  ];
  for (const [name, data, token, want] of cases) {
    const a = new BootstrapTokenAuthenticator(memoryObjects([secret(data)]), () => now);
    t.deepEqual(await a.authenticateToken(token), want, name);
  }
});

test('the chain: first known credential wins, system:authenticated added, rejected credentials are 401 even with anonymous', async (t) => {
  const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp('/tmp/kubets-authn-'));
  const fs = await import('node:fs/promises');
  await fs.writeFile(`${dir}/token.csv`, 'tok,alice,1,"g"\n');
  try {
    const anon = newAuthenticator({ tokenAuthFile: `${dir}/token.csv`, anonymous: true }, memoryObjects());
    t.deepEqual(await anon.authenticate(req('Bearer tok')), { name: 'alice', uid: '1', groups: ['g', 'system:authenticated'] });
    t.deepEqual(await anon.authenticate(req()), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
    await t.throwsAsync(anon.authenticate(req('Bearer wrong')), { instanceOf: StatusError, message: 'Unauthorized' });
    const closed = newAuthenticator({ anonymous: false }, memoryObjects());
    const e = await t.throwsAsync(closed.authenticate(req()));
    t.is((e as StatusError).code, 401);
    t.deepEqual(await anon.reviewToken('tok'), { user: { name: 'alice', uid: '1', groups: ['g', 'system:authenticated'] } });
    t.deepEqual(await anon.reviewToken('nope'), { error: 'invalid bearer token' });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
