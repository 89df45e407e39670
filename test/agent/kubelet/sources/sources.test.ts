// Static pod manifests and the pod manager's merging of sources.
import test from 'ava';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import { ManifestError, parseManifest } from '../../../../agent/kubelet/sources/manifest.js';
import { PodManager } from '../../../../agent/kubelet/sources/podmanager.js';
import { mirrorFor, mirrorMatches } from '../../../../agent/kubelet/sources/mirror.js';

const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: etcd
spec:
  containers:
  - name: etcd
    image: kubets.local/busybox:1
`;

test('a manifest becomes this node’s static pod: name, namespace, nodeName, UID from the content, defaults', (t) => {
  const [p] = parseManifest(yaml, { nodeName: 'node-1', kind: 'file', origin: '/etc/kubernetes/manifests/etcd.yaml' });
  t.is(p.metadata.name, 'etcd-node-1');
  t.is(p.metadata.namespace, 'default');
  t.is(p.spec?.nodeName, 'node-1');
  t.regex(p.metadata.uid ?? '', /^[0-9a-f]{32}$/);
  t.is(p.metadata.annotations?.['kubernetes.io/config.hash'], p.metadata.uid);
  t.is(p.metadata.annotations?.['kubernetes.io/config.source'], 'file');
  t.is(p.spec?.restartPolicy, 'Always');
  t.is(p.spec?.containers[0].terminationMessagePath, '/dev/termination-log');
  t.true(p.spec?.tolerations?.some((x) => x.operator === 'Exists' && x.effect === 'NoExecute'));
  const [same] = parseManifest(yaml, { nodeName: 'node-1', kind: 'file', origin: '/etc/kubernetes/manifests/etcd.yaml' });
  t.is(same.metadata.uid, p.metadata.uid, 'stable across reads');
  const [edited] = parseManifest(yaml.replace('busybox:1', 'busybox:2'), { nodeName: 'node-1', kind: 'file', origin: '/etc/kubernetes/manifests/etcd.yaml' });
  t.not(edited.metadata.uid, p.metadata.uid, 'an edit is a new pod');
  const [other] = parseManifest(yaml, { nodeName: 'node-2', kind: 'file', origin: '/etc/kubernetes/manifests/etcd.yaml' });
  t.not(other.metadata.uid, p.metadata.uid, 'per node');
});

test('lists and multi-document files; JSON too', (t) => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } }, { metadata: { name: 'b', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } }] });
  t.deepEqual(parseManifest(list, { nodeName: 'n', kind: 'http', origin: 'http://x' }).map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['default/a-n', 'kube-system/b-n']);
  t.is(parseManifest(`${yaml}---\n${yaml.replace('etcd', 'other')}`, { nodeName: 'n', kind: 'file', origin: 'f' }).length, 2);
});

const bad: [string, string, RegExp][] = [
  ['not YAML', 'kind: [', /f: /],
  ['not a pod', 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\n', /kind Service is not a Pod/],
  ['invalid pod', 'kind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n', /invalid pod "x-n": spec\.containers\[0\]\.image/],
];
for (const [name, text, re] of bad) {
  test(`bad manifest: ${name}`, (t) => {
    const e = t.throws(() => parseManifest(text, { nodeName: 'n', kind: 'file', origin: 'f' }), { instanceOf: ManifestError });
    t.regex(e?.message ?? '', re);
  });
}

const apiPod = (uid: string, over: Partial<Pod['metadata']> = {}, image = 'i:1'): Pod => ({ metadata: { name: `p-${uid}`, namespace: 'ns', uid, ...over }, spec: { containers: [{ name: 'c', image }] } });

test('pod manager: changes fire per UID; status-only updates do not', (t) => {
  const m = new PodManager();
  const fired: string[] = [];
  m.onChange((u) => fired.push(u));
  m.apiUpsert(apiPod('1'));
  m.apiUpsert({ ...apiPod('1'), status: { phase: 'Running' } });
  m.apiUpsert(apiPod('1', {}, 'i:2'));
  m.apiUpsert(apiPod('1', { deletionTimestamp: '2025-01-01T00:00:00Z' }, 'i:2'));
  m.apiDelete(apiPod('1'));
  t.deepEqual(fired, ['1', '1', '1', '1']);
  t.is(m.get('1'), undefined);
});

test('pod manager: file sets are diffed; sources report readiness; mirror pods are not pods', (t) => {
  const m = new PodManager();
  const fired: string[] = [];
  m.onChange((u) => fired.push(u));
  t.false(m.sourcesReady(['api', 'file']));
  const [s] = parseManifest(yaml, { nodeName: 'n', kind: 'file', origin: 'f' });
  m.setSource('file', [s]);
  m.setSource('file', [s]);
  t.deepEqual(fired, [s.metadata.uid]);
  m.markReported('api');
  t.true(m.sourcesReady(['api', 'file']));
  const mirror: Pod = { ...mirrorFor(s), metadata: { ...mirrorFor(s).metadata, uid: 'mirror-uid' } };
  m.apiUpsert(mirror);
  t.is(m.get('mirror-uid'), undefined);
  t.is(m.mirrorOf(s)?.metadata.uid, 'mirror-uid');
  t.true(mirrorMatches(mirror, s));
  t.deepEqual(fired, [s.metadata.uid, s.metadata.uid], 'a new mirror re-syncs its static pod');
  m.setSource('file', []);
  t.is(m.get(s.metadata.uid!), undefined);
  t.is(m.staticByFullName('default/etcd-n'), undefined);
});
