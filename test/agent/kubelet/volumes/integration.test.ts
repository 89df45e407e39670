// The VolumeManager on the real system: tmpfs mounts the kernel really has
// (read back from /proc/self/mountinfo), unmounted on teardown; and a
// ConfigMap updated through a real apiserver reaching the file via refresh,
// read through the client library's informer cache. Needs root (mount).
import test from 'ava';
import { mkdtemp, readFile, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret } from '../../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../../controlplane/client/rest.js';
import { SharedInformerFactory } from '../../../../controlplane/client/factory.js';
import { resources } from '../../../../controlplane/client/resources.js';
import { DiskVolumeManager } from '../../../../agent/kubelet/volumes/manager.js';
import { SystemMounter, parseMountInfo } from '../../../../agent/kubelet/volumes/mounter.js';
import { clientLookup, clusterClientLookup, listerLookup } from '../../../../agent/kubelet/volumes/sources.js';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';
import { uniqueSuffix } from '../../../harness/exec.js';

function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('volume integration tests mount tmpfs and need root; run the tests as root');
}

async function mountsUnder(dir: string) {
  const all = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  return all.filter((m) => m.target === dir || m.target.startsWith(dir + '/'));
}

/** Whatever a failed test left mounted under root is unmounted before root is removed. */
async function cleanRoot(root: string): Promise<void> {
  const m = new SystemMounter();
  for (const mp of await m.mountsUnder(root)) await m.unmount(mp.target).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}

let api: TestApiServer;
let client: RestClient;
const ac = new AbortController();
let factory: SharedInformerFactory;

test.before(async () => {
  requireRoot();
  api = await startApiServer();
  client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  factory = new SharedInformerFactory(client);
});

test.after.always(async () => {
  ac.abort();
  await factory?.shutdown();
  client?.close();
  await api?.stop();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('[integration] memory emptyDir and secret volumes are real tmpfs mounts, gone after teardown; configMap stays on disk', async (t) => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kubets-vol-int-')));
  t.teardown(() => cleanRoot(root));
  const ns = `vol-${uniqueSuffix()}`;
  await client.resource(resources.namespaces).create({ metadata: { name: ns } });
  const secret: Secret = { metadata: { name: 'db', namespace: ns }, data: { password: Buffer.from('hunter2').toString('base64') } };
  await client.resource(resources.secrets, ns).create(secret);
  await client.resource(resources.configmaps, ns).create({ metadata: { name: 'cfg', namespace: ns }, data: { a: '1' } });

  const vm = new DiskVolumeManager({
    rootDir: root,
    sources: {
      configMaps: clientLookup(client, resources.configmaps),
      secrets: clientLookup(client, resources.secrets),
      persistentVolumeClaims: clientLookup(client, resources.persistentvolumeclaims),
      persistentVolumes: clusterClientLookup(client, resources.persistentvolumes),
    },
  });
  const pod: Pod = {
    metadata: { name: 'p', namespace: ns, uid: `uid-${uniqueSuffix()}` },
    spec: {
      containers: [{ name: 'c' }],
      volumes: [
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        { name: 'creds', secret: { secretName: 'db' } },
        { name: 'config', configMap: { name: 'cfg' } },
        { name: 'scratch', emptyDir: {} },
      ],
    },
  };
  const m = await vm.setUpPodVolumes(pod);
  await vm.setUpPodVolumes(pod); // a second sync mounts nothing twice

  const mounts = await mountsUnder(root);
  const cache = mounts.filter((x) => x.target === m.get('cache')!.hostPath);
  t.is(cache.length, 1);
  t.is(cache[0].fstype, 'tmpfs');
  t.regex(cache[0].superOptions, /size=16384k/);
  const creds = mounts.filter((x) => x.target === m.get('creds')!.hostPath);
  t.is(creds.length, 1);
  t.is(creds[0].fstype, 'tmpfs');
  t.is(mounts.length, 2, 'configMap and disk emptyDir are not mounts');
  t.is(await readFile(join(m.get('creds')!.hostPath, 'password'), 'utf8'), 'hunter2');
  t.is(await readFile(join(m.get('config')!.hostPath, 'a'), 'utf8'), '1');
  t.is((await stat(m.get('cache')!.hostPath)).mode & 0o777, 0o777);

  t.deepEqual(await vm.podsOnDisk(), [pod.metadata.uid]);
  await vm.tearDownPodVolumes(pod.metadata.uid!);
  t.deepEqual(await mountsUnder(root), []);
  t.deepEqual(await readdir(join(root, 'pods')), []);
  t.deepEqual(await vm.podsOnDisk(), []);
});

test('[integration] a ConfigMap update through the apiserver reaches the file via refresh (informer-backed lookup)', async (t) => {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kubets-vol-int-')));
  t.teardown(() => cleanRoot(root));
  const ns = `cm-${uniqueSuffix()}`;
  await client.resource(resources.namespaces).create({ metadata: { name: ns } });
  const cms = client.resource(resources.configmaps, ns);
  await cms.create({ metadata: { name: 'app', namespace: ns }, data: { 'app.conf': 'color=blue\n' } });

  const cmInformer = factory.informerFor(resources.configmaps);
  const secretInformer = factory.informerFor(resources.secrets);
  factory.start(ac.signal);
  t.true(await factory.waitForCacheSync(ac.signal));
  await until(() => cmInformer.lister.get(`${ns}/app`) !== undefined, 'the informer to see the ConfigMap');

  const vm = new DiskVolumeManager({
    rootDir: root,
    sources: {
      configMaps: listerLookup<ConfigMap>(cmInformer.lister),
      secrets: listerLookup<Secret>(secretInformer.lister),
      persistentVolumeClaims: clientLookup(client, resources.persistentvolumeclaims),
      persistentVolumes: clusterClientLookup(client, resources.persistentvolumes),
    },
  });
  const pod: Pod = {
    metadata: { name: 'web', namespace: ns, uid: `uid-${uniqueSuffix()}` },
    spec: { containers: [{ name: 'c' }], volumes: [{ name: 'config', configMap: { name: 'app', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } }] },
  };
  const dir = (await vm.setUpPodVolumes(pod)).get('config')!.hostPath;
  const file = join(dir, 'conf/app.conf');
  t.is(await readFile(file, 'utf8'), 'color=blue\n');

  const current = await cms.get('app');
  current.data = { 'app.conf': 'color=green\n' };
  const updated = await cms.update(current);
  await until(() => cmInformer.lister.get(`${ns}/app`)?.metadata.resourceVersion === updated.metadata.resourceVersion, 'the informer to see the update');
  await vm.refresh(pod);
  t.is(await readFile(file, 'utf8'), 'color=green\n');
  const versions = (await readdir(dir)).filter((n) => n.startsWith('..2'));
  t.is(versions.length, 1, 'the old version directory is gone');

  await vm.tearDownPodVolumes(pod.metadata.uid!);
  t.deepEqual(await vm.podsOnDisk(), []);
});
