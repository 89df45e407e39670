import test from 'ava';
import { FieldPath, formatFieldError } from '../../../controlplane/machinery/errors.js';
import {
  addFinalizer,
  formatMicro,
  formatRFC3339,
  generateName,
  getAnnotation,
  getControllerOf,
  getLabel,
  hasFinalizer,
  isControlledBy,
  namespacedKey,
  newUID,
  nowMicro,
  nowRFC3339,
  ownerRefFor,
  removeFinalizer,
  removeLabel,
  setAnnotation,
  setLabel,
  splitKey,
} from '../../../controlplane/machinery/meta/helpers.js';
import type { KubeObject, ObjectMeta } from '../../../controlplane/machinery/meta/types.js';
import {
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type ObjectMetaOptions,
} from '../../../controlplane/machinery/meta/validation.js';

// ---- validateObjectMeta ---------------------------------------------------------------

const ns: ObjectMetaOptions = { namespaced: true };
const cluster: ObjectMetaOptions = { namespaced: false };

const createCases: Array<{ name: string; meta: ObjectMeta | undefined; opts: ObjectMetaOptions; want: string[] }> = [
  { name: 'valid namespaced', meta: { name: 'web', namespace: 'default' }, opts: ns, want: [] },
  { name: 'valid cluster-scoped', meta: { name: 'node-1' }, opts: cluster, want: [] },
  { name: 'no metadata', meta: undefined, opts: ns, want: ['metadata.name: Required value: name or generateName is required', 'metadata.namespace: Required value'] },
  { name: 'no name', meta: { namespace: 'default' }, opts: ns, want: ['metadata.name: Required value: name or generateName is required'] },
  { name: 'namespace on cluster kind', meta: { name: 'a', namespace: 'x' }, opts: cluster, want: ['metadata.namespace: Forbidden: not allowed on this type'] },
  { name: 'bad namespace', meta: { name: 'a', namespace: 'a.b' }, opts: ns, want: ['metadata.namespace: Invalid value: "a.b": must not contain dots'] },
  { name: 'name 253 ok', meta: { name: 'a'.repeat(253) }, opts: cluster, want: [] },
  { name: 'name 254', meta: { name: 'a'.repeat(254) }, opts: cluster, want: [`metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`] },
  { name: 'label-named kind 64', meta: { name: 'a'.repeat(64) }, opts: { namespaced: false, nameFn: nameIsDNSLabel }, want: [`metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`] },
  { name: 'generateName prefix may end in dash', meta: { name: 'web-x7kqz', generateName: 'web-', namespace: 'default' }, opts: ns, want: [] },
  { name: 'bad generateName', meta: { name: 'ok', generateName: 'Web-', namespace: 'd' }, opts: ns, want: [
    "metadata.generateName: Invalid value: \"Web-\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ] },
  { name: 'negative generation', meta: { name: 'a', generation: -1 }, opts: cluster, want: ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'] },
  { name: 'bad labels', meta: { name: 'a', labels: { 'a b': 'x' } }, opts: cluster, want: ['metadata.labels: Invalid value: "a b": name part must consist'] },
  { name: 'annotation keys are case-insensitive', meta: { name: 'a', annotations: { 'Example.COM/Foo': 'x' } }, opts: cluster, want: [] },
  { name: 'annotations too big', meta: { name: 'a', annotations: { k: 'x'.repeat(256 * 1024) } }, opts: cluster, want: ['metadata.annotations: Too long: must have at most 262144 bytes'] },
  { name: 'annotations at limit', meta: { name: 'a', annotations: { k: 'x'.repeat(256 * 1024 - 1) } }, opts: cluster, want: [] },
  { name: 'finalizer not qualified', meta: { name: 'a', finalizers: ['a/b/c'] }, opts: cluster, want: ['metadata.finalizers: Invalid value: "a/b/c": a qualified name must consist'] },
  { name: 'orphan and foreground', meta: { name: 'a', finalizers: ['orphan', 'foregroundDeletion'] }, opts: cluster, want: [
    'metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
  ] },
  { name: 'owner ref incomplete', meta: { name: 'a', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] }, opts: cluster, want: [
    'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
  ] },
  { name: 'two controllers', meta: { name: 'a', ownerReferences: [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r1', uid: '1', controller: true },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r2', uid: '2', controller: true },
  ] }, opts: cluster, want: ['metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r1","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"r2","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/r1 and ReplicaSet/r2'] },
  { name: 'event owner', meta: { name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: '1' }] }, opts: cluster, want: ['metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"1"}: /v1, Kind=Event is disallowed from being an owner'] },
  { name: 'bad managedFields', meta: { name: 'a', managedFields: [{ manager: 'kubectl', operation: 'Patch' as 'Apply', fieldsType: 'FieldsV2' }] }, opts: cluster, want: [
    'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
    'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
  ] },
];

