/**
 * Kubelet Summary (GET /stats/summary) → NodeMetrics / PodMetrics, as
 * metrics-server exposes them: usage.cpu from usageNanoCores, usage.memory
 * from workingSetBytes, timestamp from the samples. A node, pod or container
 * without both samples has no metrics (metrics-server drops it likewise).
 */
import { formatCPU, formatMemory } from './quantity.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;
/** What the usage is averaged over (metrics-server's scrape window, reported the same way). */
export const METRICS_WINDOW = '10s';

/** The part of the kubelet's Summary this API reads (agent/kubelet/stats/types.ts). */
export interface SummaryCPU {
  time?: string;
  usageNanoCores?: number;
}
export interface SummaryMemory {
  time?: string;
  workingSetBytes?: number;
}
export interface SummaryContainer {
  name: string;
  cpu?: SummaryCPU;
  memory?: SummaryMemory;
}
export interface SummaryPod {
  podRef: { name: string; namespace: string; uid?: string };
  containers?: SummaryContainer[];
}
export interface Summary {
  node: { nodeName?: string; cpu?: SummaryCPU; memory?: SummaryMemory };
  pods?: SummaryPod[];
}

export interface Usage {
  cpu: string;
  memory: string;
}

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: string;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: Usage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: string;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Usage }[];
}

/** The API object a metric is named after (labels are copied, as metrics-server does). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

function usageOf(cpu: SummaryCPU | undefined, memory: SummaryMemory | undefined): Usage | undefined {
  if (typeof cpu?.usageNanoCores !== 'number' || typeof memory?.workingSetBytes !== 'number') return undefined;
  return { cpu: formatCPU(cpu.usageNanoCores), memory: formatMemory(memory.workingSetBytes) };
}

/** The later of two RFC 3339 times (either may be missing). */
function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Kubernetes' time format: second precision, Z. */
export function rfc3339(d: Date | string): string {
  const t = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(t.getTime()) ? new Date().toISOString().replace(/\.\d+Z$/, 'Z') : t.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function nodeMetrics(node: ObjectMeta, summary: Summary, now: Date): NodeMetrics | undefined {
  const usage = usageOf(summary.node?.cpu, summary.node?.memory);
  if (!usage) return undefined;
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: node.name, creationTimestamp: rfc3339(now), ...(node.labels ? { labels: { ...node.labels } } : {}) },
    timestamp: rfc3339(latest(summary.node.cpu?.time, summary.node.memory?.time) ?? now),
    window: METRICS_WINDOW,
    usage,
  };
}

export function podMetrics(pod: ObjectMeta, stats: SummaryPod, now: Date): PodMetrics | undefined {
  const containers: PodMetrics['containers'] = [];
  let time: string | undefined;
  for (const c of stats.containers ?? []) {
    const usage = usageOf(c.cpu, c.memory);
    if (!usage) return undefined; // a container without samples: the pod has no complete metrics yet
    containers.push({ name: c.name, usage });
    time = latest(time, latest(c.cpu?.time, c.memory?.time));
  }
  if (!containers.length) return undefined;
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: pod.name, namespace: pod.namespace ?? stats.podRef.namespace, creationTimestamp: rfc3339(now), ...(pod.labels ? { labels: { ...pod.labels } } : {}) },
    timestamp: rfc3339(time ?? now),
    window: METRICS_WINDOW,
    containers,
  };
}

/** Pod stats by "namespace/name" from any number of summaries. */
export function podStatsByKey(summaries: Iterable<Summary>): Map<string, SummaryPod> {
  const out = new Map<string, SummaryPod>();
  for (const s of summaries) for (const p of s.pods ?? []) if (p?.podRef?.name) out.set(`${p.podRef.namespace}/${p.podRef.name}`, p);
  return out;
}
