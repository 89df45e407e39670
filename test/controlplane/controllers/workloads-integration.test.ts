// The DaemonSet, StatefulSet and CronJob controllers in-process against a
// REAL kube-apiserver (sqlite), with the REAL kubectl (1.27 and 1.33) where
// users have it: `rollout status`, `rollout history`, `get sts`. The test
// plays the kubelet — marking pods Running and Ready through pods/status, and
// finishing graceful deletions (a pod on a node waits for its kubelet) — and
// the cron job's clock is a fake one the test moves. No timing upper bounds:
// outcomes are awaited with generous deadlines.
import test from 'ava';
import type { DaemonSet, StatefulSet } from '../../../controlplane/api/apps/v1/types.js';
import type { CronJob } from '../../../controlplane/api/batch/v1/types.js';
import type { Node, Pod } from '../../../controlplane/api/core/v1/types.js';
import type { EventRecorder } from '../../../controlplane/client/events.js';
import { SharedInformerFactory } from '../../../controlplane/client/factory.js';
import { resources } from '../../../controlplane/client/resources.js';
import { FakeClock } from '../../../controlplane/client/testing/clock.js';
import { RateLimitingQueue } from '../../../controlplane/client/workqueue.js';
import { CronJobController } from '../../../controlplane/controllers/cronjob/controller.js';
import { makeKubectl, type Kubectl, type KubectlVersion } from '../../harness/kubectl.js';
import { eventually, listPods, markPodRunning, startEnv, startManager, testLogger, type Env } from './harness.js';

async function setup(t: { teardown(fn: () => Promise<void> | void): void }, controllers: string[]): Promise<Env> {
  const env = await startEnv();
  const m = startManager(env, { controllers });
  t.teardown(async () => {
    await m.abort();
    await env.stop();
  });
  await m.started;
  return env;
}

async function kubectl(t: { teardown(fn: () => Promise<void> | void): void }, env: Env, version: KubectlVersion): Promise<Kubectl> {
  const k = await makeKubectl(version, env.api.url);
  t.teardown(() => k.cleanup());
  return k;
}

function node(name: string, labels: Record<string, string> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: {} };
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);

