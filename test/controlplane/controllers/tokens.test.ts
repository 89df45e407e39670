// The service account token controller on a FakeClient: every account gets a
// token secret whose JWT the API server's key verifies, hand-made token
// secrets are filled in, and tokens go with their accounts.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import type { Secret, ServiceAccount } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { isTokenFor, SA_NAME_ANNOTATION, SA_UID_ANNOTATION, SERVICE_ACCOUNT_TOKEN_TYPE, tokenSecretName, TokensController } from '../../../controlplane/controllers/serviceaccount/tokens.js';
import { verifyJWT } from '../../../controlplane/machinery/jwt.js';
import { fixture } from './fixtures.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePEM = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');

function account(name = 'default', uid = 'sa-uid', secrets?: { name: string }[]): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'ns1', uid }, ...(secrets ? { secrets } : {}) };
}

async function setup(objs: { accounts?: ServiceAccount[]; secrets?: Secret[] }) {
  const f = fixture();
  for (const a of objs.accounts ?? []) f.client.seed(resources.serviceaccounts, a);
  for (const s of objs.secrets ?? []) f.client.seed(resources.secrets, s);
  const c = new TokensController(f.ctx, { privateKeyPEM: privatePEM, rootCA: CA });
  const refresh = async () => {
    await f.refresh(resources.serviceaccounts);
    await f.refresh(resources.secrets);
  };
  await refresh();
  return { f, c, refresh };
}

const secretsOf = async (f: ReturnType<typeof fixture>) => (await f.client.resource(resources.secrets, 'ns1').list()).items;

test('names: <account>-token-<5 of upstream\'s alphabet>', (t) => {
  for (let i = 0; i < 20; i++) t.regex(tokenSecretName('default'), /^default-token-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('an account without a token gets a secret with a verifiable token, ca.crt and namespace, and references it', async (t) => {
  const { f, c } = await setup({ accounts: [account()] });
  await c.sync('sa:ns1/default');
  const [s] = await secretsOf(f);
  t.is(s.type, SERVICE_ACCOUNT_TOKEN_TYPE);
  t.deepEqual(s.metadata.annotations, { [SA_NAME_ANNOTATION]: 'default', [SA_UID_ANNOTATION]: 'sa-uid' });
  t.is(Buffer.from(s.data!['ca.crt'], 'base64').toString(), CA.toString());
  t.is(Buffer.from(s.data!.namespace, 'base64').toString(), 'ns1');
  const check = verifyJWT(Buffer.from(s.data!.token, 'base64').toString(), [keys.publicKey]);
  t.like(check, { claims: { iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:ns1:default', 'kubernetes.io/serviceaccount/secret.name': s.metadata.name, 'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid' } });
  const sa = await f.client.resource(resources.serviceaccounts, 'ns1').get('default');
  t.deepEqual(sa.secrets, [{ name: s.metadata.name }]);
});

test('an account that has its token is left alone', async (t) => {
  const existing: Secret = { apiVersion: 'v1', kind: 'Secret', type: SERVICE_ACCOUNT_TOKEN_TYPE, metadata: { name: 'default-token-abcde', namespace: 'ns1', annotations: { [SA_NAME_ANNOTATION]: 'default', [SA_UID_ANNOTATION]: 'sa-uid' } }, data: { token: 'dA==' } };
  const { f, c } = await setup({ accounts: [account('default', 'sa-uid', [{ name: 'default-token-abcde' }])], secrets: [existing] });
  f.client.clearActions();
  await c.sync('sa:ns1/default');
  t.deepEqual(f.client.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list'), []);
});

test('a token of an earlier account of the same name is not this account\'s: a new one is made and the stale reference dropped', async (t) => {
  const stale: Secret = { apiVersion: 'v1', kind: 'Secret', type: SERVICE_ACCOUNT_TOKEN_TYPE, metadata: { name: 'default-token-old11', namespace: 'ns1', annotations: { [SA_NAME_ANNOTATION]: 'default', [SA_UID_ANNOTATION]: 'old-uid' } }, data: { token: 'dA==' } };
  const { f, c } = await setup({ accounts: [account('default', 'new-uid', [{ name: 'default-token-old11' }])], secrets: [stale] });
  t.false(isTokenFor(stale, account('default', 'new-uid')));
  await c.sync('sa:ns1/default');
  const sa = await f.client.resource(resources.serviceaccounts, 'ns1').get('default');
  t.is(sa.secrets?.length, 1);
  t.not(sa.secrets?.[0].name, 'default-token-old11');
});

test('a token secret made by hand (empty) is filled in', async (t) => {
  const mine: Secret = { apiVersion: 'v1', kind: 'Secret', type: SERVICE_ACCOUNT_TOKEN_TYPE, metadata: { name: 'build-robot-secret', namespace: 'ns1', annotations: { [SA_NAME_ANNOTATION]: 'build-robot' } } };
  const { f, c } = await setup({ accounts: [account('build-robot', 'br-uid', [{ name: 'build-robot-secret' }])], secrets: [mine] });
  await c.sync('secret:ns1/build-robot-secret');
  const s = await f.client.resource(resources.secrets, 'ns1').get('build-robot-secret');
  t.like(verifyJWT(Buffer.from(s.data!.token, 'base64').toString(), [keys.publicKey]), { claims: { sub: 'system:serviceaccount:ns1:build-robot' } });
  t.is(s.metadata.annotations?.[SA_UID_ANNOTATION], 'br-uid');
});

test('a deleted account takes its token secrets with it', async (t) => {
  const tok: Secret = { apiVersion: 'v1', kind: 'Secret', type: SERVICE_ACCOUNT_TOKEN_TYPE, metadata: { name: 'gone-token-aaaaa', namespace: 'ns1', annotations: { [SA_NAME_ANNOTATION]: 'gone', [SA_UID_ANNOTATION]: 'g' } }, data: { token: 'dA==' } };
  const other: Secret = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'gone-notes', namespace: 'ns1', annotations: { [SA_NAME_ANNOTATION]: 'gone' } } };
  const { f, c } = await setup({ secrets: [tok, other] });
  await c.sync('gone:ns1/gone');
  t.deepEqual((await secretsOf(f)).map((s) => s.metadata.name), ['gone-notes']);
});

test('a key file that is not a private key is refused at start-up, naming the flag', (t) => {
  const f = fixture();
  t.throws(() => new TokensController(f.ctx, { privateKeyPEM: 'not a key' }), { message: /--service-account-private-key-file: not a PEM private key/ });
});
