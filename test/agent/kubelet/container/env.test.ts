// makeEnvironment: order and precedence, valueFrom sources, errors with upstream's messages.
import test from 'ava';
import type { ConfigMap, Container, Secret } from '../../../../controlplane/api/core/v1/types.js';
import { EnvError, expandCommand, makeEnvironment, type EnvErrorCode, type EnvSources } from '../../../../agent/kubelet/container/env.js';
import { testPod } from '../../../../agent/kubelet/testing/fixtures.js';

const cms: Record<string, ConfigMap> = { cfg: { metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1', b: '2', 'not-valid!': 'x' } } };
const secrets: Record<string, Secret> = { sec: { metadata: { name: 'sec', namespace: 'default' }, data: { pw: Buffer.from('hunter2').toString('base64') } } };
const sources: EnvSources = { configMap: async (_ns, n) => cms[n], secret: async (_ns, n) => secrets[n] };

function input(c: Partial<Container>, serviceEnv = new Map<string, string>()) {
  const container: Container = { name: 'c', image: 'img', ...c };
  const pod = testPod({ containers: [container], nodeName: 'n1', serviceAccountName: 'sa' }, { labels: { app: 'x', tier: 'web' } });
  return { pod, container, serviceEnv, runtime: { podIP: '10.1.2.3', hostIP: '192.0.2.1' }, nodeAllocatable: { cpu: '4', memory: '8Gi' }, sources };
}

const toMap = (env: { name: string; value: string }[]) => Object.fromEntries(env.map((e) => [e.name, e.value]));

test('env overrides envFrom, which overrides service env; $(VAR) sees earlier definitions', async (t) => {
  const r = await makeEnvironment(
    input(
      {
        envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' }, prefix: 'S_' }],
        env: [
          { name: 'a', value: 'overridden' },
          { name: 'REF', value: '$(a)-$(b)-$(S_pw)-$(SVC_SERVICE_HOST)-$(LATER)' },
          { name: 'LATER', value: 'late' },
          { name: 'SVC_SERVICE_HOST', value: 'mine' },
        ],
      },
      new Map([['SVC_SERVICE_HOST', '10.0.0.1']]),
    ),
  );
  const m = toMap(r.env);
  t.is(m.a, 'overridden');
  t.is(m.b, '2');
  t.is(m.S_pw, 'hunter2');
  t.is(m.REF, 'overridden-2-hunter2-10.0.0.1-$(LATER)');
  t.is(m.SVC_SERVICE_HOST, 'mine');
  t.deepEqual(r.invalidKeys, ['not-valid!']);
});

const fieldCases: [string, string][] = [
  ['metadata.name', 'p'],
  ['metadata.namespace', 'default'],
  ['metadata.uid', 'uid-1'],
  ['metadata.labels', 'app="x"\ntier="web"'],
  ["metadata.labels['tier']", 'web'],
  ['spec.nodeName', 'n1'],
  ['spec.serviceAccountName', 'sa'],
  ['status.podIP', '10.1.2.3'],
  ['status.hostIP', '192.0.2.1'],
];
for (const [path, want] of fieldCases) {
  test(`fieldRef ${path}`, async (t) => {
    const r = await makeEnvironment(input({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: path } } }] }));
    t.is(toMap(r.env).X, want);
  });
}

const resourceCases: [string, Container['resources'], string | undefined, string][] = [
  ['limits.cpu', { limits: { cpu: '500m' } }, undefined, '1'],
  ['limits.cpu', { limits: { cpu: '500m' } }, '1m', '500'],
  ['requests.memory', { requests: { memory: '64Mi' } }, '1Mi', '64'],
  ['limits.memory', {}, '1Gi', '8'],
  ['limits.cpu', {}, undefined, '4'],
  ['requests.cpu', {}, undefined, '0'],
];
for (const [res, resources, divisor, want] of resourceCases) {
  test(`resourceFieldRef ${res} ${JSON.stringify(resources)} / ${divisor ?? '1'} = ${want}`, async (t) => {
    const r = await makeEnvironment(input({ resources, env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: res, divisor } } }] }));
    t.is(toMap(r.env).X, want);
  });
}

const errorCases: [string, Partial<Container>, EnvErrorCode, string][] = [
  ['missing configmap', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a' } } }] }, 'ConfigMapNotFound', 'configmap "nope" not found'],
  ['missing configmap key', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'zz' } } }] }, 'ConfigMapKeyNotFound', "couldn't find key zz in ConfigMap default/cfg"],
  ['missing secret', { envFrom: [{ secretRef: { name: 'nope' } }] }, 'SecretNotFound', 'secret "nope" not found'],
  ['missing secret key', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'zz' } } }] }, 'SecretKeyNotFound', "couldn't find key zz in Secret default/sec"],
  ['bad field path', { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] }, 'InvalidFieldRef', 'unsupported fieldPath: spec.nope'],
];
for (const [name, c, code, message] of errorCases) {
  test(`error: ${name}`, async (t) => {
    const e = await t.throwsAsync(makeEnvironment(input(c)), { instanceOf: EnvError });
    t.is(e?.code, code);
    t.is(e?.message, message);
  });
}

test('optional references that are missing are skipped', async (t) => {
  const r = await makeEnvironment(input({ envFrom: [{ configMapRef: { name: 'nope', optional: true } }], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'zz', optional: true } } }] }));
  t.deepEqual(r.env, []);
});

test('command and args expand over the final environment', (t) => {
  const c: Container = { name: 'c', command: ['echo', '$(A)'], args: ['$(B)', '$$(A)', '$(MISSING)'] };
  t.deepEqual(expandCommand(c, [{ name: 'A', value: 'x' }, { name: 'B', value: 'y' }]), { command: ['echo', 'x'], args: ['y', '$(A)', '$(MISSING)'] });
});