/** Plays the kubelet once: pods not Ready become Running and Ready; terminating pods are removed. */
async function kubeletPass(env: Env, labelSelector: string): Promise<void> {
  const pods = env.client.resource(resources.pods, 'default');
  for (const p of await listPods(env, 'default', labelSelector)) {
    if (p.metadata.deletionTimestamp) {
      await pods.delete(p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      continue;
    }
    if (!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) await markPodRunning(env, p).catch(() => undefined);
  }
}

/** Runs a kubectl command that waits (rollout status) while playing the kubelet until it returns. */
async function whilePlayingKubelet(env: Env, k: Kubectl, args: string[], labelSelector: string): Promise<string> {
  let finished = false;
  const run = k.run(args).finally(() => (finished = true));
  await eventually(
    async () => {
      await kubeletPass(env, labelSelector);
      return finished ? true : undefined;
    },
    `kubectl ${args.join(' ')} to return`,
    120_000,
  );
  const r = await run;
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

const daemonSetYaml = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: agent}
    spec:
      nodeSelector: {role: worker}
      containers:
      - name: agent
        image: ${image}
`;

for (const version of ['1.27', '1.33'] as const) {
  test(`daemonset with real kubectl ${version}: one pod per matching node, follows nodes, rollout status and history`, async (t) => {
    const env = await setup(t, ['daemonset', 'garbagecollector']);
    const k = await kubectl(t, env, version);
    const nodes = env.client.resource(resources.nodes);
    await nodes.create(node('n1', { role: 'worker' }));
    await nodes.create(node('n2', { role: 'worker' }));
    await nodes.create(node('m1', { role: 'master' }));
    await k.ok(['create', '-f', '-'], { input: daemonSetYaml('busybox:1') });
    const ds = (await env.client.resource(resources.daemonsets, 'default').get('agent')) as DaemonSet;

    const onNodes = async (want: string[]) =>
      eventually(async () => {
        const pods = live(await listPods(env, 'default', 'app=agent'));
        const names = pods.map((p) => p.spec?.nodeName ?? '').sort();
        return JSON.stringify(names) === JSON.stringify(want) ? pods : undefined;
      }, `daemon pods on ${want.join(',')}`);
    const pods = await onNodes(['n1', 'n2']);
    t.true(pods.every((p) => p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet' && r.uid === ds.metadata.uid && r.controller === true)));
    t.true(pods.every((p) => p.metadata.labels?.['controller-revision-hash'] && p.metadata.labels?.['pod-template-generation'] === '1'));

    t.regex(await whilePlayingKubelet(env, k, ['rollout', 'status', 'ds/agent', '--timeout=100s'], 'app=agent'), /daemon set "agent" successfully rolled out/);
    const st = ((await env.client.resource(resources.daemonsets, 'default').get('agent')) as DaemonSet).status;
    t.like(st, { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2, numberMisscheduled: 0 });

    // A node joins: it gets a pod. A node stops matching: its pod goes.
    await nodes.create(node('n3', { role: 'worker' }));
    await onNodes(['n1', 'n2', 'n3']);
    await nodes.patch('n1', 'merge', { metadata: { labels: { role: 'master' } } });
    await eventually(async () => {
      await kubeletPass(env, 'app=agent');
      const names = live(await listPods(env, 'default', 'app=agent')).map((p) => p.spec?.nodeName).sort();
      return JSON.stringify(names) === JSON.stringify(['n2', 'n3']) ? true : undefined;
    }, 'the pod on n1 removed');

    // A new image rolls out node by node; history shows two revisions.
    await k.ok(['set', 'image', 'ds/agent', 'agent=busybox:2']);
    t.regex(await whilePlayingKubelet(env, k, ['rollout', 'status', 'ds/agent', '--timeout=100s'], 'app=agent'), /successfully rolled out/);
    const after = live(await listPods(env, 'default', 'app=agent'));
    t.is(after.length, 2);
    t.true(after.every((p) => p.spec?.containers[0].image === 'busybox:2'));
    const history = await k.ok(['rollout', 'history', 'ds/agent']);
    t.regex(history, /REVISION/);
    t.regex(history, /^1\s/m);
    t.regex(history, /^2\s/m);
    const rev1 = await k.ok(['rollout', 'history', 'ds/agent', '--revision=1']);
    t.regex(rev1, /busybox:1/);
  });

  test(`statefulset with real kubectl ${version}: ordered scale-up as pods become ready, get sts columns, scale-down from the top`, async (t) => {
    const env = await setup(t, ['statefulset', 'garbagecollector']);
    const k = await kubectl(t, env, version);
    const set: StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        serviceName: 'nginx',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    await env.client.resource(resources.statefulsets, 'default').create(set);
    const pods = env.client.resource(resources.pods, 'default');
    const names = async () => live(await listPods(env, 'default', 'app=web')).map((p) => p.metadata.name).sort();

    for (const [i, want] of [
      [0, ['web-0']],
      [1, ['web-0', 'web-1']],
      [2, ['web-0', 'web-1', 'web-2']],
    ] as const) {
      await eventually(async () => (JSON.stringify(await names()) === JSON.stringify(want) ? true : undefined), `${want.join(',')}`);
      const p = await pods.get(`web-${i}`);
      t.like(p.spec, { hostname: `web-${i}`, subdomain: 'nginx' });
      t.is(p.metadata.labels?.['statefulset.kubernetes.io/pod-name'], `web-${i}`);
      t.truthy(await env.client.resource(resources.persistentvolumeclaims, 'default').get(`data-web-${i}`), 'its claim exists');
      // Not yet ready: the next ordinal must not appear.
      await new Promise((r) => setTimeout(r, 300));
      t.deepEqual(await names(), [...want], `no web-${i + 1} before web-${i} is ready`);
      await markPodRunning(env, p);
    }
    await eventually(async () => {
      const s = ((await env.client.resource(resources.statefulsets, 'default').get('web')) as StatefulSet).status;
      return s?.readyReplicas === 3 && s.currentReplicas === 3 && s.updatedReplicas === 3 ? true : undefined;
    }, 'status 3 ready');
    const table = await k.ok(['get', 'sts', 'web']);
    t.regex(table, /NAME\s+READY\s+AGE/);
    t.regex(table, /web\s+3\/3\s+/);
    // apps/v1 defaults rollingUpdate.partition to 0, and kubectl then reports a partitioned roll out.
    t.regex(await k.ok(['rollout', 'status', 'sts/web', '--timeout=60s']), /partitioned roll out complete: 3 new pods have been updated|statefulset rolling update complete 3 pods at revision web-/);

    // Scale to 1: web-2 goes first, then web-1; the claims stay.
    // The order of deletions, from a watch (a pod on no node is removed at once).
    const seen: string[] = [];
    const stopWatch = new AbortController();
    const { resourceVersion } = await pods.list({ labelSelector: 'app=web' });
    const watching = (async () => {
      for await (const ev of pods.watch({ labelSelector: 'app=web', resourceVersion, signal: stopWatch.signal })) {
        const n = ev.object.metadata?.name ?? '';
        if ((ev.type === 'DELETED' || (ev.type === 'MODIFIED' && ev.object.metadata?.deletionTimestamp)) && !seen.includes(n)) seen.push(n);
      }
    })();
    await k.ok(['scale', 'sts/web', '--replicas=1']);
    await eventually(async () => {
      await kubeletPass(env, 'app=web');
      return JSON.stringify(await names()) === JSON.stringify(['web-0']) ? true : undefined;
    }, 'scaled down to web-0');
    await eventually(async () => (seen.length >= 2 ? true : undefined), 'both deletions watched');
    stopWatch.abort();
    await watching.catch(() => undefined);
    t.deepEqual(seen, ['web-2', 'web-1'], 'from the highest ordinal down');
    const claims = (await env.client.resource(resources.persistentvolumeclaims, 'default').list()).items.map((c) => c.metadata.name).sort();
    t.deepEqual(claims, ['data-web-0', 'data-web-1', 'data-web-2']);
    t.regex(await k.ok(['get', 'sts', 'web']), /web\s+1\/1\s+/);
  });
}

test('cronjob against the real API server on a fake clock: */1 creates a job at the next minute, owned and recorded', async (t) => {
  const env = await startEnv();
  const ac = new AbortController();
  const clock = new FakeClock(Date.now());
  const informers = new SharedInformerFactory(env.client, { log: testLogger() });
  const events: string[] = [];
  const recorder: EventRecorder = { event: (_o, _type, reason) => events.push(reason) };
  const c = new CronJobController({ client: env.client, informers, clock, log: testLogger(), recorder, newQueue: (name, o) => new RateLimitingQueue({ ...o, clock, name }) });
  informers.start(ac.signal);
  const running = c.run(ac.signal);
  t.teardown(async () => {
    ac.abort();
    await running;
    await informers.shutdown();
    await env.stop();
  });
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick' },
    spec: { schedule: '*/1 * * * *', jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
  const created = await env.client.resource(resources.cronjobs, 'default').create(cj);
  // Let the first sync happen (nothing due yet), then move past the next minute.
  await eventually(async () => (events.length > 0 || clock.pending > 0 ? true : undefined), 'the first sync to requeue for the next minute');
  t.is((await env.client.resource(resources.jobs, 'default').list()).items.length, 0, 'nothing before the minute');
  // Cross exactly one minute boundary after the creation time, one second past it.
  const base = Math.max(clock.now(), Date.parse(created.metadata.creationTimestamp!));
  const target = (Math.floor(base / 60_000) + 1) * 60_000 + 1000;
  await clock.advance(target - clock.now());
  const job = await eventually(async () => (await env.client.resource(resources.jobs, 'default').list()).items[0], 'a job');
  const minute = Math.floor(target / 60_000);
  t.is(job.metadata.name, `tick-${minute}`);
  t.like(job.metadata.ownerReferences?.[0], { kind: 'CronJob', name: 'tick', uid: created.metadata.uid, controller: true });
  t.like(job.metadata.labels, { app: 'tick' });
  const status = await eventually(async () => {
    const s = ((await env.client.resource(resources.cronjobs, 'default').get('tick')) as CronJob).status;
    return s?.active?.length === 1 ? s : undefined;
  }, 'status.active');
  t.is(status.lastScheduleTime, new Date(minute * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'));
  t.true(events.includes('SuccessfulCreate'));
});
