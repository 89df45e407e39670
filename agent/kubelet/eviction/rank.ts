/**
 * Which pod goes first (upstream v1.8 rankMemoryPressure /
 * rankDiskPressureFunc): by QoS class (BestEffort, then Burstable, then
 * Guaranteed), then, for memory, by working set above the pod's memory
 * request; for disk, by usage of the filesystems under pressure. Pods
 * without stats rank first. Pure; the sort is stable.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';
import { podQOSClass } from '../container/resources.js';
import type { FsStats, PodStats } from '../stats/types.js';
import type { StarvedResource } from './types.js';

export interface Candidate {
  pod: DeepReadonly<Pod>;
  stats?: PodStats;
}

const QOS_ORDER: Record<string, number> = { BestEffort: 0, Burstable: 1, Guaranteed: 2 };

function qosCmp(a: Candidate, b: Candidate): number {
  return QOS_ORDER[podQOSClass(a.pod)] - QOS_ORDER[podQOSClass(b.pod)];
}

/** Sum of the containers' memory requests (bytes). */
export function podMemoryRequest(pod: DeepReadonly<Pod>): number {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = c.resources?.requests?.memory;
    const q = r === undefined ? undefined : Quantity.tryParse(r);
    if (q) total += Number(q.value());
  }
  return total;
}

export function podWorkingSet(stats: PodStats): number {
  return stats.containers.reduce((a, c) => a + (c.memory?.workingSetBytes ?? 0), 0);
}

/** Stats absent sorts first, then larger usage first. */
function byUsage(a: number | undefined, b: number | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

export function rankMemoryPressure(pods: readonly Candidate[]): Candidate[] {
  const usage = (c: Candidate) => (c.stats ? podWorkingSet(c.stats) - podMemoryRequest(c.pod) : undefined);
  return [...pods].sort((a, b) => qosCmp(a, b) || byUsage(usage(a), usage(b)));
}

export type FsStatsKind = 'root' | 'logs' | 'volumes';

/** Which of a pod's filesystem usages count for a starved disk resource, with or without a separate imagefs. */
export function diskMeasures(resource: StarvedResource, dedicatedImageFs: boolean): FsStatsKind[] {
  if (!dedicatedImageFs) return ['root', 'logs', 'volumes'];
  return resource === 'imagefs' || resource === 'imagefsInodes' ? ['root'] : ['logs', 'volumes'];
}

/** A pod's disk usage (bytes or inodes) over the measured kinds. Memory-backed volumes (tmpfs) are not disk. */
export function podDiskUsage(pod: DeepReadonly<Pod>, stats: PodStats, kinds: readonly FsStatsKind[], inodes: boolean): number {
  const pick = (f: FsStats | undefined) => (inodes ? (f?.inodesUsed ?? 0) : (f?.usedBytes ?? 0));
  let total = 0;
  for (const c of stats.containers) {
    if (kinds.includes('root')) total += pick(c.rootfs);
    if (kinds.includes('logs')) total += pick(c.logs);
  }
  if (kinds.includes('volumes')) {
    const local = new Set((pod.spec?.volumes ?? []).filter((v) => v.hostPath || (v.emptyDir && v.emptyDir.medium !== 'Memory') || v.configMap || v.gitRepo).map((v) => v.name));
    for (const v of stats.volume ?? []) if (local.has(v.name)) total += pick(v);
  }
  return total;
}

export function rankDiskPressure(pods: readonly Candidate[], resource: StarvedResource, dedicatedImageFs: boolean): Candidate[] {
  const kinds = diskMeasures(resource, dedicatedImageFs);
  const inodes = resource === 'nodefsInodes' || resource === 'imagefsInodes';
  const usage = (c: Candidate) => (c.stats ? podDiskUsage(c.pod, c.stats, kinds, inodes) : undefined);
  return [...pods].sort((a, b) => qosCmp(a, b) || byUsage(usage(a), usage(b)));
}

export function rank(pods: readonly Candidate[], resource: StarvedResource, dedicatedImageFs: boolean): Candidate[] {
  return resource === 'memory' ? rankMemoryPressure(pods) : rankDiskPressure(pods, resource, dedicatedImageFs);
}
