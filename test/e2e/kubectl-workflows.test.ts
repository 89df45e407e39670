// More of the seed documents' kubectl workflows against a fresh kube-apiserver:
// watch, describe, edit, replace, chunked lists, all namespaces, wait for
// delete, cluster-info, componentstatus, cordon/uncordon, taint.
import test from 'ava';
import { chmod, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startApiServer } from '../harness/apiserver.js';
import { makeKubectl, kubectlPath, type KubectlVersion } from '../harness/kubectl.js';

const cmYaml = (name: string, v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: "${v}"\n`;

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: get -w sees changes, then describe, edit, replace`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    await k.ok(['create', '-f', '-'], { input: cmYaml('watched', '1') });
    // get -w: a table list, then a watch from its resourceVersion.
    const w = execa(kubectlPath(version), ['--kubeconfig', k.kubeconfig, '--cache-dir', join(k.kubeconfig, '..', 'cache'), 'get', 'configmaps', '-w', '--output-watch-events'], { reject: false, env: { HOME: join(k.kubeconfig, '..') } });
    let seen = '';
    w.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
    for (let i = 0; i < 50 && !/watched/.test(seen); i++) await new Promise((r) => setTimeout(r, 100));
    await k.ok(['create', '-f', '-'], { input: cmYaml('later', '2') });
    await k.ok(['delete', 'configmap', 'later']);
    for (let i = 0; i < 50 && !/DELETED\s+later/.test(seen); i++) await new Promise((r) => setTimeout(r, 100));
    w.kill();
    await w;
    t.regex(seen, /ADDED\s+watched\s+1\s+\d+s/);
    t.regex(seen, /ADDED\s+later/);
    t.regex(seen, /DELETED\s+later/);

    const described = await k.ok(['describe', 'configmap', 'watched']);
    t.regex(described, /^Name:\s+watched$/m);
    t.regex(described, /^Namespace:\s+default$/m);

    // edit with EDITOR set to a script that changes the value.
    const dir = await mkdtemp(join(tmpdir(), 'kubets-editor-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const editor = join(dir, 'editor.sh');
    await writeFile(editor, `#!/bin/sh\nsed -i 's/k: "1"/k: "edited"/' "$1"\n`);
    await chmod(editor, 0o755);
    t.regex(await k.ok(['edit', 'configmap', 'watched'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }), /configmap\/watched edited/);
    t.is(await k.ok(['get', 'cm', 'watched', '-o', 'jsonpath={.data.k}']), 'edited');

    // replace with a stale resourceVersion is refused with 409; a fresh one works.
    const live = JSON.parse(await k.ok(['get', 'cm', 'watched', '-o', 'json'])) as { metadata: { resourceVersion: string } };
    const stale = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', resourceVersion: String(Number(live.metadata.resourceVersion) - 1) }, data: { k: 'stale' } };
    const conflict = await k.run(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    t.is(conflict.exitCode, 1);
    t.regex(conflict.stderr, /Conflict|the object has been modified/);
    t.regex(await k.ok(['replace', '-f', '-'], { input: cmYaml('watched', 'replaced') }), /configmap\/watched replaced/);
    t.is(await k.ok(['get', 'cm', 'watched', '-o', 'jsonpath={.data.k}']), 'replaced');
  });

  test(`kubectl ${version}: chunked lists, -A, -o yaml, wait --for=delete, cluster-info, componentstatus, cordon, taint`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    for (let i = 0; i < 7; i++) await k.ok(['create', '-f', '-'], { input: cmYaml(`c${i}`, String(i)) });
    const chunked = await k.ok(['get', 'cm', '--chunk-size=2', '-o', 'name']);
    t.deepEqual(chunked.trim().split('\n'), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((n) => `configmap/${n}`));
    t.regex(await k.ok(['get', 'cm', '-A']), /^default\s+c3\s+1\s+\d+s$/m);
    t.regex(await k.ok(['get', 'cm', 'c1', '-o', 'yaml']), /^kind: ConfigMap$/m);
    t.regex(await k.ok(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}']), /kube-system/);
    const waited = k.ok(['wait', '--for=delete', 'configmap/c6', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 300));
    await k.ok(['delete', 'configmap', 'c6', '--wait=false']);
    t.regex(await waited, /condition met|deleted/);

    // eslint-disable-next-line no-control-regex
    const info = (await k.ok(['cluster-info'])).replace(/\x1b\[[0-9;]*m/g, '');
    t.regex(info, /Kubernetes control plane is running at http:\/\/127\.0\.0\.1:\d+/);
    const cs = await k.ok(['get', 'componentstatus', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.conditions[0].status};{end}']);
    t.regex(cs, /storage=True;/);
    t.regex(cs, /scheduler=False;/); // nothing serves 10251 in this test

    await k.ok(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels: {kubernetes.io/hostname: n1}\n' });
    t.regex(await k.ok(['cordon', 'n1']), /node\/n1 cordoned/);
    t.is(await k.ok(['get', 'node', 'n1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
    t.regex(await k.ok(['uncordon', 'n1']), /node\/n1 uncordoned/);
    t.is(await k.ok(['get', 'node', 'n1', '-o', 'jsonpath={.spec.unschedulable}']), '');
    t.regex(await k.ok(['taint', 'node', 'n1', 'dedicated=db:NoSchedule']), /node\/n1 tainted/);
    t.is(await k.ok(['get', 'node', 'n1', '-o', 'jsonpath={.spec.taints[0].key}={.spec.taints[0].value}:{.spec.taints[0].effect}']), 'dedicated=db:NoSchedule');
    t.regex(await k.ok(['taint', 'node', 'n1', 'dedicated:NoSchedule-']), /node\/n1 untainted/);
    t.is(await k.ok(['get', 'node', 'n1', '-o', 'jsonpath={.spec.taints}']), '');
  });
}

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: apply --server-side creates then updates; --dry-run=server changes nothing`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    t.regex(await k.ok(['apply', '--server-side', '-f', '-'], { input: cmYaml('ssa', '1') }), /configmap\/ssa serverside-applied/);
    t.regex(await k.ok(['apply', '--server-side', '-f', '-'], { input: cmYaml('ssa', '2') }), /configmap\/ssa serverside-applied/);
    t.is(await k.ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.k}']), '2');
    t.regex(await k.ok(['apply', '--dry-run=server', '-f', '-'], { input: cmYaml('ssa', '3') }), /configmap\/ssa (configured|serverside-applied) \(server dry run\)/);
    t.regex(await k.ok(['create', '--dry-run=server', '-f', '-'], { input: cmYaml('never', '1') }), /configmap\/never created \(server dry run\)/);
    t.is(await k.ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.k}']), '2');
    t.is((await k.run(['get', 'cm', 'never'])).exitCode, 1);
    t.regex(await k.ok(['delete', 'cm', 'ssa', '--dry-run=server']), /configmap "ssa" deleted \(server dry run\)/);
    t.is(await k.ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.k}']), '2');
  });
}

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: unknown fields are refused (strict by default), warned, or ignored; explain works`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    const bogus = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  bogusMeta: 1\ndata:\n  k: v\nbogusField: 1\n';
    const strict = await k.run(['create', '-f', '-'], { input: bogus });
    t.is(strict.exitCode, 1);
    t.regex(strict.stderr, /unknown field "bogusField"/);
    t.regex(strict.stderr, /unknown field "metadata.bogusMeta"/);
    const warned = await k.run(['create', '--validate=warn', '-f', '-'], { input: bogus });
    t.is(warned.exitCode, 0);
    t.regex(warned.stderr, /Warning: unknown field "bogusField"/);
    t.regex(await k.ok(['create', '--validate=false', '-f', '-'], { input: bogus.replace('name: b', 'name: c') }), /configmap\/c created/);
    const explained = await k.ok(['explain', 'deployment.spec']);
    t.regex(explained, /replicas/);
    t.regex(explained, /template/);
    t.regex(await k.ok(['explain', 'pods.spec.containers']), /image/);
  });
}

for (const version of ['1.31', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: create generators (protobuf bodies on 1.32+), auth can-i, auth whoami`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    t.teardown(async () => {
      await k.cleanup();
      await srv.stop();
    });
    t.regex(await k.ok(['create', 'namespace', 'gen']), /namespace\/gen created/);
    t.regex(await k.ok(['-n', 'gen', 'create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2']), /configmap\/cfg created/);
    t.is(await k.ok(['-n', 'gen', 'get', 'cm', 'cfg', '-o', 'jsonpath={.data.a},{.data.b}']), '1,2');
    t.regex(await k.ok(['-n', 'gen', 'create', 'secret', 'generic', 'pw', '--from-literal=password=s3cret']), /secret\/pw created/);
    t.is(Buffer.from(await k.ok(['-n', 'gen', 'get', 'secret', 'pw', '-o', 'jsonpath={.data.password}']), 'base64').toString(), 's3cret');
    t.regex(await k.ok(['-n', 'gen', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80']), /deployment.apps\/web created/);
    t.is(await k.ok(['-n', 'gen', 'get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}']), '2 80');
    t.regex(await k.ok(['create', 'clusterrolebinding', 'admins', '--clusterrole=cluster-admin', '--user=alice']), /clusterrolebinding.rbac.authorization.k8s.io\/admins created/);
    t.regex(await k.ok(['-n', 'gen', 'create', 'service', 'nodeport', 'np', '--tcp=80:8080']), /service\/np created/);
    t.regex(await k.ok(['-n', 'gen', 'create', 'job', 'once', '--image=busybox']), /job.batch\/once created/);
    t.regex(await k.ok(['-n', 'gen', 'create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *']), /cronjob.batch\/tick created/);
    t.is((await k.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    if (version === '1.33') t.regex(await k.ok(['auth', 'whoami']), /system:unsecured/);
  });
}

test('server-side apply tracks field ownership: dropped fields go, other managers conflict, --force-conflicts wins', async (t) => {
  const srv = await startApiServer();
  const k = await makeKubectl('1.33', srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  const two = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  a: "1"\n  b: "2"\n';
  await k.ok(['apply', '--server-side', '-f', '-'], { input: two });
  await k.ok(['apply', '--server-side', '-f', '-'], { input: two.replace('  b: "2"\n', '') });
  t.is(await k.ok(['get', 'cm', 'owned', '-o', 'jsonpath={.data}']), '{"a":"1"}');
  const managers = JSON.parse(await k.ok(['get', 'cm', 'owned', '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields'])) as { manager: string; operation: string }[];
  t.deepEqual(managers.map((m) => `${m.manager}/${m.operation}`), ['kubectl/Apply']);
  const other = await k.run(['apply', '--server-side', '--field-manager=team-b', '-f', '-'], { input: two.replace('a: "1"', 'a: "9"') });
  t.is(other.exitCode, 1);
  t.regex(other.stderr, /Apply failed with 1 conflict: conflict with "kubectl"(?: using v1)?: \.data\.a/);
  t.regex(await k.ok(['apply', '--server-side', '--field-manager=team-b', '--force-conflicts', '-f', '-'], { input: two.replace('a: "1"', 'a: "9"') }), /serverside-applied/);
  t.is(await k.ok(['get', 'cm', 'owned', '-o', 'jsonpath={.data.a}']), '9');
});

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version}: PV and PVC, expose, configmap --from-file, describe deployment and pod`, async (t) => {
    const srv = await startApiServer();
    const k = await makeKubectl(version, srv.url);
    const dir = await mkdtemp(join(tmpdir(), 'kubets-fromfile-'));
    t.teardown(async () => {
      await rm(dir, { recursive: true, force: true });
      await k.cleanup();
      await srv.stop();
    });
    const pv = 'apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv1\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /tmp/pv1}\n';
    const pvc = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: claim1\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n';
    t.regex(await k.ok(['create', '-f', '-'], { input: pv }), /persistentvolume\/pv1 created/);
    t.regex(await k.ok(['create', '-f', '-'], { input: pvc }), /persistentvolumeclaim\/claim1 created/);
    t.regex(await k.ok(['get', 'pv']), /^pv1\s+1Gi\s+RWO\s+Retain\s+Pending/m);
    t.regex(await k.ok(['get', 'pvc']), /^claim1\s+Pending/m);

    await writeFile(join(dir, 'app.properties'), 'color=blue\nsize=10\n');
    t.regex(await k.ok(['create', 'configmap', 'props', `--from-file=${join(dir, 'app.properties')}`]), /configmap\/props created/);
    t.is(await k.ok(['get', 'cm', 'props', '-o', 'jsonpath={.data.app\\.properties}']), 'color=blue\nsize=10');

    await k.ok(['create', '-f', '-'], { input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n        ports: [{containerPort: 80}]\n' });
    t.regex(await k.ok(['expose', 'deployment', 'web', '--port=8080', '--target-port=80']), /service\/web exposed/);
    const svc = JSON.parse(await k.ok(['get', 'svc', 'web', '-o', 'json'])) as { spec: { selector: Record<string, string>; ports: { port: number; targetPort: number }[] } };
    t.deepEqual(svc.spec.selector, { app: 'web' });
    t.deepEqual([svc.spec.ports[0].port, svc.spec.ports[0].targetPort], [8080, 80]);
    const dd = await k.ok(['describe', 'deployment', 'web']);
    t.regex(dd, /^Name:\s+web$/m);
    t.regex(dd, /^Selector:\s+app=web$/m);
    t.regex(dd, /nginx:1\.25/);
    await k.ok(['run', 'solo', '--image=busybox', '--restart=Never']);
    const dp = await k.ok(['describe', 'pod', 'solo']);
    t.regex(dp, /^Name:\s+solo$/m);
    t.regex(dp, /^Status:\s+Pending$/m);
  });
}
