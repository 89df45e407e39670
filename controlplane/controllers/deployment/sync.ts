/**
 * The write side of the deployment controller (upstream deployment/sync.go
 * and progress.go): find or create the new ReplicaSet, scale ReplicaSets,
 * prune history, and write the Deployment's revision annotation and status.
 *
 * Design notes
 * - `d` is the sync's mutable working copy of the Deployment. Every write to
 *   the Deployment refreshes d's resourceVersion from the answer, so a sync
 *   that writes the revision annotation and then the status does not
 *   conflict with itself. (Annotations go through the main resource: our
 *   status subresource, like upstream's for most kinds, keeps metadata.)
 * - ReplicaSets are read-only cached objects; a scale writes a copy and the
 *   server's answer replaces the cached one in the sync's lists, so later
 *   steps of the same sync see the new sizes before the informer does.
 * - The new ReplicaSet is `<deployment>-<hash>`. A create that meets
 *   AlreadyExists is either our own set (the cache is behind: use it) or a
 *   hash collision (bump status.collisionCount, which changes the hash).
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/apps/v1/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/interfaces.js';
import { resources } from '../../client/resources.js';
import type { Clock } from '../../client/clock.js';
import type { WorkQueue } from '../../client/types.js';
import type { Logger } from '../../machinery/log/index.js';
import type { LabelSelector } from '../../machinery/meta/types.js';
import { semanticEqual } from '../common/equal.js';
import { errorMessage } from '../common/errors.js';
import type { KindEvents } from '../common/events.js';
import { controllerRefOf, newControllerRef } from '../common/owners.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type RO } from '../common/types.js';
import { computeHash, equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './hash.js';
import {
  activeReplicaSets,
  actualReplicaCount,
  availableReplicaCount,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  proportion,
  readyReplicaCount,
  REASON_FOUND_NEW_RS,
  REASON_MIN_AVAILABLE,
  REASON_MIN_UNAVAILABLE,
  REASON_NEW_RS_AVAILABLE,
  REASON_NEW_RS_CREATED,
  REASON_PAUSED,
  REASON_RESUMED,
  REASON_RS_CREATE_ERROR,
  REASON_RS_UPDATED,
  REASON_TIMED_OUT,
  removeCondition,
  replicaCount,
  replicasAnnotationsNeedUpdate,
  REVISION_ANNOTATION,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
  type RS,
} from './util.js';

export interface SyncEnv {
  client: Client;
  clock: Clock;
  events: KindEvents;
  queue: WorkQueue;
  log: Logger;
}

/** The new ReplicaSet (if any) and all the others. */
export interface Sets {
  newRS: RS | undefined;
  oldRSs: RS[];
}

