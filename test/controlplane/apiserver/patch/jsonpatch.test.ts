import test from 'ava';
import { applyJsonPatch, parseJsonPointer } from '../../../../controlplane/apiserver/patch/jsonpatch.js';
import { deepFreeze, statusErrorOf } from './helpers.js';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    annotations: {
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n',
    },
  },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
    },
  },
});

interface Case {
  name: string;
  doc: unknown;
  patch: unknown;
  want: unknown;
}

const ok: Case[] = [
  { name: 'add: new object key', doc: { a: 1 }, patch: [{ op: 'add', path: '/b', value: 2 }], want: { a: 1, b: 2 } },
  { name: 'add: existing key is replaced', doc: { a: 1 }, patch: [{ op: 'add', path: '/a', value: [1] }], want: { a: [1] } },
  { name: 'add: array index inserts', doc: { l: ['a', 'c'] }, patch: [{ op: 'add', path: '/l/1', value: 'b' }], want: { l: ['a', 'b', 'c'] } },
  { name: 'add: index == length appends', doc: { l: ['a'] }, patch: [{ op: 'add', path: '/l/1', value: 'b' }], want: { l: ['a', 'b'] } },
  { name: 'add: "-" appends', doc: { l: ['a'] }, patch: [{ op: 'add', path: '/l/-', value: { x: 1 } }], want: { l: ['a', { x: 1 }] } },
  { name: 'add: "" replaces the document', doc: { a: 1 }, patch: [{ op: 'add', path: '', value: { b: 2 } }], want: { b: 2 } },
  { name: 'add: null is a value', doc: {}, patch: [{ op: 'add', path: '/a', value: null }], want: { a: null } },
  { name: 'remove: key', doc: { a: 1, b: 2 }, patch: [{ op: 'remove', path: '/a' }], want: { b: 2 } },
  { name: 'remove: array element shifts the rest', doc: { l: [1, 2, 3] }, patch: [{ op: 'remove', path: '/l/0' }], want: { l: [2, 3] } },
  { name: 'replace: key', doc: { spec: { replicas: 1 } }, patch: [{ op: 'replace', path: '/spec/replicas', value: 5 }], want: { spec: { replicas: 5 } } },
  { name: 'replace: array element', doc: { l: [1, 2] }, patch: [{ op: 'replace', path: '/l/1', value: 9 }], want: { l: [1, 9] } },
  { name: 'move: key to key', doc: { a: { x: 1 }, b: {} }, patch: [{ op: 'move', from: '/a/x', path: '/b/y' }], want: { a: {}, b: { y: 1 } } },
  { name: 'move: within an array', doc: { l: [1, 2, 3] }, patch: [{ op: 'move', from: '/l/0', path: '/l/-' }], want: { l: [2, 3, 1] } },
  { name: 'move: onto itself is a no-op', doc: { a: 1 }, patch: [{ op: 'move', from: '/a', path: '/a' }], want: { a: 1 } },
  { name: 'copy: deep copies the value', doc: { a: { x: [1] } }, patch: [{ op: 'copy', from: '/a', path: '/b' }, { op: 'add', path: '/b/x/-', value: 2 }], want: { a: { x: [1] }, b: { x: [1, 2] } } },
  { name: 'test: passes on deep-equal value (key order ignored)', doc: { a: { x: 1, y: [true] } }, patch: [{ op: 'test', path: '/a', value: { y: [true], x: 1 } }], want: { a: { x: 1, y: [true] } } },
  {
    name: 'pointer escapes: ~1 is "/" and ~0 is "~"',
    doc: { metadata: { annotations: { 'a/b': '1', 'm~n': '2' } } },
    patch: [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'x' },
      { op: 'remove', path: '/metadata/annotations/m~0n' },
      { op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'undo' },
    ],
    want: { metadata: { annotations: { 'a/b': 'x', 'kubernetes.io/change-cause': 'undo' } } },
  },
  { name: 'pointer escapes: ~01 is a literal "~1"', doc: { '~1': 1 }, patch: [{ op: 'remove', path: '/~01' }], want: {} },
  {
    // kubectl rollout undo (API-SURFACE.md §a.6): the RS template and the merged annotations replace the deployment's.
    name: 'kubectl rollout undo: replace /spec/template and /metadata/annotations',
    doc: deployment(),
    patch: [
      {
        op: 'replace',
        path: '/spec/template',
        value: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } },
      },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n',
          'kubernetes.io/change-cause': 'kubectl set image nginx=nginx:1.25',
        },
      },
    ],
    want: {
      ...deployment(),
      metadata: {
        name: 'web',
        annotations: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n',
          'kubernetes.io/change-cause': 'kubectl set image nginx=nginx:1.25',
        },
      },
      spec: {
        replicas: 2,
        template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', resources: {} }] } },
      },
    },
  },
  { name: 'empty patch returns an equal copy', doc: { a: [1] }, patch: [], want: { a: [1] } },
];

for (const tc of ok) {
  test(`jsonpatch: ${tc.name}`, (t) => {
    // Frozen inputs: any in-place change by the engine throws a TypeError.
    const doc = deepFreeze(structuredClone(tc.doc));
    const patch = deepFreeze(structuredClone(tc.patch));
    const got = applyJsonPatch(doc, patch);
    t.deepEqual(got, tc.want);
    t.deepEqual(doc, tc.doc, 'input document unchanged');
  });
}

test('jsonpatch: the result shares no objects with the inputs', (t) => {
  const value = { x: 1 };
  const doc = { a: { y: 2 } };
  const got = applyJsonPatch(doc, [{ op: 'add', path: '/b', value }]) as { a: object; b: object };
  t.not(got.a, doc.a);
  t.not(got.b, value);
});

