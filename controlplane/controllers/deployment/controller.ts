/**
 * The deployment controller (upstream pkg/controller/deployment): rolls a
 * Deployment's pod template out through ReplicaSets named
 * `<deployment>-<pod-template-hash>`, keeping the revision annotations,
 * conditions and counts that `kubectl rollout status|history|undo` read.
 *
 * sync(key), in upstream's order:
 *   - gone → nothing (the garbage collector removes its sets);
 *   - an empty selector would select every pod: refuse, note observedGeneration;
 *   - claim ReplicaSets (adopt matching orphans, release strays);
 *   - being deleted → status only;
 *   - Progressing condition for pause/resume;
 *   - paused → scale only (no rollout), prune history;
 *   - a scaling event (desired-replicas annotation ≠ spec.replicas) → scale only;
 *   - else Recreate or RollingUpdate, one step per sync.
 * Handlers only enqueue: ReplicaSet events enqueue their Deployment (or, for
 * orphans, every Deployment whose selector matches); pod deletions matter
 * only to Recreate (waiting for the old pods to go).
 */
import type { Deployment, ReplicaSet } from '../../api/apps/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { KubeObject, LabelSelector } from '../../machinery/meta/types.js';
import { errorMessage } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { runLoop } from '../common/loop.js';
import { claimObjects, controllerRefOf, ownerGetter } from '../common/owners.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { DeploymentSyncer, type Sets } from './sync.js';
import { activeReplicaSets, desiredReplicasAnnotation, desiredReplicas, type RS } from './util.js';

export interface DeploymentControllerOptions {
  /** --concurrent-deployment-syncs. */
  workers: number;
  /** --deployment-controller-sync-period: every Deployment is looked at again this often. 0 = never. */
  resyncMs?: number;
}