/** FindNewReplicaSet: the oldest set whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: RO<Deployment>, rsList: readonly RS[]): RS | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export class DeploymentSyncer {
  constructor(private readonly env: SyncEnv) {}

  private now(): number {
    return this.env.clock.now();
  }

  private rsClient(ns: string) {
    return this.env.client.resource(resources.replicasets, ns);
  }

  private depClient(ns: string) {
    return this.env.client.resource(resources.deployments, ns);
  }

  /**
   * Writes d's revision annotation and refreshes d's metadata. On a conflict
   * (our cache was behind: typically our own status write, or someone's
   * annotate) the annotation is applied to a fresh read, as long as the spec
   * did not move on — then this sync's decisions are stale and it is retried.
   */
  private async writeRevision(d: Deployment, revision: string): Promise<void> {
    const c = this.depClient(d.metadata.namespace ?? '');
    let out: Deployment;
    try {
      out = await c.update(d);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await c.get(d.metadata.name ?? '');
      if (fresh.metadata.generation !== d.metadata.generation) throw e;
      (fresh.metadata.annotations ??= {})[REVISION_ANNOTATION] = revision;
      out = await c.update(fresh);
    }
    d.metadata = out.metadata;
  }

  /**
   * Writes d's status and refreshes its resourceVersion. A conflict with an
   * unchanged generation (only metadata or status moved) retries once on the
   * fresh resourceVersion: the status computed from the ReplicaSets still holds.
   */
  async writeStatus(d: Deployment): Promise<void> {
    const c = this.depClient(d.metadata.namespace ?? '');
    let out: Deployment;
    try {
      out = await c.updateStatus(d);
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await c.get(d.metadata.name ?? '');
      if (fresh.metadata.generation !== d.metadata.generation) throw e;
      d.metadata.resourceVersion = fresh.metadata.resourceVersion;
      out = await c.updateStatus(d);
    }
    d.metadata.resourceVersion = out.metadata?.resourceVersion;
  }

  /** Records `revision` on the Deployment when it differs (SetDeploymentRevision). */
  private async syncDeploymentRevision(d: Deployment, revision: string): Promise<void> {
    if (d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    (d.metadata.annotations ??= {})[REVISION_ANNOTATION] = revision;
    await this.writeRevision(d, revision);
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new set (created when asked and
   * missing) and the old ones; the new set's revision raised above every old
   * one, and the Deployment's revision annotation following it.
   */
  async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: readonly RS[], createIfMissing: boolean): Promise<Sets> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs.metadata?.uid !== existing?.metadata?.uid);
    const newRS = await this.getNewReplicaSet(d, existing, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(d: Deployment, existing: RS | undefined, oldRSs: readonly RS[], createIfMissing: boolean): Promise<RS | undefined> {
    const ns = d.metadata.namespace ?? '';
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      let rs: RS = existing;
      const copy = mutableCopy<ReplicaSet>(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        if (copy.spec) copy.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        rs = await this.updateReplicaSet(existing, copy, (fresh) => {
          setNewReplicaSetAnnotations(d, fresh, newRevision, true);
          if (fresh.spec) fresh.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        });
      }
      await this.syncDeploymentRevision(d, rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
      // A Deployment seen for the first time with its set already there (controller restart, adoption).
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        d.status ??= {};
        setCondition(d.status, newCondition('Progressing', 'True', REASON_FOUND_NEW_RS, `Found new replica set "${rs.metadata?.name}"`, this.now()));
        await this.writeStatus(d);
      }
      return rs;
    }
    if (!createIfMissing) return undefined;

    const template = mutableCopy(d.spec!.template);
    const hash = computeHash(d.spec!.template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const selector: LabelSelector = mutableCopy<LabelSelector>(d.spec!.selector as RO<LabelSelector>);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const candidate: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: { ...template.metadata.labels },
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, candidate as RS], candidate as RS);
    candidate.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, candidate, newRevision, false);

    let created: RS;
    let alreadyExisted = false;
    try {
      created = (await this.rsClient(ns).create(candidate)) as RS;
    } catch (e) {
      if (!isAlreadyExists(e)) {
        if (hasProgressDeadline(d)) {
          d.status ??= {};
          setCondition(d.status, newCondition('Progressing', 'False', REASON_RS_CREATE_ERROR, `Failed to create new replica set "${candidate.metadata.name}": ${errorMessage(e)}`, this.now()));
          await this.writeStatus(d).catch(() => undefined);
        }
        throw e;
      }
      // Ours already (the informer is behind), or a hash collision with someone else's set.
      const found = (await this.rsClient(ns).get(candidate.metadata.name!)) as RS;
      const ref = controllerRefOf(found);
      if (ref?.uid === d.metadata.uid && equalIgnoreHash(found.spec?.template, d.spec?.template)) {
        created = found;
        alreadyExisted = true;
      } else {
        d.status ??= {};
        d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
        await this.writeStatus(d);
        throw new Error(`found a hash collision for deployment ${keyOfMeta(d.metadata)} (${candidate.metadata.name}); bumped collisionCount to ${d.status.collisionCount}`);
      }
    }
    if (!alreadyExisted && replicas > 0) this.env.events.emit(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} to ${replicas}`);
    await this.syncDeploymentRevision(d, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', REASON_NEW_RS_CREATED, `Created new replica set "${created.metadata?.name}"`, this.now()));
      await this.writeStatus(d);
    }
    return created;
  }

  // ---- scaling ----------------------------------------------------------------------------

  /**
   * Writes a changed copy of a cached ReplicaSet. A conflict (its controller
   * just wrote its status) is retried once on a fresh read, provided the
   * set's spec is still what this sync decided from; `apply` re-makes the
   * change on it.
   */
  private async updateReplicaSet(cached: RS, copy: ReplicaSet, apply: (fresh: ReplicaSet) => void): Promise<RS> {
    const c = this.rsClient(cached.metadata?.namespace ?? '');
    try {
      return (await c.update(copy)) as RS;
    } catch (e) {
      if (!isConflict(e)) throw e;
      const fresh = await c.get(cached.metadata?.name ?? '');
      if (fresh.metadata.uid !== cached.metadata?.uid || fresh.metadata.generation !== cached.metadata?.generation) throw e;
      apply(fresh);
      return (await c.update(fresh)) as RS;
    }
  }

  /**
   * scaleReplicaSetAndRecordEvent: set rs to newScale (and the replicas
   * annotations to the Deployment's current size). Returns the set as
   * written, or rs unchanged when nothing needed writing.
   */
  async scaleReplicaSet(rs: RS, newScale: number, d: RO<Deployment>, operation?: 'up' | 'down'): Promise<RS> {
    const sizeChanged = specReplicas(rs) !== newScale;
    const max = desiredReplicas(d) + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desiredReplicas(d), max)) return rs;
    const old = specReplicas(rs);
    const apply = (x: ReplicaSet) => {
      x.spec = { ...x.spec!, replicas: newScale };
      setReplicasAnnotations(x, desiredReplicas(d), max);
    };
    const copy = mutableCopy<ReplicaSet>(rs);
    apply(copy);
    const out = await this.updateReplicaSet(rs, copy, apply);
    if (sizeChanged) {
      const op = operation ?? (newScale > old ? 'up' : 'down');
      this.env.events.emit(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${old} to ${newScale}`);
    }
    return out;
  }

  /**
   * scale: a Deployment resized while (or without) rolling out. One active
   * set takes the whole change; a saturated new set means the old ones go
   * to zero; otherwise the change is spread over the active sets in
   * proportion to their sizes (largest first), so a rollout in progress
   * keeps its shape.
   */
  async scale(d: RO<Deployment>, newRS: RS | undefined, oldRSs: readonly RS[]): Promise<void> {
    const target = findActiveOrLatest(newRS, oldRSs);
    if (target) {
      if (specReplicas(target) !== desiredReplicas(d)) await this.scaleReplicaSet(target, desiredReplicas(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs)) await this.scaleReplicaSet(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
    const toAdd = allowed - replicaCount(all);
    let operation: 'up' | 'down' | undefined;
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    const sizes = planProportionalScale(d, all, toAdd);
    for (const rs of all) await this.scaleReplicaSet(rs, sizes.get(rs.metadata?.name ?? '') ?? specReplicas(rs), d, operation);
  }

  /** cleanupDeployment: delete the oldest empty sets beyond revisionHistoryLimit. */
  async cleanup(d: RO<Deployment>, oldRSs: readonly RS[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = cleanable.length - limit;
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      // Only sets that have fully drained and whose status caught up with their spec.
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.rsClient(rs.metadata?.namespace ?? '').delete(rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- status -------------------------------------------------------------------------------

  /** calculateStatus: counts from the sets, conditions carried over, Available recomputed. */
  calculateStatus(d: RO<Deployment>, all: readonly (RS | undefined)[], newRS: RS | undefined): DeploymentStatus {
    const available = availableReplicaCount(all);
    const total = replicaCount(all);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata?.generation,
      replicas: actualReplicaCount(all),
      updatedReplicas: actualReplicaCount([newRS]),
      readyReplicas: readyReplicaCount(all),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    for (const c of d.status?.conditions ?? []) setCondition(status, mutableCopy(c));
    if (available >= desiredReplicas(d) - maxUnavailable(d)) {
      setCondition(status, newCondition('Available', 'True', REASON_MIN_AVAILABLE, 'Deployment has minimum availability.', this.now()));
    } else {
      setCondition(status, newCondition('Available', 'False', REASON_MIN_UNAVAILABLE, 'Deployment does not have minimum availability.', this.now()));
    }
    return status;
  }

  /** syncDeploymentStatus: write the counts when they changed (scaling, paused, deleting). */
  async syncStatus(d: Deployment, all: readonly (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const next = this.calculateStatus(d, all, newRS);
    if (semanticEqual(d.status, next)) return;
    d.status = next;
    await this.writeStatus(d);
  }

  /**
   * syncRolloutStatus: counts plus the Progressing condition — complete
   * (NewReplicaSetAvailable), progressing (ReplicaSetUpdated, its
   * lastUpdateTime moved on each step), or timed out
   * (ProgressDeadlineExceeded). A rollout that is neither done nor timed out
   * is looked at again when its deadline would pass.
   */
  async syncRolloutStatus(d: Deployment, all: readonly (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const next = this.calculateStatus(d, all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing');
    const cur = getCondition(d.status, 'Progressing');
    const complete = next.replicas === next.updatedReplicas && cur?.reason === REASON_NEW_RS_AVAILABLE;
    if (hasProgressDeadline(d) && !complete) {
      const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, next)) {
        setCondition(next, newCondition('Progressing', 'True', REASON_NEW_RS_AVAILABLE, `${subject} has successfully progressed.`, this.now()));
      } else if (deploymentProgressing(d, next)) {
        // Same reason, but lastUpdateTime must move: replace rather than set.
        const c = newCondition('Progressing', 'True', REASON_RS_UPDATED, `${subject} is progressing.`, this.now());
        if (cur) {
          if (cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
          removeCondition(next, 'Progressing');
        }
        setCondition(next, c);
      } else if (deploymentTimedOut(d, next, this.now())) {
        setCondition(next, newCondition('Progressing', 'False', REASON_TIMED_OUT, `${subject} has timed out progressing.`, this.now()));
      }
    }
    if (semanticEqual(d.status, next)) {
      this.requeueStuck(d, next);
      return;
    }
    d.status = next;
    await this.writeStatus(d);
  }

  /** requeueStuckDeployment: look again once the progress deadline could have passed. */
  private requeueStuck(d: RO<Deployment>, s: DeploymentStatus): void {
    const c = getCondition(s, 'Progressing');
    if (!hasProgressDeadline(d) || !c) return;
    if (deploymentComplete(d, s) || c.reason === REASON_TIMED_OUT) return;
    const from = Date.parse(c.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return;
    const after = from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - this.now();
    const key = keyOfMeta(d.metadata!);
    if (after < 1000) this.env.queue.addRateLimited(key);
    else this.env.queue.addAfter(key, after + 1000);
  }

  /** checkPausedConditions: Progressing Unknown/DeploymentPaused while paused, DeploymentResumed after. */
  async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cur = getCondition(d.status, 'Progressing');
    if (cur?.reason === REASON_TIMED_OUT) return;
    const pausedCond = cur?.reason === REASON_PAUSED;
    let c;
    if (d.spec?.paused && !pausedCond) c = newCondition('Progressing', 'Unknown', REASON_PAUSED, 'Deployment is paused', this.now());
    else if (!d.spec?.paused && pausedCond) c = newCondition('Progressing', 'Unknown', REASON_RESUMED, 'Deployment is resumed', this.now());
    if (!c) return;
    d.status ??= {};
    setCondition(d.status, c);
    await this.writeStatus(d);
  }
}

/**
 * FindActiveOrLatest: the one set that has replicas, or, when none has, the
 * new set (else the newest old one); undefined when several are active.
 */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: readonly RS[]): RS | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sorted = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...sorted, newRS]);
  if (active.length === 0) return newRS ?? sorted[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * The sizes proportional scaling gives each set (name → replicas): each set
 * its proportion in turn, the rounding leftover to the first (largest) set,
 * never below zero. `all` must already be sorted for the direction.
 */
export function planProportionalScale(d: RO<Deployment>, all: readonly RS[], toAdd: number): Map<string, number> {
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of all) {
    const p = toAdd !== 0 ? proportion(rs, d, toAdd, added) : 0;
    sizes.set(rs.metadata?.name ?? '', specReplicas(rs) + p);
    added += p;
  }
  if (toAdd !== added && all.length > 0) {
    const first = all[0].metadata?.name ?? '';
    sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  }
  return sizes;
}