interface ErrCase {
  name: string;
  doc: unknown;
  patch: unknown;
  code: number;
  message: string | RegExp;
}

const errors: ErrCase[] = [
  {
    name: 'replace of a missing key names op, path and index',
    doc: { spec: {} },
    patch: [{ op: 'replace', path: '/spec/foo', value: 1 }],
    code: 422,
    message: 'jsonpatch replace operation does not apply: doc is missing key: /spec/foo (operation 0)',
  },
  {
    name: 'test failure',
    doc: { metadata: { resourceVersion: '5' } },
    patch: [{ op: 'test', path: '/metadata/resourceVersion', value: '4' }, { op: 'replace', path: '/metadata/resourceVersion', value: '6' }],
    code: 422,
    message: 'jsonpatch test operation does not apply: testing value /metadata/resourceVersion failed: expected "4", found "5" (operation 0)',
  },
  {
    name: 'the failing operation index is reported',
    doc: { a: 1 },
    patch: [{ op: 'add', path: '/b', value: 1 }, { op: 'remove', path: '/c' }],
    code: 422,
    message: 'jsonpatch remove operation does not apply: doc is missing key: /c (operation 1)',
  },
  { name: 'add under a missing parent', doc: {}, patch: [{ op: 'add', path: '/a/b', value: 1 }], code: 422, message: /add operation does not apply: doc is missing key: \/a\/b/ },
  { name: 'array index out of bounds', doc: { l: [1] }, patch: [{ op: 'replace', path: '/l/1', value: 2 }], code: 422, message: /array index 1 out of bounds \(length 1\): \/l\/1/ },
  { name: 'array index with leading zero', doc: { l: [1, 2] }, patch: [{ op: 'remove', path: '/l/01' }], code: 422, message: /invalid array index "01"/ },
  { name: '"-" outside add', doc: { l: [1] }, patch: [{ op: 'remove', path: '/l/-' }], code: 422, message: /nonexistent element after the end/ },
  { name: 'descending into a scalar', doc: { a: 1 }, patch: [{ op: 'add', path: '/a/b', value: 1 }], code: 422, message: /doc is missing path: \/a\/b: parent is number/ },
  { name: 'move into own child', doc: { a: { b: {} } }, patch: [{ op: 'move', from: '/a', path: '/a/b/c' }], code: 422, message: /cannot move \/a into its own child/ },
  { name: 'copy from a missing path', doc: {}, patch: [{ op: 'copy', from: '/x', path: '/y' }], code: 422, message: /copy operation does not apply: doc is missing key: \/x/ },
  { name: 'remove the whole document', doc: {}, patch: [{ op: 'remove', path: '' }], code: 422, message: /cannot remove the whole document/ },
  { name: 'bad pointer: no leading slash', doc: {}, patch: [{ op: 'add', path: 'spec/foo', value: 1 }], code: 400, message: /JSON pointer must be empty or start with "\/"/ },
  { name: 'bad pointer: ~2 escape', doc: {}, patch: [{ op: 'add', path: '/a~2b', value: 1 }], code: 400, message: /invalid escape in JSON pointer/ },
  { name: 'patch is not an array', doc: {}, patch: { op: 'add', path: '/a', value: 1 }, code: 400, message: 'json patch must be a JSON array of operations, got object' },
  { name: 'operation is not an object', doc: {}, patch: ['add'], code: 400, message: 'jsonpatch operation 0 must be an object, got string' },
  { name: 'unknown op', doc: {}, patch: [{ op: 'upsert', path: '/a' }], code: 400, message: /operation 0 has unknown or missing "op": "upsert"/ },
  { name: 'missing value', doc: {}, patch: [{ op: 'add', path: '/a' }], code: 400, message: /add operation \(operation 0\) is missing "value": \/a/ },
  { name: 'missing from', doc: {}, patch: [{ op: 'move', path: '/a' }], code: 400, message: /move operation \(operation 0\) is missing "from"/ },
  { name: 'missing path', doc: {}, patch: [{ op: 'remove' }], code: 400, message: /remove operation \(operation 0\) is missing "path"/ },
];

for (const tc of errors) {
  test(`jsonpatch error: ${tc.name}`, (t) => {
    const doc = deepFreeze(structuredClone(tc.doc));
    const err = statusErrorOf(() => applyJsonPatch(doc, tc.patch));
    if (!err) return t.fail('expected a StatusError');
    t.is(err.code, tc.code);
    t.is(err.reason, tc.code === 400 ? 'BadRequest' : 'Invalid');
    if (typeof tc.message === 'string') t.is(err.message, tc.message);
    else t.regex(err.message, tc.message);
  });
}

const pointers: Array<{ pointer: string; want: string[] | RegExp }> = [
  { pointer: '', want: [] },
  { pointer: '/', want: [''] },
  { pointer: '/a/b', want: ['a', 'b'] },
  { pointer: '/a~1b/m~0n', want: ['a/b', 'm~n'] },
  { pointer: 'a', want: /must be empty or start with/ },
  { pointer: '/a~', want: /invalid escape/ },
];
for (const tc of pointers) {
  test(`parseJsonPointer ${JSON.stringify(tc.pointer)}`, (t) => {
    const got = parseJsonPointer(tc.pointer);
    if (tc.want instanceof RegExp) {
      if (typeof got !== 'string') return t.fail('expected an error string');
      t.regex(got, tc.want);
    } else t.deepEqual(got, tc.want);
  });
}
