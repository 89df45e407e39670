// The horizontal pod autoscaler: the replica arithmetic of 1.8 (pure) and a
// reconcile on a FakeClient with a FakeClock and a fixed metrics source —
// scale up with upstream's event wording, the upscale/downscale delays,
// min/max clamping, and what happens without metrics or requests.
import test from 'ava';
import type { HorizontalPodAutoscaler, Scale } from '../../../controlplane/api/autoscaling/v1/types.js';
import type { Deployment } from '../../../controlplane/api/apps/v1/types.js';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { PodAutoscalerController } from '../../../controlplane/controllers/podautoscaler/controller.js';
import type { PodMetricsSource } from '../../../controlplane/controllers/podautoscaler/metrics.js';
import { computeCPUReplicas, normalizeReplicas, shouldScale, type PodSample } from '../../../controlplane/controllers/podautoscaler/replicas.js';
import { fixture, iso, pod } from './fixtures.js';

const s = (name: string, requestMilli: number | undefined, usageMilli: number | undefined, ready = true): PodSample => ({ name, requestMilli, usageMilli, ready, missingRequestContainer: requestMilli === undefined ? 'c' : undefined });

test('replicas from CPU utilization (1.8 replica calculator)', (t) => {
  const cases: { name: string; current: number; target: number; pods: PodSample[]; want: number; utilization: number }[] = [
    { name: 'at target: unchanged', current: 2, target: 50, pods: [s('a', 100, 50), s('b', 100, 50)], want: 2, utilization: 50 },
    { name: 'within the 10% tolerance: unchanged', current: 2, target: 50, pods: [s('a', 100, 54), s('b', 100, 54)], want: 2, utilization: 54 },
    { name: 'double the target: double the pods', current: 2, target: 50, pods: [s('a', 100, 100), s('b', 100, 100)], want: 4, utilization: 100 },
    { name: 'under: fewer pods (ceil)', current: 4, target: 50, pods: [s('a', 100, 10), s('b', 100, 10), s('c', 100, 10), s('d', 100, 10)], want: 1, utilization: 10 },
    { name: 'scale-up: an unready pod counts as 0%', current: 3, target: 50, pods: [s('a', 100, 100), s('b', 100, 100), s('c', 100, undefined, false)], want: 4, utilization: 100 },
    { name: 'scale-up: a pod without metrics counts as 0%', current: 3, target: 50, pods: [s('a', 100, 100), s('b', 100, 100), s('c', 100, undefined)], want: 4, utilization: 100 },
    { name: 'scale-down: a pod without metrics counts as 100%', current: 4, target: 50, pods: [s('a', 100, 0), s('b', 100, 0), s('c', 100, 0), s('d', 100, undefined)], want: 2, utilization: 0 },
    { name: 'scale-down held back by the missing pod at 100%', current: 3, target: 50, pods: [s('a', 100, 10), s('b', 100, 10), s('c', 100, undefined)], want: 3, utilization: 10 },
    { name: 'the pessimistic fill-in flips direction: unchanged', current: 2, target: 50, pods: [s('a', 100, 60), s('b', 100, undefined)], want: 2, utilization: 60 },
  ];
  for (const c of cases) {
    const r = computeCPUReplicas(c.current, c.target, c.pods, 'default');
    t.is(r.replicas, c.want, c.name);
    t.is(r.utilization, c.utilization, c.name);
  }
});

test('unmeasurable targets say why', (t) => {
  const cases: [string, PodSample[], RegExp][] = [
    ['no pods', [], /no pods returned by selector while calculating replica count/],
    ['a container without a request', [s('a', undefined, 10)], /missing request for cpu on container c in pod default\/a/],
    ['no metrics at all', [s('a', 100, undefined)], /did not receive metrics for any ready pods/],
  ];
  for (const [name, pods, re] of cases) t.throws(() => computeCPUReplicas(1, 50, pods, 'default'), { message: re }, name);
});

test('clamping and the delays', (t) => {
  t.is(normalizeReplicas(2, 20, 1, 10), 4, 'one step at most doubles (or goes to 4)');
  t.is(normalizeReplicas(10, 40, 1, 15), 15, 'never above max');
  t.is(normalizeReplicas(5, 1, 2, 10), 2, 'never below min');
  const m = 60_000;
  t.true(shouldScale(2, 4, undefined, 0, 3 * m, 5 * m), 'never scaled: go');
  t.false(shouldScale(2, 4, 0, 2 * m, 3 * m, 5 * m), 'upscale within 3m of the last');
  t.true(shouldScale(2, 4, 0, 4 * m, 3 * m, 5 * m));
  t.false(shouldScale(4, 2, 0, 4 * m, 3 * m, 5 * m), 'downscale within 5m');
  t.true(shouldScale(4, 2, 0, 6 * m, 3 * m, 5 * m));
  t.false(shouldScale(3, 3, undefined, 0, 0, 0));
});

