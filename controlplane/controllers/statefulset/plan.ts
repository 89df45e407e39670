/**
 * One step of a StatefulSet (upstream defaultStatefulSetControl
 * .updateStatefulSet), pure: from the set, its current and update revisions
 * and the pods it owns, the ordered list of writes to make and the status
 * they lead to. controller.ts applies the writes in order and stops at the
 * first error.
 *
 * The rules, as upstream:
 * - ordinals [0, replicas) must exist; pods at ordinals ≥ replicas are
 *   condemned;
 * - a missing pod is created at the current revision when its ordinal is
 *   below the partition (RollingUpdate), else at the update revision;
 * - failed pods are deleted and recreated;
 * - OrderedReady (monotonic): one pod at a time — stop after a create, at a
 *   terminating pod, or at a pod that is not Running and Ready; condemned pods
 *   go from the highest ordinal down, one at a time, only once every pod
 *   below is healthy. Parallel: no waiting;
 * - pods whose identity or storage drifted are updated in place;
 * - scaling first, then RollingUpdate: delete the highest-ordinal pod ≥
 *   partition that is not at the update revision, one at a time, waiting for
 *   pods to be healthy; OnDelete never deletes for an update.
 */
import type { StatefulSet, StatefulSetStatus } from '../../api/apps/v1/types.js';
import type { Pod, PodTemplateSpec } from '../../api/core/v1/types.js';
import { isPodAvailable, isPodReady } from '../common/pods.js';
import type { RO } from '../common/types.js';
import { identityMatches, newStatefulPod, ordinalOf, podRevision, storageMatches } from './identity.js';

export interface Revision {
  name: string;
  template: RO<PodTemplateSpec>;
}

export type Action =
  | { kind: 'create'; ordinal: number; pod: Pod }
  | { kind: 'delete'; pod: RO<Pod>; why: 'failed' | 'scale-down' | 'update' }
  | { kind: 'update'; ordinal: number; pod: RO<Pod> };

export interface Plan {
  actions: Action[];
  status: StatefulSetStatus;
}

// Came back from the API server (a pod this plan made up has neither).
const isCreated = (p: RO<Pod> | Pod): boolean => Boolean(p.metadata.uid || p.status?.phase);
const isTerminating = (p: RO<Pod> | Pod): boolean => Boolean(p.metadata.deletionTimestamp);
const isFailed = (p: RO<Pod> | Pod): boolean => p.status?.phase === 'Failed';
const isRunningAndReady = (p: RO<Pod> | Pod): boolean => p.status?.phase === 'Running' && isPodReady(p as RO<Pod>);
const isHealthy = (p: RO<Pod> | Pod): boolean => isRunningAndReady(p) && !isTerminating(p);

function partitionOf(set: RO<StatefulSet>): number {
  const s = set.spec?.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') !== 'RollingUpdate') return 0;
  return s?.rollingUpdate?.partition ?? 0;
}

/** newVersionedStatefulSetPod: below the partition a pod is (re)made at the current revision. */
function versionedPod(set: RO<StatefulSet>, current: Revision, update: Revision, ordinal: number): Pod {
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && ordinal < partitionOf(set)) return newStatefulPod(set, current.template, current.name, ordinal);
  return newStatefulPod(set, update.template, update.name, ordinal);
}

export function planStatefulSet(set: RO<StatefulSet>, current: Revision, update: Revision, pods: readonly RO<Pod>[], nowMs: number): Plan {
  const setName = set.metadata.name ?? '';
  const replicaCount = set.spec?.replicas ?? 1;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: current.name,
    updateRevision: update.name,
  };
  if (set.status?.collisionCount !== undefined) status.collisionCount = set.status.collisionCount;
  const actions: Action[] = [];
  const done = (): Plan => ({ actions, status });
  const count = (p: RO<Pod> | Pod, delta: number) => {
    const rev = podRevision(p as RO<Pod>);
    // Both when the two revisions are one (a set at rest).
    if (rev === current.name) status.currentReplicas! += delta;
    if (rev === update.name) status.updatedReplicas! += delta;
  };

  const replicas: (RO<Pod> | Pod | undefined)[] = new Array(replicaCount).fill(undefined);
  const condemned: RO<Pod>[] = [];
  for (const p of pods) {
    status.replicas++;
    if (isRunningAndReady(p)) {
      status.readyReplicas!++;
      if (isPodAvailable(p, minReady, nowMs)) status.availableReplicas!++;
    }
    if (isCreated(p) && !isTerminating(p)) count(p, 1);
    const ord = ordinalOf(setName, p.metadata.name);
    if (ord >= 0 && ord < replicaCount) replicas[ord] = p;
    else if (ord >= replicaCount) condemned.push(p);
  }
  for (let ord = 0; ord < replicaCount; ord++) replicas[ord] ??= versionedPod(set, current, update, ord);
  condemned.sort((a, b) => ordinalOf(setName, a.metadata.name) - ordinalOf(setName, b.metadata.name));

  // The first unhealthy pod: the only condemned pod that may go while unhealthy.
  let firstUnhealthy: RO<Pod> | Pod | undefined;
  for (const p of [...replicas, ...condemned]) {
    if (p && !isHealthy(p)) {
      firstUnhealthy = p;
      break;
    }
  }
  if (set.metadata.deletionTimestamp) return done();
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';

  for (let i = 0; i < replicaCount; i++) {
    let p = replicas[i]!;
    if (isFailed(p)) {
      actions.push({ kind: 'delete', pod: p as RO<Pod>, why: 'failed' });
      count(p, -1);
      status.replicas--;
      p = replicas[i] = versionedPod(set, current, update, i);
    }
    if (!isCreated(p)) {
      actions.push({ kind: 'create', ordinal: i, pod: p as Pod });
      status.replicas++;
      count(p, 1);
      if (monotonic) return done();
      continue;
    }
    if (isTerminating(p) && monotonic) return done();
    if (!isRunningAndReady(p) && monotonic) return done();
    if (identityMatches(set, p as RO<Pod>) && storageMatches(set, p as RO<Pod>)) continue;
    actions.push({ kind: 'update', ordinal: i, pod: p as RO<Pod> });
  }

  // Every pod in [0, replicas) is Running and Ready (or we are Parallel): scale down from the top.
  for (let target = condemned.length - 1; target >= 0; target--) {
    const p = condemned[target];
    if (isTerminating(p)) {
      if (monotonic) return done();
      continue;
    }
    if (!isRunningAndReady(p) && monotonic && p !== firstUnhealthy) return done();
    actions.push({ kind: 'delete', pod: p, why: 'scale-down' });
    count(p, -1);
    if (monotonic) return done();
  }

  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'OnDelete') return done();
  const updateMin = partitionOf(set);
  for (let target = replicaCount - 1; target >= updateMin; target--) {
    const p = replicas[target]!;
    if (podRevision(p as RO<Pod>) !== update.name && !isTerminating(p)) {
      actions.push({ kind: 'delete', pod: p as RO<Pod>, why: 'update' });
      status.currentReplicas!--;
      return done();
    }
    if (!isHealthy(p)) return done();
  }
  return done();
}

/** completeRollingUpdate: every pod updated and ready → the update revision becomes the current one. Mutates status. */
export function completeRollingUpdate(set: RO<StatefulSet>, status: StatefulSetStatus): void {
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
  if (status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}
