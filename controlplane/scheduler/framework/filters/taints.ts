/**
 * PodToleratesNodeTaints (TaintToleration filter): every NoSchedule and
 * NoExecute taint must be tolerated; the first one that is not is named in
 * the reason, as upstream does. PreferNoSchedule is only a score.
 */
import { formatTaint, toleratesAny } from '../helpers.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';

export const podToleratesNodeTaints: FilterPlugin = {
  name: 'PodToleratesNodeTaints',
  prepare(pod) {
    const tolerations = pod.spec?.tolerations;
    return (node) => {
      for (const t of node.node?.spec?.taints ?? []) {
        if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
        if (!toleratesAny(tolerations, t)) return [reasons.untoleratedTaint(formatTaint(t))];
      }
      return undefined;
    };
  },
};
