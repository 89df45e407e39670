// Resource management on the real Docker engine and API server: memory pressure
// evicts the BestEffort pod and keeps the Guaranteed one, the node reports
// MemoryPressure, new BestEffort pods are refused; /stats/summary through the API
// server's node proxy (real kubectl) shows the pod's working set; /metrics counts
// the eviction; image GC removes an unused image this test made, and only that.
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Node } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { CgroupFs } from '../../../agent/kubelet/stats/cgroup.js';
import type { Summary } from '../../../agent/kubelet/stats/types.js';
import { uniqueSuffix } from '../../harness/exec.js';
import { makeKubectl } from '../../harness/kubectl.js';
import { BUSYBOX_IMAGE, docker, eventually, getPod, pod, startEnv, startKubelet } from './harness.js';

const Mi = 1024 * 1024;

/** memory.available as the kubelet computes it: machine memory − the root cgroup's working set. */
async function memoryAvailable(): Promise<number> {
  const total = Number(/^MemTotal:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
  const root = await new CgroupFs().memory('');
  return total - root!.workingSetBytes;
}

function condition(n: Node, type: string) {
  return n.status?.conditions?.find((c) => c.type === type);
}

test.serial('memory pressure: the BestEffort pod is evicted, the Guaranteed one stays; stats and metrics through the node proxy', async (t) => {
  const env = await startEnv({ api: { kubelet: { https: true, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
  // The threshold sits 1.5Gi below what is available now: the hog (3Gi) crosses it even if other tests
  // free 1.5Gi meanwhile, and other tests would have to take 1.5Gi to cross it first.
  const threshold = Math.floor(((await memoryAvailable()) - 1536 * Mi) / Mi);
  const k = await startKubelet(env, ['--node-ip=127.0.0.1', `--eviction-hard=memory.available<${threshold}Mi`], (c) => {
    c.evictionMonitoringPeriodMs = 1000;
  });
  const kc = await makeKubectl('1.33', env.api.url);
  const pods = env.client.resource(resources.pods, env.ns);
  try {
    await eventually(async () => env.client.resource(resources.nodes).get(k.nodeName), 30_000);
    const node0 = await env.client.resource(resources.nodes).get(k.nodeName);
    t.like(condition(node0, 'MemoryPressure'), { status: 'False', reason: 'KubeletHasSufficientMemory' });

    const g = { cpu: '100m', memory: '64Mi' };
    await pods.create(pod('guaranteed', env.ns, k.nodeName, { containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'x=$(head -c 4000000 /dev/zero | tr "\\0" a); sleep 3600'], resources: { requests: g, limits: g } }] }));
    await eventually(async () => (await getPod(env, 'guaranteed')).status?.phase === 'Running', 60_000);

    // /stats/summary through the API server's node proxy, as metrics-server reads it.
    const summary = await eventually(async () => {
      const s = JSON.parse(await kc.ok(['get', '--raw', `/api/v1/nodes/${k.nodeName}/proxy/stats/summary`])) as Summary;
      const p = s.pods.find((x) => x.podRef.name === 'guaranteed');
      // The shell holds its 4 MB string once it has built it: wait for that, not just the first sample.
      return (p?.containers[0]?.memory?.workingSetBytes ?? 0) > 1 * Mi ? s : undefined;
    }, 30_000);
    t.is(summary.node.nodeName, k.nodeName);
    t.true((summary.node.memory?.availableBytes ?? 0) > 0);
    t.true((summary.node.fs?.capacityBytes ?? 0) > 0, 'nodefs');
    t.true((summary.node.runtime?.imageFs?.capacityBytes ?? 0) > 0, 'imagefs');
    const gp = summary.pods.find((x) => x.podRef.name === 'guaranteed')!;
    t.is(gp.podRef.namespace, env.ns);
    t.deepEqual(gp.containers.map((c) => c.name), ['main'], 'no sandbox (POD) entry');
    t.true(gp.containers[0].memory!.workingSetBytes! > 1 * Mi, `working set ${gp.containers[0].memory!.workingSetBytes}`);
    t.true((gp.containers[0].cpu?.usageCoreNanoSeconds ?? 0) > 0);
    t.true((gp.containers[0].logs?.usedBytes ?? -1) >= 0);

    // The hog, BestEffort: 3 GiB written into a memory-backed emptyDir (tmpfs pages are charged to the
    // container that wrote them, and freed when the evicted pod's volume goes).
    await pods.create(
      pod('hog', env.ns, k.nodeName, {
        volumes: [{ name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '4Gi' } }],
        containers: [{ name: 'hog', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'dd if=/dev/zero of=/ram/fill bs=1M count=3072 2>/dev/null; sleep 3600'], volumeMounts: [{ name: 'ram', mountPath: '/ram' }] }],
      }),
    );
    const hog = await eventually(async () => {
      const p = await getPod(env, 'hog');
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 120_000);
    t.is(hog.status?.reason, 'Evicted');
    t.is(hog.status?.message, 'The node was low on resource: memory.');
    const node = await eventually(async () => {
      const n = await env.client.resource(resources.nodes).get(k.nodeName);
      return condition(n, 'MemoryPressure')?.status === 'True' ? n : undefined;
    }, 30_000);
    t.like(condition(node, 'MemoryPressure'), { reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' });
    // The hog's containers are gone from the node's running set.
    await eventually(async () => (await docker.listContainers({ filters: { label: [`io.kubets.node=${k.nodeName}`, 'io.kubernetes.pod.name=hog'] } })).length === 0, 30_000);
    const events = await env.client.resource(resources.events, env.ns).list();
    t.truthy(events.items.find((e) => e.involvedObject?.name === 'hog' && e.reason === 'Evicted' && e.message === 'The node was low on resource: memory.'));

    // Admission under memory pressure (held for --eviction-pressure-transition-period, 5m): BestEffort refused, Guaranteed admitted.
    await pods.create(pod('late', env.ns, k.nodeName, { containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] }));
    const late = await eventually(async () => {
      const p = await getPod(env, 'late');
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 30_000);
    t.is(late.status?.reason, 'Evicted');
    t.is(late.status?.message, 'Pod The node was low on resource: [MemoryPressure].');

    // The Guaranteed pod was never touched.
    const gpod = await getPod(env, 'guaranteed');
    t.is(gpod.status?.phase, 'Running', `guaranteed: ${gpod.status?.reason ?? ''} ${gpod.status?.message ?? ''}; events: ${(await env.client.resource(resources.events, env.ns).list()).items.map((e) => `${e.involvedObject?.name}/${e.reason}: ${e.message}`).join(' | ')}`);
    t.is(gpod.status?.containerStatuses?.[0]?.restartCount, 0);

    const metrics = await kc.ok(['get', '--raw', `/api/v1/nodes/${k.nodeName}/proxy/metrics`]);
    t.regex(metrics, /^kubelet_evictions\{eviction_signal="memory\.available"\} [1-9]/m);
  } finally {
    await kc.cleanup();
    await k.cleanup();
    await env.stop();
  }
});

test.serial('image GC removes an unused image this test made when the thresholds are forced low, and keeps busybox and pause', async (t) => {
  const tag = `kubets.local/gc-${uniqueSuffix()}:1`;
  // A distinct image made from busybox (a tag alone would share busybox's id, and removing it by id would take busybox along).
  const tmp = await docker.createContainer({ Image: BUSYBOX_IMAGE, Cmd: ['true'], Labels: { 'kubets.test': 'image-gc' } });
  const [repo, version] = tag.split(':');
  await tmp.commit({ repo, tag: version, changes: `LABEL kubets.test.image=${repo.split('/')[1]}` });
  await tmp.remove({ force: true });
  t.teardown(() => docker.getImage(tag).remove().catch(() => undefined));
  const made = await docker.getImage(tag).inspect();
  const busybox = await docker.getImage(BUSYBOX_IMAGE).inspect();
  t.not(made.Id, busybox.Id);

  const env = await startEnv();
  const k = await startKubelet(env, ['--image-gc-high-threshold=0', '--image-gc-low-threshold=0', '--minimum-image-ttl-duration=0s'], (c) => {
    c.imageGCPeriodMs = 1000;
    // The engine is shared: this kubelet may only collect the image the test made.
    c.imageGCOnly = (img) => img.tags.includes(tag);
  });
  try {
    await eventually(async () => {
      try {
        await docker.getImage(tag).inspect();
        return false;
      } catch (e) {
        return (e as { statusCode?: number }).statusCode === 404;
      }
    }, 60_000);
    t.pass('the unused image is gone');
    t.is((await docker.getImage(BUSYBOX_IMAGE).inspect()).Id, busybox.Id);
    t.truthy(await docker.getImage('kubets.local/pause:3.9').inspect());
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
