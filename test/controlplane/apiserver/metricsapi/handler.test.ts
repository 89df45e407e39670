// The metrics.k8s.io handler against in-memory Node/Pod objects and canned
// summaries: routing, selectors, unreadable kubelets left out, NotFound wording.
import test from 'ava';
import { StatusError } from '../../../../controlplane/machinery/errors.js';
import { MetricsApi, type Summary } from '../../../../controlplane/apiserver/metricsapi/index.js';
import { defaultKubeletClientConfig } from '../../../../controlplane/apiserver/kubeletproxy.js';
import type { Obj } from '../../../../controlplane/apiserver/registry/types.js';

const nodes: Obj[] = [
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { pool: 'a' } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2', labels: { pool: 'b' } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'down', labels: { pool: 'a' } } },
];
const pods: Obj[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { nodeName: 'n1' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } }, spec: { nodeName: 'n2' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lost', namespace: 'shop', labels: { app: 'web' } }, spec: { nodeName: 'down' } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', namespace: 'shop' }, spec: {} },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { nodeName: 'n1' } },
];
const c = (name: string, cpu: number, mem: number) => ({ name, cpu: { time: '2026-11-22T10:00:00Z', usageNanoCores: cpu }, memory: { time: '2026-11-22T10:00:00Z', workingSetBytes: mem } });
const summaries: Record<string, Summary> = {
  n1: {
    node: c('', 1e9, 1024 ** 3),
    pods: [
      { podRef: { name: 'web', namespace: 'shop' }, containers: [c('app', 5e6, 1024 ** 2)] },
      { podRef: { name: 'web', namespace: 'default' }, containers: [c('app', 7e6, 2 * 1024 ** 2)] },
    ],
  },
  n2: { node: c('', 2e9, 2 * 1024 ** 3), pods: [{ podRef: { name: 'db', namespace: 'shop' }, containers: [c('pg', 3e6, 4 * 1024 ** 2)] }] },
};

function api() {
  const fetched: string[] = [];
  const failed: string[] = [];
  const m = new MetricsApi({
    kubelet: defaultKubeletClientConfig,
    objects: {
      listNodes: async () => nodes,
      listPods: async (ns) => pods.filter((p) => !ns || p.metadata?.namespace === ns),
      getNode: async (name) => nodes.find((n) => n.metadata?.name === name),
      getPod: async (ns, name) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name),
    },
    fetchSummary: async (node) => {
      const name = node.metadata!.name!;
      fetched.push(name);
      if (!summaries[name]) throw new Error('connection refused');
      return summaries[name];
    },
    onScrapeError: (n) => failed.push(n),
  });
  return { m, fetched, failed };
}
const GV = ['apis', 'metrics.k8s.io', 'v1beta1'];
const names = (l: unknown) => (l as { items: { metadata: { namespace?: string; name: string } }[] }).items.map((i) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name));

test('group and version documents', async (t) => {
  const { m } = api();
  t.like(await m.serve('GET', GV.slice(0, 2), new URLSearchParams()), { kind: 'APIGroup', name: 'metrics.k8s.io', preferredVersion: { version: 'v1beta1' } });
  const list = (await m.serve('GET', GV, new URLSearchParams())) as { resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[] };
  t.deepEqual(
    list.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs.join(',')]),
    [
      ['nodes', 'NodeMetrics', false, 'get,list'],
      ['pods', 'PodMetrics', true, 'get,list'],
    ],
  );
});

test('node list leaves out an unreadable kubelet; labelSelector filters on the Node', async (t) => {
  const { m, failed } = api();
  const all = await m.serve('GET', [...GV, 'nodes'], new URLSearchParams());
  t.like(all, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
  t.deepEqual(names(all), ['n1', 'n2']);
  t.deepEqual(failed, ['down']);
  t.deepEqual(names(await m.serve('GET', [...GV, 'nodes'], new URLSearchParams({ labelSelector: 'pool=b' }))), ['n2']);
  t.like(await m.serve('GET', [...GV, 'nodes', 'n2'], new URLSearchParams()), { kind: 'NodeMetrics', usage: { cpu: '2', memory: '2Gi' } });
});

test('pod lists: per namespace, all namespaces, by label; only the pods’ nodes are read', async (t) => {
  const { m, fetched } = api();
  t.deepEqual(names(await m.serve('GET', [...GV, 'namespaces', 'shop', 'pods'], new URLSearchParams())), ['shop/web', 'shop/db']);
  t.deepEqual(names(await m.serve('GET', [...GV, 'pods'], new URLSearchParams())), ['shop/web', 'shop/db', 'default/web']);
  fetched.length = 0;
  t.deepEqual(names(await m.serve('GET', [...GV, 'namespaces', 'shop', 'pods'], new URLSearchParams({ labelSelector: 'app=web' }))), ['shop/web']);
  t.deepEqual(fetched.sort(), ['down', 'n1']);
  t.deepEqual(names(await m.serve('GET', [...GV, 'pods'], new URLSearchParams({ fieldSelector: 'metadata.namespace=default' }))), ['default/web']);
  t.like(await m.serve('GET', [...GV, 'namespaces', 'shop', 'pods', 'db'], new URLSearchParams()), { kind: 'PodMetrics', containers: [{ name: 'pg', usage: { cpu: '3m', memory: '4Mi' } }] });
});

test('errors: NotFound wording, bad selector, methods, unknown paths', async (t) => {
  const { m } = api();
  const err = async (p: Promise<unknown>) => (await t.throwsAsync(p, { instanceOf: StatusError })) as StatusError;
  let e = await err(m.serve('GET', [...GV, 'namespaces', 'shop', 'pods', 'missing'], new URLSearchParams()));
  t.is(e.code, 404);
  t.is(e.message, 'podmetrics.metrics.k8s.io "missing" not found');
  e = await err(m.serve('GET', [...GV, 'namespaces', 'shop', 'pods', 'lost'], new URLSearchParams()));
  t.is(e.message, 'podmetrics.metrics.k8s.io "lost" not found');
  e = await err(m.serve('GET', [...GV, 'nodes', 'down'], new URLSearchParams()));
  t.is(e.message, 'nodemetrics.metrics.k8s.io "down" not found');
  e = await err(m.serve('GET', [...GV, 'nodes', 'nope'], new URLSearchParams()));
  t.is(e.message, 'nodemetrics.metrics.k8s.io "nope" not found');
  t.is((await err(m.serve('GET', [...GV, 'pods'], new URLSearchParams({ labelSelector: 'a in (' })))).code, 400);
  t.is((await err(m.serve('DELETE', [...GV, 'nodes', 'n1'], new URLSearchParams()))).code, 405);
  t.is((await err(m.serve('GET', [...GV, 'pods'], new URLSearchParams({ watch: 'true' })))).code, 405);
  t.is((await err(m.serve('GET', [...GV, 'services'], new URLSearchParams()))).code, 404);
  t.is((await err(m.serve('GET', [...GV, 'namespaces', 'x', 'nodes'], new URLSearchParams()))).code, 404);
  t.is((await err(m.serve('GET', ['apis', 'metrics.k8s.io', 'v1'], new URLSearchParams()))).code, 404);
});
