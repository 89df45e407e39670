/**
 * The DaemonSet controller (upstream pkg/controller/daemon, 1.8 design):
 * one pod of the set's template on every eligible node (eligibility.ts),
 * placed by the controller itself through spec.nodeName — the scheduler is
 * not involved.
 *
 * sync(key), in upstream's order:
 *   - gone → forget its expectations; being deleted → nothing (the garbage
 *     collector removes the pods); an empty selector → a SelectingAll event;
 *   - claim pods and ControllerRevisions (adopt matching orphans, release strays);
 *   - history: the revision of the current template (created, or renumbered
 *     to be the newest); its hash labels new pods;
 *   - pending expectations → status only;
 *   - manage: create missing pods, delete misscheduled, failed and duplicate ones;
 *   - RollingUpdate: delete old pods within maxUnavailable (manage replaces
 *     them on a later sync); OnDelete: only pods deleted by the user are replaced;
 *   - prune old revisions no pod uses beyond revisionHistoryLimit;
 *   - status (what `kubectl rollout status ds/x` reads).
 * Handlers only enqueue keys: DaemonSet events, pod events (the owner, or for
 * orphans every set whose selector matches), node events (every set).
 */
import type { ControllerRevision, DaemonSet, DaemonSetStatus, WorkloadCondition } from '../../api/apps/v1/types.js';
import type { Node, Pod, PodTemplateSpec } from '../../api/core/v1/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import type { KubeObject, LabelSelector, ObjectMeta } from '../../machinery/meta/types.js';
import { BURST_REPLICAS, slowStartBatch } from '../common/batch.js';
import { sameStringMap } from '../common/equal.js';
import { errorMessage, isNamespaceTerminating } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { ControllerExpectations } from '../common/expectations.js';
import { compareRevisions, CONTROLLER_REVISION_HASH_LABEL, createRevision, hashRevisionData, nextRevisionNumber, sameRevisionData, templatePatch } from '../common/history.js';
import { runLoop } from '../common/loop.js';
import { claimObjects, controllerRefOf, newControllerRef, ownerGetter } from '../common/owners.js';
import { candidatePods, keyOfMeta, podFromTemplate } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { addDaemonTolerations } from './eligibility.js';
import { computeStatus, planManage, planRollingUpdate, podsByNode, TEMPLATE_GENERATION_LABEL, templateGeneration } from './plan.js';

export interface DaemonSetControllerOptions {
  /** --concurrent-daemonset-syncs. */
  workers?: number;
  /** Per-sync cap on creates and deletes (tests lower it). */
  burstReplicas?: number;
}

const API_VERSION = 'apps/v1';
const KIND = 'DaemonSet';

function selectorOf(ds: RO<DaemonSet>): Selector {
  return selectorFromLabelSelector(ds.spec?.selector as LabelSelector | undefined);
}