function selectorOf(d: RO<Deployment>): Selector {
  return selectorFromLabelSelector(d.spec?.selector as LabelSelector | undefined);
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly syncer: DeploymentSyncer;
  private readonly events: KindEvents;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: DeploymentControllerOptions,
  ) {
    this.queue = ctx.newQueue('deployment');
    this.deployments = ctx.informers.informerFor(resources.deployments);
    this.replicaSets = ctx.informers.informerFor(resources.replicasets);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.events = new KindEvents(ctx.recorder, 'apps/v1', 'Deployment');
    this.syncer = new DeploymentSyncer({ client: ctx.client, clock: ctx.clock, events: this.events, queue: this.queue, log: ctx.log });

    this.deployments.onAdd((d) => this.enqueue(d));
    this.deployments.onUpdate((_o, d) => this.enqueue(d));
    this.deployments.onDelete((d) => this.enqueue(d));
    this.replicaSets.onAdd((rs) => this.onReplicaSet(rs));
    this.replicaSets.onUpdate((old, cur) => this.updateReplicaSet(old, cur));
    this.replicaSets.onDelete((rs) => this.onReplicaSet(rs, true));
    this.pods.onDelete((p) => this.deletePod(p));
  }

  async run(signal: AbortSignal): Promise<void> {
    const stopResync = this.startResync(signal);
    try {
      await runLoop(
        { name: 'deployment', informers: [this.deployments, this.replicaSets, this.pods], queue: this.queue, workers: this.opts.workers, sync: (k) => this.sync(k), log: this.ctx.log },
        signal,
      );
    } finally {
      stopResync();
    }
  }

  /** --deployment-controller-sync-period: a level-triggered safety net (progress deadlines, missed events). */
  private startResync(signal: AbortSignal): () => void {
    const period = this.opts.resyncMs ?? 0;
    if (period <= 0) return () => undefined;
    let cancel = () => undefined as void;
    const tick = () => {
      if (signal.aborted) return;
      for (const d of this.deployments.lister.list()) this.enqueue(d);
      cancel = this.ctx.clock.setTimer(tick, period);
    };
    cancel = this.ctx.clock.setTimer(tick, period);
    return () => cancel();
  }

  private enqueue(d: RO<Deployment>): void {
    this.queue.add(keyOfMeta(d.metadata!));
  }

  // ---- events → keys ---------------------------------------------------------------------

  private resolve(namespace: string, ref: RO<{ kind: string; name: string; uid: string }> | undefined): RO<Deployment> | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.lister.get(`${namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments in the set's namespace whose selector matches it (orphans may be adopted). */
  private deploymentsMatching(rs: RO<ReplicaSet>): RO<Deployment>[] {
    return this.deployments.lister.byIndex(NAMESPACE_INDEX, rs.metadata.namespace ?? '').filter((d) => {
      try {
        const sel = selectorOf(d);
        return !sel.isEmpty() && sel.matches(rs.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private onReplicaSet(rs: RO<ReplicaSet>, deleted = false): void {
    const ref = controllerRefOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata.namespace ?? '', ref);
      if (d) this.enqueue(d);
      return;
    }
    if (!deleted) for (const d of this.deploymentsMatching(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: RO<ReplicaSet>, cur: RO<ReplicaSet>): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRefOf(old);
    const curRef = controllerRefOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const d = this.resolve(old.metadata.namespace ?? '', oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolve(cur.metadata.namespace ?? '', curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const d of this.deploymentsMatching(cur)) this.enqueue(d);
  }

  /** Recreate waits for every old pod to be gone: the last one's deletion is the signal. */
  private deletePod(pod: RO<Pod>): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolve(rs.metadata.namespace ?? '', controllerRefOf(rs));
    if (!d || d.spec?.strategy?.type !== 'Recreate') return;
    this.enqueue(d);
  }

  // ---- sync -------------------------------------------------------------------------------

  /** ReplicaSets that may be the Deployment's: in its namespace, matching or already owned. */
  private async claimReplicaSets(d: RO<Deployment>, selector: Selector): Promise<RS[]> {
    const ns = d.metadata.namespace ?? '';
    const seen = new Map<string, RS>();
    for (const rs of this.replicaSets.lister.byIndex(NAMESPACE_INDEX, ns)) seen.set(rs.metadata.name ?? '', rs);
    return claimObjects<ReplicaSet>({
      owner: d as RO<KubeObject>,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      selector,
      candidates: [...seen.values()],
      objects: this.ctx.client.resource(resources.replicasets, ns),
      getOwner: ownerGetter(this.ctx.client, resources.deployments, ns, d.metadata.name ?? ''),
    });
  }

  /** Pods of the given sets, grouped by set uid (Recreate's "are old pods still running?"). */
  private podMap(rsList: readonly RS[]): PodMap {
    const m = new Map<string, RO<Pod>[]>();
    for (const rs of rsList) {
      const uid = rs.metadata.uid ?? '';
      m.set(uid, [...this.pods.lister.byIndex(OWNER_UID_INDEX, uid)].filter((p) => controllerRefOf(p)?.uid === uid));
    }
    return m;
  }

  async sync(key: string): Promise<void> {
    const cached = this.deployments.lister.get(key);
    if (!cached) return;
    // The working copy: every write below updates it (and its resourceVersion).
    const d = mutableCopy<Deployment>(cached);
    let selector: Selector;
    try {
      selector = selectorOf(cached);
    } catch (e) {
      this.ctx.log.warn('deployment has an invalid selector', { key, err: errorMessage(e) });
      return;
    }
    if (selector.isEmpty()) {
      // An empty selector would claim every pod in the namespace: refuse to act.
      this.events.emit(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.syncer.writeStatus(d);
      }
      return;
    }
    const rsList = await this.claimReplicaSets(cached, selector);

    // Find the sets once per sync (this may write the new set's revision): a
    // second pass over the same cached list would repeat those writes with a
    // stale resourceVersion and conflict with itself.
    const sets = await this.syncer.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    if (d.metadata.deletionTimestamp) {
      await this.syncer.syncStatus(d, [...sets.oldRSs, sets.newRS], sets.newRS);
      return;
    }
    await this.syncer.checkPausedConditions(d);
    if (d.spec?.paused || isScalingEvent(d, sets)) {
      await this.scaleOnly(d, sets);
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(this.syncer, d, rsList, sets, this.podMap(rsList));
    else await rolloutRolling(this.syncer, d, rsList, sets);
  }

  /** sync(): scale without rolling out (paused, or only spec.replicas changed). */
  private async scaleOnly(d: Deployment, { newRS, oldRSs }: Sets): Promise<void> {
    await this.syncer.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.syncer.cleanup(d, oldRSs);
    // The counts in status come from the sets' status fields, which a scale does not change.
    await this.syncer.syncStatus(d, [...oldRSs, newRS], newRS);
  }
}

/** isScalingEvent: an active set's desired-replicas annotation disagrees with spec.replicas. */
export function isScalingEvent(d: RO<Deployment>, { newRS, oldRSs }: Sets): boolean {
  for (const rs of activeReplicaSets([...oldRSs, newRS])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== desiredReplicas(d)) return true;
  }
  return false;
}