function deployment(replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'php-apache', namespace: 'default', uid: 'd-uid' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    status: { replicas },
  };
}

function hpa(extra: Partial<NonNullable<HorizontalPodAutoscaler['status']>> = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'php-apache', namespace: 'default', uid: 'h-uid', generation: 1 },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'php-apache' }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
    status: { currentReplicas: 0, desiredReplicas: 0, ...extra },
  };
}

function withRequest(p: Pod, cpu = '100m'): Pod {
  p.spec!.containers[0].resources = { requests: { cpu } };
  p.spec!.nodeName = 'n1';
  return p;
}

async function setup(replicas: number, usage: Record<string, number>, h = hpa()) {
  const f = fixture();
  const d = deployment(replicas);
  f.client.seed(resources.deployments, d);
  f.client.seed(resources.horizontalpodautoscalers, h);
  const pods = Array.from({ length: replicas }, (_, i) => withRequest(pod(`web-${i}`, { ready: true })));
  for (const p of pods) f.client.seed(resources.pods, p);
  // The fake returns the object for a subresource: answer with a Scale as the API server does.
  const scaled: number[] = [];
  f.client.prependReactor('get', 'deployments', (a) => (a.subresource === 'scale' ? { ret: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'php-apache', namespace: 'default' }, spec: { replicas }, status: { replicas, selector: 'app=web' } } satisfies Scale } : undefined));
  f.client.prependReactor('update', 'deployments', (a) => {
    if (a.subresource !== 'scale') return undefined;
    scaled.push((a.object as Scale).spec?.replicas ?? -1);
    return { ret: a.object };
  });
  const metrics: PodMetricsSource = { podCPU: async () => ({ usageMilli: new Map(Object.entries(usage).map(([k, v]) => [`default/${k}`, v])), timestampMs: f.clock.now() }) };
  const c = new PodAutoscalerController(f.ctx, { syncPeriodMs: 30_000, upscaleDelayMs: 180_000, downscaleDelayMs: 300_000, metrics });
  await f.refresh(resources.horizontalpodautoscalers);
  await f.refresh(resources.pods);
  return { f, c, scaled };
}

test('busy pods: the deployment is scaled up, with the event and status upstream writes', async (t) => {
  const { f, c, scaled } = await setup(2, { 'web-0': 90, 'web-1': 110 });
  await c.sync('default/php-apache');
  t.deepEqual(scaled, [4]);
  t.deepEqual(f.events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'SuccessfulRescale', 'New size: 4; reason: cpu resource utilization (percentage of request) above target']]);
  const st = (await f.client.resource(resources.horizontalpodautoscalers, 'default').get('php-apache')).status!;
  t.like(st, { currentReplicas: 2, desiredReplicas: 4, currentCPUUtilizationPercentage: 100, observedGeneration: 1, lastScaleTime: iso(f.clock.now()) });
});

test('within the upscale delay of the last rescale nothing is scaled; the status still reports utilization', async (t) => {
  const { f, c, scaled } = await setup(2, { 'web-0': 100, 'web-1': 100 });
  const last = iso(f.clock.now() - 60_000);
  await f.client.resource(resources.horizontalpodautoscalers, 'default').updateStatus(hpa({ lastScaleTime: last }));
  await f.refresh(resources.horizontalpodautoscalers);
  await c.sync('default/php-apache');
  t.deepEqual(scaled, []);
  const st = (await f.client.resource(resources.horizontalpodautoscalers, 'default').get('php-apache')).status!;
  t.like(st, { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 100, lastScaleTime: last });
});

test('idle pods: scaled down to minReplicas with "All metrics below target"', async (t) => {
  const { f, c, scaled } = await setup(3, { 'web-0': 1, 'web-1': 1, 'web-2': 1 });
  await c.sync('default/php-apache');
  t.deepEqual(scaled, [1]);
  t.is(f.events[0]?.message, 'New size: 1; reason: All metrics below target');
});

test('no metrics: a warning event, no scaling, no utilization in status', async (t) => {
  const { f, c, scaled } = await setup(2, {});
  await c.sync('default/php-apache');
  t.deepEqual(scaled, []);
  t.true(f.events.some((e) => e.reason === 'FailedGetResourceMetric' && /did not receive metrics for any ready pods/.test(e.message)));
  const st = (await f.client.resource(resources.horizontalpodautoscalers, 'default').get('php-apache')).status!;
  t.is(st.currentCPUUtilizationPercentage, undefined);
  t.is(st.desiredReplicas, 2);
});

test('a target kind without a scale subresource: FailedGetScale', async (t) => {
  const h = hpa();
  h.spec!.scaleTargetRef = { kind: 'Pod', name: 'x' };
  const { f, c } = await setup(1, {}, h);
  await c.sync('default/php-apache');
  t.like(f.events[0], { type: 'Warning', reason: 'FailedGetScale', message: 'unable to fetch scale for Pod/x: no scale subresource for kind Pod' });
});
