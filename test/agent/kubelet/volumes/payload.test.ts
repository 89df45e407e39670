// Payloads of configMap, secret, downwardAPI and projected volumes, and
// upstream's error messages.
import test from 'ava';
import type { ConfigMap, Pod, Secret } from '../../../../controlplane/api/core/v1/types.js';
import type { Payload } from '../../../../agent/kubelet/volumes/atomic_writer.js';
import {
  PayloadError,
  SERVICE_ACCOUNT_TOKEN_PLACEHOLDER,
  configMapPayload,
  downwardAPIPayload,
  projectedPayload,
  secretPayload,
} from '../../../../agent/kubelet/volumes/payload.js';

const flat = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, `${v.data.toString()}@${v.mode.toString(8)}`]));
const b64 = (s: string) => Buffer.from(s).toString('base64');

const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'ns' }, data: { 'a.conf': 'A', 'b.conf': 'B' }, binaryData: { 'bin': b64('\x00\x01') } };
const secret: Secret = { metadata: { name: 'sec', namespace: 'ns' }, data: { user: b64('admin'), pass: b64('s3cret') } };

test('configMap: every key (data and binaryData) at defaultMode', (t) => {
  const p = configMapPayload('cfg', cm, {}, 0o600);
  t.deepEqual(Object.keys(flat(p)).sort(), ['a.conf', 'b.conf', 'bin']);
  t.is(p.get('a.conf')!.mode, 0o600);
  t.deepEqual([...p.get('bin')!.data], [0, 1]);
});

test('configMap: items pick keys, paths and per-item modes', (t) => {
  const p = configMapPayload('cfg', cm, { items: [{ key: 'a.conf', path: 'etc/app.conf', mode: 0o400 }, { key: 'b.conf', path: 'b' }] }, 0o644);
  t.deepEqual(flat(p), { 'etc/app.conf': 'A@400', b: 'B@644' });
});

test('configMap: missing object or key, optional or not, with upstream\'s messages', (t) => {
  t.throws(() => configMapPayload('cfg', undefined, {}, 0o644), { instanceOf: PayloadError, message: 'configmap "cfg" not found' });
  t.is(configMapPayload('cfg', undefined, { optional: true }, 0o644).size, 0);
  t.throws(() => configMapPayload('cfg', cm, { items: [{ key: 'nope', path: 'x' }] }, 0o644), {
    message: 'configmap references non-existent config key: nope',
  });
  t.deepEqual(flat(configMapPayload('cfg', cm, { optional: true, items: [{ key: 'nope', path: 'x' }, { key: 'a.conf', path: 'a' }] }, 0o644)), { a: 'A@644' });
});

test('secret: base64-decoded, items, and upstream\'s messages', (t) => {
  t.deepEqual(flat(secretPayload('sec', secret, {}, 0o400)), { user: 'admin@400', pass: 's3cret@400' });
  t.deepEqual(flat(secretPayload('sec', secret, { items: [{ key: 'pass', path: 'db/password' }] }, 0o644)), { 'db/password': 's3cret@644' });
  t.throws(() => secretPayload('sec', undefined, {}, 0o644), { message: 'secret "sec" not found' });
  t.throws(() => secretPayload('sec', secret, { items: [{ key: 'token', path: 't' }] }, 0o644), { message: 'references non-existent secret key: token' });
});

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', resources: { limits: { memory: '1Gi' } } }] },
};

test('downwardAPI: fieldRef and resourceFieldRef files; errors collected', (t) => {
  const p = downwardAPIPayload(
    pod,
    [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o400 },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
    ],
    0o644,
    undefined,
  );
  t.deepEqual(flat(p), { labels: 'app="web"@644', name: 'p@400', mem: '1024@644' });
  t.throws(
    () => downwardAPIPayload(pod, [{ path: 'x', fieldRef: { fieldPath: 'spec.nodeName' } }, { path: 'y', resourceFieldRef: { containerName: 'zz', resource: 'limits.cpu' } }], 0o644, undefined),
    { message: 'Unable to extract field x: unsupported fieldPath: spec.nodeName, Unable to extract field y: container zz not found' },
  );
});

test('projected: configMap + secret + downwardAPI + serviceAccountToken placeholder, one defaultMode', (t) => {
  const p = projectedPayload(
    pod,
    [
      { configMap: { name: 'cfg', items: [{ key: 'a.conf', path: 'a.conf' }] } },
      { secret: { name: 'sec' } },
      { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      { serviceAccountToken: { path: 'token' } },
    ],
    0o440,
    { configMaps: new Map([['cfg', cm]]), secrets: new Map([['sec', secret]]) },
  );
  t.deepEqual(flat(p), { 'a.conf': 'A@440', user: 'admin@440', pass: 's3cret@440', ns: 'ns@440', token: `${SERVICE_ACCOUNT_TOKEN_PLACEHOLDER}@440` });
  t.throws(() => projectedPayload(pod, [{ secret: { name: 'gone' } }, { configMap: { name: 'gone2' } }], 0o644, { configMaps: new Map(), secrets: new Map() }), {
    message: 'secret "gone" not found, configmap "gone2" not found',
  });
});
