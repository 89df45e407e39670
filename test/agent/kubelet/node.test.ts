// Node registration: the Node object (labels, capacity and allocatable from
// /proc minus reservations, addresses, nodeInfo, Ready), its heartbeat, the
// Lease in kube-node-lease, and /healthz.
import test from 'ava';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { resources } from '../../../controlplane/client/resources.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';
import { eventually, startEnv, startKubelet } from './harness.js';

test('the kubelet registers its node, heartbeats its status and lease, and serves /healthz', async (t) => {
  const env = await startEnv();
  const k = await startKubelet(env, ['--max-pods=42', '--kube-reserved=cpu=100m,memory=100Mi', '--system-reserved=memory=156Mi', '--node-labels=team=kubets,tier=test'], (c) => {
    c.healthzPort = -1;
  });
  try {
    const nodes = env.client.resource(resources.nodes);
    const node = await eventually(async () => {
      const n = await nodes.get(k.nodeName);
      return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? n : undefined;
    });
    t.like(node.metadata.labels, { 'kubernetes.io/hostname': k.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', team: 'kubets', tier: 'test' });
    const cap = node.status!.capacity!;
    t.is(cap.cpu, String(cpus().length));
    t.is(cap.pods, '42');
    const memKi = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    t.is(cap.memory, `${memKi}Ki`);
    const alloc = node.status!.allocatable!;
    t.is(Quantity.parse(alloc.cpu).milliValue(), BigInt(cpus().length * 1000 - 100));
    t.is(Quantity.parse(alloc.memory).value(), BigInt(memKi * 1024 - 256 * 1024 * 1024));
    const info = node.status!.nodeInfo!;
    t.regex(info.containerRuntimeVersion, /^docker:\/\/\d+\./);
    t.is(info.kubeletVersion, 'v1.8.7');
    t.is(info.operatingSystem, 'linux');
    t.truthy(info.kernelVersion);
    t.truthy(info.osImage);
    t.true(node.status!.addresses!.some((a) => a.type === 'Hostname' && a.address === k.nodeName));
    t.true(node.status!.addresses!.some((a) => a.type === 'InternalIP'));
    t.like(node.status!.conditions!.find((c) => c.type === 'Ready'), { reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    // The test kubelet serves on a free port (--port=0): the node names that one, not the default.
    t.is(node.status?.daemonEndpoints?.kubeletEndpoint?.Port, (await k.server).port);

    // Heartbeats move on; the transition time does not.
    const hb1 = node.status!.conditions!.find((c) => c.type === 'Ready')!;
    const later = await eventually(async () => {
      const n = await nodes.get(k.nodeName);
      const c = n.status?.conditions?.find((x) => x.type === 'Ready');
      return c && c.lastHeartbeatTime !== hb1.lastHeartbeatTime ? c : undefined;
    }, 10_000);
    t.is(later.lastTransitionTime, hb1.lastTransitionTime);

    const lease = await eventually(async () => env.client.resource(resources.leases, 'kube-node-lease').get(k.nodeName));
    t.is(lease.spec?.holderIdentity, k.nodeName);
    t.is(lease.spec?.leaseDurationSeconds, 40);
    t.is(lease.metadata.ownerReferences?.[0]?.kind, 'Node');
    const renewed = await eventually(async () => {
      const l = await env.client.resource(resources.leases, 'kube-node-lease').get(k.nodeName);
      return l.spec?.renewTime !== lease.spec?.renewTime ? l : undefined;
    }, 10_000);
    t.truthy(renewed);

    const port = await k.healthzPort;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    t.is(res.status, 200);
    t.is(await res.text(), 'ok');
  } finally {
    await k.cleanup();
    await env.stop();
  }
});
