// The official JavaScript client, @kubernetes/client-node 1.4.0, against the
// kubets apiserver (issue 3, Done means): it loads a kubeconfig, lists,
// creates, patches and deletes through its generated CoreV1Api/AppsV1Api,
// watches with its Watch class, and runs its own informer (list + watch).
// client-node refuses plain http unless insecure-skip-tls-verify is set, hence that flag.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startApiServer, type TestApiServer } from '../harness/apiserver.js';

let srv: TestApiServer;
let kc: k8s.KubeConfig;
let dir: string;

test.before(async () => {
  srv = await startApiServer();
  dir = await mkdtemp(join(tmpdir(), 'kubets-client-node-'));
  const file = join(dir, 'kubeconfig');
  await writeFile(
    file,
    `apiVersion: v1
kind: Config
current-context: kubets
clusters: [{ name: kubets, cluster: { server: "${srv.url}", insecure-skip-tls-verify: true } }]
users: [{ name: admin, user: { token: "unused" } }]
contexts: [{ name: kubets, context: { cluster: kubets, user: admin, namespace: default } }]
`,
  );
  kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
});

test.after.always(async () => {
  await srv?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test.serial('client-node lists namespaces and creates, reads, patches and deletes a ConfigMap', async (t) => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nss = await core.listNamespace();
  t.true(nss.items.some((n) => n.metadata?.name === 'kube-system'));
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client-node', labels: { app: 'cn' } }, data: { k: 'v' } } });
  t.truthy(created.metadata?.uid);
  const read = await core.readNamespacedConfigMap({ name: 'from-client-node', namespace: 'default' });
  t.is(read.data?.k, 'v');
  const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'app=cn' });
  t.deepEqual(list.items.map((c) => c.metadata?.name), ['from-client-node']);
  const patched = await core.patchNamespacedConfigMap(
    { name: 'from-client-node', namespace: 'default', body: { data: { k: 'w' } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  t.is(patched.data?.k, 'w');
  await core.deleteNamespacedConfigMap({ name: 'from-client-node', namespace: 'default' });
  const err = await t.throwsAsync(core.readNamespacedConfigMap({ name: 'from-client-node', namespace: 'default' }));
  t.is((err as unknown as { code?: number }).code, 404);
});

test.serial('client-node creates a Deployment through AppsV1Api', async (t) => {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const d = await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      },
    },
  });
  t.is(d.spec?.replicas, 2);
  const list = await apps.listNamespacedDeployment({ namespace: 'default' });
  t.true(list.items.some((x) => x.metadata?.name === 'web'));
});

test.serial('client-node Watch streams ADDED/MODIFIED/DELETED events', async (t) => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const start = await core.listNamespacedConfigMap({ namespace: 'default' });
  const seen: string[] = [];
  let doneErr: unknown = 'not done';
  const w = new k8s.Watch(kc);
  const ctl = await w.watch(
    '/api/v1/namespaces/default/configmaps',
    { resourceVersion: start.metadata?.resourceVersion, allowWatchBookmarks: true },
    (phase, obj: k8s.V1ConfigMap) => seen.push(`${phase} ${obj.metadata?.name}`),
    (err) => (doneErr = err),
  );
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
  await core.replaceNamespacedConfigMap({ name: 'watched', namespace: 'default', body: { metadata: { name: 'watched' }, data: { a: 'b' } } });
  await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
  await until(() => seen.length >= 3, `3 events, saw ${seen.join(', ')}`);
  t.deepEqual(seen, ['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  ctl.abort();
  await until(() => doneErr !== 'not done', 'watch done callback');
  t.pass();
});

test.serial('client-node informer lists then watches', async (t) => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre-existing' } } });
  const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const adds: string[] = [];
  const deletes: string[] = [];
  informer.on('add', (o) => adds.push(o.metadata!.name!));
  informer.on('delete', (o) => deletes.push(o.metadata!.name!));
  informer.on('error', () => undefined);
  await informer.start();
  t.teardown(() => informer.stop());
  await until(() => adds.includes('pre-existing'), 'initial list add');
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'live' } } });
  await until(() => adds.includes('live'), 'watched add');
  await core.deleteNamespacedConfigMap({ name: 'live', namespace: 'default' });
  await until(() => deletes.includes('live'), 'watched delete');
  t.truthy(informer.get('pre-existing', 'default'));
  t.is(informer.get('live', 'default'), undefined);
});
