/**
 * A replica set's status from the pods it owns (replica_set_utils.go
 * calculateStatus). Pure: the same pods and time give the same status.
 *
 * replicas counts the active pods owned *before* this sync's creates and
 * deletes; the pod events those cause trigger the next sync, which counts
 * them. A ReplicaFailure condition reports a failed create/delete until a
 * sync manages replicas without error.
 */
import type { Pod } from '../../api/core/v1/types.js';
import { selectorFromSet } from '../../machinery/labels.js';
import { formatRFC3339 } from '../../machinery/meta/helpers.js';
import { isPodAvailable, isPodReady } from '../common/pods.js';
import { errorMessage } from '../common/errors.js';
import { mutableCopy, type RO } from '../common/types.js';
import type { ReplicaCondition, ReplicaStatus } from './kinds.js';

export interface StatusInput {
  current: RO<ReplicaStatus> | undefined;
  specReplicas: number;
  minReadySeconds: number;
  templateLabels: Readonly<Record<string, string>> | undefined;
  /** Active pods owned by the set. */
  pods: readonly RO<Pod>[];
  /** The error of this sync's creates/deletes, if any. */
  manageError?: unknown;
  nowMs: number;
}

export function calculateStatus(i: StatusInput): ReplicaStatus {
  const status: ReplicaStatus = i.current ? mutableCopy<ReplicaStatus>(i.current) : { replicas: 0 };
  const templateSel = selectorFromSet(i.templateLabels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of i.pods) {
    if (templateSel.matches(p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, i.minReadySeconds, i.nowMs)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (i.manageError !== undefined && !failure) {
    const diff = i.pods.length - i.specReplicas;
    const cond: ReplicaCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: formatRFC3339(new Date(i.nowMs)),
      reason: diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '',
      message: errorMessage(i.manageError),
    };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (i.manageError === undefined && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = i.pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** Whether writing `next` would change anything (the counts, the conditions, or observedGeneration). */
export function statusNeedsUpdate(cur: RO<ReplicaStatus> | undefined, next: ReplicaStatus, generation: number): boolean {
  if (!cur) return true;
  return (
    cur.replicas !== next.replicas ||
    (cur.fullyLabeledReplicas ?? 0) !== next.fullyLabeledReplicas ||
    (cur.readyReplicas ?? 0) !== next.readyReplicas ||
    (cur.availableReplicas ?? 0) !== next.availableReplicas ||
    (cur.observedGeneration ?? 0) !== generation ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
