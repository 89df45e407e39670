/**
 * The horizontal pod autoscaler (upstream 1.8 pkg/controller/podautoscaler,
 * autoscaling/v1: a CPU utilization target). Every
 * --horizontal-pod-autoscaler-sync-period each HPA is reconciled:
 *
 *   scale subresource of spec.scaleTargetRef → the pods its selector picks →
 *   their CPU usage (metrics.ts) → replicas (replicas.ts) → clamp to
 *   min/max and the one-step limit → rescale unless within the upscale
 *   (3m) / downscale (5m) delay since status.lastScaleTime → status.
 *
 * Replicas 0 on the target switches autoscaling off, as upstream. Events and
 * their wording are upstream's (SuccessfulRescale "New size: 4; reason: cpu
 * resource utilization (percentage of request) above target",
 * FailedGetScale, FailedGetResourceMetric, FailedComputeMetricsReplicas,
 * FailedRescale), so `kubectl describe hpa` reads the same.
 */
import type { HorizontalPodAutoscaler, Scale } from '../../api/autoscaling/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources, type ResourceRef } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { parseSelector, type Selector } from '../../machinery/labels.js';
import { formatRFC3339, splitKey } from '../../machinery/meta/helpers.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { Quantity } from '../../machinery/quantity.js';
import { errorMessage } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { runLoop } from '../common/loop.js';
import { isPodReady, keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { KubeletSummaryMetrics, type PodMetricsSource } from './metrics.js';
import { computeCPUReplicas, normalizeReplicas, shouldScale, type PodSample } from './replicas.js';

export interface PodAutoscalerOptions {
  /** --horizontal-pod-autoscaler-sync-period (30s). */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-upscale-delay (3m). */
  upscaleDelayMs: number;
  /** --horizontal-pod-autoscaler-downscale-delay (5m). */
  downscaleDelayMs: number;
  /** Where CPU usage comes from (default: the kubelets' summaries through the API server). */
  metrics?: PodMetricsSource;
  workers?: number;
}

const CPU_METRIC = 'cpu resource utilization (percentage of request)';

/** The scalable kinds a scaleTargetRef may name, by kind (the group comes from apiVersion; kind alone is unambiguous here). */
const SCALABLE: Readonly<Record<string, ResourceRef<KubeObject>>> = {
  Deployment: resources.deployments as unknown as ResourceRef<KubeObject>,
  ReplicaSet: resources.replicasets as unknown as ResourceRef<KubeObject>,
  ReplicationController: resources.replicationcontrollers as unknown as ResourceRef<KubeObject>,
  StatefulSet: resources.statefulsets as unknown as ResourceRef<KubeObject>,
};

export class PodAutoscalerController implements Controller {
  readonly name = 'horizontalpodautoscaling';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly hpas: SharedInformer<HorizontalPodAutoscaler>;
  private readonly pods: SharedInformer<Pod>;
  private readonly events: KindEvents;
  private readonly metrics: PodMetricsSource;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: PodAutoscalerOptions,
  ) {
    this.queue = ctx.newQueue('horizontalpodautoscaler');
    this.events = new KindEvents(ctx.recorder, 'autoscaling/v1', 'HorizontalPodAutoscaler');
    this.metrics = opts.metrics ?? new KubeletSummaryMetrics(ctx.client, (node, err) => ctx.log.v(2).info('cannot read the node summary', { node, err: err.message }));
    this.hpas = ctx.informers.informerFor(resources.horizontalpodautoscalers);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.hpas.onAdd((h) => this.queue.add(keyOfMeta(h.metadata)));
    // Spec changes act at once; status-only updates are our own writes.
    this.hpas.onUpdate((o, h) => o.metadata.generation !== h.metadata.generation && this.queue.add(keyOfMeta(h.metadata)));
    this.hpas.onDelete((h) => this.queue.forget(keyOfMeta(h.metadata)));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'horizontal pod autoscaler', informers: [this.hpas, this.pods], queue: this.queue, workers: this.opts.workers ?? 1, sync: (k) => this.sync(k, signal), log: this.ctx.log }, signal);
  }

  /** One reconcile of one HPA; re-queued after the sync period while it exists. */
  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const cached = this.hpas.lister.get(key);
    if (!cached) return;
    try {
      await this.reconcile(cached, signal);
    } finally {
      if (this.hpas.lister.get(key)) this.queue.addAfter(key, this.opts.syncPeriodMs);
    }
  }

  private async reconcile(cached: RO<HorizontalPodAutoscaler>, signal?: AbortSignal): Promise<void> {
    const { namespace, name } = splitKey(keyOfMeta(cached.metadata));
    const spec = cached.spec!;
    const ref = spec.scaleTargetRef;
    const refText = `${ref.kind}/${ref.name}`;
    const target = SCALABLE[ref.kind];
    if (!target) {
      this.events.emit(cached, 'Warning', 'FailedGetScale', `unable to fetch scale for ${refText}: no scale subresource for kind ${ref.kind}`);
      return;
    }
    const objects = this.ctx.client.resource(target, namespace);
    let scale: Scale;
    try {
      scale = await objects.getSubresource<Scale>(ref.name, 'scale', { signal });
    } catch (e) {
      this.events.emit(cached, 'Warning', 'FailedGetScale', `unable to fetch scale for ${refText}: ${errorMessage(e)}`);
      throw e;
    }
    const currentReplicas = scale.status?.replicas ?? 0;
    const min = spec.minReplicas ?? 1;
    const max = spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let utilization: number | undefined;
    let timestampMs = this.ctx.clock.now();
    let rescale = true;
    if ((scale.spec?.replicas ?? 0) === 0) {
      // The target was scaled to zero by hand: autoscaling is off until it comes back.
      rescale = false;
    } else if (currentReplicas > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (currentReplicas < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else if (currentReplicas === 0) {
      reason = 'Current number of replicas must be greater than 0';
      desired = 1;
    } else {
      const computed = await this.computeReplicas(cached, namespace, refText, currentReplicas, scale, signal);
      if (!computed) {
        await this.writeStatus(cached, currentReplicas, currentReplicas, undefined, false);
        return;
      }
      desired = computed.replicas;
      utilization = computed.utilization;
      timestampMs = computed.timestampMs ?? timestampMs;
      if (desired > currentReplicas) reason = `${CPU_METRIC} above target`;
      if (desired < currentReplicas) reason = 'All metrics below target';
      desired = normalizeReplicas(currentReplicas, desired, min, max);
      const last = cached.status?.lastScaleTime ? Date.parse(cached.status.lastScaleTime) : undefined;
      rescale = shouldScale(currentReplicas, desired, last, timestampMs, this.opts.upscaleDelayMs, this.opts.downscaleDelayMs);
    }
    if (rescale && desired !== currentReplicas) {
      try {
        await objects.updateSubresource<Scale>(ref.name, 'scale', { ...scale, spec: { ...scale.spec, replicas: desired } }, { signal });
      } catch (e) {
        this.events.emit(cached, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${errorMessage(e)}`);
        throw e;
      }
      this.events.emit(cached, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.ctx.log.info('Successful rescale', { hpa: `${namespace}/${name}`, target: refText, oldSize: currentReplicas, newSize: desired, reason });
    } else {
      desired = currentReplicas;
    }
    await this.writeStatus(cached, currentReplicas, desired, utilization, rescale && desired !== currentReplicas);
  }

  private async computeReplicas(hpa: RO<HorizontalPodAutoscaler>, namespace: string, refText: string, currentReplicas: number, scale: Scale, signal?: AbortSignal): Promise<{ replicas: number; utilization: number; timestampMs?: number } | undefined> {
    let selector: Selector;
    try {
      if (!scale.status?.selector) throw new Error('selector is required');
      selector = parseSelector(scale.status.selector);
    } catch (e) {
      this.events.emit(hpa, 'Warning', 'InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${errorMessage(e)}`);
      return undefined;
    }
    const pods = this.pods.lister.byIndex(NAMESPACE_INDEX, namespace).filter((p) => selector.matches(p.metadata.labels) && !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    let usage: Map<string, number>;
    let timestampMs: number | undefined;
    try {
      const m = await this.metrics.podCPU(pods, signal);
      usage = m.usageMilli;
      timestampMs = m.timestampMs;
    } catch (e) {
      this.events.emit(hpa, 'Warning', 'FailedGetResourceMetric', `unable to get metrics for resource cpu: ${errorMessage(e)}`);
      return undefined;
    }
    const samples = pods.map((p) => podSample(p, usage));
    try {
      const r = computeCPUReplicas(currentReplicas, hpa.spec?.targetCPUUtilizationPercentage ?? 80, samples, namespace);
      return { replicas: r.replicas, utilization: r.utilization, timestampMs };
    } catch (e) {
      this.events.emit(hpa, 'Warning', 'FailedGetResourceMetric', `unable to get metrics for resource cpu: ${errorMessage(e)}`);
      this.events.emit(hpa, 'Warning', 'FailedComputeMetricsReplicas', `failed to get cpu utilization: unable to get metrics for resource cpu: ${errorMessage(e)}`);
      this.ctx.log.v(1).info('cannot compute replicas', { target: refText, err: errorMessage(e) });
      return undefined;
    }
  }

  private async writeStatus(cached: RO<HorizontalPodAutoscaler>, current: number, desired: number, utilization: number | undefined, rescaled: boolean): Promise<void> {
    const hpa = mutableCopy<HorizontalPodAutoscaler>(cached);
    const status = {
      ...(hpa.status ?? { currentReplicas: 0, desiredReplicas: 0 }),
      currentReplicas: current,
      desiredReplicas: desired,
      observedGeneration: hpa.metadata.generation,
    };
    if (utilization === undefined) delete status.currentCPUUtilizationPercentage;
    else status.currentCPUUtilizationPercentage = utilization;
    if (rescaled) status.lastScaleTime = formatRFC3339(new Date(this.ctx.clock.now()));
    if (JSON.stringify(status) === JSON.stringify(hpa.status)) return;
    hpa.status = status;
    try {
      await this.ctx.client.resource(resources.horizontalpodautoscalers, hpa.metadata.namespace).updateStatus(hpa);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function podSample(p: RO<Pod>, usage: ReadonlyMap<string, number>): PodSample {
  let request = 0;
  let missing: string | undefined;
  for (const c of p.spec?.containers ?? []) {
    const q = c.resources?.requests?.cpu;
    if (q === undefined) {
      missing ??= c.name;
      continue;
    }
    request += Number(Quantity.parse(String(q)).milliValue());
  }
  return {
    name: p.metadata.name ?? '',
    requestMilli: missing === undefined ? request : undefined,
    missingRequestContainer: missing,
    ready: p.status?.phase === 'Running' && isPodReady(p),
    usageMilli: usage.get(`${p.metadata.namespace}/${p.metadata.name}`),
  };
}

