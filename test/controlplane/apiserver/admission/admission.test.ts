import test from 'ava';
import { newAdmissionChain } from '../../../../controlplane/apiserver/admission/index.js';
import { memoryObjects } from '../../../../controlplane/apiserver/admission/testing/objects.js';
import type { AdmissionAttributes } from '../../../../controlplane/apiserver/admission/types.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';
import { StatusError } from '../../../../controlplane/machinery/errors.js';

const admin = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const node1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const ns = (name: string, terminating = false): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: terminating ? 'Terminating' : 'Active' } });
const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team', ...meta }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

function attrs(op: AdmissionAttributes['operation'], resource: string, object: Obj | undefined, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return { operation: op, group: '', version: 'v1', kind: '', resource, subresource: '', namespace: 'team', name: op === 'CREATE' ? '' : (object?.metadata?.name ?? ''), object, user: admin, dryRun: false, ...extra };
}

async function refusal(p: Promise<unknown>): Promise<StatusError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
}

test('unknown plugin names are start-up errors; AlwaysAdmit and AlwaysDeny', async (t) => {
  t.throws(() => newAdmissionChain(['NamespaceLifecycle', 'Bogus'], memoryObjects()), { message: /^unknown admission plugin "Bogus" \(kubets has: .*ResourceQuota/ });
  t.true(newAdmissionChain(['AlwaysAdmit'], memoryObjects()).empty);
  const e = await refusal(newAdmissionChain(['AlwaysDeny'], memoryObjects()).admit(attrs('CREATE', 'pods', pod('p'))));
  t.is(e?.message, 'pods "p" is forbidden: admission control is denying all modifications');
});

test('NamespaceLifecycle: missing and terminating namespaces, immortal ones', async (t) => {
  const chain = newAdmissionChain(['NamespaceLifecycle'], memoryObjects([ns('team'), ns('going', true), ns('default')]));
  const cases: [string, AdmissionAttributes, number | undefined, string?][] = [
    ['create in an active namespace', attrs('CREATE', 'pods', pod('p')), undefined],
    ['create in a missing one', attrs('CREATE', 'pods', pod('p'), { namespace: 'nope' }), 404, 'namespaces "nope" not found'],
    ['create in a terminating one', attrs('CREATE', 'pods', pod('p'), { namespace: 'going' }), 403, 'pods "p" is forbidden: unable to create new content in namespace going because it is being terminated'],
    ['update in a terminating one', attrs('UPDATE', 'pods', pod('p'), { namespace: 'going' }), undefined],
    ['delete default', attrs('DELETE', 'namespaces', undefined, { namespace: '', name: 'default' }), 403, 'namespaces "default" is forbidden: this namespace may not be deleted'],
    ['delete kube-system', attrs('DELETE', 'namespaces', undefined, { namespace: '', name: 'kube-system' }), 403],
    ['delete team', attrs('DELETE', 'namespaces', undefined, { namespace: '', name: 'team' }), undefined],
  ];
  for (const [name, a, code, message] of cases) {
    const e = await refusal(chain.admit(a));
    t.is(e?.code, code, name);
    if (message) t.is(e?.message, message, name);
  }
});

test('ServiceAccount: default account, token volume, pull secrets, refusals', async (t) => {
  const sa: Obj = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'team', uid: 'u1' }, secrets: [{ name: 'default-token-abc' }], imagePullSecrets: [{ name: 'regcred' }] };
  const token: Obj = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'default-token-abc', namespace: 'team', annotations: { 'kubernetes.io/service-account.name': 'default', 'kubernetes.io/service-account.uid': 'u1' } } };
  const chain = newAdmissionChain(['ServiceAccount'], memoryObjects([sa, token, { ...sa, metadata: { name: 'lonely', namespace: 'team', uid: 'u2' }, secrets: [] }]));
  const a = attrs('CREATE', 'pods', pod('p', { initContainers: [{ name: 'i', image: 'x' }] }));
  await chain.admit(a);
  const spec = a.object!.spec as { serviceAccountName: string; volumes: unknown[]; containers: { volumeMounts: unknown[] }[]; initContainers: { volumeMounts: unknown[] }[]; imagePullSecrets: unknown[] };
  t.is(spec.serviceAccountName, 'default');
  t.deepEqual(spec.volumes, [{ name: 'default-token-abc', secret: { secretName: 'default-token-abc' } }]);
  const mount = { name: 'default-token-abc', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
  t.deepEqual(spec.containers[0].volumeMounts, [mount]);
  t.deepEqual(spec.initContainers[0].volumeMounts, [mount]);
  t.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }]);
  // automount off: nothing mounted
  const off = attrs('CREATE', 'pods', pod('q', { automountServiceAccountToken: false }));
  await chain.admit(off);
  t.is((off.object!.spec as { volumes?: unknown[] }).volumes, undefined);
  const missing = await refusal(chain.admit(attrs('CREATE', 'pods', pod('r', { serviceAccountName: 'ghost' }))));
  t.is(missing?.message, 'pods "r" is forbidden: service account team/ghost was not found, retry after the service account is created');
  const noToken = await refusal(chain.admit(attrs('CREATE', 'pods', pod('s', { serviceAccountName: 'lonely' }))));
  t.is(noToken?.code, 500);
  t.is(noToken?.reason, 'ServerTimeout');
  t.regex(noToken!.message, /^No API token found for service account "lonely", retry after the token is automatically created/);
  const mirror = await refusal(chain.admit(attrs('CREATE', 'pods', pod('m', { serviceAccountName: 'default' }, { annotations: { 'kubernetes.io/config.mirror': 'x' } }))));
  t.is(mirror?.message, 'pods "m" is forbidden: a mirror pod may not reference service accounts');
});

