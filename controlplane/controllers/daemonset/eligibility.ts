/**
 * Which nodes a DaemonSet's pod belongs on (upstream
 * nodeShouldRunDaemonPod), pure: the pod the set would create (its template
 * plus the tolerations every daemon pod gets) checked against one node.
 *
 * Three answers, as upstream:
 * - wantToRun: the node counts toward desiredNumberScheduled;
 * - shouldSchedule: a pod should be created there now;
 * - shouldContinueRunning: a pod already there may stay.
 * A node selector, required node affinity or pinned spec.nodeName that does
 * not match says no to all three. An untolerated NoSchedule taint keeps new
 * pods off but lets a running one stay; an untolerated NoExecute taint
 * evicts it too. PreferNoSchedule is a preference, ignored here.
 *
 * In the 1.8 design the controller places the pod itself (spec.nodeName),
 * bypassing the scheduler, so an unschedulable (cordoned) node still runs its
 * daemon pods: spec.unschedulable is not consulted (and the pods tolerate
 * the node.kubernetes.io/unschedulable taint later versions use for it).
 * Resource fit and host ports are not checked (the kubelet refuses a pod
 * that does not fit, and the pod then shows Failed).
 */
import { nodeSelectorTermsMatch, toleratesAny } from '../../api/core/v1/nodematch.js';
import type { Node, PodSpec, PodTemplateSpec, Toleration } from '../../api/core/v1/types.js';
import type { RO } from '../common/types.js';

export interface NodeDecision {
  wantToRun: boolean;
  shouldSchedule: boolean;
  shouldContinueRunning: boolean;
}

const NO: NodeDecision = { wantToRun: false, shouldSchedule: false, shouldContinueRunning: false };

/**
 * Tolerations every daemon pod carries (util.CreatePodTemplate): node
 * problems must not evict the agents that may be needed to fix them.
 */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The template's tolerations plus DAEMON_TOLERATIONS (same key and effect replaces, as AddOrUpdateToleration). Mutates spec. */
export function addDaemonTolerations(spec: PodSpec): void {
  const list = spec.tolerations ?? [];
  for (const t of DAEMON_TOLERATIONS) {
    const i = list.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0) list[i] = { ...t };
    else list.push({ ...t });
  }
  spec.tolerations = list;
}

/** nodeSelector and required node affinity (PodMatchNodeSelector). */
export function matchesNode(spec: RO<PodSpec> | undefined, node: RO<Node>): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node);
  return true;
}

/** The decision for one node, for a pod made from this template (tolerations added here, not by the caller). */
export function nodeShouldRunDaemonPod(template: RO<PodTemplateSpec> | undefined, node: RO<Node>): NodeDecision {
  const spec = template?.spec;
  if (spec?.nodeName && spec.nodeName !== node.metadata.name) return NO;
  if (!matchesNode(spec, node)) return NO;
  const tolerations: readonly RO<Toleration>[] = [...(spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
  let noSchedule = false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (toleratesAny(tolerations, taint)) continue;
    if (taint.effect === 'NoExecute') return NO;
    noSchedule = true;
  }
  if (noSchedule) return { wantToRun: false, shouldSchedule: false, shouldContinueRunning: true };
  return { wantToRun: true, shouldSchedule: true, shouldContinueRunning: true };
}
