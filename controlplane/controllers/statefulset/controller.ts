/**
 * The StatefulSet controller (upstream pkg/controller/statefulset): pods
 * `<set>-0 … <set>-(N-1)` with stable hostnames under the governing service,
 * each with its own PersistentVolumeClaims (created before the pod, kept
 * when it goes), rolled forward through ControllerRevisions.
 *
 * sync(key):
 *   - gone → nothing (the garbage collector removes the pods; claims stay);
 *   - claim pods and revisions (adopt matching orphans, release strays);
 *   - revisions: the update revision is the current template's (created, or
 *     renumbered to be the newest on a rollback); the current revision is
 *     the one status.currentRevision names (else the update revision);
 *   - plan (plan.ts), then apply its writes in order, stopping at the first
 *     error; status (what `kubectl get sts` and `rollout status` read);
 *   - prune revisions no pod uses beyond revisionHistoryLimit.
 * There are no expectations: OrderedReady makes one write per step, a create
 * of a pod that exists already (a stale cache) answers AlreadyExists and is
 * simply waited out, and a delete of a gone pod answers NotFound.
 */
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/apps/v1/types.js';
import type { PersistentVolumeClaim, Pod } from '../../api/core/v1/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX, OWNER_UID_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import type { KubeObject, LabelSelector, ObjectMeta } from '../../machinery/meta/types.js';
import { sameStringMap } from '../common/equal.js';
import { errorMessage, isNamespaceTerminating } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { compareRevisions, createRevision, nextRevisionNumber, sameRevisionData, templateOfRevision, templatePatch } from '../common/history.js';
import { runLoop } from '../common/loop.js';
import { claimObjects, controllerRefOf, ownerGetter } from '../common/owners.js';
import { candidatePods, keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { claimsFor, ordinalOf, podRevision, setIdentity, setStorage } from './identity.js';
import { completeRollingUpdate, planStatefulSet, type Action, type Revision } from './plan.js';

export interface StatefulSetControllerOptions {
  /** --concurrent-statefulset-syncs. */
  workers?: number;
}

const API_VERSION = 'apps/v1';
const KIND = 'StatefulSet';

function selectorOf(s: RO<StatefulSet>): Selector {
  return selectorFromLabelSelector(s.spec?.selector as LabelSelector | undefined);
}

export class StatefulSetController implements Controller {
  readonly name = 'statefulset';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly sets: SharedInformer<StatefulSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly revisions: SharedInformer<ControllerRevision>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly events: KindEvents;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: StatefulSetControllerOptions = {},
  ) {
    this.queue = ctx.newQueue('statefulset');
    this.events = new KindEvents(ctx.recorder, API_VERSION, KIND);
    this.sets = ctx.informers.informerFor(resources.statefulsets);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.revisions = ctx.informers.informerFor(resources.controllerrevisions);
    this.claims = ctx.informers.informerFor(resources.persistentvolumeclaims);

    this.sets.onAdd((s) => this.queue.add(keyOfMeta(s.metadata)));
    this.sets.onUpdate((_o, s) => this.queue.add(keyOfMeta(s.metadata)));
    this.sets.onDelete((s) => this.queue.add(keyOfMeta(s.metadata)));
    this.pods.onAdd((p) => this.onPod(p));
    this.pods.onUpdate((o, p) => this.updatePod(o, p));
    this.pods.onDelete((p) => this.onPod(p));
    this.revisions.onAdd((r) => this.onOwned(r));
    this.revisions.onDelete((r) => this.onOwned(r));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: 'statefulset', informers: [this.sets, this.pods, this.revisions, this.claims], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log },
      signal,
    );
  }

  // ---- events → keys ------------------------------------------------------------

  private ownerOf(obj: RO<KubeObject>): RO<StatefulSet> | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== KIND) return undefined;
    const s = this.sets.lister.get(`${obj.metadata?.namespace ?? ''}/${ref.name}`);
    return s && s.metadata.uid === ref.uid ? s : undefined;
  }

  private setsMatching(meta: RO<ObjectMeta>): RO<StatefulSet>[] {
    const out: RO<StatefulSet>[] = [];
    for (const s of this.sets.lister.byIndex(NAMESPACE_INDEX, meta.namespace ?? '')) {
      try {
        const sel = selectorOf(s);
        if (!sel.isEmpty() && sel.matches(meta.labels)) out.push(s);
      } catch {
        // an invalid selector adopts nothing
      }
    }
    return out;
  }

  private onOwned(obj: RO<KubeObject>): void {
    const s = this.ownerOf(obj);
    if (s) this.queue.add(keyOfMeta(s.metadata));
  }

  private onPod(pod: RO<Pod>): void {
    if (controllerRefOf(pod)) return this.onOwned(pod);
    for (const s of this.setsMatching(pod.metadata)) this.queue.add(keyOfMeta(s.metadata));
  }

  private updatePod(old: RO<Pod>, cur: RO<Pod>): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldOwner = this.ownerOf(old);
    const curOwner = this.ownerOf(cur);
    if (oldOwner && oldOwner.metadata.uid !== curOwner?.metadata.uid) this.queue.add(keyOfMeta(oldOwner.metadata));
    if (curOwner) {
      this.queue.add(keyOfMeta(curOwner.metadata));
      return;
    }
    if (!controllerRefOf(cur) && !sameStringMap(old.metadata.labels, cur.metadata.labels)) for (const s of this.setsMatching(cur.metadata)) this.queue.add(keyOfMeta(s.metadata));
  }

  // ---- sync -----------------------------------------------------------------------

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.sets.lister.get(key);
    if (!set) return;
    let selector: Selector;
    try {
      selector = selectorOf(set);
    } catch (e) {
      this.ctx.log.warn('stateful set has an invalid selector', { key, err: errorMessage(e) });
      return;
    }
    if (selector.isEmpty()) {
      this.events.emit(set, 'Warning', 'SelectingAll', 'This statefulset is selecting all pods. A non-empty selector is required.');
      return;
    }
    const uid = set.metadata.uid ?? '';
    const getOwner = ownerGetter(this.ctx.client, resources.statefulsets, namespace, name);
    // Only pods named after the set can be its pods (isMemberOf).
    const candidates = candidatePods(this.pods.lister, namespace, uid, selector).filter((p) => ordinalOf(name, p.metadata.name) >= 0 || controllerRefOf(p)?.uid === uid);
    const pods = await claimObjects<Pod>({ owner: set, ownerApiVersion: API_VERSION, ownerKind: KIND, selector, candidates, objects: this.ctx.client.resource(resources.pods, namespace), getOwner });
    const revs = await this.claimRevisions(set, selector);
    const { current, update, collisionCount, all } = await this.revisionsOf(set, revs);

    const plan = planStatefulSet(set, current, update, pods, this.ctx.clock.now());
    if (collisionCount !== undefined) plan.status.collisionCount = collisionCount;
    let err: unknown;
    try {
      for (const a of plan.actions) await this.apply(set, a);
    } catch (e) {
      err = e;
    }
    completeRollingUpdate(set, plan.status);
    await this.updateStatus(set, plan.status);
    await this.truncateHistory(set, pods, all, current.name, update.name).catch((e: unknown) => (err ??= e));
    if (err !== undefined) throw err;
    // Ready but not yet available: look again when minReadySeconds has passed.
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.readyReplicas !== plan.status.availableReplicas) this.queue.addAfter(key, minReady * 1000);
  }

  private async apply(set: RO<StatefulSet>, a: Action): Promise<void> {
    const setName = set.metadata.name ?? '';
    const pods = this.ctx.client.resource(resources.pods, set.metadata.namespace ?? '');
    switch (a.kind) {
      case 'create': {
        await this.createClaims(set, a.ordinal, a.pod.metadata.name ?? '');
        try {
          await pods.create(a.pod);
        } catch (e) {
          // Our cache has not shown it yet: the next sync will.
          if (isAlreadyExists(e)) return;
          if (isNamespaceTerminating(e)) return;
          this.events.emit(set, 'Warning', 'FailedCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${setName} failed error: ${errorMessage(e)}`);
          throw e;
        }
        this.ctx.log.info('created stateful pod', { statefulset: keyOfMeta(set.metadata), pod: a.pod.metadata.name, revision: podRevision(a.pod) });
        this.events.emit(set, 'Normal', 'SuccessfulCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${setName} successful`);
        return;
      }
      case 'delete': {
        const podName = a.pod.metadata.name ?? '';
        try {
          await pods.delete(podName, { preconditions: { uid: a.pod.metadata.uid } });
        } catch (e) {
          if (isNotFound(e) || isConflict(e)) return;
          this.events.emit(set, 'Warning', 'FailedDelete', `delete Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(e)}`);
          throw e;
        }
        this.ctx.log.info(a.why === 'update' ? 'terminating stateful pod for update' : a.why === 'failed' ? 'deleting failed stateful pod' : 'scaling down: deleting stateful pod', { statefulset: keyOfMeta(set.metadata), pod: podName });
        this.events.emit(set, 'Normal', 'SuccessfulDelete', `delete Pod ${podName} in StatefulSet ${setName} successful`);
        return;
      }
      case 'update': {
        const pod = mutableCopy<Pod>(a.pod);
        setIdentity(set, pod);
        setStorage(set, pod, a.ordinal);
        await this.createClaims(set, a.ordinal, pod.metadata.name ?? '');
        try {
          await pods.update(pod);
        } catch (e) {
          if (isNotFound(e) || isConflict(e)) return;
          this.events.emit(set, 'Warning', 'FailedUpdate', `update Pod ${pod.metadata.name} in StatefulSet ${setName} failed error: ${errorMessage(e)}`);
          throw e;
        }
        this.events.emit(set, 'Normal', 'SuccessfulUpdate', `update Pod ${pod.metadata.name} in StatefulSet ${setName} successful`);
        return;
      }
    }
  }

  /** The ordinal's claims that do not exist yet (createPersistentVolumeClaims); existing ones are never touched. */
  private async createClaims(set: RO<StatefulSet>, ordinal: number, podName: string): Promise<void> {
    const client = this.ctx.client.resource(resources.persistentvolumeclaims, set.metadata.namespace ?? '');
    for (const claim of claimsFor(set, ordinal)) {
      const name = claim.metadata.name ?? '';
      if (this.claims.lister.get(`${set.metadata.namespace}/${name}`)) continue;
      try {
        await client.create(claim);
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        this.events.emit(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${errorMessage(e)}`);
        throw e;
      }
      this.events.emit(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
    }
  }

  // ---- revisions --------------------------------------------------------------------

  private async claimRevisions(set: RO<StatefulSet>, selector: Selector): Promise<RO<ControllerRevision>[]> {
    const namespace = set.metadata.namespace ?? '';
    const seen = new Map<string, RO<ControllerRevision>>();
    for (const r of this.revisions.lister.byIndex(NAMESPACE_INDEX, namespace)) if (selector.matches(r.metadata.labels)) seen.set(r.metadata.name ?? '', r);
    for (const r of this.revisions.lister.byIndex(OWNER_UID_INDEX, set.metadata.uid ?? '')) if (r.metadata.namespace === namespace) seen.set(r.metadata.name ?? '', r);
    return claimObjects<ControllerRevision>({
      owner: set,
      ownerApiVersion: API_VERSION,
      ownerKind: KIND,
      selector,
      candidates: [...seen.values()],
      objects: this.ctx.client.resource(resources.controllerrevisions, namespace),
      getOwner: ownerGetter(this.ctx.client, resources.statefulsets, namespace, set.metadata.name ?? ''),
    });
  }

  /** getStatefulSetRevisions: the update revision (made or renumbered as needed) and the current one. */
  private async revisionsOf(set: RO<StatefulSet>, claimed: readonly RO<ControllerRevision>[]): Promise<{ current: Revision; update: Revision; collisionCount: number | undefined; all: RO<ControllerRevision>[] }> {
    const client = this.ctx.client.resource(resources.controllerrevisions, set.metadata.namespace ?? '');
    const revs = [...claimed].sort(compareRevisions);
    const data = templatePatch(set.spec?.template);
    const equal = revs.filter((r) => sameRevisionData(r.data, data));
    let collisionCount = set.status?.collisionCount;
    let updateRev: RO<ControllerRevision>;
    if (equal.length > 0 && equal[equal.length - 1] === revs[revs.length - 1]) {
      updateRev = equal[equal.length - 1];
    } else if (equal.length > 0) {
      // Back to an earlier template: that revision becomes the newest.
      const bumped = mutableCopy<ControllerRevision>(equal[equal.length - 1]);
      bumped.revision = nextRevisionNumber(revs);
      updateRev = await client.update(bumped);
      revs.splice(revs.indexOf(equal[equal.length - 1]), 1, updateRev);
    } else {
      const made = await createRevision(client, { owner: set, ownerApiVersion: API_VERSION, ownerKind: KIND, templateLabels: set.spec?.template?.metadata?.labels, data, revision: nextRevisionNumber(revs) }, collisionCount ?? 0);
      if (made.collisionCount !== (collisionCount ?? 0)) collisionCount = made.collisionCount;
      updateRev = made.revision;
      revs.push(updateRev);
      this.ctx.log.v(2).info('created a revision for the stateful set template', { statefulset: keyOfMeta(set.metadata), revision: updateRev.metadata.name, number: updateRev.revision });
    }
    const asRevision = (r: RO<ControllerRevision>): Revision => ({ name: r.metadata.name ?? '', template: templateOfRevision(r) ?? set.spec!.template });
    const update = asRevision(updateRev);
    const currentRev = revs.find((r) => r.metadata.name === set.status?.currentRevision);
    return { current: currentRev ? asRevision(currentRev) : update, update, collisionCount, all: revs };
  }

  /** Deletes the oldest revisions that neither a pod nor the status uses, beyond revisionHistoryLimit. */
  private async truncateHistory(set: RO<StatefulSet>, pods: readonly RO<Pod>[], revs: readonly RO<ControllerRevision>[], current: string, update: string): Promise<void> {
    const live = new Set([current, update, ...pods.map(podRevision)]);
    const history = revs.filter((r) => !live.has(r.metadata.name ?? '')).sort(compareRevisions);
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    const client = this.ctx.client.resource(resources.controllerrevisions, set.metadata.namespace ?? '');
    for (const r of history.slice(0, Math.max(0, history.length - limit))) {
      await client.delete(r.metadata.name ?? '').catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
  }

  // ---- status -------------------------------------------------------------------------

  private async updateStatus(set: RO<StatefulSet>, status: StatefulSetStatus): Promise<void> {
    if (set.status?.conditions) status.conditions = mutableCopy(set.status.conditions) as StatefulSetStatus['conditions'];
    const cur = set.status;
    const same =
      cur !== undefined &&
      cur.replicas === status.replicas &&
      (cur.readyReplicas ?? 0) === status.readyReplicas &&
      (cur.currentReplicas ?? 0) === status.currentReplicas &&
      (cur.updatedReplicas ?? 0) === status.updatedReplicas &&
      (cur.availableReplicas ?? 0) === status.availableReplicas &&
      cur.currentRevision === status.currentRevision &&
      cur.updateRevision === status.updateRevision &&
      (cur.observedGeneration ?? 0) === status.observedGeneration &&
      cur.collisionCount === status.collisionCount;
    if (same) return;
    const client = this.ctx.client.resource(resources.statefulsets, set.metadata.namespace ?? '');
    try {
      await client.updateStatus({ ...mutableCopy<StatefulSet>(set), status });
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      const fresh = await client.get(set.metadata.name ?? '');
      await client.updateStatus({ ...fresh, status });
    }
    if (cur?.currentRevision !== status.currentRevision && cur?.currentRevision) {
      this.ctx.log.info('stateful set rolled out', { statefulset: keyOfMeta(set.metadata), revision: status.currentRevision });
    }
  }
}