for (const tc of createCases) {
  test(`validateObjectMeta: ${tc.name}`, (t) => {
    const got = validateObjectMeta(tc.meta, tc.opts).map(formatFieldError);
    t.is(got.length, tc.want.length, got.join('\n'));
    tc.want.forEach((w, i) => t.true(got[i].startsWith(w), `${got[i]}\n  does not start with\n${w}`));
  });
}

test('validateObjectMeta honours a custom path and nameFn', (t) => {
  const got = validateObjectMeta({ name: 'A' }, { namespaced: false, nameFn: nameIsDNSSubdomain, path: FieldPath.root('spec').child('template').child('metadata') });
  t.is(got[0].field, 'spec.template.metadata.name');
});

// ---- validateObjectMetaUpdate -----------------------------------------------------------

const old: ObjectMeta = {
  name: 'web',
  namespace: 'default',
  uid: 'u1',
  resourceVersion: '5',
  generation: 3,
  creationTimestamp: '2026-01-01T00:00:00Z',
  finalizers: ['a.io/x'],
};

const updateCases: Array<{ name: string; next: ObjectMeta; old?: ObjectMeta; want: string[] }> = [
  { name: 'unchanged', next: { ...old }, want: [] },
  { name: 'labels may change', next: { ...old, labels: { a: 'b' } }, want: [] },
  { name: 'rename', next: { ...old, name: 'other' }, want: ['metadata.name: Invalid value: "other": field is immutable'] },
  { name: 'move namespace', next: { ...old, namespace: 'x' }, want: ['metadata.namespace: Invalid value: "x": field is immutable'] },
  { name: 'new uid', next: { ...old, uid: 'u2' }, want: ['metadata.uid: Invalid value: "u2": field is immutable'] },
  { name: 'creationTimestamp', next: { ...old, creationTimestamp: '2027-01-01T00:00:00Z' }, want: ['metadata.creationTimestamp: Invalid value: "2027-01-01T00:00:00Z": field is immutable'] },
  { name: 'no resourceVersion', next: { ...old, resourceVersion: '' }, want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'] },
  { name: 'generation decremented', next: { ...old, generation: 2 }, want: ['metadata.generation: Invalid value: 2: must not be decremented'] },
  { name: 'finalizer added while deleting', old: { ...old, deletionTimestamp: '2026-01-02T00:00:00Z' }, next: { ...old, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: ['a.io/x', 'b.io/y'] }, want: [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
  ] },
  { name: 'finalizer removed while deleting', old: { ...old, deletionTimestamp: '2026-01-02T00:00:00Z' }, next: { ...old, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: [] }, want: [] },
];

for (const tc of updateCases) {
  test(`validateObjectMetaUpdate: ${tc.name}`, (t) => {
    t.deepEqual(validateObjectMetaUpdate(tc.next, tc.old ?? old).map(formatFieldError), tc.want);
  });
}

// ---- helpers ---------------------------------------------------------------------------------

test('uids and timestamps', (t) => {
  t.regex(newUID(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.not(newUID(), newUID());
  t.is(formatRFC3339(new Date(Date.UTC(2026, 10, 22, 3, 49, 26, 987))), '2026-11-22T03:49:26Z');
  t.regex(nowRFC3339(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  t.is(formatMicro(BigInt(Date.UTC(2026, 10, 22, 3, 49, 26)) * 1000n + 123456n), '2026-11-22T03:49:26.123456Z');
  t.regex(nowMicro(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

const genCases: Array<{ base: string; len: number }> = [
  { base: 'web-', len: 9 },
  { base: '', len: 5 },
  { base: 'x'.repeat(58), len: 63 },
  { base: 'x'.repeat(80), len: 63 },
];

for (const tc of genCases) {
  test(`generateName base of ${tc.base.length}`, (t) => {
    const n = generateName(tc.base);
    t.is(n.length, tc.len);
    t.true(n.startsWith(tc.base.slice(0, 58)));
    t.regex(n.slice(-5), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
}

test('owner references', (t) => {
  const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'd', uid: 'u-rs' } };
  const other: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-2', uid: 'u-other' } };
  const ref = ownerRefFor(rs);
  t.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u-rs', controller: true, blockOwnerDeletion: true });
  t.deepEqual(ownerRefFor(rs, false), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u-rs' });
  const pod: KubeObject = { metadata: { name: 'p', ownerReferences: [ownerRefFor(other, false), ref] } };
  t.is(getControllerOf(pod)?.name, 'web-1');
  t.true(isControlledBy(pod, rs));
  t.false(isControlledBy(pod, other));
  t.is(getControllerOf({ metadata: {} }), undefined);
});

const keyCases: Array<{ meta: ObjectMeta; key: string }> = [
  { meta: { namespace: 'default', name: 'web' }, key: 'default/web' },
  { meta: { name: 'node-1' }, key: 'node-1' },
];

for (const tc of keyCases) {
  test(`namespacedKey ${tc.key}`, (t) => {
    t.is(namespacedKey({ metadata: tc.meta }), tc.key);
    t.is(namespacedKey(tc.meta), tc.key);
    t.deepEqual(splitKey(tc.key), { namespace: tc.meta.namespace ?? '', name: tc.meta.name });
  });
}

test('splitKey rejects extra slashes', (t) => {
  t.throws(() => splitKey('a/b/c'), { message: 'unexpected key format: "a/b/c"' });
});

test('labels, annotations, finalizers', (t) => {
  const obj: KubeObject = {};
  t.is(getLabel(obj, 'a'), undefined);
  setLabel(obj, 'a', '1');
  t.is(getLabel(obj, 'a'), '1');
  t.is(getLabel(obj, 'toString'), undefined);
  t.true(removeLabel(obj, 'a'));
  t.false(removeLabel(obj, 'a'));
  setAnnotation(obj, 'k', 'v');
  t.is(getAnnotation(obj, 'k'), 'v');
  t.true(addFinalizer(obj, 'x.io/f'));
  t.false(addFinalizer(obj, 'x.io/f'));
  t.true(hasFinalizer(obj, 'x.io/f'));
  t.true(removeFinalizer(obj, 'x.io/f'));
  t.false(removeFinalizer(obj, 'x.io/f'));
  t.is(obj.metadata?.finalizers, undefined);
});

// formatFieldError follows Go's ErrorBody: which types print their value.
const formatCases: Array<{ name: string; err: Parameters<typeof formatFieldError>[0]; want: string }> = [
  { name: 'TooLong omits the value', err: { type: 'FieldValueTooLong', field: 'a', value: 'xxx', detail: 'must have at most 2 bytes' }, want: 'a: Too long: must have at most 2 bytes' },
  { name: 'TooMany prints the count', err: { type: 'FieldValueTooMany', field: 'a', value: 5, detail: 'must have at most 3 items' }, want: 'a: Too many: 5: must have at most 3 items' },
  { name: 'Required omits the value', err: { type: 'FieldValueRequired', field: 'a', detail: 'x' }, want: 'a: Required value: x' },
  { name: 'Invalid quotes strings', err: { type: 'FieldValueInvalid', field: 'a', value: 'v', detail: 'bad' }, want: 'a: Invalid value: "v": bad' },
];

for (const tc of formatCases) {
  test(`formatFieldError: ${tc.name}`, (t) => {
    t.is(formatFieldError(tc.err), tc.want);
  });
}
