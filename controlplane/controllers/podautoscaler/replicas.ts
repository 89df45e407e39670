/**
 * How many replicas a CPU target asks for (upstream 1.8
 * pkg/controller/podautoscaler/replica_calculator.go, GetResourceReplicas),
 * as a pure function of the target's pods, their requests and their usage:
 *
 * - utilization = Σ usage / Σ request over ready pods with metrics, in whole
 *   percent; ratio = utilization / target;
 * - within the tolerance (10 %) of 1 nothing changes;
 * - pods not Running+Ready or without metrics are left out first, then put
 *   back pessimistically: on a scale-up unready and missing pods count as 0 %,
 *   on a scale-down missing pods count as 100 % of their request; if that
 *   flips the direction or lands within the tolerance, nothing changes;
 * - a container without a CPU request makes the target unmeasurable.
 */

export const DEFAULT_TOLERANCE = 0.1;

export interface PodSample {
  name: string;
  /** Σ of the containers' CPU requests, millicores; undefined when a container has none. */
  requestMilli: number | undefined;
  /** The first container without a request (for the error). */
  missingRequestContainer?: string;
  /** Running and Ready. */
  ready: boolean;
  /** CPU in use, millicores; undefined when the node reported nothing for it. */
  usageMilli: number | undefined;
}

export interface ReplicaComputation {
  replicas: number;
  /** Current utilization in percent of the request (over the ready pods with metrics). */
  utilization: number;
  /** Average usage per pod with metrics, millicores. */
  rawAverageMilli: number;
}

export class ReplicaComputationError extends Error {
  override readonly name = 'ReplicaComputationError';
}

function utilizationRatio(usage: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, target: number): { ratio: number; utilization: number; raw: number } {
  let used = 0;
  let requested = 0;
  for (const [pod, u] of usage) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    used += u;
    requested += r;
  }
  if (requested === 0) throw new ReplicaComputationError('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, raw: Math.trunc(used / usage.size) };
}

export function computeCPUReplicas(currentReplicas: number, targetUtilization: number, pods: readonly PodSample[], namespace: string, tolerance = DEFAULT_TOLERANCE): ReplicaComputation {
  if (pods.length === 0) throw new ReplicaComputationError('no pods returned by selector while calculating replica count');
  const requests = new Map<string, number>();
  const usage = new Map<string, number>();
  const unready: string[] = [];
  const missing: string[] = [];
  let readyCount = 0;
  for (const p of pods) {
    if (p.requestMilli === undefined) throw new ReplicaComputationError(`missing request for cpu on container ${p.missingRequestContainer ?? '?'} in pod ${namespace}/${p.name}`);
    requests.set(p.name, p.requestMilli);
    if (!p.ready) {
      unready.push(p.name);
      continue;
    }
    if (p.usageMilli === undefined) {
      missing.push(p.name);
      continue;
    }
    usage.set(p.name, p.usageMilli);
    readyCount++;
  }
  if (usage.size === 0) throw new ReplicaComputationError('did not receive metrics for any ready pods');
  const first = utilizationRatio(usage, requests, targetUtilization);
  const keep = { replicas: currentReplicas, utilization: first.utilization, rawAverageMilli: first.raw };
  const rebalanceUnready = unready.length > 0 && first.ratio > 1;
  if (!rebalanceUnready && missing.length === 0) {
    if (Math.abs(1 - first.ratio) <= tolerance) return keep;
    return { ...keep, replicas: Math.ceil(first.ratio * readyCount) };
  }
  if (missing.length > 0) {
    if (first.ratio < 1) for (const n of missing) usage.set(n, requests.get(n)!);
    else if (first.ratio > 1) for (const n of missing) usage.set(n, 0);
  }
  if (rebalanceUnready) for (const n of unready) usage.set(n, 0);
  const second = utilizationRatio(usage, requests, targetUtilization);
  if (Math.abs(1 - second.ratio) <= tolerance || (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1)) return keep;
  return { ...keep, replicas: Math.ceil(second.ratio * usage.size) };
}

/** Clamp to [min, max] and to the scale-up limit of one step (max(2 × current, 4)), as 1.8 does. */
export function normalizeReplicas(current: number, desired: number, min: number, max: number): number {
  const scaleUpLimit = Math.max(2 * current, 4);
  let d = desired;
  if (d < min) d = min;
  if (d > scaleUpLimit) d = scaleUpLimit;
  if (d > max) d = max;
  // Never to zero: autoscaling with replicas 0 is switched off, not a target.
  return d === 0 ? 1 : d;
}

/** Whether enough time passed since the last rescale (--horizontal-pod-autoscaler-upscale-delay / -downscale-delay). */
export function shouldScale(current: number, desired: number, lastScaleMs: number | undefined, nowMs: number, upscaleDelayMs: number, downscaleDelayMs: number): boolean {
  if (desired === current) return false;
  if (lastScaleMs === undefined) return true;
  if (desired < current) return lastScaleMs + downscaleDelayMs < nowMs;
  return lastScaleMs + upscaleDelayMs < nowMs;
}
