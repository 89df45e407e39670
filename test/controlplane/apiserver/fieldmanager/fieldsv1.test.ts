import test from 'ava';
import {
  FieldSet,
  fieldPE,
  fieldSetOf,
  keyPE,
  parsePE,
  pathToString,
  serializePE,
  typeForKind,
  valuePE,
  indexPE,
  type FieldsV1,
  type Path,
} from '../../../../controlplane/apiserver/fieldmanager/index.js';
import { configMap, deployment } from './helpers.js';

const f = fieldPE;

// ---------------------------------------------------------------------------
// Path elements: FieldsV1 keys and conflict-message rendering.
// ---------------------------------------------------------------------------

const elements: { name: string; pe: ReturnType<typeof f>; key: string; text: string }[] = [
  { name: 'field', pe: f('image'), key: 'f:image', text: '.image' },
  { name: 'field with dots and slashes', pe: f('kubectl.kubernetes.io/last-applied-configuration'), key: 'f:kubectl.kubernetes.io/last-applied-configuration', text: '.kubectl.kubernetes.io/last-applied-configuration' },
  { name: 'key, one field', pe: keyPE([{ name: 'name', value: 'nginx' }]), key: 'k:{"name":"nginx"}', text: '[name="nginx"]' },
  {
    name: 'key, fields sorted by name whatever the input order',
    pe: keyPE([{ name: 'protocol', value: 'TCP' }, { name: 'containerPort', value: 80 }]),
    key: 'k:{"containerPort":80,"protocol":"TCP"}',
    text: '[containerPort=80,protocol="TCP"]',
  },
  { name: 'key with HTML characters escaped as Go does', pe: keyPE([{ name: 'name', value: 'a<b>&c' }]), key: 'k:{"name":"a\\u003cb\\u003e\\u0026c"}', text: '[name="a\\u003cb\\u003e\\u0026c"]' },
  { name: 'set value', pe: valuePE('example.com/x'), key: 'v:"example.com/x"', text: '[="example.com/x"]' },
  { name: 'numeric set value', pe: valuePE(10), key: 'v:10', text: '[=10]' },
  { name: 'index', pe: indexPE(3), key: 'i:3', text: '[3]' },
];

for (const tc of elements) {
  test(`path element ${tc.name}: serializes, parses back, prints`, (t) => {
    t.is(serializePE(tc.pe), tc.key);
    t.is(serializePE(parsePE(tc.key)), tc.key);
    t.is(pathToString([tc.pe]), tc.text);
  });
}

test('conflict paths print like upstream Path.String', (t) => {
  const p: Path = [f('spec'), f('template'), f('spec'), f('containers'), keyPE([{ name: 'name', value: 'nginx' }]), f('image')];
  t.is(pathToString(p), '.spec.template.spec.containers[name="nginx"].image');
});

// ---------------------------------------------------------------------------
// FieldsV1 documents: upstream examples, encoded from objects.
// ---------------------------------------------------------------------------

const cases: { name: string; obj: Record<string, unknown>; group: string; version: string; kind: string; want: FieldsV1 }[] = [
  {
    name: 'ConfigMap: data keys are owned one by one, data itself is not a member',
    obj: { data: { a: '1', b: '2' } },
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    want: { 'f:data': { 'f:a': {}, 'f:b': {} } },
  },
  {
    name: 'finalizers: a set of scalars, one v: per member',
    obj: { metadata: { finalizers: ['a.example.com/x', 'b.example.com/y'] } },
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    want: { 'f:metadata': { 'f:finalizers': { 'v:"a.example.com/x"': {}, 'v:"b.example.com/y"': {} } } },
  },
  {
    name: 'Deployment: containers keyed by name, ports by containerPort+protocol (protocol defaulted), env by name, selector atomic',
    obj: deployment([
      {
        name: 'nginx',
        image: 'nginx:1.25',
        args: ['-g', 'daemon off;'],
        ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
        env: [{ name: 'A', value: '1' }],
      },
    ]),
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    want: {
      'f:apiVersion': {},
      'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {}, 'f:namespace': {} },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:args': {},
                'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
                'f:image': {},
                'f:name': {},
                'f:ports': {
                  'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                  'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                },
              },
            },
          },
        },
      },
    },
  },
  {
    name: 'Service ports keyed by port+protocol, selector a plain map',
    obj: { spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    group: '',
    version: 'v1',
    kind: 'Service',
    want: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': { 'f:app': {} } } },
  },
  {
    name: 'an empty struct and a null are owned as themselves',
    obj: { spec: { template: { spec: { securityContext: {}, nodeName: null } } } },
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    want: { 'f:spec': { 'f:template': { 'f:spec': { 'f:nodeName': {}, 'f:securityContext': {} } } } },
  },
  {
    name: 'custom resource: deduced typing, every object key owned, lists atomic, metadata typed',
    obj: { metadata: { labels: { a: 'b' } }, spec: { size: 3, items: [{ x: 1 }], nested: { k: 'v' } } },
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    want: { 'f:metadata': { 'f:labels': { 'f:a': {} } }, 'f:spec': { '.': {}, 'f:items': {}, 'f:nested': { '.': {}, 'f:k': {} }, 'f:size': {} } },
  },
];

