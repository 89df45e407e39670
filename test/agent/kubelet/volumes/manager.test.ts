// DiskVolumeManager on a temp --root-dir with a FakeMounter and fake
// sources: layout, tmpfs decisions, errors the pod waits on, refresh, PVCs,
// teardown and orphans.
import test from 'ava';
import { lstat, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from '../../../../controlplane/api/core/v1/types.js';
import { VolumeError } from '../../../../agent/kubelet/types.js';
import { DiskVolumeManager } from '../../../../agent/kubelet/volumes/manager.js';
import { FakeMounter, FakeVolumeSources } from '../../../../agent/kubelet/volumes/testing/fake.js';

interface Env {
  root: string;
  mounter: FakeMounter;
  sources: FakeVolumeSources;
  vm: DiskVolumeManager;
}

async function env(t: { teardown(fn: () => Promise<void>): void }): Promise<Env> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'kubets-vm-')));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const mounter = new FakeMounter();
  const sources = new FakeVolumeSources();
  const vm = new DiskVolumeManager({ rootDir: root, sources, mounter, nodeAllocatable: () => ({ cpu: '4', memory: '8Gi' }) });
  return { root, mounter, sources, vm };
}

let seq = 0;
function mkPod(volumes: Volume[], extra: Partial<Pod['metadata']> = {}): Pod {
  seq++;
  return {
    metadata: { name: `p${seq}`, namespace: 'ns', uid: `uid-${seq}`, labels: { app: 'web' }, ...extra },
    spec: { volumes, containers: [{ name: 'c', resources: { limits: { cpu: '500m' } } }] },
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const volDir = (e: Env, p: Pod, plugin: string, name: string) => join(e.root, 'pods', p.metadata.uid!, 'volumes', plugin, name);

test('emptyDir on disk: upstream layout, 0777, no mount', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'scratch', emptyDir: {} }]);
  const m = await e.vm.setUpPodVolumes(pod);
  const dir = volDir(e, pod, 'kubernetes.io~empty-dir', 'scratch');
  t.deepEqual(m.get('scratch'), { hostPath: dir, readOnly: false });
  t.is((await stat(dir)).mode & 0o777, 0o777);
  t.is(e.mounter.calls.length, 0);
  t.is((await stat(join(e.root, 'pods', pod.metadata.uid!, 'volumes', 'kubernetes.io~empty-dir'))).mode & 0o777, 0o750);
});

test('emptyDir medium Memory: one tmpfs mount with size= from sizeLimit, not repeated on the next sync', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }, { name: 'nolimit', emptyDir: { medium: 'Memory' } }]);
  await e.vm.setUpPodVolumes(pod);
  await e.vm.setUpPodVolumes(pod);
  t.deepEqual(e.mounter.calls, [
    ['-t', 'tmpfs', '-o', 'size=67108864', 'tmpfs', volDir(e, pod, 'kubernetes.io~empty-dir', 'cache')],
    ['-t', 'tmpfs', 'tmpfs', volDir(e, pod, 'kubernetes.io~empty-dir', 'nolimit')],
  ]);
});

test('emptyDir with an unsupported medium is a FailedMount', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'hp', emptyDir: { medium: 'HugePages' } }]);
  await t.throwsAsync(e.vm.setUpPodVolumes(pod), { instanceOf: VolumeError, message: 'MountVolume.SetUp failed for volume "hp" : emptyDir medium "HugePages" is not supported' });
});

test('secret volume: on tmpfs, files decoded with modes, read-only', async (t) => {
  const e = await env(t);
  e.sources.putSecret({ metadata: { name: 'db', namespace: 'ns', resourceVersion: '1' }, data: { password: b64('hunter2') } });
  const pod = mkPod([{ name: 'creds', secret: { secretName: 'db', defaultMode: 0o400 } }]);
  const m = await e.vm.setUpPodVolumes(pod);
  const dir = volDir(e, pod, 'kubernetes.io~secret', 'creds');
  t.deepEqual(m.get('creds'), { hostPath: dir, readOnly: true });
  t.deepEqual(e.mounter.calls, [['-t', 'tmpfs', 'tmpfs', dir]]);
  t.is(await readFile(join(dir, 'password'), 'utf8'), 'hunter2');
  t.is((await stat(join(dir, 'password'))).mode & 0o777, 0o400);
});

