import test from 'ava';
import { apiVersionOf, parseApiVersion, scheme, storageVersionHash } from '../../../controlplane/api/scheme.js';

// kubectl-typed argument → [group, resource, subresource?]
const resolveCases: [string, string, string, string?][] = [
  ['po', '', 'pods'],
  ['pod', '', 'pods'],
  ['pods', '', 'pods'],
  ['Pod', '', 'pods'],
  ['PODS', '', 'pods'],
  ['svc', '', 'services'],
  ['ep', '', 'endpoints'],
  ['no', '', 'nodes'],
  ['ns', '', 'namespaces'],
  ['cm', '', 'configmaps'],
  ['sa', '', 'serviceaccounts'],
  ['rc', '', 'replicationcontrollers'],
  ['pv', '', 'persistentvolumes'],
  ['pvc', '', 'persistentvolumeclaims'],
  ['ev', '', 'events'],
  ['limits', '', 'limitranges'],
  ['quota', '', 'resourcequotas'],
  ['cs', '', 'componentstatuses'],
  ['deploy', 'apps', 'deployments'],
  ['Deployment', 'apps', 'deployments'],
  ['deployments.apps', 'apps', 'deployments'],
  ['deployments.v1.apps', 'apps', 'deployments'],
  ['rs', 'apps', 'replicasets'],
  ['sts', 'apps', 'statefulsets'],
  ['ds', 'apps', 'daemonsets'],
  ['hpa', 'autoscaling', 'horizontalpodautoscalers'],
  ['HorizontalPodAutoscaler', 'autoscaling', 'horizontalpodautoscalers'],
  ['ing', 'networking.k8s.io', 'ingresses'],
  ['netpol', 'networking.k8s.io', 'networkpolicies'],
  ['csr', 'certificates.k8s.io', 'certificatesigningrequests'],
  ['sc', 'storage.k8s.io', 'storageclasses'],
  ['pdb', 'policy', 'poddisruptionbudgets'],
  ['cj', 'batch', 'cronjobs'],
  ['job', 'batch', 'jobs'],
  ['lease', 'coordination.k8s.io', 'leases'],
  ['endpointslices', 'discovery.k8s.io', 'endpointslices'],
  ['clusterrolebinding', 'rbac.authorization.k8s.io', 'clusterrolebindings'],
  ['roles.rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', 'roles'],
  ['roles.v1.rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', 'roles'],
  ['pods/status', '', 'pods', 'status'],
  ['deploy/scale', 'apps', 'deployments', 'scale'],
];
for (const [arg, group, resource, sub] of resolveCases) {
  test(`resolve ${arg}`, (t) => {
    const r = scheme.resolve(arg);
    t.truthy(r, `${arg} should resolve`);
    t.is(r?.info.group, group);
    t.is(r?.info.resource, resource);
    t.is(r?.subresource?.name, sub);
  });
}

for (const arg of ['foos', 'pods.apps', 'deployments.v2.apps', 'pods/nosuch', '']) {
  test(`resolve rejects ${JSON.stringify(arg)}`, (t) => {
    t.is(scheme.resolve(arg), undefined);
  });
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
// [group, resource, namespaced, verbs, kind, singular]
const infoCases: [string, string, boolean, string[], string, string][] = [
  ['', 'pods', true, CRUD, 'Pod', 'pod'],
  ['', 'bindings', true, ['create'], 'Binding', 'binding'],
  ['', 'namespaces', false, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], 'Namespace', 'namespace'],
  ['', 'componentstatuses', false, ['get', 'list'], 'ComponentStatus', 'componentstatus'],
  ['', 'services', true, CRUD, 'Service', 'service'],
  ['', 'nodes', false, CRUD, 'Node', 'node'],
  ['', 'endpoints', true, CRUD, 'Endpoints', 'endpoints'],
  ['authentication.k8s.io', 'tokenreviews', false, ['create'], 'TokenReview', 'tokenreview'],
  ['authorization.k8s.io', 'localsubjectaccessreviews', true, ['create'], 'LocalSubjectAccessReview', 'localsubjectaccessreview'],
  ['authorization.k8s.io', 'selfsubjectaccessreviews', false, ['create'], 'SelfSubjectAccessReview', 'selfsubjectaccessreview'],
  ['apps', 'deployments', true, CRUD, 'Deployment', 'deployment'],
  ['certificates.k8s.io', 'certificatesigningrequests', false, CRUD, 'CertificateSigningRequest', 'certificatesigningrequest'],
  ['storage.k8s.io', 'storageclasses', false, CRUD, 'StorageClass', 'storageclass'],
];
for (const [group, resource, namespaced, verbs, kind, singular] of infoCases) {
  test(`info ${group}/${resource}`, (t) => {
    const r = scheme.forResource(group, resource);
    t.truthy(r);
    t.is(r?.namespaced, namespaced);
    t.deepEqual([...(r?.verbs ?? [])], verbs);
    t.is(r?.kind, kind);
    t.is(r?.listKind, `${kind}List`);
    t.is(r?.singular, singular);
  });
}

