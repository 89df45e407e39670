/**
 * Round trips over one rich object per kind (samples.ts): nothing the JSON says may be lost on the
 * way through protobuf, and the result must be canonical (its encoding is stable).
 */
import test from 'ava';
import { decodeK8sProtobuf, encodeK8sProtobuf, isProtobufKind, protobufKinds } from '../../../../controlplane/apiserver/protobuf/index.js';
import { SAMPLES } from './samples.js';

const isZero = (v: unknown): boolean => v === '' || v === 0 || v === false;

/**
 * Paths where `got` lost or changed what `want` says. Go's JSON legitimately turns zero values,
 * empty lists/maps and nulls into absent fields (omitempty), so those may be missing in `got`.
 */
function losses(got: unknown, want: unknown, path = ''): string[] {
  if (want === null || want === undefined) return [];
  if (Array.isArray(want)) {
    if (want.length === 0) return got === undefined || got === null || (Array.isArray(got) && got.length === 0) ? [] : [`${path}: ${JSON.stringify(got)} for []`];
    if (!Array.isArray(got) || got.length !== want.length) return [`${path}: ${JSON.stringify(got)} for ${JSON.stringify(want)}`];
    return want.flatMap((w, i) => losses(got[i], w, `${path}[${i}]`));
  }
  if (typeof want === 'object') {
    const entries = Object.entries(want);
    if (got === undefined && entries.every(([, v]) => v === null || isZero(v))) return [];
    if (typeof got !== 'object' || got === null || Array.isArray(got)) return [`${path}: ${JSON.stringify(got)} for an object`];
    return entries.flatMap(([k, v]) => losses((got as Record<string, unknown>)[k], v, path ? `${path}.${k}` : k));
  }
  if (got === undefined && isZero(want)) return [];
  return got === want ? [] : [`${path}: ${JSON.stringify(got)} for ${JSON.stringify(want)}`];
}

for (const { name, obj } of SAMPLES) {
  test(`${name}: encode → decode keeps every field, and the result is canonical`, (t) => {
    const bytes = encodeK8sProtobuf(obj);
    const got = decodeK8sProtobuf(bytes);
    t.is<unknown, unknown>(obj.kind, got.kind);
    t.is<unknown, unknown>(obj.apiVersion, got.apiVersion);
    t.deepEqual(losses(got.object, obj), []);
    const again = encodeK8sProtobuf(got.object);
    t.is(again.toString('hex'), bytes.toString('hex'), 're-encoding the decoded object gives the same bytes');
    t.deepEqual(decodeK8sProtobuf(again).object, got.object);
  });
}

test('every kind in the table has a sample', (t) => {
  const sampled = new Set(SAMPLES.map((s) => `${s.obj.apiVersion as string}/${s.obj.kind as string}`));
  const missing = protobufKinds().filter((k) => !sampled.has(`${k.apiVersion}/${k.kind}`));
  t.deepEqual(missing, []);
});

test('isProtobufKind knows the kinds, their lists, Status and DeleteOptions, and nothing else', (t) => {
  t.true(isProtobufKind('v1', 'ConfigMap'));
  t.true(isProtobufKind('v1', 'ConfigMapList'));
  t.true(isProtobufKind('apps/v1', 'DeploymentList'));
  t.true(isProtobufKind('v1', 'Status'));
  t.true(isProtobufKind('batch/v1', 'DeleteOptions'));
  t.false(isProtobufKind('v1', 'Deployment'));
  t.false(isProtobufKind('apps/v1beta1', 'Deployment'));
  t.false(isProtobufKind('example.com/v1', 'Widget'));
  t.false(isProtobufKind('v1', 'StatusList'));
});

test('a small Binding comes back exactly as the scheduler wrote it', (t) => {
  const binding = { kind: 'Binding', apiVersion: 'v1', metadata: { name: 'web-1', namespace: 'default', uid: 'u', creationTimestamp: null }, target: { kind: 'Node', name: 'node-1' } };
  t.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(binding)).object, binding);
});

test('a Pod written the way kubectl run writes it comes back exactly', (t) => {
  const pod = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p', creationTimestamp: null, labels: { run: 'p' } },
    spec: { containers: [{ name: 'p', image: 'nginx', resources: {} }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    status: {},
  };
  t.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(pod)).object, pod);
});

test('an empty list has items [] and keeps its ListMeta', (t) => {
  const list = { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '12' }, items: [] };
  t.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(list)).object, list);
});
