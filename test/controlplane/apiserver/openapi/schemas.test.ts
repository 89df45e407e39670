// The generated OpenAPI schemas: drift against the TS types, structure and
// upstream names, strategic-merge extensions from the patchmeta table,
// per-group-version component sets, and unknownFields for fieldValidation.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { generateSchemas, OUTPUT, renderSchemas } from '../../../../hack/gen-openapi.js';
import { defaultRegistry, loadGeneratedSchemas, SchemaRegistry, strictDecodingError, type GVK } from '../../../../controlplane/apiserver/openapi/schemas.js';
import { refName, refOf, type Schema } from '../../../../controlplane/apiserver/openapi/types.js';
import { scheme } from '../../../../controlplane/api/scheme.js';

const registry = defaultRegistry();
const S = registry.schemas;
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

test('schemas.generated.json is what hack/gen-openapi.ts generates from the current TS types (run npm run gen:openapi)', (t) => {
  const { schemas } = generateSchemas();
  t.is(readFileSync(OUTPUT, 'utf8'), renderSchemas(schemas));
});

test('the loader finds the generated file and the registry indexes every served kind', (t) => {
  t.deepEqual(Object.keys(loadGeneratedSchemas()), Object.keys(S));
  for (const r of scheme.all()) {
    t.truthy(registry.componentForKind(r), `${r.group}/${r.version} ${r.kind}`);
    if (r.verbs.includes('list')) t.truthy(registry.componentForKind({ ...r, kind: r.listKind }), r.listKind);
  }
});

