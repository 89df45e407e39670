// kube-apiserver driven by the real kubectl (1.27 and 1.33), default
// validation, over the embedded sqlite store: the seed documents' workflows.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../harness/apiserver.js';
import { makeKubectl, type KubectlVersion, type Kubectl } from '../harness/kubectl.js';
import { startEtcd } from '../harness/etcd.js';
import type { ExecutionContext } from 'ava';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

type Backend = 'sqlite' | 'etcd3';

/** A fresh API server on the backend (etcd3: a real etcd member of its own) and a kubectl of the version. */
async function setup(t: ExecutionContext, version: KubectlVersion, backend: Backend): Promise<{ k: Kubectl; url: string }> {
  const etcd = backend === 'etcd3' ? await startEtcd(t) : undefined;
  const srv = await startApiServer(etcd ? { backend: 'etcd3', etcdServers: etcd.endpoints } : {});
  const k = await makeKubectl(version, srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  return { k, url: srv.url };
}

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: version, api-versions, api-resources`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    // 1.27 prints version.Info{…GitVersion:"…"}, 1.28+ the bare gitVersion.
    t.regex(await k.ok(['version']), /Server Version: (v1\.33\.0-kubets|version\.Info\{.*GitVersion:"v1\.33\.0-kubets")/);
    const versions = await k.ok(['api-versions']);
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'coordination.k8s.io/v1']) t.true(versions.split('\n').includes(gv), gv);
    const res = await k.ok(['api-resources', '--no-headers']);
    t.regex(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    t.regex(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    t.regex(res, /^nodes\s+no\s+v1\s+false\s+Node$/m);
    t.regex(await k.ok(['get', 'namespaces']), /^kube-system\s+Active\s+\d+s$/m);
  });

  for (const backend of ['sqlite', 'etcd3'] as Backend[])
  test(`kubectl ${version} over ${backend}: create -f the seeds' mysql RC and Service, get, label, annotate, delete -f`, async (t) => {
    const { k } = await setup(t, version, backend);
    t.regex(await k.ok(['create', '-f', join(FIX, 'mysql-rc.yaml')]), /replicationcontroller\/mysql created/);
    t.regex(await k.ok(['create', '-f', join(FIX, 'mysql-svc.yaml')]), /service\/mysql created/);
    const again = await k.run(['create', '-f', join(FIX, 'mysql-svc.yaml')]);
    t.is(again.exitCode, 1);
    t.regex(again.stderr, /AlreadyExists.*services "mysql" already exists/);

    t.regex(await k.ok(['get', 'rc']), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nmysql\s+1\s+0\s+0\s+\d+s$/m);
    t.regex(await k.ok(['get', 'svc', 'mysql']), /^mysql\s+ClusterIP\s+\S+\s+<none>\s+3306\/TCP\s+\d+s$/m);
    const rc = JSON.parse(await k.ok(['get', 'rc', 'mysql', '-o', 'json'])) as { metadata: { uid: string; generation: number }; spec: { template: { spec: { restartPolicy: string; containers: { imagePullPolicy: string }[] } } } };
    t.truthy(rc.metadata.uid);
    t.is(rc.metadata.generation, 1);
    t.is(rc.spec.template.spec.restartPolicy, 'Always'); // defaulted by the server
    t.is(rc.spec.template.spec.containers[0].imagePullPolicy, 'Always'); // image without a tag
    t.is(await k.ok(['get', 'svc', 'mysql', '-o', 'jsonpath={.spec.ports[0].targetPort}']), '3306');

    t.regex(await k.ok(['label', 'svc', 'mysql', 'tier=db']), /service\/mysql labeled/);
    t.regex(await k.ok(['get', 'svc', '-l', 'tier=db', '-o', 'name']), /^service\/mysql$/m);
    t.regex(await k.ok(['annotate', 'rc', 'mysql', 'owner=dba']), /replicationcontroller\/mysql annotated?$/m);
    t.is(await k.ok(['get', 'rc', 'mysql', '-o', 'jsonpath={.metadata.annotations.owner}']), 'dba');
    t.regex(await k.ok(['label', 'svc', 'mysql', 'tier-']), /service\/mysql unlabeled/);
    t.is((await k.ok(['get', 'svc', '-l', 'tier=db', '-o', 'name'])).trim(), '');

    t.regex(await k.ok(['delete', '-f', join(FIX, 'mysql-svc.yaml')]), /service "mysql" deleted/);
    const gone = await k.run(['get', 'svc', 'mysql']);
    t.is(gone.exitCode, 1);
    t.regex(gone.stderr, /NotFound.*services "mysql" not found/);
  });

  for (const backend of ['sqlite', 'etcd3'] as Backend[])
  test(`kubectl ${version} over ${backend}: apply twice with a change (strategic merge), set image, invalid objects`, async (t) => {
    const { k } = await setup(t, version, backend);
    const manifest = await readFile(join(FIX, 'nginx-deployment.yaml'), 'utf8');
    t.regex(await k.ok(['apply', '-f', '-'], { input: manifest }), /deployment.apps\/nginx created/);
    t.regex(await k.ok(['apply', '-f', '-'], { input: manifest.replace('replicas: 2', 'replicas: 3').replace('nginx:1.25', 'nginx:1.26') }), /deployment.apps\/nginx configured/);
    const d = JSON.parse(await k.ok(['get', 'deploy', 'nginx', '-o', 'json'])) as { metadata: { generation: number }; spec: { replicas: number; template: { spec: { containers: { name: string; image: string; command?: string[] }[] } } } };
    t.is(d.spec.replicas, 3);
    t.is(d.metadata.generation, 2);
    t.deepEqual(d.spec.template.spec.containers.map((c) => [c.name, c.image]), [['nginx', 'nginx:1.26'], ['sidecar', 'busybox']]);
    t.deepEqual(d.spec.template.spec.containers[1].command, ['sleep', '3600']);
    t.regex(await k.ok(['set', 'image', 'deploy/nginx', 'nginx=nginx:1.27']), /deployment.apps\/nginx image updated/);
    t.is(await k.ok(['get', 'deploy', 'nginx', '-o', 'jsonpath={.spec.template.spec.containers[*].image}']), 'nginx:1.27 busybox');
    const bad = await k.run(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: c\n' });
    t.is(bad.exitCode, 1);
    t.regex(bad.stderr, /is invalid/);
    t.regex(bad.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
    t.regex(bad.stderr, /spec\.containers\[0\]\.image: Required value/);
  });
}

test('services: cluster IPs and node ports are allocated, conflicts refused, released on delete', async (t) => {
  const srv = await startApiServer();
  const k = await makeKubectl('1.33', srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  // The API server's own Service takes the first address of the range.
  t.is(await k.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}']), '10.0.0.1');
  t.regex(await k.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}']), /^127\.0\.0\.1$/);
  const svc = (name: string, extra: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector: {app: ${name}}\n  ports:\n  - port: 80\n${extra}`;
  await k.ok(['create', '-f', '-'], { input: svc('web', '  type: NodePort\n') });
  const web = JSON.parse(await k.ok(['get', 'svc', 'web', '-o', 'json'])) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
  t.regex(web.spec.clusterIP, /^10\.0\.0\.\d+$/);
  t.not(web.spec.clusterIP, '10.0.0.1');
  t.true(web.spec.ports[0].nodePort >= 30000 && web.spec.ports[0].nodePort <= 32767);
  // Asking for the same IP or node port again is refused with the field path.
  const clash = await k.run(['create', '-f', '-'], { input: svc('web2', `  clusterIP: ${web.spec.clusterIP}\n`) });
  t.is(clash.exitCode, 1);
  t.regex(clash.stderr, /spec\.clusterIPs: Invalid value: .*provided IP is already allocated/);
  const portClash = await k.run(['create', '-f', '-'], { input: svc('web3', `  type: NodePort\n`).replace('- port: 80\n', `- port: 80\n    nodePort: ${web.spec.ports[0].nodePort}\n`) });
  t.is(portClash.exitCode, 1);
  t.regex(portClash.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: \d+: provided port is already allocated/);
  // Headless services get no address; a re-apply without clusterIP keeps the allocated one.
  await k.ok(['create', '-f', '-'], { input: svc('db', '  clusterIP: None\n') });
  t.is(await k.ok(['get', 'svc', 'db', '-o', 'jsonpath={.spec.clusterIP}']), 'None');
  await k.ok(['apply', '-f', '-'], { input: svc('web', '  type: NodePort\n') });
  t.is(await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']), web.spec.clusterIP);
  // After delete the address can be taken again.
  await k.ok(['delete', 'svc', 'web']);
  await k.ok(['create', '-f', '-'], { input: svc('web2', `  clusterIP: ${web.spec.clusterIP}\n`) });
  t.is(await k.ok(['get', 'svc', 'web2', '-o', 'jsonpath={.spec.clusterIP}']), web.spec.clusterIP);
});

test('subresources: scale, binding, eviction, namespace deletion removes its contents', async (t) => {
  const srv = await startApiServer();
  const k = await makeKubectl('1.33', srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  await k.ok(['create', 'namespace', 'shop']);
  await k.ok(['-n', 'shop', 'create', '-f', join(FIX, 'nginx-deployment.yaml')]);
  t.regex(await k.ok(['-n', 'shop', 'scale', 'deploy', 'nginx', '--replicas=5']), /deployment.apps\/nginx scaled/);
  t.is(await k.ok(['-n', 'shop', 'get', 'deploy', 'nginx', '-o', 'jsonpath={.spec.replicas}']), '5');
  const scale = JSON.parse(await k.ok(['get', '--raw', '/apis/apps/v1/namespaces/shop/deployments/nginx/scale'])) as { kind: string; spec: { replicas: number }; status: { selector: string } };
  t.is(scale.kind, 'Scale');
  t.is(scale.spec.replicas, 5);
  t.is(scale.status.selector, 'app=nginx');
  const negative = await k.run(['-n', 'shop', 'scale', 'deploy', 'nginx', '--replicas=-1']);
  t.not(negative.exitCode, 0);

  // A pod bound through pods/binding gets its node and PodScheduled=True.
  await k.ok(['-n', 'shop', 'create', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\n  labels: {app: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n' });
  const bind = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } };
  const r = await fetch(`${srv.url}/api/v1/namespaces/shop/pods/p1/binding`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bind) });
  t.is(r.status, 201);
  t.is(await k.ok(['-n', 'shop', 'get', 'pod', 'p1', '-o', 'jsonpath={.spec.nodeName} {.status.conditions[?(@.type=="PodScheduled")].status}']), 'node-a True');
  const again = await fetch(`${srv.url}/api/v1/namespaces/shop/pods/p1/binding`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(bind) });
  t.is(again.status, 409);

  // A PodDisruptionBudget with no disruptions left blocks eviction with 429.
  await k.ok(['-n', 'shop', 'create', '-f', '-'], { input: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: keep\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: p}\n' });
  const evict = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p1', namespace: 'shop' }, deleteOptions: {} };
  const blocked = await fetch(`${srv.url}/api/v1/namespaces/shop/pods/p1/eviction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(evict) });
  t.is(blocked.status, 429);
  t.regex(((await blocked.json()) as { message: string }).message, /disruption budget/);
  await k.ok(['-n', 'shop', 'delete', 'pdb', 'keep']);
  const evicted = await fetch(`${srv.url}/api/v1/namespaces/shop/pods/p1/eviction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(evict) });
  t.is(evicted.status, 201);

  // Deleting the namespace removes what is in it, then the namespace.
  t.regex(await k.ok(['delete', 'namespace', 'shop', '--timeout=30s']), /namespace "shop" deleted/);
  t.is((await k.run(['get', 'namespace', 'shop'])).exitCode, 1);
  t.is((await srv.store.list('/apps/deployments/shop/')).items.length, 0);
});