test('a missing ConfigMap is a FailedMount VolumeError with upstream\'s message; other volumes are still set up', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'config', configMap: { name: 'app-config' } }, { name: 'scratch', emptyDir: {} }]);
  const err = await t.throwsAsync(e.vm.setUpPodVolumes(pod), { instanceOf: VolumeError });
  t.is(err!.message, 'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found');
  t.is(err!.reason, 'FailedMount');
  t.is(err!.volume, 'config');
  t.true((await stat(volDir(e, pod, 'kubernetes.io~empty-dir', 'scratch'))).isDirectory());
  // Once the ConfigMap exists, the next sync succeeds.
  e.sources.putConfigMap({ metadata: { name: 'app-config', namespace: 'ns', resourceVersion: '5' }, data: { k: 'v' } });
  const m = await e.vm.setUpPodVolumes(pod);
  t.is(await readFile(join(m.get('config')!.hostPath, 'k'), 'utf8'), 'v');
});

test('optional ConfigMap/Secret that is missing: an empty volume, no error', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'c', configMap: { name: 'nope', optional: true } }, { name: 's', secret: { secretName: 'nope', optional: true } }]);
  const m = await e.vm.setUpPodVolumes(pod);
  t.deepEqual((await readdir(m.get('c')!.hostPath)).filter((n) => !n.startsWith('..')), []);
});

test('missing Secret and a missing key have upstream\'s messages', async (t) => {
  const e = await env(t);
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([{ name: 's', secret: { secretName: 'gone' } }])), {
    message: 'MountVolume.SetUp failed for volume "s" : secret "gone" not found',
  });
  e.sources.putConfigMap({ metadata: { name: 'cfg', namespace: 'ns' }, data: { a: '1' } });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([{ name: 'c', configMap: { name: 'cfg', items: [{ key: 'b', path: 'b' }] } }])), {
    message: 'MountVolume.SetUp failed for volume "c" : configmap references non-existent config key: b',
  });
});

test('refresh: a changed ConfigMap is swapped in; an unchanged one costs no write', async (t) => {
  const e = await env(t);
  e.sources.putConfigMap({ metadata: { name: 'cfg', namespace: 'ns', uid: 'cm1', resourceVersion: '1' }, data: { 'app.conf': 'v1' } });
  const pod = mkPod([{ name: 'config', configMap: { name: 'cfg' } }]);
  const dir = (await e.vm.setUpPodVolumes(pod)).get('config')!.hostPath;
  const v1 = await readlink(join(dir, '..data'));
  await e.vm.refresh(pod);
  t.is(await readlink(join(dir, '..data')), v1, 'nothing changed: same version directory');
  await e.vm.setUpPodVolumes(pod);
  t.is(await readlink(join(dir, '..data')), v1, 'a repeated setUp does not rewrite either');

  e.sources.putConfigMap({ metadata: { name: 'cfg', namespace: 'ns', uid: 'cm1', resourceVersion: '2' }, data: { 'app.conf': 'v2', extra: 'x' } });
  await e.vm.refresh(pod);
  t.is(await readFile(join(dir, 'app.conf'), 'utf8'), 'v2');
  t.is(await readFile(join(dir, 'extra'), 'utf8'), 'x');
  t.not(await readlink(join(dir, '..data')), v1);
});

test('refresh: the previous content stays when the source disappears, and the error surfaces', async (t) => {
  const e = await env(t);
  e.sources.putSecret({ metadata: { name: 's', namespace: 'ns', resourceVersion: '1' }, data: { k: b64('v') } });
  const pod = mkPod([{ name: 'sec', secret: { secretName: 's' } }]);
  const dir = (await e.vm.setUpPodVolumes(pod)).get('sec')!.hostPath;
  e.sources.removeSecret('ns', 's');
  await t.throwsAsync(e.vm.refresh(pod), { instanceOf: VolumeError, message: 'MountVolume.SetUp failed for volume "sec" : secret "s" not found' });
  t.is(await readFile(join(dir, 'k'), 'utf8'), 'v');
});

test('refresh ignores volumes never set up and pods it has not seen', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'c', configMap: { name: 'none' } }]);
  await t.notThrowsAsync(e.vm.refresh(pod));
  t.deepEqual(await e.vm.podsOnDisk(), []);
});