test('upstream component names, GVK extensions and special types', (t) => {
  t.is(registry.componentForKind({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'io.k8s.api.apps.v1.Deployment');
  t.is(registry.componentForKind({ group: '', version: 'v1', kind: 'Pod' }), `${CORE}.Pod`);
  t.is(registry.componentForKind({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }), 'io.k8s.api.networking.v1.Ingress');
  t.deepEqual(S['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  t.deepEqual(S[`${CORE}.PodList`]['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PodList', version: 'v1' }]);
  for (const name of [`${CORE}.PodSpec`, `${CORE}.Container`, `${META}.ObjectMeta`, `${CORE}.PodOS`, `${CORE}.HostPathVolumeSource`, 'io.k8s.api.apps.v1.DeploymentCondition']) {
    t.is(S[name]?.type, 'object', name);
  }
  t.like(S[`${META}.Time`], { type: 'string', format: 'date-time' });
  t.like(S[`${META}.MicroTime`], { type: 'string', format: 'date-time' });
  t.like(S['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { format: 'int-or-string', 'x-kubernetes-int-or-string': true });
  t.truthy(S['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf);
  // ResourceList is an inline map of Quantity; Time fields reference Time; IntOrString fields reference it.
  t.is(S[`${CORE}.ResourceRequirements`].properties?.limits.additionalProperties && refOf(S[`${CORE}.ResourceRequirements`].properties!.limits.additionalProperties as Schema), 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  t.is(refOf(S[`${META}.ObjectMeta`].properties!.creationTimestamp), `${META}.Time`);
  t.is(refOf(S['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties!.maxSurge), 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  t.is(refOf(S[`${CORE}.Event`].properties!.eventTime), `${META}.MicroTime`);
  // required: from TS optionality, never metadata; a description from a TS doc comment.
  t.deepEqual(S['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
  t.deepEqual(S[`${CORE}.Container`].required, ['name']);
  t.is(S['io.k8s.api.apps.v1.Deployment'].required, undefined);
  t.regex(S[`${META}.OwnerReference`].properties!.controller.description ?? '', /managing controller/);
  t.like(S[`${META}.ObjectMeta`].properties!.generation, { type: 'integer', format: 'int64' });
  t.like(S['io.k8s.api.apps.v1.DeploymentSpec'].properties!.replicas, { type: 'integer', format: 'int32' });
});

test('every $ref resolves to a component', (t) => {
  const bad: string[] = [];
  const visit = (s: Schema, where: string): void => {
    if (s.$ref && !S[refName(s.$ref)]) bad.push(`${where} → ${s.$ref}`);
    for (const x of [...(s.allOf ?? []), ...(s.oneOf ?? []), ...(s.items ? [s.items] : [])]) visit(x, where);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') visit(s.additionalProperties, where);
    for (const [k, p] of Object.entries(s.properties ?? {})) visit(p, `${where}.${k}`);
  };
  for (const [name, s] of Object.entries(S)) visit(s, name);
  t.deepEqual(bad, []);
});

/** [component, field, merge key (undefined: none), strategy, list type, list map keys]. */
const mergeCases: Array<[string, string, string | undefined, string | undefined, string | undefined, string[] | undefined]> = [
  [`${CORE}.PodSpec`, 'containers', 'name', 'merge', 'map', ['name']],
  [`${CORE}.PodSpec`, 'initContainers', 'name', 'merge', 'map', ['name']],
  [`${CORE}.PodSpec`, 'volumes', 'name', 'merge,retainKeys', 'map', ['name']],
  [`${CORE}.PodSpec`, 'imagePullSecrets', 'name', 'merge', 'map', ['name']],
  [`${CORE}.PodSpec`, 'tolerations', undefined, undefined, 'atomic', undefined],
  [`${CORE}.Container`, 'ports', 'containerPort', 'merge', 'map', ['containerPort', 'protocol']],
  [`${CORE}.Container`, 'env', 'name', 'merge', 'map', ['name']],
  [`${CORE}.Container`, 'volumeMounts', 'mountPath', 'merge', 'map', ['mountPath']],
  [`${CORE}.EphemeralContainer`, 'env', 'name', 'merge', 'map', ['name']],
  [`${CORE}.ServiceSpec`, 'ports', 'port', 'merge', 'map', ['port', 'protocol']],
  [`${CORE}.PodStatus`, 'conditions', 'type', 'merge', 'map', ['type']],
  [`${CORE}.NodeStatus`, 'addresses', 'type', 'merge', 'map', ['type']],
  [`${META}.ObjectMeta`, 'ownerReferences', 'uid', 'merge', 'map', ['uid']],
  [`${META}.ObjectMeta`, 'finalizers', undefined, 'merge', 'set', undefined],
  ['io.k8s.api.apps.v1.DeploymentSpec', 'strategy', undefined, 'retainKeys', undefined, undefined],
  ['io.k8s.api.apps.v1.DeploymentStatus', 'conditions', 'type', 'merge', 'map', ['type']],
];
for (const [component, field, key, strategy, listType, mapKeys] of mergeCases) {
  test(`patch extensions: ${component.split('.').pop()}.${field}`, (t) => {
    const p = S[component].properties![field];
    t.is(p['x-kubernetes-patch-merge-key'], key);
    t.is(p['x-kubernetes-patch-strategy'], strategy);
    t.is(p['x-kubernetes-list-type'] as unknown, listType as unknown);
    t.deepEqual(p['x-kubernetes-list-map-keys'], mapKeys);
  });
}

test('schemasFor(group, version): the GV kinds and, transitively, what they reference, nothing else', (t) => {
  const apps = Object.keys(registry.schemasFor('apps', 'v1'));
  for (const n of ['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.StatefulSetList', `${CORE}.PodSpec`, `${CORE}.Container`, `${CORE}.PersistentVolumeClaim`, `${META}.ObjectMeta`, `${META}.Time`, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString']) {
    t.true(apps.includes(n), n);
  }
  t.false(apps.includes(`${CORE}.Service`));
  t.false(apps.some((n) => n.startsWith('io.k8s.api.batch.')));
  t.deepEqual(apps, [...apps].sort());
  const core = registry.schemasFor('', 'v1');
  t.truthy(core[`${CORE}.Pod`]);
  t.truthy(core[`${CORE}.ConfigMapList`]);
  t.falsy(core['io.k8s.api.apps.v1.Deployment']);
  t.deepEqual(registry.schemasFor('nope.example.com', 'v1'), {});
});

// ---------------------------------------------------------------------------
// unknownFields

const DEPLOY: GVK = { group: 'apps', version: 'v1', kind: 'Deployment' };
const POD: GVK = { group: '', version: 'v1', kind: 'Pod' };

function deployment(extra: { spec?: object; container?: object; metadata?: object; top?: object } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', 'example.com/anything': 'x' }, annotations: { a: 'b' }, creationTimestamp: null, ...extra.metadata },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m', 'nvidia.com/gpu': 1 } }, env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], livenessProbe: { httpGet: { port: 'http', path: '/' } }, ...extra.container },
          ],
          volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }, { name: 'c', csi: { driver: 'x', volumeAttributes: { any: 'thing' } } }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        },
      },
      ...extra.spec,
    },
    ...extra.top,
  };
}

const unknownCases: Array<{ name: string; gvk: GVK; obj: unknown; want: string[] }> = [
  { name: 'a valid deployment has none', gvk: DEPLOY, obj: deployment(), want: [] },
  { name: 'spec.bogus', gvk: DEPLOY, obj: deployment({ spec: { bogus: true } }), want: ['spec.bogus'] },
  { name: 'a misspelled container field', gvk: DEPLOY, obj: deployment({ container: { imagePullPolicyy: 'Always' } }), want: ['spec.template.spec.containers[0].imagePullPolicyy'] },
  { name: 'metadata fields are checked too', gvk: DEPLOY, obj: deployment({ metadata: { bogus: 1 } }), want: ['metadata.bogus'] },
  { name: 'a top-level unknown field', gvk: DEPLOY, obj: deployment({ top: { specc: {} } }), want: ['specc'] },
  { name: 'several, in document order', gvk: DEPLOY, obj: deployment({ metadata: { x: 1 }, spec: { y: 2 }, container: { z: 3 } }), want: ['metadata.x', 'spec.template.spec.containers[0].z', 'spec.y'] },
  { name: 'inside a list item of a list item', gvk: DEPLOY, obj: deployment({ container: { ports: [{ containerPort: 80 }, { containerPort: 81, hostPortt: 1 }] } }), want: ['spec.template.spec.containers[0].ports[1].hostPortt'] },
  { name: 'an unknown field whose value is null is still unknown', gvk: POD, obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], foo: null } }, want: ['spec.foo'] },
  { name: 'a value of the wrong type is not an unknown field', gvk: DEPLOY, obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: 'x', spec: [1, 2] }, want: [] },
  { name: 'status is checked', gvk: POD, obj: { apiVersion: 'v1', kind: 'Pod', metadata: {}, status: { phase: 'Running', phasee: 'x' } }, want: ['status.phasee'] },
  { name: 'ownerReferences items', gvk: POD, obj: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u', bogus: 1 }] } }, want: ['metadata.ownerReferences[0].bogus'] },
  { name: 'managedFields fieldsV1 is opaque', gvk: POD, obj: { metadata: { managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }] } }, want: [] },
  { name: 'ConfigMap data and Secret stringData are maps', gvk: { group: '', version: 'v1', kind: 'ConfigMap' }, obj: { data: { anything: 'x' }, binaryData: { b: 'AA==' } }, want: [] },
  { name: 'Secret stringData', gvk: { group: '', version: 'v1', kind: 'Secret' }, obj: { stringData: { password: 'x' }, type: 'Opaque', typo: 1 }, want: ['typo'] },
  { name: 'Service targetPort int-or-string', gvk: { group: '', version: 'v1', kind: 'Service' }, obj: { spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8080 }], selector: { app: 'x' } } }, want: [] },
  { name: 'CronJob down to the container', gvk: { group: 'batch', version: 'v1', kind: 'CronJob' }, obj: { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', imagee: 'x' }] } } } } } }, want: ['spec.jobTemplate.spec.template.spec.containers[0].imagee'] },
  { name: 'ControllerRevision data is a RawExtension', gvk: { group: 'apps', version: 'v1', kind: 'ControllerRevision' }, obj: { revision: 1, data: { spec: { whatever: true } } }, want: [] },
  { name: 'upstream fields kubets does not model are accepted', gvk: POD, obj: { spec: { containers: [{ name: 'c', resizePolicy: [{ resourceName: 'cpu' }] }], securityContext: { appArmorProfile: { type: 'RuntimeDefault' } }, volumes: [{ name: 'e', awsElasticBlockStore: { volumeID: 'x' } }] } }, want: [] },
  { name: 'a List kind', gvk: { group: '', version: 'v1', kind: 'PodList' }, obj: { items: [{ metadata: { name: 'a' }, spec: { containers: [{ name: 'c', x: 1 }] } }], metadata: { resourceVersion: '1' } }, want: ['items[0].spec.containers[0].x'] },
  { name: 'a kind without a schema: nothing can be said', gvk: { group: 'example.com', version: 'v1', kind: 'Widget' }, obj: { spec: { anything: 1 } }, want: [] },
  { name: 'a property called constructor is not mistaken for a declared one', gvk: POD, obj: { spec: { constructor: 1, containers: [] } }, want: ['spec.constructor'] },
];
for (const c of unknownCases) {
  test(`unknownFields: ${c.name}`, (t) => {
    t.deepEqual(registry.unknownFields(c.gvk, c.obj), c.want);
  });
}

test('strictDecodingError words the fields as upstream does', (t) => {
  t.is(strictDecodingError(['spec.bogus', 'metadata.x']), 'strict decoding error: unknown field "spec.bogus", unknown field "metadata.x"');
});

test('a registry over a hand-made map: additionalProperties beside properties, preserve-unknown-fields, recursion', (t) => {
  const r = new SchemaRegistry({
    'x.Thing': {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'x', version: 'v1', kind: 'Thing' }],
      properties: { known: { type: 'string' }, child: { $ref: '#/components/schemas/x.Thing' }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      additionalProperties: { type: 'object', properties: { a: { type: 'string' } } },
    },
  });
  t.deepEqual(r.unknownFields({ group: 'x', version: 'v1', kind: 'Thing' }, { known: 'k', extra: { a: 'x', b: 1 }, child: { child: { known: 'x' }, extra: { b: 1 } }, free: { any: { thing: 1 } } }), ['extra.b', 'child.extra.b']);
});
