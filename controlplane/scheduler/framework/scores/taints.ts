/**
 * TaintTolerationPriority: nodes with fewer PreferNoSchedule taints the pod
 * does not tolerate score higher; only tolerations whose effect is empty or
 * PreferNoSchedule count. Normalised in reverse: 0 untolerated → 100.
 */
import { toleratesAny } from '../helpers.js';
import type { NodeInfo } from '../nodeinfo.js';
import type { ScorePlugin } from '../types.js';
import { normalizeToMax } from './nodeaffinity.js';

export const taintTolerationPriority: ScorePlugin = {
  name: 'TaintTolerationPriority',
  prepare(pod) {
    const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      score(n: NodeInfo) {
        let count = 0;
        for (const t of n.node?.spec?.taints ?? []) if (t.effect === 'PreferNoSchedule' && !toleratesAny(tolerations, t)) count++;
        return count;
      },
      normalize: (scores) => normalizeToMax(scores, true),
    };
  },
};