test('downwardAPI: labels rendered upstream-style, refreshed when the pod\'s labels change', async (t) => {
  const e = await env(t);
  const pod = mkPod([
    {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
          { path: 'cpu_limit', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
          { path: 'mem_limit', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Gi' } },
        ],
      },
    },
  ]);
  const dir = (await e.vm.setUpPodVolumes(pod)).get('info')!.hostPath;
  t.is(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"');
  t.is(await readFile(join(dir, 'uid'), 'utf8'), pod.metadata.uid!);
  t.is(await readFile(join(dir, 'cpu_limit'), 'utf8'), '500');
  t.is(await readFile(join(dir, 'mem_limit'), 'utf8'), '8', 'unset limit → node allocatable');
  t.is(e.mounter.calls.length, 0, 'downwardAPI is on disk');
  const updated: Pod = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', tier: 'front' } } };
  await e.vm.refresh(updated);
  t.is(await readFile(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="front"');
});

test('projected: tmpfs, all sources, and the service-account token placeholder', async (t) => {
  const e = await env(t);
  e.sources.putConfigMap({ metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '1' }, data: { a: 'A' } });
  e.sources.putSecret({ metadata: { name: 'sec', namespace: 'ns', resourceVersion: '1' }, data: { b: b64('B') } });
  const pod = mkPod([
    {
      name: 'all',
      projected: {
        defaultMode: 0o444,
        sources: [
          { configMap: { name: 'cfg' } },
          { secret: { name: 'sec' } },
          { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
        ],
      },
    },
  ]);
  const dir = (await e.vm.setUpPodVolumes(pod)).get('all')!.hostPath;
  t.is(dir, volDir(e, pod, 'kubernetes.io~projected', 'all'));
  t.deepEqual(e.mounter.calls, [['-t', 'tmpfs', 'tmpfs', dir]]);
  t.is(await readFile(join(dir, 'a'), 'utf8'), 'A');
  t.is(await readFile(join(dir, 'b'), 'utf8'), 'B');
  t.is(await readFile(join(dir, 'name'), 'utf8'), pod.metadata.name!);
  t.regex(await readFile(join(dir, 'token'), 'utf8'), /security issue/);
  e.sources.putConfigMap({ metadata: { name: 'cfg', namespace: 'ns', resourceVersion: '2' }, data: { a: 'A2' } });
  await e.vm.refresh(pod);
  t.is(await readFile(join(dir, 'a'), 'utf8'), 'A2');
});

test('hostPath: the host path itself; a wrong type is a FailedMount with upstream\'s message', async (t) => {
  const e = await env(t);
  const file = join(e.root, 'a-file');
  await writeFile(file, 'x');
  const ok = await e.vm.setUpPodVolumes(mkPod([{ name: 'h', hostPath: { path: file, type: 'File' } }]));
  t.deepEqual(ok.get('h'), { hostPath: file, readOnly: false });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([{ name: 'h', hostPath: { path: file, type: 'Directory' } }])), {
    instanceOf: VolumeError,
    message: `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${file} is not a directory, it's a File`,
  });
});

test('persistentVolumeClaim: missing, unbound, and bound to hostPath, local and nfs PVs', async (t) => {
  const e = await env(t);
  const claimVol = (claimName: string, readOnly?: boolean): Volume => ({ name: 'data', persistentVolumeClaim: { claimName, readOnly } });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([claimVol('nope')])), {
    message: 'MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "nope" not found',
  });
  e.sources.putClaim({ metadata: { name: 'pending', namespace: 'ns' }, spec: {}, status: { phase: 'Pending' } });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([claimVol('pending')])), {
    message: 'MountVolume.SetUp failed for volume "data" : PVC ns/pending has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")',
  });
  e.sources.putClaim({ metadata: { name: 'lost-pv', namespace: 'ns' }, spec: { volumeName: 'pv-gone' }, status: { phase: 'Bound' } });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([claimVol('lost-pv')])), { message: 'MountVolume.SetUp failed for volume "data" : persistentvolume "pv-gone" not found' });

  const hostDir = join(e.root, 'pv-host');
  e.sources.putVolume({ metadata: { name: 'pv-host' }, spec: { hostPath: { path: hostDir, type: 'DirectoryOrCreate' } } });
  e.sources.putClaim({ metadata: { name: 'c-host', namespace: 'ns' }, spec: { volumeName: 'pv-host' }, status: { phase: 'Bound' } });
  t.deepEqual((await e.vm.setUpPodVolumes(mkPod([claimVol('c-host', true)]))).get('data'), { hostPath: hostDir, readOnly: true });
  t.true((await stat(hostDir)).isDirectory());

  e.sources.putVolume({ metadata: { name: 'pv-local' }, spec: { local: { path: hostDir } } });
  e.sources.putClaim({ metadata: { name: 'c-local', namespace: 'ns' }, spec: { volumeName: 'pv-local' }, status: { phase: 'Bound' } });
  t.deepEqual((await e.vm.setUpPodVolumes(mkPod([claimVol('c-local')]))).get('data'), { hostPath: hostDir, readOnly: false });

  // nfs cannot be mounted here (no server): the command the real mounter would run is what is checked.
  e.sources.putVolume({ metadata: { name: 'pv-nfs' }, spec: { nfs: { server: '10.0.0.7', path: '/exports/a' }, mountOptions: ['nfsvers=4.1', 'hard'] } });
  e.sources.putClaim({ metadata: { name: 'c-nfs', namespace: 'ns' }, spec: { volumeName: 'pv-nfs' }, status: { phase: 'Bound' } });
  const pod = mkPod([claimVol('c-nfs', true)]);
  const m = await e.vm.setUpPodVolumes(pod);
  const dir = volDir(e, pod, 'kubernetes.io~nfs', 'pv-nfs');
  t.deepEqual(m.get('data'), { hostPath: dir, readOnly: true });
  t.deepEqual(e.mounter.calls.at(-1), ['-t', 'nfs', '-o', 'hard,nfsvers=4.1,ro', '10.0.0.7:/exports/a', dir]);
  await e.vm.setUpPodVolumes(pod);
  t.is(e.mounter.calls.filter((c) => c[1] === 'nfs').length, 1, 'mounted once');
});

