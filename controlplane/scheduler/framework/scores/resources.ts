/**
 * Resource scores over cpu and memory, weighted equally, using non-zero
 * requests (a container asking for nothing counts as 100m / 200Mi, so empty
 * pods still spread):
 * - LeastRequestedPriority: free share after placing the pod (spreads load);
 * - MostRequestedPriority: used share (packs nodes; ClusterAutoscalerProvider);
 * - BalancedResourceAllocation: 100 × (1 − std deviation of the cpu and memory
 *   fractions), so nodes whose cpu and memory fill evenly win.
 * Integer arithmetic as upstream, so scores compare exactly with its tests.
 */
import { podResources } from '../resource.js';
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../types.js';

function leastScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function mostScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  // Non-zero defaults can push requested past capacity: count it as full.
  return Math.floor((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

function resourceScorer(name: string, f: (req: number, cap: number) => number): ScorePlugin {
  return {
    name,
    prepare(pod) {
      const r = podResources(pod);
      return {
        score(n: NodeInfo) {
          const cpu = f(n.nonZeroMilliCPU + r.nonZeroMilliCPU, n.allocatable.milliCPU);
          const mem = f(n.nonZeroMemory + r.nonZeroMemory, n.allocatable.memory);
          return Math.floor((cpu + mem) / 2);
        },
      };
    },
  };
}

export const leastRequested = resourceScorer('LeastRequestedPriority', leastScore);
export const mostRequested = resourceScorer('MostRequestedPriority', mostScore);

export const balancedResourceAllocation: ScorePlugin = {
  name: 'BalancedResourceAllocation',
  prepare(pod) {
    const r = podResources(pod);
    return {
      score(n: NodeInfo) {
        const cap = n.allocatable;
        const cpu = cap.milliCPU > 0 ? Math.min(1, (n.nonZeroMilliCPU + r.nonZeroMilliCPU) / cap.milliCPU) : 1;
        const mem = cap.memory > 0 ? Math.min(1, (n.nonZeroMemory + r.nonZeroMemory) / cap.memory) : 1;
        const std = Math.abs(cpu - mem) / 2;
        return Math.floor((1 - std) * MAX_NODE_SCORE);
      },
    };
  },
};