test('LimitRanger: defaults from the range, min and max per container and per pod', async (t) => {
  const lr: Obj = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'team' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, min: { cpu: '50m' }, max: { cpu: '1', memory: '1Gi' } }, { type: 'Pod', max: { cpu: '1500m' } }] } };
  const chain = newAdmissionChain(['LimitRanger'], memoryObjects([lr]));
  const a = attrs('CREATE', 'pods', pod('p'));
  await chain.admit(a);
  t.deepEqual((a.object!.spec as { containers: { resources: unknown }[] }).containers[0].resources, { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '1Gi' } });
  const cases: [string, Record<string, unknown>, string | undefined][] = [
    ['over max (per container and per pod: upstream aggregates)', { limits: { cpu: '2' } }, 'pods "p" is forbidden: [maximum cpu usage per Container is 1, but limit is 2., maximum cpu usage per Pod is 1500m, but limit is 2.]'],
    ['under min', { requests: { cpu: '10m' }, limits: { cpu: '10m' } }, 'pods "p" is forbidden: minimum cpu usage per Container is 50m, but request is 10m.'],
    ['within', { limits: { cpu: '1' } }, undefined],
  ];
  for (const [name, resources, want] of cases) {
    const e = await refusal(chain.admit(attrs('CREATE', 'pods', pod('p', { containers: [{ name: 'c', image: 'i', resources }] }))));
    t.is(e?.message, want, name);
  }
  const two = await refusal(chain.admit(attrs('CREATE', 'pods', pod('p', { containers: [{ name: 'a', image: 'i', resources: { limits: { cpu: '1' } } }, { name: 'b', image: 'i', resources: { limits: { cpu: '1' } } }] }))));
  t.is(two?.message, 'pods "p" is forbidden: maximum cpu usage per Pod is 1500m, but limit is 2.');
});

