/**
 * Pod facts every workload controller needs (upstream podutil and
 * controller_utils.go): active, ready, available, the order in which surplus
 * pods are deleted, and a pod made from a template.
 */
import type { Pod, PodTemplateSpec } from '../../api/core/v1/types.js';
import { LABEL_INDEX, NAMESPACE_INDEX, OWNER_UID_INDEX } from '../../client/indexer.js';
import type { Lister } from '../../client/types.js';
import type { Selector } from '../../machinery/labels.js';
import { parseTime } from '../../machinery/meta/helpers.js';
import type { ObjectMeta, OwnerReference } from '../../machinery/meta/types.js';
import { mutableCopy, type RO } from './types.js';

/** Not finished and not being deleted: it counts toward replicas (FilterActivePods). */
export function isPodActive(pod: RO<Pod>): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function podReadyCondition(pod: RO<Pod>) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: RO<Pod>): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least minReadySeconds (podutil.IsPodAvailable). With
 * minReadySeconds 0 being ready is enough; otherwise the Ready condition's
 * lastTransitionTime must lie minReadySeconds in the past.
 */
export function isPodAvailable(pod: RO<Pod>, minReadySeconds: number, nowMs: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(c.lastTransitionTime ?? undefined)?.getTime();
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: RO<Pod>): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

function timeOf(s: string | null | undefined): number | undefined {
  return parseTime(s ?? undefined)?.getTime();
}

/**
 * The order in which surplus pods go first (controller.ActivePods.Less):
 * unscheduled before scheduled, Pending before Unknown before Running,
 * not ready before ready, ready for less time before longer, more restarts
 * before fewer, newer before older. Negative: a goes before b.
 */
export function compareForDeletion(a: RO<Pod>, b: RO<Pod>): number {
  const aNode = a.spec?.nodeName ? 1 : 0;
  const bNode = b.spec?.nodeName ? 1 : 0;
  if (aNode !== bNode) return aNode - bNode;
  const ap = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const bp = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (ap !== bp) return ap - bp;
  const ar = isPodReady(a) ? 1 : 0;
  const br = isPodReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  if (ar && br) {
    // Both ready: the one ready more recently goes first.
    const at = timeOf(podReadyCondition(a)?.lastTransitionTime);
    const bt = timeOf(podReadyCondition(b)?.lastTransitionTime);
    if (at !== bt) {
      if (at === undefined) return -1;
      if (bt === undefined) return 1;
      return bt - at;
    }
  }
  const rs = restarts(b) - restarts(a);
  if (rs !== 0) return rs;
  const ac = timeOf(a.metadata.creationTimestamp);
  const bc = timeOf(b.metadata.creationTimestamp);
  if (ac !== bc) {
    if (ac === undefined) return -1;
    if (bc === undefined) return 1;
    return bc - ac;
  }
  return 0;
}

/** The longest generateName prefix that leaves room for the 5 random characters of a pod name. */
const MAX_PREFIX = 58;

/**
 * A pod to create from a workload's template (controller.GetPodFromTemplate):
 * the template's labels, annotations, finalizers and spec, generateName
 * `<owner>-`, and the controller reference. Does not touch its arguments.
 */
export function podFromTemplate(template: RO<PodTemplateSpec>, namespace: string, ownerName: string, controllerRef: OwnerReference): Pod {
  const t = mutableCopy<PodTemplateSpec>(template);
  const meta: ObjectMeta = { namespace, generateName: `${ownerName}-`.slice(0, MAX_PREFIX), ownerReferences: [controllerRef] };
  if (t.metadata?.labels) meta.labels = t.metadata.labels;
  if (t.metadata?.annotations) meta.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) meta.finalizers = t.metadata.finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: t.spec ?? { containers: [] } };
}

/** `namespace/name` of a cached object. */
export function keyOfMeta(m: RO<ObjectMeta>): string {
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/**
 * Pods that may belong to an owner: those matching one exact term of its
 * selector (the label index), else every pod of the namespace, plus those
 * already owned by it (to release the ones that stopped matching). Avoids a
 * scan of the namespace per sync when the selector pins a label.
 */
export function candidatePods(pods: Lister<RO<Pod>>, namespace: string, ownerUID: string, selector: Selector): RO<Pod>[] {
  const seen = new Map<string, RO<Pod>>();
  let exact: string | undefined;
  for (const r of selector.requirements()) {
    const v = selector.requiresExactMatch(r.key);
    if (v !== undefined) {
      exact = `${r.key}=${v}`;
      break;
    }
  }
  const base = exact ? pods.byIndex(LABEL_INDEX, exact) : pods.byIndex(NAMESPACE_INDEX, namespace);
  for (const p of base) if (p.metadata.namespace === namespace) seen.set(p.metadata.name ?? '', p);
  for (const p of pods.byIndex(OWNER_UID_INDEX, ownerUID)) if (p.metadata.namespace === namespace) seen.set(p.metadata.name ?? '', p);
  return [...seen.values()];
}
