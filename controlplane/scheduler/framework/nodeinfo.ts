/**
 * NodeInfo: one node plus what the scheduler believes runs on it (bound pods
 * and pods assumed while their binding is in flight), with the sums the
 * filters and scorers need kept up to date incrementally.
 *
 * Ownership: the scheduler cache owns every NodeInfo and mutates it only
 * between scheduling cycles. A scheduling cycle is one synchronous pass over
 * the NodeInfos (JavaScript runs it to completion), so plugins read them
 * without a copy and without locks; they must never mutate them.
 */
import type { RNode, RPod } from '../types.js';
import { podKey } from '../types.js';
import { addResource, emptyResource, podResources, PODS, quantityValue, resourceFromList, subResource, type PodResources, type Resource } from './resource.js';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodEntry {
  readonly pod: RPod;
  readonly key: string;
  readonly res: PodResources;
  readonly ports: readonly HostPort[];
}

export function podHostPorts(pod: RPod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function hasPodAffinity(pod: RPod): boolean {
  const a = pod.spec?.affinity;
  return Boolean(a && (a.podAffinity || a.podAntiAffinity));
}

export function hasRequiredAntiAffinity(pod: RPod): boolean {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
}

export function podEntry(pod: RPod): PodEntry {
  return { pod, key: podKey(pod), res: podResources(pod), ports: podHostPorts(pod) };
}

/** Upstream normalizes image names so `busybox` and `busybox:latest` are one image. */
export function normalizeImage(name: string): string {
  const slash = name.lastIndexOf('/');
  if (name.includes('@') || name.slice(slash + 1).includes(':')) return name;
  return `${name}:latest`;
}

export class NodeInfo {
  node: RNode | undefined;
  // Derived from node (recomputed by setNode).
  allocatable: Resource = emptyResource();
  allowedPods = 0;
  /** Normalized image name → size in bytes. */
  images = new Map<string, number>();
  // Derived from pods (kept incrementally by addPod/removePod).
  readonly pods = new Map<string, PodEntry>();
  requested: Resource = emptyResource();
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  private readonly portCount = new Map<string, number>();
  private affinityPods: PodEntry[] | undefined = [];
  private antiAffinityPods: PodEntry[] | undefined = [];

  constructor(readonly name: string, node?: RNode) {
    if (node) this.setNode(node);
  }

  setNode(node: RNode): void {
    this.node = node;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = resourceFromList(alloc);
    this.allowedPods = quantityValue(alloc?.[PODS]);
    this.images = new Map();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) this.images.set(normalizeImage(n), img.sizeBytes ?? 0);
    }
  }

  get labels(): Readonly<Record<string, string>> {
    return this.node?.metadata.labels ?? {};
  }

  addPod(e: PodEntry): void {
    this.removePod(e.key);
    this.pods.set(e.key, e);
    addResource(this.requested, e.res.request);
    this.nonZeroMilliCPU += e.res.nonZeroMilliCPU;
    this.nonZeroMemory += e.res.nonZeroMemory;
    for (const p of e.ports) {
      const k = portKey(p);
      this.portCount.set(k, (this.portCount.get(k) ?? 0) + 1);
    }
    if (hasPodAffinity(e.pod)) this.affinityPods = undefined;
  }

  removePod(key: string): boolean {
    const e = this.pods.get(key);
    if (!e) return false;
    this.pods.delete(key);
    subResource(this.requested, e.res.request);
    this.nonZeroMilliCPU -= e.res.nonZeroMilliCPU;
    this.nonZeroMemory -= e.res.nonZeroMemory;
    for (const p of e.ports) {
      const k = portKey(p);
      const n = (this.portCount.get(k) ?? 0) - 1;
      if (n <= 0) this.portCount.delete(k);
      else this.portCount.set(k, n);
    }
    if (hasPodAffinity(e.pod)) this.affinityPods = undefined;
    return true;
  }

  /** Pods with any pod (anti-)affinity: the only ones the inter-pod plugins need to look at. */
  podsWithAffinity(): readonly PodEntry[] {
    if (!this.affinityPods) this.recomputeAffinity();
    return this.affinityPods!;
  }

  podsWithRequiredAntiAffinity(): readonly PodEntry[] {
    if (!this.affinityPods) this.recomputeAffinity();
    return this.antiAffinityPods!;
  }

  private recomputeAffinity(): void {
    this.affinityPods = [...this.pods.values()].filter((e) => hasPodAffinity(e.pod));
    this.antiAffinityPods = this.affinityPods.filter((e) => hasRequiredAntiAffinity(e.pod));
  }

  /**
   * True when a wanted host port collides with one in use: same protocol and
   * port, and the same IP or either side bound to 0.0.0.0 (all addresses).
   */
  portInUse(p: HostPort): boolean {
    if (this.portCount.size === 0) return false;
    if (this.portCount.has(portKey(p))) return true;
    const wildcard = p.ip === '0.0.0.0';
    if (!wildcard) return this.portCount.has(portKey({ ...p, ip: '0.0.0.0' }));
    const suffix = `|${p.protocol}|${p.port}`;
    for (const k of this.portCount.keys()) if (k.endsWith(suffix)) return true;
    return false;
  }
}

function portKey(p: HostPort): string {
  return `${p.ip}|${p.protocol}|${p.port}`;
}
