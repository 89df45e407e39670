/**
 * The codec's edges: varints, packed and repeated fields, unknown fields, merges, times,
 * IntOrString/Quantity zero values, map order, TypeMeta, and every error code.
 */
import test from 'ava';
import {
  decodeK8sProtobuf,
  encodeK8sProtobuf,
  K8S_PROTOBUF_MAGIC,
  ProtobufError,
  type ProtobufErrorCode,
} from '../../../../controlplane/apiserver/protobuf/index.js';
import { Reader, WireType, Writer } from '../../../../controlplane/apiserver/protobuf/wire.js';
import { SchemaRegistry } from '../../../../controlplane/apiserver/protobuf/schema.js';

/** A body around hand-built object bytes, with optional envelope extras. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra?: (w: Writer) => void): Buffer {
  const typeMeta = new Writer().tag(1, WireType.Len).string(apiVersion).tag(2, WireType.Len).string(kind).finish();
  const w = new Writer().tag(1, WireType.Len).lenBytes(typeMeta).tag(2, WireType.Len).lenBytes(raw);
  extra?.(w);
  return Buffer.concat([K8S_PROTOBUF_MAGIC, w.finish()]);
}

const msg = (build: (w: Writer) => void): Uint8Array => {
  const w = new Writer();
  build(w);
  return w.finish();
};

function codeOf(fn: () => unknown): ProtobufErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtobufError) return e.code;
    throw e;
  }
  return undefined;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const c of Object.values(v)) deepFreeze(c);
    Object.freeze(v);
  }
  return v;
}

const varintCases: Array<[number, string]> = [
  [0, '00'],
  [1, '01'],
  [127, '7f'],
  [128, '8001'],
  [300, 'ac02'],
  [2 ** 31 - 1, 'ffffffff07'],
  [2 ** 53 - 1, 'ffffffffffffff0f'],
  [-1, 'ffffffffffffffffff01'],
  [-(2 ** 31), '80808080f8ffffffff01'],
];
for (const [n, hex] of varintCases) {
  test(`varint ${n} is ${hex} and reads back`, (t) => {
    const bytes = new Writer().varint(n).finish();
    t.is(Buffer.from(bytes).toString('hex'), hex);
    t.is(BigInt.asIntN(64, new Reader(bytes).varint()), BigInt(n));
  });
}

test('a varint longer than 10 bytes and a truncated one are refused', (t) => {
  t.is(codeOf(() => new Reader(Buffer.from('ffffffffffffffffffff01', 'hex')).varint()), 'InvalidValue');
  t.is(codeOf(() => new Reader(Buffer.from('ff', 'hex')).varint()), 'Truncated');
});

test('negative int32 and int64 survive (exitCode -1, a pre-1970 time)', (t) => {
  const pod = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p', creationTimestamp: '1969-07-20T20:17:40Z' },
    spec: { containers: [] },
    status: { containerStatuses: [{ name: 'c', state: { terminated: { exitCode: -1, startedAt: null, finishedAt: null } }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' }] },
  };
  const got = decodeK8sProtobuf(encodeK8sProtobuf(pod)).object as typeof pod;
  t.is(got.metadata.creationTimestamp, '1969-07-20T20:17:40Z');
  t.is(got.status.containerStatuses[0].state.terminated.exitCode, -1);
});

test('repeated varints are read packed or one per tag, as Go accepts both', (t) => {
  const securityContext = (packed: boolean): Uint8Array =>
    msg((w) => {
      if (packed) w.tag(4, WireType.Len).lenBytes(new Writer().varint(1).varint(2).varint(300).finish());
      else for (const g of [1, 2, 300]) w.tag(4, WireType.Varint).varint(g);
    });
  for (const packed of [true, false]) {
    const spec = msg((w) => w.tag(14, WireType.Len).lenBytes(securityContext(packed)));
    const pod = msg((w) => w.tag(2, WireType.Len).lenBytes(spec));
    const got = decodeK8sProtobuf(envelope('v1', 'Pod', pod)).object as { spec: { securityContext: { supplementalGroups: number[] } } };
    t.deepEqual(got.spec.securityContext.supplementalGroups, [1, 2, 300], packed ? 'packed' : 'unpacked');
  }
});

test('unknown fields of every wire type are skipped, like Go does', (t) => {
  const raw = msg((w) => {
    w.tag(99, WireType.Varint).varint(7);
    w.tag(98, WireType.Len).string('future');
    w.tag(97, WireType.Fixed32).varint(0); // 4 bytes follow: write them by hand
  });
  const cm = Buffer.concat([Buffer.from(raw.subarray(0, raw.length - 1)), Buffer.from([1, 2, 3, 4]), Buffer.from(msg((w) => w.tag(96, WireType.Fixed64))), Buffer.alloc(8), Buffer.from(msg((w) => w.tag(2, WireType.Len).lenBytes(msg((e) => e.tag(1, WireType.Len).string('k').tag(2, WireType.Len).string('v')))))]);
  t.deepEqual(decodeK8sProtobuf(envelope('v1', 'ConfigMap', cm)).object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { creationTimestamp: null }, data: { k: 'v' } });
});

test('a message field sent twice merges; a scalar sent twice keeps the last value', (t) => {
  const raw = msg((w) => {
    w.tag(1, WireType.Len).lenBytes(msg((m) => m.tag(1, WireType.Len).string('first').tag(11, WireType.Len).lenBytes(msg((e) => e.tag(1, WireType.Len).string('a').tag(2, WireType.Len).string('1')))));
    w.tag(1, WireType.Len).lenBytes(msg((m) => m.tag(1, WireType.Len).string('second').tag(3, WireType.Len).string('ns').tag(11, WireType.Len).lenBytes(msg((e) => e.tag(1, WireType.Len).string('b').tag(2, WireType.Len).string('2')))));
  });
  const got = decodeK8sProtobuf(envelope('v1', 'ConfigMap', raw)).object;
  t.deepEqual(got.metadata, { name: 'second', namespace: 'ns', creationTimestamp: null, labels: { a: '1', b: '2' } });
});

test('times: offsets normalise to UTC, Time drops sub-seconds on decode, MicroTime keeps microseconds', (t) => {
  const lease = {
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: { name: 'l', creationTimestamp: '2024-01-01T02:00:00.75+02:00' },
    spec: { renewTime: '2024-01-01T00:00:00.123456789Z', acquireTime: '0001-01-01T00:00:00Z' },
  };
  const got = decodeK8sProtobuf(encodeK8sProtobuf(lease)).object as typeof lease;
  t.is(got.metadata.creationTimestamp, '2024-01-01T00:00:00Z');
  t.is(got.spec.renewTime, '2024-01-01T00:00:00.123456Z');
  t.is(got.spec.acquireTime, '0001-01-01T00:00:00.000000Z');
});

test('metav1.Time is written with nanos 0, as ProtoTime() does (the JSON form has no fraction)', (t) => {
  const ns = (ts: string): string => encodeK8sProtobuf({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', creationTimestamp: ts } }).toString('hex');
  t.is(ns('2024-01-01T00:00:00.5Z'), ns('2024-01-01T00:00:00Z'));
});

test('a zero metav1.Time is an empty message on the wire and null in JSON', (t) => {
  const bytes = encodeK8sProtobuf({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' } });
  t.true(bytes.toString('hex').includes('4200'), 'creationTimestamp written as an empty message');
  t.deepEqual(decodeK8sProtobuf(bytes).object, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', creationTimestamp: null }, spec: {}, status: {} });
});

test('a bad time string is an InvalidValue', (t) => {
  t.is(codeOf(() => encodeK8sProtobuf({ kind: 'Namespace', apiVersion: 'v1', metadata: { creationTimestamp: 'yesterday' } })), 'InvalidValue');
  t.is(codeOf(() => encodeK8sProtobuf({ kind: 'Namespace', apiVersion: 'v1', metadata: { creationTimestamp: '' } })), 'InvalidValue');
});

test('IntOrString is a number or a string; an unset non-pointer one is Go’s zero, 0', (t) => {
  const svc = { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }, { port: 82 }] } };
  const got = decodeK8sProtobuf(encodeK8sProtobuf(svc)).object as { spec: { ports: Array<{ targetPort: unknown }> } };
  t.deepEqual(got.spec.ports.map((p) => p.targetPort), ['http', 8081, 0]);
});

test('Quantity: JSON numbers are accepted, an unset non-pointer one is "0", strings pass through', (t) => {
  const pod = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'p' },
    spec: {
      containers: [
        { name: 'c', resources: { limits: { cpu: 1, memory: '1.5Gi' } }, env: [{ name: 'E', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] },
      ],
    },
  };
  const got = decodeK8sProtobuf(encodeK8sProtobuf(pod)).object as { spec: { containers: Array<{ resources: { limits: Record<string, string> }; env: Array<{ valueFrom: { resourceFieldRef: { divisor: string } } }> }> } };
  t.deepEqual(got.spec.containers[0].resources.limits, { cpu: '1', memory: '1.5Gi' });
  t.is(got.spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor, '0');
});

test('map entries are written sorted by UTF-8 bytes, as Go sorts them', (t) => {
  const a = encodeK8sProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', metadata: {}, data: { ä: '4', b: '3', a: '2', Z: '1' } });
  const b = encodeK8sProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', metadata: {}, data: { Z: '1', a: '2', b: '3', ä: '4' } });
  t.is(a.toString('hex'), b.toString('hex'));
  const keys = Object.keys(decodeK8sProtobuf(a).object.data as object);
  t.deepEqual(keys, ['Z', 'a', 'b', 'ä']);
});

test('kind and apiVersion in nested objects (TypeMeta) are not protobuf fields and are dropped', (t) => {
  const eviction = { kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'p', namespace: 'd' }, deleteOptions: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 0 } };
  const got = decodeK8sProtobuf(encodeK8sProtobuf(eviction)).object;
  t.deepEqual(got.deleteOptions, { gracePeriodSeconds: 0 });
});

test('encode refuses a field it cannot carry (UnknownField) instead of dropping it', (t) => {
  const err = t.throws(() => encodeK8sProtobuf({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd' }, spec: { replicas: 1, frobnicate: true } }), { instanceOf: ProtobufError });
  t.is(err?.code, 'UnknownField');
  t.is(err?.path, 'spec.frobnicate');
  // Inline members' keys are known: a volume's source fields sit next to its name.
  t.notThrows(() => encodeK8sProtobuf({ kind: 'Pod', apiVersion: 'v1', metadata: {}, spec: { volumes: [{ name: 'v', emptyDir: {} }] } }));
  t.is(codeOf(() => encodeK8sProtobuf({ kind: 'Pod', apiVersion: 'v1', metadata: {}, spec: { volumes: [{ name: 'v', gcePersistentDisk: { pdName: 'x' } }] } })), 'UnknownField');
});

test('encode checks JSON types', (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['string for int32', { kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: '3' } }],
    ['fraction for int32', { kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: 1.5 } }],
    ['int32 overflow', { kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: 2 ** 31 } }],
    ['number for string', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 5 } }],
    ['object for list', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { finalizers: {} } }],
    ['list for map', { kind: 'ConfigMap', apiVersion: 'v1', data: ['a'] }],
    ['string for bool', { kind: 'ConfigMap', apiVersion: 'v1', immutable: 'true' }],
    ['bad base64', { kind: 'Secret', apiVersion: 'v1', data: { k: 'not base64!' } }],
    ['object for IntOrString', { kind: 'Service', apiVersion: 'v1', spec: { ports: [{ port: 1, targetPort: {} }] } }],
  ];
  for (const [what, obj] of cases) t.is(codeOf(() => encodeK8sProtobuf(obj)), 'InvalidValue', what);
});

test('decode errors carry stable codes', (t) => {
  const good = encodeK8sProtobuf({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm' }, data: { k: 'v' } });
  t.is(codeOf(() => decodeK8sProtobuf(Buffer.from('{"kind":"ConfigMap"}'))), 'BadMagic');
  t.is(codeOf(() => decodeK8sProtobuf(good.subarray(0, good.length - 3))), 'Truncated');
  t.is(codeOf(() => decodeK8sProtobuf(envelope('apps/v1', 'Widget', new Uint8Array(0)))), 'UnknownKind');
  t.is(codeOf(() => decodeK8sProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(0), (w) => w.tag(3, WireType.Len).string('gzip')))), 'Unsupported');
  t.is(codeOf(() => decodeK8sProtobuf(envelope('v1', 'ConfigMap', new Uint8Array(0), (w) => w.tag(4, WireType.Len).string('application/cbor')))), 'Unsupported');
  // metadata.name (a string) sent as a varint
  const nameAsVarint = msg((w) => w.tag(1, WireType.Len).lenBytes(msg((m) => m.tag(1, WireType.Varint).varint(1))));
  t.is(codeOf(() => decodeK8sProtobuf(envelope('v1', 'ConfigMap', nameAsVarint))), 'BadWireType');
  t.is(codeOf(() => encodeK8sProtobuf({ kind: 'Widget', apiVersion: 'example.com/v1' })), 'UnknownKind');
  t.is(codeOf(() => encodeK8sProtobuf({ kind: 'ConfigMap' })), 'InvalidValue');
});

test('an envelope may carry JSON in raw, marked application/json', (t) => {
  const body = envelope('v1', 'ConfigMap', Buffer.from('{"metadata":{"name":"j"}}'), (w) => w.tag(4, WireType.Len).string('application/json'));
  t.deepEqual(decodeK8sProtobuf(body).object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'j' } });
});

test('neither function mutates its input', (t) => {
  const obj = deepFreeze({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', labels: { b: '1', a: '2' } }, data: { k: 'v' } });
  const bytes = encodeK8sProtobuf(obj);
  const copy = Buffer.from(bytes);
  decodeK8sProtobuf(bytes);
  t.true(bytes.equals(copy));
});

test('the schema parser rejects mistakes in the tables', (t) => {
  const reg = (messages: Record<string, string>): SchemaRegistry => new SchemaRegistry([{ name: 'x', messages }]);
  t.throws(() => reg({ A: 'a=1:s b=1:s' }), { message: /field number 1 used twice/ });
  t.throws(() => reg({ A: 'a=1:s a=2:s' }), { message: /JSON name used twice/ });
  t.throws(() => reg({ A: 'a=1:Nope' }), { message: /unknown type Nope/ });
  t.throws(() => reg({ A: 'a=1:[s' }), { message: /unbalanced brackets|cannot parse/ });
  t.throws(() => reg({ A: 'a:1:s' }), { message: /cannot parse/ });
  t.throws(() => reg({ A: 'a=1:s^' }), { message: /only a plain message field can be inline/ });
  t.notThrows(() => reg({ A: 'self=1:A? list=2:[A] byName=3:{A}' }));
});
