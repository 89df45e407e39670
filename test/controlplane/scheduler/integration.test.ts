// kube-scheduler against a REAL kube-apiserver (in-process, sqlite store)
// with fake Node objects (no kubelet): the scenarios issue 4 lists.
import test from 'ava';
import http from 'node:http';
import { resources } from '../../../controlplane/client/resources.js';
import { antiTerm, node, pod } from './fixtures.js';
import { createNode, createPod, eventually, getPod, nodeOf, startEnv, startScheduler } from './harness.js';

test('nodeSelector, taints and anti-affinity place pods where they belong', async (t) => {
  const env = await startEnv();
  const s = startScheduler(env);
  try {
    await createNode(env, node('ssd-node', { labels: { disktype: 'ssd' } }));
    await createNode(env, node('hdd-node', { labels: { disktype: 'hdd' } }));
    await createNode(env, node('gpu-node', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] }));

    // The seeds' example: nodeSelector disktype=ssd.
    await createPod(env, pod('nginx', { spec: { nodeSelector: { disktype: 'ssd' } } }));
    t.is(await nodeOf(env, 'nginx'), 'ssd-node');

    // A taint keeps pods off unless tolerated.
    await createPod(env, pod('tolerant', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'gpu-node' }, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] } }));
    t.is(await nodeOf(env, 'tolerant'), 'gpu-node');
    for (let i = 0; i < 4; i++) await createPod(env, pod(`plain-${i}`));
    for (let i = 0; i < 4; i++) t.not(await nodeOf(env, `plain-${i}`), 'gpu-node');

    // Anti-affinity spreads three replicas over three nodes (tolerating the gpu taint so all three are candidates).
    const replica = (i: number) =>
      pod(`web-${i}`, {
        labels: { app: 'web' },
        spec: { tolerations: [{ key: 'gpu', operator: 'Exists' }], affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'web' })] } } },
      });
    for (let i = 0; i < 3; i++) await createPod(env, replica(i));
    const placed = await Promise.all([0, 1, 2].map((i) => nodeOf(env, `web-${i}`)));
    t.is(new Set(placed).size, 3);

    // A fourth replica has nowhere to go.
    await createPod(env, replica(3));
    const cond = await eventually(async () => (await getPod(env, 'web-3')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    t.is(cond.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
  } finally {
    t.is(await s.abort(), 'stopped');
    await env.stop();
  }
});

