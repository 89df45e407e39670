/**
 * CheckNodeUnschedulable (NodeUnschedulable): a cordoned node takes only
 * pods that tolerate node.kubernetes.io/unschedulable:NoSchedule (DaemonSet
 * pods do).
 */
import { toleratesAny } from '../helpers.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';

export const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;
const FAIL = [reasons.unschedulable] as const;

export const checkNodeUnschedulable: FilterPlugin = {
  name: 'CheckNodeUnschedulable',
  prepare(pod) {
    const tolerated = toleratesAny(pod.spec?.tolerations, UNSCHEDULABLE_TAINT);
    if (tolerated) return undefined;
    return (node) => (node.node?.spec?.unschedulable ? FAIL : undefined);
  },
};
