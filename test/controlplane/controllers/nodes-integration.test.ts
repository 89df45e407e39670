// The node controllers in-process against a REAL kube-apiserver (sqlite),
// with short periods: the test plays two kubelets, one heart-beating, one
// gone silent. The silent node becomes Unknown (kubectl 1.33 shows it
// NotReady), its pod not ready, then evicted after --pod-eviction-timeout;
// deleting the node lets the pod GC remove the pod for good; every node gets
// a podCIDR from --cluster-cidr. No timing upper bounds: outcomes are
// awaited with generous deadlines.
import test from 'ava';
import type { Node, Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { defaultNodeLifecycleOptions } from '../../../controlplane/controllers/nodelifecycle/options.js';
import { makeKubectl } from '../../harness/kubectl.js';
import { eventually, markPodRunning, startEnv, startManager, type Env } from './harness.js';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function node(name: string): Node {
  const t = now();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: {},
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: t, lastTransitionTime: t },
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: t, lastTransitionTime: t },
      ],
    },
  };
}

/** Plays a live kubelet: the node's status heartbeat, every 500 ms, until stopped. */
function heartbeat(env: Env, name: string): () => Promise<void> {
  let stop = false;
  const nodes = env.client.resource(resources.nodes);
  const loop = (async () => {
    while (!stop) {
      const t = now();
      const cur = await nodes.get(name).catch(() => undefined);
      if (cur) {
        const conditions = (cur.status?.conditions ?? []).map((c) => ({ ...c, status: c.type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: t }));
        await nodes.patch(name, 'merge', { status: { conditions } }, { subresource: 'status' }).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return async () => {
    stop = true;
    await loop;
  };
}

const ready = (n: Node | Pod) => (n.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;

test('a silent node becomes Unknown (kubectl: NotReady), its pod is evicted after the timeout and collected once the node is gone; nodes get podCIDRs', async (t) => {
  const env = await startEnv();
  const m = startManager(env, {
    controllers: ['nodelifecycle', 'nodeipam', 'podgc'],
    // Seconds instead of minutes; the heartbeat timestamps have one-second resolution.
    nodeLifecycle: { ...defaultNodeLifecycleOptions(), monitorPeriodMs: 250, monitorGracePeriodMs: 4_000, startupGracePeriodMs: 4_000, podEvictionTimeoutMs: 6_000 },
    nodeIpam: { allocateNodeCIDRs: true, clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, allocatorType: 'RangeAllocator', serviceClusterIPRange: '10.96.0.0/12' },
    podGC: { terminatedPodThreshold: 12500, periodMs: 500 },
  });
  const stops: (() => Promise<void>)[] = [];
  t.teardown(async () => {
    for (const s of stops) await s();
    await m.abort();
    await env.stop();
  });
  t.deepEqual([...(await m.started)].sort(), ['nodeipam', 'nodelifecycle', 'podgc']);

  const nodes = env.client.resource(resources.nodes);
  const pods = env.client.resource(resources.pods, 'default');
  await nodes.create(node('live'));
  await nodes.create(node('silent'));
  stops.push(heartbeat(env, 'live'));

  // nodeipam: both nodes get distinct /24s of the cluster CIDR.
  const cidrs = await eventually(async () => {
    const l = (await nodes.list()).items.map((n) => n.spec?.podCIDR);
    return l.length === 2 && l.every(Boolean) ? l : undefined;
  }, 'podCIDRs on both nodes');
  t.true(cidrs.every((c) => /^10\.244\.\d+\.0\/24$/.test(c!)), cidrs.join(' '));
  t.not(cidrs[0], cidrs[1]);
  t.deepEqual((await nodes.get('live')).spec?.podCIDRs, [(await nodes.get('live')).spec?.podCIDR]);

  const mk = (name: string, nodeName: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
  await markPodRunning(env, await pods.create(mk('on-silent', 'silent')));
  await markPodRunning(env, await pods.create(mk('on-live', 'live')));

  // nodelifecycle: Unknown with the upstream reason, and the pod not ready.
  const silent = await eventually(async () => {
    const n = await nodes.get('silent');
    return ready(n) === 'Unknown' ? n : undefined;
  }, 'the silent node to become Unknown');
  t.like(silent.status?.conditions?.find((c) => c.type === 'Ready'), { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  await eventually(async () => (ready(await pods.get('on-silent')) === 'False' ? true : undefined), 'its pod marked not ready');

  // The real kubectl shows it (the server's Table: NotReady for any Ready status but True).
  const k = await makeKubectl('1.33', env.api.url);
  t.teardown(() => k.cleanup());
  const table = await k.ok(['get', 'nodes']);
  t.regex(table, /^silent\s+NotReady\b/m);
  t.regex(table, /^live\s+Ready\b/m);

  // Evicted after --pod-eviction-timeout: a graceful delete (no kubelet answers, so it stays terminating).
  const evicted = await eventually(async () => {
    const p = await pods.get('on-silent').catch(() => undefined);
    return !p || p.metadata.deletionTimestamp ? (p ?? 'gone') : undefined;
  }, 'the pod on the silent node to be evicted');
  if (evicted !== 'gone') t.is(evicted.status?.reason, 'NodeLost');
  // Events are sent in the background: wait for them too.
  const ev = await eventually(async () => {
    const l = (await env.client.resource(resources.events, 'default').list()).items;
    return l.find((e) => e.reason === 'NodeControllerEviction') ? l : undefined;
  }, 'the eviction event');
  t.truthy(ev.find((e) => e.message === 'Marking for deletion Pod on-silent from Node silent'));
  t.truthy(ev.find((e) => e.reason === 'NodeNotReady' && e.message === 'Node silent status is now: NodeNotReady' && e.source?.component === 'node-controller'));
  t.is(ready(await nodes.get('live')), 'True');
  t.falsy((await pods.get('on-live')).metadata.deletionTimestamp, 'the live node keeps its pod');

  // podgc: the node deleted, its terminating pod is force-deleted as an orphan.
  await nodes.delete('silent');
  await eventually(async () => ((await pods.get('on-silent').catch(() => undefined)) ? undefined : true), 'the orphaned pod to be collected');
  t.truthy(await pods.get('on-live'));

  // nodeipam: a node created now gets a subnet too (the released one may be reused later, not necessarily now).
  await nodes.create(node('third'));
  stops.push(heartbeat(env, 'third'));
  const third = await eventually(async () => (await nodes.get('third')).spec?.podCIDR, 'a podCIDR for a new node');
  t.regex(third, /^10\.244\.\d+\.0\/24$/);
  t.not(third, (await nodes.get('live')).spec?.podCIDR);
});
