import test from 'ava';
import { jsonMergePatch, mergePatch } from '../../../../controlplane/apiserver/patch/mergepatch.js';
import { deepFreeze, statusErrorOf } from './helpers.js';

interface Case {
  name: string;
  original: unknown;
  patch: unknown;
  want: unknown;
}

const pod = () => ({
  kind: 'Pod',
  metadata: { name: 'p1', labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }], tolerations: [{ key: 'x', operator: 'Exists' }] },
});

const cases: Case[] = [
  // kubectl label / annotate (API-SURFACE.md §a.7)
  {
    name: 'kubectl label k=v adds a label, keeps the others',
    original: pod(),
    patch: { metadata: { labels: { env: 'prod' } } },
    want: { ...pod(), metadata: { ...pod().metadata, labels: { app: 'web', tier: 'fe', env: 'prod' } } },
  },
  {
    name: 'kubectl label k- sends null, which removes the label',
    original: pod(),
    patch: { metadata: { labels: { tier: null } } },
    want: { ...pod(), metadata: { ...pod().metadata, labels: { app: 'web' } } },
  },
  {
    name: 'kubectl annotate --overwrite replaces the value',
    original: pod(),
    patch: { metadata: { annotations: { a: '2' } } },
    want: { ...pod(), metadata: { ...pod().metadata, annotations: { a: '2' } } },
  },
  {
    name: 'kubectl scale on /scale',
    original: { kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1 } },
    patch: { spec: { replicas: 4 } },
    want: { kind: 'Scale', spec: { replicas: 4 }, status: { replicas: 1 } },
  },
  {
    name: 'arrays are replaced, never merged',
    original: pod(),
    patch: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
    want: { ...pod(), spec: { containers: [{ name: 'c', image: 'nginx:2' }], tolerations: [{ key: 'x', operator: 'Exists' }] } },
  },
  {
    name: 'null for a missing key is a no-op',
    original: { a: 1 },
    patch: { b: null },
    want: { a: 1 },
  },
  {
    name: 'nulls inside an added map are dropped',
    original: {},
    patch: { spec: { a: 1, b: null, c: { d: null } } },
    want: { spec: { a: 1, c: {} } },
  },
  {
    name: 'an object replaces a scalar and vice versa',
    original: { a: 'x', b: { c: 1 } },
    patch: { a: { y: 1 }, b: 'z' },
    want: { a: { y: 1 }, b: 'z' },
  },
  {
    name: 'nulls inside arrays are kept (arrays are values)',
    original: {},
    patch: { l: [null, { a: null }] },
    want: { l: [null, { a: null }] },
  },
];

for (const tc of cases) {
  test(`mergepatch: ${tc.name}`, (t) => {
    const original = deepFreeze(structuredClone(tc.original));
    const patch = deepFreeze(structuredClone(tc.patch));
    t.deepEqual(mergePatch(original, patch), tc.want);
    t.deepEqual(original, tc.original, 'input unchanged');
  });
}

// RFC 7386 Appendix A, on the plain function (non-object patches allowed there).
const rfc: Case[] = [
  { name: 'A.1', original: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'A.2', original: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'A.3', original: { a: 'b' }, patch: { a: null }, want: {} },
  { name: 'A.4', original: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { name: 'A.5', original: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'A.6', original: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { name: 'A.7', original: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { name: 'A.8', original: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'A.9', original: ['a', 'b'], patch: ['c', 'd'], want: ['c', 'd'] },
  { name: 'A.10', original: { a: 'b' }, patch: ['c'], want: ['c'] },
  { name: 'A.11', original: { a: 'foo' }, patch: null, want: null },
  { name: 'A.12', original: { a: 'foo' }, patch: 'bar', want: 'bar' },
  { name: 'A.13', original: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { name: 'A.14', original: [1, 2], patch: { a: 'b', c: null }, want: { a: 'b' } },
  { name: 'A.15', original: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
];
for (const tc of rfc) {
  test(`jsonMergePatch: RFC 7386 ${tc.name}`, (t) => {
    const original = deepFreeze(structuredClone(tc.original));
    t.deepEqual(jsonMergePatch(original, deepFreeze(structuredClone(tc.patch))), tc.want);
  });
}

const badPatches: Array<{ name: string; patch: unknown; kind: string }> = [
  { name: 'array', patch: [{ metadata: {} }], kind: 'array' },
  { name: 'string', patch: 'x', kind: 'string' },
  { name: 'null', patch: null, kind: 'null' },
];
for (const tc of badPatches) {
  test(`mergepatch error: patch is ${tc.name}`, (t) => {
    const err = statusErrorOf(() => mergePatch(pod(), tc.patch));
    t.is(err?.code, 400);
    t.is(err?.message, `merge patch must be a JSON object, got ${tc.kind}`);
  });
}

test('mergepatch: the result shares no objects with the inputs', (t) => {
  const original = { a: { x: 1 }, keep: { y: 1 } };
  const patch = { b: { z: [1] } };
  const got = mergePatch(original, patch) as { a: object; keep: object; b: { z: unknown[] } };
  t.not(got.keep, original.keep);
  t.not(got.b, patch.b);
  t.not(got.b.z, patch.b.z);
});
