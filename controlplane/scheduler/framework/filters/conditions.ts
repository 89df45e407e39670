/**
 * Node conditions, as the 1.8-era predicates read them (CheckNodeCondition,
 * CheckNodeMemoryPressure, CheckNodeDiskPressure, CheckNodePIDPressure).
 * Newer clusters express the same through node.kubernetes.io/* taints; a pod
 * that tolerates the matching taint (DaemonSets do) passes here too, so both
 * generations of clusters behave alike. A node without a Ready condition is
 * taken as ready, as CheckNodeCondition did.
 */
import { toleratesAny } from '../helpers.js';
import { isBestEffort } from '../resource.js';
import { reasons } from '../reasons.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { FilterPlugin } from '../types.js';
import type { RPod } from '../../types.js';

function condition(node: NodeInfo, type: string): string | undefined {
  for (const c of node.node?.status?.conditions ?? []) if (c.type === type) return c.status;
  return undefined;
}

function tolerates(pod: RPod, key: string): boolean {
  return toleratesAny(pod.spec?.tolerations, { key, effect: 'NoSchedule' }) || toleratesAny(pod.spec?.tolerations, { key, effect: 'NoExecute' });
}

export const checkNodeCondition: FilterPlugin = {
  name: 'CheckNodeCondition',
  prepare(pod) {
    const skipReady = tolerates(pod, 'node.kubernetes.io/not-ready') && tolerates(pod, 'node.kubernetes.io/unreachable');
    const skipNet = tolerates(pod, 'node.kubernetes.io/network-unavailable');
    if (skipReady && skipNet) return undefined;
    return (node) => {
      const out: string[] = [];
      const ready = condition(node, 'Ready');
      if (!skipReady && ready !== undefined && ready !== 'True') out.push(reasons.notReady);
      if (!skipNet && condition(node, 'NetworkUnavailable') === 'True') out.push(reasons.networkUnavailable);
      return out.length ? out : undefined;
    };
  },
};

function pressure(name: string, type: string, taintKey: string, reason: string, onlyBestEffort: boolean): FilterPlugin {
  const fail = [reason] as const;
  return {
    name,
    prepare(pod) {
      if (onlyBestEffort && !isBestEffort(pod)) return undefined;
      if (tolerates(pod, taintKey)) return undefined;
      return (node) => (condition(node, type) === 'True' ? fail : undefined);
    },
  };
}

/** Memory pressure only turns away BestEffort pods: they are the first the kubelet evicts. */
export const checkNodeMemoryPressure = pressure('CheckNodeMemoryPressure', 'MemoryPressure', 'node.kubernetes.io/memory-pressure', reasons.memoryPressure, true);
export const checkNodeDiskPressure = pressure('CheckNodeDiskPressure', 'DiskPressure', 'node.kubernetes.io/disk-pressure', reasons.diskPressure, false);
export const checkNodePIDPressure = pressure('CheckNodePIDPressure', 'PIDPressure', 'node.kubernetes.io/pid-pressure', reasons.pidPressure, false);