test('ResourceQuota: counts and compute, upstream message, CAS charge, release', async (t) => {
  const quota: Obj = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'team' }, spec: { hard: { pods: '2', 'requests.cpu': '1' } } };
  const objects = memoryObjects([quota, pod('existing', { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '300m' } } }] })]);
  const chain = newAdmissionChain(['ResourceQuota'], objects);
  const withCPU = (name: string, cpu: string) => pod(name, { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu } } }] });
  await chain.admit(attrs('CREATE', 'pods', withCPU('a', '500m')));
  t.deepEqual((await objects.get('', 'resourcequotas', 'team', 'q'))!.status, { hard: { pods: '2', 'requests.cpu': '1' }, used: { pods: '2', 'requests.cpu': '800m' } });
  const noCPU = await refusal(chain.admit(attrs('CREATE', 'pods', pod('b'))));
  t.is(noCPU?.message, 'pods "b" is forbidden: failed quota: q: must specify requests.cpu');
  const over = await refusal(chain.admit(attrs('CREATE', 'pods', withCPU('c', '100m'))));
  t.is(over?.message, 'pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  // The create of "a" failed after all: usage is recomputed from what exists.
  await chain.after(attrs('CREATE', 'pods', withCPU('a', '500m')), false);
  t.deepEqual(((await objects.get('', 'resourcequotas', 'team', 'q'))!.status as { used: unknown }).used, { pods: '1', 'requests.cpu': '300m' });
  // Other namespaces and untracked kinds are free.
  await chain.admit(attrs('CREATE', 'configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
  await chain.admit(attrs('CREATE', 'pods', withCPU('z', '5'), { namespace: 'elsewhere' }));
  // dry run checks but does not charge
  await chain.admit(attrs('CREATE', 'pods', withCPU('d', '100m'), { dryRun: true }));
  t.deepEqual(((await objects.get('', 'resourcequotas', 'team', 'q'))!.status as { used: unknown }).used, { pods: '1', 'requests.cpu': '300m' });
});

test('DefaultStorageClass and AlwaysPullImages', async (t) => {
  const sc = (name: string, dflt: boolean): Obj => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name, annotations: dflt ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} } });
  const pvc = (spec: Record<string, unknown> = {}): Obj => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: 'team' }, spec });
  const one = newAdmissionChain(['DefaultStorageClass'], memoryObjects([sc('fast', true), sc('slow', false)]));
  const a = attrs('CREATE', 'persistentvolumeclaims', pvc());
  await one.admit(a);
  t.is((a.object!.spec as { storageClassName: string }).storageClassName, 'fast');
  const explicit = attrs('CREATE', 'persistentvolumeclaims', pvc({ storageClassName: '' }));
  await one.admit(explicit);
  t.is((explicit.object!.spec as { storageClassName: string }).storageClassName, '');
  const two = newAdmissionChain(['DefaultStorageClass'], memoryObjects([sc('fast', true), sc('slow', true)]));
  t.is((await refusal(two.admit(attrs('CREATE', 'persistentvolumeclaims', pvc()))))?.message, 'persistentvolumeclaims "c" is forbidden: 2 default StorageClasses were found');
  const pull = newAdmissionChain(['AlwaysPullImages'], memoryObjects());
  const p = attrs('CREATE', 'pods', pod('p', { containers: [{ name: 'c', image: 'i', imagePullPolicy: 'Never' }] }));
  await pull.admit(p);
  t.is((p.object!.spec as { containers: { imagePullPolicy: string }[] }).containers[0].imagePullPolicy, 'Always');
});

test('NodeRestriction: a node touches its own Node and its own pods only', async (t) => {
  const mine = pod('mine', { nodeName: 'n1' });
  const theirs = pod('theirs', { nodeName: 'n2' });
  const chain = newAdmissionChain(['NodeRestriction'], memoryObjects([mine, theirs]));
  const node = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
  const mirror = (spec: Record<string, unknown>) => pod('m', spec, { annotations: { 'kubernetes.io/config.mirror': 'hash' } });
  const cases: [string, AdmissionAttributes, string | undefined][] = [
    ['register itself', attrs('CREATE', 'nodes', node('n1'), { namespace: '', user: node1 }), undefined],
    ['register another', attrs('CREATE', 'nodes', node('n2'), { namespace: '', user: node1 }), 'nodes "n2" is forbidden: node "n1" cannot modify node "n2"'],
    ['update own status', attrs('UPDATE', 'nodes', node('n1'), { namespace: '', user: node1, subresource: 'status' }), undefined],
    ['update another', attrs('UPDATE', 'nodes', node('n2'), { namespace: '', user: node1 }), 'nodes "n2" is forbidden: node "n1" cannot modify node "n2"'],
    ['own pod status', attrs('UPDATE', 'pods', mine, { user: node1, subresource: 'status', oldObject: mine }), undefined],
    ["another's pod status", attrs('UPDATE', 'pods', theirs, { user: node1, subresource: 'status', oldObject: theirs }), 'pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself'],
    ['delete own pod', attrs('DELETE', 'pods', undefined, { user: node1, name: 'mine', oldObject: mine }), undefined],
    ["delete another's pod", attrs('DELETE', 'pods', undefined, { user: node1, name: 'theirs', oldObject: theirs }), 'pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself'],
    ['a plain pod', attrs('CREATE', 'pods', pod('p', { nodeName: 'n1' }), { user: node1 }), 'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods'],
    ['a mirror pod', attrs('CREATE', 'pods', mirror({ nodeName: 'n1' }), { user: node1 }), undefined],
    ['a mirror pod elsewhere', attrs('CREATE', 'pods', mirror({ nodeName: 'n2' }), { user: node1 }), 'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself'],
    ['a mirror pod with a secret', attrs('CREATE', 'pods', mirror({ nodeName: 'n1', volumes: [{ name: 'v', secret: { secretName: 's' } }] }), { user: node1 }), 'pods "m" is forbidden: node "n1" can not create pods that reference secrets'],
    ['update a pod spec', attrs('UPDATE', 'pods', mine, { user: node1, oldObject: mine }), 'pods "mine" is forbidden: unexpected operation UPDATE'],
    ['not a node: no opinion', attrs('UPDATE', 'nodes', node('n2'), { namespace: '' }), undefined],
  ];
  for (const [name, a, want] of cases) t.is((await refusal(chain.admit(a)))?.message, want, name);
});