test('category all is exactly upstream set', (t) => {
  const names = scheme.category('all').map((r) => r.resource).sort();
  t.deepEqual(names, [
    'cronjobs', 'daemonsets', 'deployments', 'horizontalpodautoscalers', 'jobs', 'pods', 'replicasets', 'replicationcontrollers', 'services', 'statefulsets',
  ]);
});

// [group, resource, sub, kind group, kind version, kind, verbs]
const subCases: [string, string, string, string, string, string, string[]][] = [
  ['', 'pods', 'eviction', 'policy', 'v1', 'Eviction', ['create']],
  ['', 'pods', 'log', '', 'v1', 'Pod', ['get']],
  ['', 'pods', 'exec', '', 'v1', 'PodExecOptions', ['create', 'get']],
  ['', 'pods', 'attach', '', 'v1', 'PodAttachOptions', ['create', 'get']],
  ['', 'pods', 'portforward', '', 'v1', 'PodPortForwardOptions', ['create', 'get']],
  ['', 'pods', 'binding', '', 'v1', 'Binding', ['create']],
  ['', 'pods', 'proxy', '', 'v1', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']],
  ['', 'pods', 'ephemeralcontainers', '', 'v1', 'Pod', ['get', 'patch', 'update']],
  ['', 'pods', 'status', '', 'v1', 'Pod', ['get', 'patch', 'update']],
  ['', 'serviceaccounts', 'token', 'authentication.k8s.io', 'v1', 'TokenRequest', ['create']],
  ['', 'replicationcontrollers', 'scale', 'autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']],
  ['', 'namespaces', 'finalize', '', 'v1', 'Namespace', ['update']],
  ['apps', 'deployments', 'scale', 'autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']],
  ['apps', 'statefulsets', 'scale', 'autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']],
  ['certificates.k8s.io', 'certificatesigningrequests', 'approval', 'certificates.k8s.io', 'v1', 'CertificateSigningRequest', ['get', 'patch', 'update']],
];
for (const [group, resource, sub, kg, kv, kind, verbs] of subCases) {
  test(`subresource ${resource}/${sub}`, (t) => {
    const info = scheme.forResource(group, resource);
    t.truthy(info);
    const s = info && scheme.subresource(info, sub);
    t.deepEqual(s?.kind, { group: kg, version: kv, kind });
    t.deepEqual([...(s?.verbs ?? [])], verbs);
  });
}

test('forKind is exact on the wire kind', (t) => {
  t.is(scheme.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' })?.resource, 'deployments');
  t.is(scheme.forKind({ group: 'apps', version: 'v1', kind: 'deployment' }), undefined);
  t.is(scheme.forKind({ group: '', version: 'v1', kind: 'Deployment' }), undefined);
  t.true(scheme.recognizes({ group: '', version: 'v1', kind: 'PodList' }));
  t.true(scheme.recognizes({ group: 'policy', version: 'v1', kind: 'Eviction' }));
  t.false(scheme.recognizes({ group: 'policy', version: 'v1beta1', kind: 'Eviction' }));
});

test('groups: core first, preferred version, resourcesIn', (t) => {
  const groups = scheme.groups();
  t.is(groups[0].name, '');
  t.is(groups[1].name, 'apps');
  t.is(scheme.group('autoscaling')?.preferredVersion, 'v1');
  const core = scheme.resourcesIn({ group: '', version: 'v1' }).map((r) => r.resource);
  t.true(core.includes('pods'));
  t.false(core.includes('deployments'));
});

test('apiVersion helpers', (t) => {
  t.deepEqual(parseApiVersion('v1'), { group: '', version: 'v1' });
  t.deepEqual(parseApiVersion('rbac.authorization.k8s.io/v1'), { group: 'rbac.authorization.k8s.io', version: 'v1' });
  t.is(apiVersionOf({ group: '', version: 'v1' }), 'v1');
  t.is(apiVersionOf({ group: 'apps', version: 'v1' }), 'apps/v1');
});

test('storage version hash matches upstream algorithm and is set per resource', (t) => {
  const h = storageVersionHash({ group: '', version: 'v1', kind: 'Pod' });
  t.regex(h, /^[A-Za-z0-9+/]{11}=$/);
  t.is(scheme.forResource('', 'pods')?.storageVersionHash, h);
  t.is(scheme.forResource('', 'pods')?.storageVersion, 'v1');
  t.not(scheme.forResource('apps', 'deployments')?.storageVersionHash, h);
});

test('no alias collides across resources within priority rules', (t) => {
  // every short name resolves to the resource that declares it
  for (const r of scheme.all()) {
    for (const s of r.shortNames) t.is(scheme.resolve(s)?.info, r, s);
  }
});