export class DaemonSetController implements Controller {
  readonly name = 'daemonset';
  // Immutable after construction.
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly sets: SharedInformer<DaemonSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly revisions: SharedInformer<ControllerRevision>;
  private readonly events: KindEvents;
  private readonly burst: number;
  /** key → the last summary logged, so each state change is logged once. Owned by sync. */
  private readonly logged = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: DaemonSetControllerOptions = {},
  ) {
    this.queue = ctx.newQueue('daemonset');
    this.expectations = new ControllerExpectations(ctx.clock);
    this.events = new KindEvents(ctx.recorder, API_VERSION, KIND);
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.sets = ctx.informers.informerFor(resources.daemonsets);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.nodes = ctx.informers.informerFor(resources.nodes);
    this.revisions = ctx.informers.informerFor(resources.controllerrevisions);

    this.sets.onAdd((ds) => this.queue.add(keyOfMeta(ds.metadata)));
    this.sets.onUpdate((_o, ds) => this.queue.add(keyOfMeta(ds.metadata)));
    this.sets.onDelete((ds) => {
      const key = keyOfMeta(ds.metadata);
      this.expectations.delete(key);
      this.logged.delete(key);
      this.queue.add(key);
    });
    this.pods.onAdd((p) => this.onPod(p, 'add'));
    this.pods.onUpdate((o, p) => this.updatePod(o, p));
    this.pods.onDelete((p) => this.onPod(p, 'delete'));
    this.nodes.onAdd(() => this.enqueueAll());
    this.nodes.onUpdate((o, n) => this.updateNode(o, n));
    this.nodes.onDelete(() => this.enqueueAll());
    this.revisions.onAdd((r) => this.onRevision(r));
    this.revisions.onUpdate((_o, r) => this.onRevision(r));
    this.revisions.onDelete((r) => this.onRevision(r));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: 'daemonset', informers: [this.sets, this.pods, this.nodes, this.revisions], queue: this.queue, workers: this.opts.workers ?? 2, sync: (k) => this.sync(k), log: this.ctx.log },
      signal,
    );
  }

  // ---- events → keys ------------------------------------------------------------

  private enqueueAll(): void {
    for (const ds of this.sets.lister.list()) this.queue.add(keyOfMeta(ds.metadata));
  }

  /** Only what eligibility reads: labels, taints, the node's name. */
  private updateNode(old: RO<Node>, cur: RO<Node>): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (sameStringMap(old.metadata.labels, cur.metadata.labels) && JSON.stringify(old.spec?.taints ?? []) === JSON.stringify(cur.spec?.taints ?? [])) return;
    this.enqueueAll();
  }

  private ownerOf(obj: RO<KubeObject>): RO<DaemonSet> | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== KIND) return undefined;
    const ds = this.sets.lister.get(`${obj.metadata?.namespace ?? ''}/${ref.name}`);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  private setsMatching(meta: RO<ObjectMeta>): RO<DaemonSet>[] {
    const out: RO<DaemonSet>[] = [];
    for (const ds of this.sets.lister.byIndex(NAMESPACE_INDEX, meta.namespace ?? '')) {
      try {
        const sel = selectorOf(ds);
        if (!sel.isEmpty() && sel.matches(meta.labels)) out.push(ds);
      } catch {
        // an invalid selector adopts nothing
      }
    }
    return out;
  }

  private onPod(pod: RO<Pod>, what: 'add' | 'delete'): void {
    const ref = controllerRefOf(pod);
    if (!ref) {
      if (what === 'add' && !pod.metadata.deletionTimestamp) for (const ds of this.setsMatching(pod.metadata)) this.queue.add(keyOfMeta(ds.metadata));
      return;
    }
    const ds = this.ownerOf(pod);
    if (!ds) return;
    const key = keyOfMeta(ds.metadata);
    if (what === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
    if (what === 'delete' || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, keyOfMeta(pod.metadata));
    this.queue.add(key);
  }

  private updatePod(old: RO<Pod>, cur: RO<Pod>): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldOwner = this.ownerOf(old);
    const curOwner = this.ownerOf(cur);
    if (oldOwner && oldOwner.metadata.uid !== curOwner?.metadata.uid) this.queue.add(keyOfMeta(oldOwner.metadata));
    if (curOwner) {
      const key = keyOfMeta(curOwner.metadata);
      // A graceful delete shows first as a deletionTimestamp: the deletion we waited for.
      if (cur.metadata.deletionTimestamp) this.expectations.deletionObserved(key, keyOfMeta(cur.metadata));
      this.queue.add(key);
      // Availability needs minReadySeconds of readiness: look again once it has passed.
      const minReady = curOwner.spec?.minReadySeconds ?? 0;
      const wasReady = old.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const isReady = cur.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (minReady > 0 && !wasReady && isReady) this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (!controllerRefOf(cur) && !sameStringMap(old.metadata.labels, cur.metadata.labels)) for (const ds of this.setsMatching(cur.metadata)) this.queue.add(keyOfMeta(ds.metadata));
  }

  private onRevision(r: RO<ControllerRevision>): void {
    const ds = this.ownerOf(r);
    if (ds) this.queue.add(keyOfMeta(ds.metadata));
  }

  // ---- sync -----------------------------------------------------------------------

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.sets.lister.get(key);
    if (!ds) {
      this.expectations.delete(key);
      this.logged.delete(key);
      return;
    }
    let selector: Selector;
    try {
      selector = selectorOf(ds);
    } catch (e) {
      this.ctx.log.warn('daemon set has an invalid selector', { key, err: errorMessage(e) });
      return;
    }
    if (selector.isEmpty()) {
      this.events.emit(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Being deleted: the garbage collector takes the pods; a new one now would only race it.
    if (ds.metadata.deletionTimestamp) return;

    const uid = ds.metadata.uid ?? '';
    const pods = await claimObjects<Pod>({
      owner: ds,
      ownerApiVersion: API_VERSION,
      ownerKind: KIND,
      selector,
      candidates: candidatePods(this.pods.lister, namespace, uid, selector),
      objects: this.ctx.client.resource(resources.pods, namespace),
      getOwner: ownerGetter(this.ctx.client, resources.daemonsets, namespace, name),
    });
    const { hash, old, collisionCount } = await this.constructHistory(ds, selector);

    const nodes = this.nodes.lister.list();
    let byNode = podsByNode(pods);
    let err: unknown;
    if (this.expectations.satisfied(key)) {
      try {
        await this.manage(key, ds, nodes, byNode, hash);
        // Rolling only on a settled view: the creates and deletes above must be seen first.
        if (this.expectations.satisfied(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
          const victims = planRollingUpdate(ds, nodes, byNode, hash, this.ctx.clock.now());
          if (victims.length > 0) {
            this.ctx.log.v(2).info('rolling update: deleting old daemon pods', { key, pods: victims.map((p) => p.metadata.name) });
            await this.deletePods(key, ds, victims);
          }
        }
      } catch (e) {
        err = e;
      }
      await this.cleanupHistory(ds, pods, old).catch((e: unknown) => (err ??= e));
    }
    // The status counts what is in the cache now (this sync's writes show on the next one).
    byNode = podsByNode(pods);
    await this.updateStatus(ds, computeStatus(ds, nodes, byNode, hash, this.ctx.clock.now()), collisionCount);
    if (err !== undefined) throw err;
  }

  private async manage(key: string, ds: RO<DaemonSet>, nodes: readonly RO<Node>[], byNode: ReadonlyMap<string, readonly RO<Pod>[]>, hash: string): Promise<void> {
    const plan = planManage(ds, nodes, byNode);
    for (const p of plan.failed) {
      this.events.emit(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${p.spec?.nodeName ?? ''}, will try to kill it`);
    }
    const victims = [...plan.delete, ...plan.failed].slice(0, this.burst);
    const createOn = plan.createOn.slice(0, this.burst);
    const summary = `create=${plan.createOn.length} delete=${plan.delete.length} failed=${plan.failed.length}`;
    if (createOn.length + victims.length > 0 && this.logged.get(key) !== summary) {
      this.logged.set(key, summary);
      this.ctx.log.info('daemon set needs pods created or deleted', { key, nodesNeedingPods: plan.createOn.length, podsToDelete: victims.length });
    }
    this.expectations.expect(key, createOn.length, victims.map((p) => keyOfMeta(p.metadata)));
    const results = await Promise.allSettled([this.createPods(key, ds, createOn, hash), this.deletePods(key, ds, victims, false)]);
    const bad = results.find((r) => r.status === 'rejected');
    if (bad) throw (bad as PromiseRejectedResult).reason;
  }

  private async createPods(key: string, ds: RO<DaemonSet>, nodeNames: readonly string[], hash: string): Promise<void> {
    if (nodeNames.length === 0) return;
    const namespace = ds.metadata.namespace ?? '';
    const podClient = this.ctx.client.resource(resources.pods, namespace);
    const ref = newControllerRef(ds, API_VERSION, KIND);
    const template = mutableCopy<PodTemplateSpec>(ds.spec!.template);
    template.metadata = { ...(template.metadata ?? {}) };
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [TEMPLATE_GENERATION_LABEL]: templateGeneration(ds) };
    if (hash) template.metadata.labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
    template.spec ??= { containers: [] };
    addDaemonTolerations(template.spec);
    let next = 0;
    const { successes, error } = await slowStartBatch(nodeNames.length, 1, async () => {
      const node = nodeNames[next++];
      const pod = podFromTemplate(template, namespace, ds.metadata.name ?? '', ref);
      // 1.8: the controller places the pod itself.
      pod.spec!.nodeName = node;
      try {
        const made = await podClient.create(pod);
        this.events.emit(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata?.name ?? ''}`);
      } catch (e) {
        if (isNamespaceTerminating(e)) return;
        this.events.emit(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
        throw e;
      }
    });
    // Creates never attempted (or failed) will not be observed.
    for (let i = successes; i < nodeNames.length; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
  }

  /** Deletes pods; with expect, records the deletions first (manage records them with its creates). */
  private async deletePods(key: string, ds: RO<DaemonSet>, victims: readonly RO<Pod>[], expect = true): Promise<void> {
    if (victims.length === 0) return;
    if (expect) this.expectations.expectDeletions(key, victims.map((p) => keyOfMeta(p.metadata)));
    const podClient = this.ctx.client.resource(resources.pods, ds.metadata.namespace ?? '');
    const results = await Promise.allSettled(
      victims.map(async (p) => {
        try {
          await podClient.delete(p.metadata.name ?? '');
          this.events.emit(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
        } catch (e) {
          this.expectations.deletionObserved(key, keyOfMeta(p.metadata));
          if (isNotFound(e)) return;
          this.events.emit(ds, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
          throw e;
        }
      }),
    );
    const bad = results.find((r) => r.status === 'rejected');
    if (bad) throw (bad as PromiseRejectedResult).reason;
  }

  // ---- history ------------------------------------------------------------------------

  /**
   * constructHistory: the revision of the current template (created when
   * missing; renumbered when an older revision is rolled back to), duplicates
   * of it removed. Returns its hash, the other revisions, and the collision
   * count the status should carry.
   */
  private async constructHistory(ds: RO<DaemonSet>, selector: Selector): Promise<{ hash: string; old: RO<ControllerRevision>[]; collisionCount: number | undefined }> {
    const namespace = ds.metadata.namespace ?? '';
    const uid = ds.metadata.uid ?? '';
    const revClient = this.ctx.client.resource(resources.controllerrevisions, namespace);
    const seen = new Map<string, RO<ControllerRevision>>();
    for (const r of this.revisions.lister.byIndex(NAMESPACE_INDEX, namespace)) if (selector.matches(r.metadata.labels)) seen.set(r.metadata.name ?? '', r);
    for (const r of this.revisions.lister.byIndex(OWNER_UID_INDEX, uid)) if (r.metadata.namespace === namespace) seen.set(r.metadata.name ?? '', r);
    const revs = await claimObjects<ControllerRevision>({
      owner: ds,
      ownerApiVersion: API_VERSION,
      ownerKind: KIND,
      selector,
      candidates: [...seen.values()],
      objects: revClient,
      getOwner: ownerGetter(this.ctx.client, resources.daemonsets, namespace, ds.metadata.name ?? ''),
    });
    const data = templatePatch(ds.spec?.template);
    const current = revs.filter((r) => sameRevisionData(r.data, data)).sort(compareRevisions);
    const old = revs.filter((r) => !current.includes(r));
    let collisionCount = ds.status?.collisionCount;
    let cur: RO<ControllerRevision>;
    if (current.length === 0) {
      const made = await createRevision(revClient, { owner: ds, ownerApiVersion: API_VERSION, ownerKind: KIND, templateLabels: ds.spec?.template?.metadata?.labels, data, revision: nextRevisionNumber(old) }, collisionCount ?? 0);
      if (made.collisionCount !== (collisionCount ?? 0)) collisionCount = made.collisionCount;
      cur = made.revision;
      this.ctx.log.v(2).info('created a revision for the daemon set template', { ds: keyOfMeta(ds.metadata), revision: cur.metadata.name, number: cur.revision });
    } else {
      // Keep the newest copy; the others are duplicates.
      cur = current[current.length - 1];
      for (const dup of current.slice(0, -1)) await revClient.delete(dup.metadata.name ?? '').catch((e: unknown) => { if (!isNotFound(e)) throw e; });
      const next = nextRevisionNumber(old);
      if (cur.revision < next) {
        // Rolled back to an old template: it becomes the newest revision again.
        const bumped = mutableCopy<ControllerRevision>(cur);
        bumped.revision = next;
        cur = await revClient.update(bumped);
      }
    }
    const hash = cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? hashRevisionData(cur.data);
    return { hash, old, collisionCount };
  }

  /** Deletes the oldest revisions no pod was made from, beyond revisionHistoryLimit. */
  private async cleanupHistory(ds: RO<DaemonSet>, pods: readonly RO<Pod>[], old: readonly RO<ControllerRevision>[]): Promise<void> {
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const p of pods) {
      const h = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (h) live.add(h);
    }
    const unused = old.filter((r) => !live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')).sort(compareRevisions);
    const revClient = this.ctx.client.resource(resources.controllerrevisions, ds.metadata.namespace ?? '');
    for (const r of unused.slice(0, old.length - limit)) {
      await revClient.delete(r.metadata.name ?? '').catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  // ---- status -------------------------------------------------------------------------

  private async updateStatus(ds: RO<DaemonSet>, status: DaemonSetStatus, collisionCount: number | undefined): Promise<void> {
    const key = keyOfMeta(ds.metadata);
    status.observedGeneration = ds.metadata.generation ?? 0;
    if (collisionCount !== undefined) status.collisionCount = collisionCount;
    if (ds.status?.conditions) status.conditions = mutableCopy<WorkloadCondition[]>(ds.status.conditions);
    const cur = ds.status;
    const same =
      cur !== undefined &&
      cur.desiredNumberScheduled === status.desiredNumberScheduled &&
      cur.currentNumberScheduled === status.currentNumberScheduled &&
      cur.numberMisscheduled === status.numberMisscheduled &&
      cur.numberReady === status.numberReady &&
      (cur.numberAvailable ?? 0) === status.numberAvailable &&
      (cur.updatedNumberScheduled ?? 0) === status.updatedNumberScheduled &&
      (cur.numberUnavailable ?? 0) === (status.numberUnavailable ?? 0) &&
      (cur.observedGeneration ?? 0) === status.observedGeneration &&
      cur.collisionCount === status.collisionCount;
    if (!same) {
      const client = this.ctx.client.resource(resources.daemonsets, ds.metadata.namespace ?? '');
      try {
        await client.updateStatus({ ...mutableCopy<DaemonSet>(ds), status });
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
        // The spec moved on meanwhile; the counts still hold for the generation we saw.
        const fresh = await client.get(ds.metadata.name ?? '');
        await client.updateStatus({ ...fresh, status });
      }
      const line = `desired=${status.desiredNumberScheduled} current=${status.currentNumberScheduled} ready=${status.numberReady} updated=${status.updatedNumberScheduled} available=${status.numberAvailable}`;
      this.ctx.log.v(2).info('daemon set status', { key, status: line });
    }
    // Ready but not yet available: look again when minReadySeconds has passed.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable) this.queue.addAfter(key, minReady * 1000);
  }
}
