/** NodeAffinityPriority: the sum of the weights of the preferred node affinity terms a node matches, scaled so the best node gets 100. */
import { nodeSelectorTermMatches } from '../helpers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../types.js';

/** Scales scores so the highest becomes 100 (upstream DefaultNormalizeScore); all zero stays zero. */
export function normalizeToMax(scores: Float64Array, reverse = false): void {
  let max = 0;
  for (const s of scores) max = Math.max(max, s);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      scores[i] = reverse ? MAX_NODE_SCORE : 0;
      continue;
    }
    const s = Math.floor((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

export const nodeAffinityPriority: ScorePlugin = {
  name: 'NodeAffinityPriority',
  prepare(pod) {
    const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (terms.length === 0) return undefined;
    return {
      score(n: NodeInfo) {
        if (!n.node) return 0;
        let s = 0;
        for (const t of terms) if (t.weight !== 0 && nodeSelectorTermMatches(t.preference, n.node)) s += t.weight;
        return s;
      },
      normalize: (scores) => normalizeToMax(scores),
    };
  },
};
