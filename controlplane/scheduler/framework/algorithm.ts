/**
 * One scheduling decision (upstream genericScheduler.Schedule), pure over a
 * ClusterView: filter nodes, score the feasible ones, pick the best.
 *
 * - Sampling: with fewer than 100 nodes every node is checked; above that
 *   the search stops after numFeasibleNodesToFind feasible nodes (adaptive
 *   50 − nodes/125 %, at least 5 % and at least 100 nodes), and the next pod
 *   starts where this one stopped so every node gets its turn.
 * - Ties between the best scores are broken at random (reservoir sampling),
 *   so equal nodes fill evenly rather than alphabetically.
 * - With one feasible node scoring is skipped.
 * Synchronous from start to end: the NodeInfos cannot change under it.
 */
import { failureMessage } from './message.js';
import type { NodeInfo } from './nodeinfo.js';
import type { ClusterView, NodeFilter, Profile } from './types.js';
import type { RPod } from '../types.js';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** How many feasible nodes to look for among numAllNodes (percentage 0 = adaptive). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - Math.floor(numAllNodes / 125);
    if (adaptive < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) adaptive = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.floor((numAllNodes * adaptive) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type ScheduleResult =
  | { kind: 'scheduled'; node: string; evaluatedNodes: number; feasibleNodes: number }
  | { kind: 'unschedulable'; message: string; histogram: Map<string, number>; numAllNodes: number };

export interface AlgorithmOptions {
  /** percentageOfNodesToScore; 0 = adaptive (the default). */
  percentageOfNodesToScore?: number;
  rand?: () => number;
}

export class Algorithm {
  /** Where the next search starts (rotates through the node list). */
  private nextStartNodeIndex = 0;
  private readonly rand: () => number;

  constructor(
    private readonly profile: Profile,
    private readonly opts: AlgorithmOptions = {},
  ) {
    this.rand = opts.rand ?? Math.random;
  }

  schedule(pod: RPod, cluster: ClusterView): ScheduleResult {
    const nodes = cluster.nodes;
    const all = nodes.length;
    const histogram = new Map<string, number>();
    if (all === 0) return { kind: 'unschedulable', message: failureMessage(0, histogram), histogram, numAllNodes: 0 };

    const filters: NodeFilter[] = [];
    for (const f of this.profile.filters) {
      const nf = f.prepare(pod, cluster);
      if (nf) filters.push(nf);
    }
    const want = numFeasibleNodesToFind(all, this.opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    const start = this.nextStartNodeIndex % all;
    for (; processed < all && feasible.length < want; processed++) {
      const n = nodes[(start + processed) % all];
      let failed: readonly string[] | undefined;
      for (const f of filters) {
        failed = f(n);
        if (failed) break;
      }
      if (!failed) feasible.push(n);
      else for (const r of failed) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    }
    this.nextStartNodeIndex = (start + processed) % all;

    if (feasible.length === 0) return { kind: 'unschedulable', message: failureMessage(all, histogram), histogram, numAllNodes: all };
    if (feasible.length === 1) return { kind: 'scheduled', node: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };

    const total = this.score(pod, cluster, feasible);
    return { kind: 'scheduled', node: feasible[this.selectHost(total)].name, evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** Weighted sum of every scorer's normalised scores, per feasible node. */
  score(pod: RPod, cluster: ClusterView, feasible: readonly NodeInfo[]): Float64Array {
    const total = new Float64Array(feasible.length);
    const scores = new Float64Array(feasible.length);
    for (const { plugin, weight } of this.profile.scores) {
      const s = plugin.prepare(pod, cluster, feasible);
      if (!s) continue;
      for (let i = 0; i < feasible.length; i++) scores[i] = s.score(feasible[i]);
      s.normalize?.(scores, feasible);
      for (let i = 0; i < feasible.length; i++) total[i] += weight * scores[i];
    }
    return total;
  }

  private selectHost(total: Float64Array): number {
    let best = 0;
    let ties = 1;
    for (let i = 1; i < total.length; i++) {
      if (total[i] > total[best]) {
        best = i;
        ties = 1;
      } else if (total[i] === total[best]) {
        ties++;
        if (this.rand() * ties < 1) best = i;
      }
    }
    return best;
  }
}
