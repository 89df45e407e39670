/**
 * MatchNodeSelector (NodeAffinity filter): spec.nodeSelector must match the
 * node's labels and the required node affinity terms (ORed) must match; both
 * fail with the one upstream message. HostName: spec.nodeName, when set, must
 * name the node.
 */
import { selectorFromSet } from '../../../machinery/labels.js';
import { nodeSelectorTermsMatch } from '../helpers.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';
import type { RPod } from '../../types.js';
import type { RNode } from '../../types.js';

const FAIL = [reasons.nodeSelector] as const;

/** True when the node satisfies the pod's nodeSelector and required node affinity. */
export function podMatchesNodeSelectorAndAffinity(pod: RPod): ((node: RNode) => boolean) | undefined {
  const sel = pod.spec?.nodeSelector;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const hasSel = sel !== undefined && Object.keys(sel).length > 0;
  if (!hasSel && !required) return undefined;
  const selector = hasSel ? selectorFromSet(sel) : undefined;
  return (node) => {
    if (selector && !selector.matches(node.metadata.labels)) return false;
    if (required && !nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node)) return false;
    return true;
  };
}

export const matchNodeSelector: FilterPlugin = {
  name: 'MatchNodeSelector',
  prepare(pod) {
    const match = podMatchesNodeSelectorAndAffinity(pod);
    if (!match) return undefined;
    return (node) => (node.node && match(node.node) ? undefined : FAIL);
  },
};

const HOST_FAIL = [reasons.hostName] as const;

export const hostName: FilterPlugin = {
  name: 'HostName',
  prepare(pod) {
    const want = pod.spec?.nodeName;
    if (!want) return undefined;
    return (node) => (node.name === want ? undefined : HOST_FAIL);
  },
};