for (const tc of cases) {
  test(`FieldsV1 of ${tc.name}`, (t) => {
    const type = typeForKind({ group: tc.group, version: tc.version, kind: tc.kind });
    const { set, errors } = fieldSetOf(tc.obj, type);
    t.deepEqual(errors, []);
    const doc = set.toFieldsV1();
    t.deepEqual(doc, tc.want);
    // Key order is part of the format: "." first, then upstream's element order.
    t.is(JSON.stringify(doc), JSON.stringify(tc.want));
    t.true(FieldSet.fromFieldsV1(doc).equals(set), 'decodes back to the same set');
  });
}

test('ConfigMap example from the brief round-trips byte for byte', (t) => {
  const doc = { 'f:data': { 'f:a': {} } };
  t.is(JSON.stringify(FieldSet.fromFieldsV1(doc).toFieldsV1()), JSON.stringify(doc));
  const type = typeForKind({ group: '', version: 'v1', kind: 'ConfigMap' });
  t.deepEqual(fieldSetOf(configMap({ a: '1' }), type).set.toFieldsV1()['f:data'], doc['f:data']);
});

// ---------------------------------------------------------------------------
// Decoding: "." markers, leaves, unknown kinds, errors.
// ---------------------------------------------------------------------------

test('decoding: "." marks a member that also has children, {} a leaf', (t) => {
  const s = FieldSet.fromFieldsV1({ 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } } } });
  const item: Path = [f('spec'), f('containers'), keyPE([{ name: 'name', value: 'a' }])];
  t.true(s.has(item));
  t.true(s.has([...item, f('image')]));
  t.false(s.has([f('spec')]));
  t.false(s.has([f('spec'), f('containers')]));
  t.deepEqual(s.paths().map(pathToString), ['.spec.containers[name="a"]', '.spec.containers[name="a"].image']);
});

test('decoding skips keys of unknown kinds (a newer server wrote them) and keeps the rest', (t) => {
  const s = FieldSet.fromFieldsV1({ 'f:data': { 'z:future': {}, 'f:a': {} } });
  t.deepEqual(s.toFieldsV1(), { 'f:data': { 'f:a': {} } });
});

const badDocs: { name: string; doc: unknown }[] = [
  { name: 'not an object', doc: [] },
  { name: 'a key without a colon', doc: { fx: {} } },
  { name: 'a k: key that is not JSON', doc: { 'k:{name': {} } },
  { name: 'an i: key that is not a number', doc: { 'i:x': {} } },
  { name: 'a value that is not an object', doc: { 'f:a': 1 } },
];
for (const tc of badDocs) {
  test(`decoding rejects ${tc.name}`, (t) => {
    t.throws(() => FieldSet.fromFieldsV1(tc.doc));
  });
}

// ---------------------------------------------------------------------------
// Set algebra.
// ---------------------------------------------------------------------------

const P = (...names: string[]): Path => names.map(f);
const S = (...paths: Path[]) => FieldSet.of(paths);

const algebra: { name: string; got: () => FieldSet; want: FieldSet }[] = [
  { name: 'union', got: () => S(P('a', 'b')).union(S(P('a', 'c'), P('d'))), want: S(P('a', 'b'), P('a', 'c'), P('d')) },
  { name: 'intersection', got: () => S(P('a', 'b'), P('a', 'c')).intersection(S(P('a', 'c'), P('d'))), want: S(P('a', 'c')) },
  { name: 'difference is path by path', got: () => S(P('a'), P('a', 'b'), P('c')).difference(S(P('a'))), want: S(P('a', 'b'), P('c')) },
  { name: 'recursive difference drops subtrees', got: () => S(P('status', 'x'), P('status'), P('spec', 'y')).recursiveDifference(S(P('status'))), want: S(P('spec', 'y')) },
  { name: 'empty children are pruned', got: () => S(P('a', 'b')).difference(S(P('a', 'b'))), want: FieldSet.empty },
];
for (const tc of algebra) {
  test(`set ${tc.name}`, (t) => {
    const got = tc.got();
    t.true(got.equals(tc.want), JSON.stringify(got.toFieldsV1()));
  });
}

test('sets are immutable: insert returns a new set', (t) => {
  const a = S(P('x'));
  const b = a.insert(P('y'));
  t.false(a.has(P('y')));
  t.true(b.has(P('y')));
  t.true(FieldSet.empty.isEmpty());
});