test('inline nfs with an IPv6 server', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'n', nfs: { server: 'fd00::7', path: '/x' } }]);
  await e.vm.setUpPodVolumes(pod);
  t.deepEqual(e.mounter.calls, [['-t', 'nfs', '[fd00::7]:/x', volDir(e, pod, 'kubernetes.io~nfs', 'n')]]);
});

test('a failed mount is a FailedMount naming the mount error', async (t) => {
  const e = await env(t);
  e.mounter.failNext = 'mount: permission denied';
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([{ name: 'm', emptyDir: { medium: 'Memory' } }])), {
    message: 'MountVolume.SetUp failed for volume "m" : mount failed: mount: permission denied',
  });
});

test('teardown unmounts deepest first, removes the pod directory, and forgets it; podsOnDisk lists pods', async (t) => {
  const e = await env(t);
  e.sources.putSecret({ metadata: { name: 's', namespace: 'ns' }, data: { k: b64('v') } });
  const a = mkPod([{ name: 'm', emptyDir: { medium: 'Memory' } }, { name: 's', secret: { secretName: 's' } }]);
  const b = mkPod([{ name: 'd', emptyDir: {} }]);
  await e.vm.setUpPodVolumes(a);
  await e.vm.setUpPodVolumes(b);
  t.deepEqual(await e.vm.podsOnDisk(), [a.metadata.uid, b.metadata.uid].sort());
  await e.vm.tearDownPodVolumes(a.metadata.uid!);
  t.is(e.mounter.mounted.length, 0);
  t.is(e.mounter.unmounts.length, 2);
  await t.throwsAsync(lstat(join(e.root, 'pods', a.metadata.uid!)));
  t.deepEqual(await e.vm.podsOnDisk(), [b.metadata.uid]);
  await e.vm.tearDownPodVolumes(b.metadata.uid!);
  t.deepEqual(await e.vm.podsOnDisk(), []);
  await t.notThrowsAsync(e.vm.tearDownPodVolumes('never-seen'), 'idempotent');
});

test('teardown refuses to delete while something is still mounted below the pod', async (t) => {
  const e = await env(t);
  const pod = mkPod([{ name: 'm', emptyDir: { medium: 'Memory' } }]);
  const dir = (await e.vm.setUpPodVolumes(pod)).get('m')!.hostPath;
  await writeFile(join(dir, 'precious'), 'x');
  e.mounter.busy.add(dir);
  await t.throwsAsync(e.vm.tearDownPodVolumes(pod.metadata.uid!), { message: /still mounted/ });
  t.is(await readFile(join(dir, 'precious'), 'utf8'), 'x');
  e.mounter.busy.clear();
  await e.vm.tearDownPodVolumes(pod.metadata.uid!);
  t.deepEqual(await e.vm.podsOnDisk(), []);
});

test('a pod UID that could climb out of the pods directory is refused', async (t) => {
  const e = await env(t);
  await t.throwsAsync(e.vm.tearDownPodVolumes('..'), { message: /invalid pod UID/ });
  await t.throwsAsync(e.vm.setUpPodVolumes(mkPod([], { uid: '../x' })), { message: /invalid pod UID/ });
});
