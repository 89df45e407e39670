/**
 * The Recreate strategy (upstream deployment/recreate.go): every old pod is
 * gone before the first new one starts. Old sets go to zero; while any of
 * their pods still runs (or its phase is unknown) the sync stops there; then
 * the new set is created (if needed) at full size.
 */
import type { Deployment } from '../../api/apps/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import type { RO } from '../common/types.js';
import type { DeploymentSyncer, Sets } from './sync.js';
import { activeReplicaSets, actualReplicaCount, deploymentComplete, desiredReplicas, specReplicas, type RS } from './util.js';

/** Pods of the Deployment's sets, by the owning set's uid. */
export type PodMap = ReadonlyMap<string, readonly RO<Pod>[]>;

export async function rolloutRecreate(s: DeploymentSyncer, d: Deployment, rsList: readonly RS[], found: Sets, podMap: PodMap): Promise<void> {
  let { newRS, oldRSs } = found;
  let all: (RS | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    await s.scaleReplicaSet(rs, 0, d);
    scaledDown = true;
  }
  if (scaledDown) {
    await s.syncRolloutStatus(d, all, newRS);
    return;
  }
  if (oldPodsRunning(newRS, oldRSs, podMap)) {
    await s.syncRolloutStatus(d, all, newRS);
    return;
  }
  if (!newRS) {
    ({ newRS, oldRSs } = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    all = [...oldRSs, newRS];
  }
  if (newRS && specReplicas(newRS) !== desiredReplicas(d)) await s.scaleReplicaSet(newRS, desiredReplicas(d), d, 'up');
  if (deploymentComplete(d, d.status ?? {})) await s.cleanup(d, oldRSs);
  await s.syncRolloutStatus(d, all, newRS);
}

/** Any old set still reporting pods, or any pod of an old set not finished. */
export function oldPodsRunning(newRS: RS | undefined, oldRSs: readonly RS[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