test('a pod with no room stays Pending with FailedScheduling and PodScheduled=False, and is bound once a node appears', async (t) => {
  const env = await startEnv();
  const s = startScheduler(env);
  try {
    await createNode(env, node('small-1', { cpu: '1' }));
    await createNode(env, node('small-2', { cpu: '1' }));
    await createNode(env, node('cordoned', { cpu: '8', unschedulable: true }));
    await createPod(env, pod('big', { cpu: '2' }));
    const want = '0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.';
    const cond = await eventually(async () => (await getPod(env, 'big')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
    t.like(cond, { status: 'False', reason: 'Unschedulable', message: want });
    const ev = await eventually(async () => {
      const list = await env.client.resource(resources.events, 'default').list();
      return list.items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big');
    });
    t.like(ev, { type: 'Warning', message: want, source: { component: 'default-scheduler' } });
    t.is((await getPod(env, 'big')).spec?.nodeName ?? '', '');

    await createNode(env, node('big-node', { cpu: '4' }));
    t.is(await nodeOf(env, 'big'), 'big-node');
    const bound = await getPod(env, 'big');
    t.like(
      bound.status?.conditions?.find((c) => c.type === 'PodScheduled'),
      { status: 'True' },
    );
    const scheduled = await eventually(async () => (await env.client.resource(resources.events, 'default').list()).items.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'big'));
    t.is(scheduled.message, 'Successfully assigned default/big to big-node');
  } finally {
    await s.abort();
    await env.stop();
  }
});

test('assumed pods count at once: a burst fills nodes exactly, and a delete makes room', async (t) => {
  const env = await startEnv();
  const s = startScheduler(env);
  try {
    await createNode(env, node('a', { cpu: '1', memory: '4Gi' }));
    await createNode(env, node('b', { cpu: '1', memory: '4Gi' }));
    await Promise.all(Array.from({ length: 5 }, (_, i) => createPod(env, pod(`p${i}`, { cpu: '500m' }))));
    const placed = await eventually(async () => {
      const list = await env.client.resource(resources.pods, 'default').list();
      const bound = list.items.filter((p) => p.spec?.nodeName);
      const pending = list.items.find((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
      return bound.length === 4 && pending ? { bound, pending } : undefined;
    });
    const perNode = new Map<string, number>();
    for (const p of placed.bound) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    t.deepEqual(Object.fromEntries(perNode), { a: 2, b: 2 });
    t.is(placed.pending.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message, '0/2 nodes are available: 2 Insufficient cpu.');

    await env.client.resource(resources.pods, 'default').delete(placed.bound[0].metadata.name!, { gracePeriodSeconds: 0 });
    t.is(await nodeOf(env, placed.pending.metadata.name!), placed.bound[0].spec!.nodeName!);
  } finally {
    await s.abort();
    await env.stop();
  }
});

test('two schedulers by name each take only their own pods', async (t) => {
  const env = await startEnv();
  const a = startScheduler(env);
  const b = startScheduler(env, { schedulerName: 'my-scheduler', profile: (await import('../../../controlplane/scheduler/framework/registry.js')).providerProfile('ClusterAutoscalerProvider') });
  try {
    await createNode(env, node('n1'));
    await createPod(env, pod('mine', { spec: { schedulerName: 'my-scheduler' } }));
    await createPod(env, pod('default'));
    await createPod(env, pod('nobodys', { spec: { schedulerName: 'no-such-scheduler' } }));
    await nodeOf(env, 'mine');
    await nodeOf(env, 'default');
    const evs = await eventually(async () => {
      const items = (await env.client.resource(resources.events, 'default').list()).items.filter((e) => e.reason === 'Scheduled');
      return items.length === 2 ? items : undefined;
    });
    t.is(evs.find((e) => e.involvedObject.name === 'mine')?.source?.component, 'my-scheduler');
    t.is(evs.find((e) => e.involvedObject.name === 'default')?.source?.component, 'default-scheduler');
    await new Promise((r) => setTimeout(r, 300));
    const nobody = await getPod(env, 'nobodys');
    t.is(nobody.spec?.nodeName ?? '', '');
    t.is(nobody.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined, 'no scheduler touched it');
  } finally {
    await Promise.all([a.abort(), b.abort()]);
    await env.stop();
  }
});

test('leader election: the standby schedules nothing until the leader stops, then takes over', async (t) => {
  const env = await startEnv();
  const le = { leaderElect: true, leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };
  const first = startScheduler(env, { ...le, identity: 'first' });
  try {
    await createNode(env, node('n1'));
    const leases = env.client.resource(resources.leases, 'kube-system');
    await eventually(async () => ((await leases.get('kube-scheduler')).spec?.holderIdentity === 'first' ? true : undefined));
    const second = startScheduler(env, { ...le, identity: 'second' });
    try {
      await createPod(env, pod('one'));
      await nodeOf(env, 'one');
      t.is((await leases.get('kube-scheduler')).spec?.holderIdentity, 'first');

      t.is(await first.abort(), 'stopped');
      // The first releases its lease on stop, so the second takes it at its next retry;
      // no time bound is asserted (a loaded machine is slow), only the hand-over.
      await eventually(async () => ((await leases.get('kube-scheduler')).spec?.holderIdentity === 'second' ? true : undefined), 20_000, 'second to take the lease');
      await createPod(env, pod('two'));
      t.is(await nodeOf(env, 'two'), 'n1');
    } finally {
      await second.abort();
    }
  } finally {
    await first.abort();
    await env.stop();
  }
});

test('healthz and metrics are served', async (t) => {
  const env = await startEnv();
  const s = startScheduler(env, { port: -1, address: '127.0.0.1' });
  const get = (port: number, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  try {
    const port = await s.port;
    t.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok' });
    await createNode(env, node('n1'));
    await createPod(env, pod('p'));
    await nodeOf(env, 'p');
    const m = await eventually(async () => {
      const r = await get(port, '/metrics');
      return r.body.includes('scheduler_schedule_attempts_total{result="scheduled"} 1') ? r.body : undefined;
    });
    t.regex(m, /scheduler_e2e_scheduling_duration_seconds_bucket/);
    t.regex(m, /scheduler_pending_pods\{queue="active"\} 0/);
    t.is((await get(port, '/debug/pprof/')).status, 200);
  } finally {
    await s.abort();
    await env.stop();
  }
});
