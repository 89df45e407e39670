/**
 * The RollingUpdate strategy (upstream deployment/rolling.go). Each sync
 * takes one step and returns; the ReplicaSet and pod events it causes bring
 * the next:
 *   1. grow the new set as far as maxSurge allows;
 *   2. else shrink old sets as far as maxUnavailable allows — first their
 *      unhealthy pods (which cost no availability), then healthy ones,
 *      oldest set first;
 *   3. else (nothing to do) clean up history once complete, and report.
 */
import type { Deployment } from '../../api/apps/v1/types.js';
import type { DeploymentSyncer, Sets } from './sync.js';
import { activeReplicaSets, availableReplicaCount, byCreation, deploymentComplete, desiredReplicas, maxUnavailable, newRSNewReplicas, replicaCount, specReplicas, type RS } from './util.js';

export async function rolloutRolling(s: DeploymentSyncer, d: Deployment, rsList: readonly RS[], found: Sets): Promise<void> {
  const { newRS, oldRSs } = found.newRS ? found : await s.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  const all: RS[] = [...oldRSs, ...(newRS ? [newRS] : [])];
  if (newRS && (await reconcileNewReplicaSet(s, all, newRS, d))) {
    await s.syncRolloutStatus(d, all, newRS);
    return;
  }
  if (await reconcileOldReplicaSets(s, all, activeReplicaSets(oldRSs), newRS, d)) {
    await s.syncRolloutStatus(d, all, newRS);
    return;
  }
  if (deploymentComplete(d, d.status ?? {})) await s.cleanup(d, oldRSs);
  await s.syncRolloutStatus(d, all, newRS);
}

/** Step 1: the new set to its allowed size (down at once if it is above the desired count). True if it scaled. */
export async function reconcileNewReplicaSet(s: DeploymentSyncer, all: readonly RS[], newRS: RS, d: Deployment): Promise<boolean> {
  const desired = desiredReplicas(d);
  if (specReplicas(newRS) === desired) return false;
  const target = specReplicas(newRS) > desired ? desired : newRSNewReplicas(d, all, newRS);
  if (target === specReplicas(newRS)) return false;
  await s.scaleReplicaSet(newRS, target, d);
  return true;
}

/** The most old pods that may go now without availability dropping under desired − maxUnavailable. */
export function maxScaleDown(all: readonly RS[], newRS: RS | undefined, d: Deployment): number {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
  return replicaCount(all) - minAvailable - newUnavailable;
}

/** Step 2. True if any old set scaled. */
export async function reconcileOldReplicaSets(s: DeploymentSyncer, all: readonly RS[], oldActive: readonly RS[], newRS: RS | undefined, d: Deployment): Promise<boolean> {
  if (replicaCount(oldActive) === 0) return false;
  const budget = maxScaleDown(all, newRS, d);
  if (budget <= 0) return false;
  const { sets: afterCleanup, scaled: cleaned } = await cleanupUnhealthyReplicas(s, oldActive, d, budget);
  const allAfter = [...afterCleanup, ...(newRS ? [newRS] : [])];
  const scaled = await scaleDownOldForRollingUpdate(s, allAfter, afterCleanup, d);
  return cleaned + scaled > 0;
}

/**
 * Old sets lose their unavailable pods first (they cost no availability),
 * oldest set first, at most `budget` in all. Returns the sets as they are now.
 */
export async function cleanupUnhealthyReplicas(s: DeploymentSyncer, oldRSs: readonly RS[], d: Deployment, budget: number): Promise<{ sets: RS[]; scaled: number }> {
  const sets = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sets.length && total < budget; i++) {
    const rs = sets[i];
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    if (specReplicas(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(budget - total, unhealthy);
    sets[i] = await s.scaleReplicaSet(rs, specReplicas(rs) - n, d);
    total += n;
  }
  return { sets, scaled: total };
}

/** Healthy old pods go while availability stays at or above desired − maxUnavailable. Returns how many. */
export async function scaleDownOldForRollingUpdate(s: DeploymentSyncer, all: readonly RS[], oldRSs: readonly RS[], d: Deployment): Promise<number> {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = availableReplicaCount(all);
  if (available <= minAvailable) return 0;
  const want = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= want) break;
    if (specReplicas(rs) === 0) continue;
    const n = Math.min(specReplicas(rs), want - total);
    await s.scaleReplicaSet(rs, specReplicas(rs) - n, d);
    total += n;
  }
  return total;
}
