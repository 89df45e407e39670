/**
 * The DaemonSet controller's decisions, pure (STYLE.md rule 2): which nodes
 * get a pod, which pods go (misscheduled, failed, duplicates, replaced by a
 * rolling update), and the status — all from the nodes, the pods the set owns
 * and the time. controller.ts applies them.
 */
import type { DaemonSet, DaemonSetStatus } from '../../api/apps/v1/types.js';
import type { Node, Pod } from '../../api/core/v1/types.js';
import { scaledValueFromIntOrPercent } from '../../machinery/intstr.js';
import { parseTime } from '../../machinery/meta/helpers.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/history.js';
import { isPodAvailable, isPodReady } from '../common/pods.js';
import type { RO } from '../common/types.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';

/** The label daemon pods carry with the template generation they were made from. */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** Where apps/v1 keeps the template generation (extensions/v1beta1 had spec.templateGeneration). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** The template generation: the annotation when the API server keeps one, else metadata.generation. */
export function templateGeneration(ds: RO<DaemonSet>): string {
  return ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(ds.metadata.generation ?? 1);
}

/** IsPodUpdated: made from the current template (by hash) or the current template generation. */
export function isPodUpdated(pod: RO<Pod>, hash: string, generation: string): boolean {
  const labels = pod.metadata.labels ?? {};
  return (hash !== '' && labels[CONTROLLER_REVISION_HASH_LABEL] === hash) || labels[TEMPLATE_GENERATION_LABEL] === generation;
}

const created = (p: RO<Pod>) => parseTime(p.metadata.creationTimestamp)?.getTime() ?? 0;

/** Oldest first; ties by name, so every sync keeps the same pod. */
function byAge(a: RO<Pod>, b: RO<Pod>): number {
  return created(a) - created(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** Node name → the set's pods there, oldest first. Pods not bound to a node are not daemon pods of any node. */
export function podsByNode(pods: readonly RO<Pod>[]): Map<string, RO<Pod>[]> {
  const m = new Map<string, RO<Pod>[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n) continue;
    let l = m.get(n);
    if (!l) m.set(n, (l = []));
    l.push(p);
  }
  for (const l of m.values()) l.sort(byAge);
  return m;
}

export interface ManagePlan {
  /** Nodes that need a pod. */
  createOn: string[];
  /** Pods to delete: misscheduled, duplicates. */
  delete: RO<Pod>[];
  /** Failed pods to delete (each reported as an event) and replace on a later sync. */
  failed: RO<Pod>[];
}

/**
 * manage(): per node, a pod where one should be and none is; none where
 * none may stay. Terminating pods block a new pod on their node (two daemon
 * pods must not overlap) and are not deleted again.
 */
export function planManage(ds: RO<DaemonSet>, nodes: readonly RO<Node>[], byNode: ReadonlyMap<string, readonly RO<Pod>[]>): ManagePlan {
  const plan: ManagePlan = { createOn: [], delete: [], failed: [] };
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const d = nodeShouldRunDaemonPod(ds.spec?.template, node);
    const pods = byNode.get(name) ?? [];
    if (d.shouldSchedule && pods.length === 0) {
      plan.createOn.push(name);
      continue;
    }
    if (!d.shouldContinueRunning) {
      for (const p of pods) if (!p.metadata.deletionTimestamp) plan.delete.push(p);
      continue;
    }
    const live: RO<Pod>[] = [];
    for (const p of pods) {
      if (p.metadata.deletionTimestamp) continue;
      if (p.status?.phase === 'Failed') plan.failed.push(p);
      else live.push(p);
    }
    // More than one: keep the oldest.
    for (const p of live.slice(1)) plan.delete.push(p);
  }
  return plan;
}

/**
 * rollingUpdate(): delete old pods that are not available (they cost
 * nothing), then available old pods while fewer than maxUnavailable nodes
 * lack an available pod. The pods' replacements are created by manage() on
 * the next sync, from the current template.
 */
export function planRollingUpdate(ds: RO<DaemonSet>, nodes: readonly RO<Node>[], byNode: ReadonlyMap<string, readonly RO<Pod>[]>, hash: string, nowMs: number): RO<Pod>[] {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  let desired = 0;
  let unavailable = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(ds.spec?.template, node).wantToRun) continue;
    desired++;
    const pods = (byNode.get(node.metadata.name ?? '') ?? []).filter((p) => !p.metadata.deletionTimestamp);
    if (pods.length === 0 || !isPodAvailable(pods[0], minReady, nowMs)) unavailable++;
  }
  let maxUnavailable: number;
  try {
    maxUnavailable = scaledValueFromIntOrPercent(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true);
  } catch {
    maxUnavailable = 1;
  }
  // Validation forbids 0 with maxSurge 0; never stall a rollout on it.
  if (maxUnavailable < 1) maxUnavailable = 1;
  const oldAvailable: RO<Pod>[] = [];
  const victims: RO<Pod>[] = [];
  const names = [...byNode.keys()].sort();
  for (const n of names) {
    for (const p of byNode.get(n) ?? []) {
      if (p.metadata.deletionTimestamp || isPodUpdated(p, hash, generation)) continue;
      if (isPodAvailable(p, minReady, nowMs)) oldAvailable.push(p);
      else victims.push(p);
    }
  }
  for (const p of oldAvailable) {
    if (unavailable >= maxUnavailable) break;
    victims.push(p);
    unavailable++;
  }
  return victims;
}

/** The status from the nodes and the pods (storeDaemonSetStatus), observedGeneration and collisionCount aside. */
export function computeStatus(ds: RO<DaemonSet>, nodes: readonly RO<Node>[], byNode: ReadonlyMap<string, readonly RO<Pod>[]>, hash: string, nowMs: number): DaemonSetStatus {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  const s: DaemonSetStatus = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, numberAvailable: 0, updatedNumberScheduled: 0 };
  for (const node of nodes) {
    const d = nodeShouldRunDaemonPod(ds.spec?.template, node);
    const pods = (byNode.get(node.metadata.name ?? '') ?? []).filter((p) => !p.metadata.deletionTimestamp);
    if (d.wantToRun) {
      s.desiredNumberScheduled++;
      if (pods.length === 0) continue;
      s.currentNumberScheduled++;
      const p = pods[0];
      if (isPodReady(p)) {
        s.numberReady++;
        if (isPodAvailable(p, minReady, nowMs)) s.numberAvailable!++;
      }
      if (isPodUpdated(p, hash, generation)) s.updatedNumberScheduled!++;
    } else if (pods.length > 0) {
      s.numberMisscheduled++;
    }
  }
  const unavailable = s.desiredNumberScheduled - s.numberAvailable!;
  if (unavailable > 0) s.numberUnavailable = unavailable;
  return s;
}
