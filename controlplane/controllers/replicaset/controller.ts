/**
 * The replica controller (upstream pkg/controller/replicaset): keeps
 * spec.replicas active pods matching a ReplicaSet's (or a
 * ReplicationController's) selector, owned through a controller reference.
 *
 * Design notes
 * - Handlers only turn events into keys (and settle expectations); all work
 *   is in sync(key), which reads the listers, so a missed event or a restart
 *   needs no replay.
 * - Expectations: a sync that creates n pods does not manage replicas again
 *   until the informer has shown all n (or the 5-minute TTL passed); the
 *   status is still recomputed every sync.
 * - At most BURST_REPLICAS (500) creates or deletes per sync, creates in
 *   slow-start batches of 1, 2, 4 …, so a failing admission costs one request.
 * - Surplus pods go in the order compareForDeletion gives: unscheduled,
 *   pending, not ready, recently ready, restarting, newest first.
 * - Candidate pods come from the label index (one exact term of the
 *   selector) plus the owner-uid index (our pods that stopped matching, to be
 *   released), not from a scan of the namespace.
 */
import type { Pod } from '../../api/core/v1/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import type { Selector } from '../../machinery/labels.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { BURST_REPLICAS, slowStartBatch } from '../common/batch.js';
import { errorMessage, isNamespaceTerminating } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { ControllerExpectations } from '../common/expectations.js';
import { runLoop } from '../common/loop.js';
import { claimObjects, controllerRefOf, newControllerRef, ownerGetter } from '../common/owners.js';
import { candidatePods, compareForDeletion, isPodActive, isPodReady, keyOfMeta, podFromTemplate } from '../common/pods.js';
import type { Controller, ControllerContext, RO } from '../common/types.js';
import type { ReplicaKind } from './kinds.js';
import { calculateStatus, statusNeedsUpdate } from './status.js';

export interface ReplicaControllerOptions {
  /** --concurrent-replicaset-syncs / --concurrent-rc-syncs. */
  workers: number;
  /** Per-sync cap on creates and deletes (tests lower it). */
  burstReplicas?: number;
}

export class ReplicaController<T extends KubeObject> implements Controller {
  readonly name: string;
  // Immutable after construction.
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly owners: SharedInformer<T>;
  private readonly pods: SharedInformer<Pod>;
  private readonly burst: number;
  private readonly events: KindEvents;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind<T>,
    private readonly opts: ReplicaControllerOptions,
  ) {
    this.name = kind.controllerName;
    this.queue = ctx.newQueue(kind.controllerName);
    this.expectations = new ControllerExpectations(ctx.clock);
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.events = new KindEvents(ctx.recorder, kind.apiVersion, kind.kind);
    this.owners = ctx.informers.informerFor(kind.ref);
    this.pods = ctx.informers.informerFor(resources.pods);

    this.owners.onAdd((o) => this.enqueue(o));
    // Every update (resyncs included) is a reason to look again: status may lag the pods.
    this.owners.onUpdate((_old, cur) => this.enqueue(cur));
    this.owners.onDelete((o) => {
      const key = keyOfMeta(o.metadata!);
      this.expectations.delete(key);
      this.queue.add(key);
    });
    this.pods.onAdd((p) => this.addPod(p));
    this.pods.onUpdate((o, n) => this.updatePod(o, n));
    this.pods.onDelete((p) => this.deletePod(p));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop(
      { name: this.kind.controllerName, informers: [this.owners, this.pods], queue: this.queue, workers: this.opts.workers, sync: (k) => this.sync(k), log: this.ctx.log },
      signal,
    );
  }

  private enqueue(o: RO<T>): void {
    this.queue.add(keyOfMeta(o.metadata!));
  }

  // ---- pod events → owner keys ----------------------------------------------------

  /** The owner a controller reference names, if it is one of ours and still the same object. */
  private resolveRef(namespace: string, ref: RO<{ kind: string; name: string; uid: string }> | undefined): RO<T> | undefined {
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const o = this.owners.lister.get(`${namespace}/${ref.name}`);
    return o && o.metadata?.uid === ref.uid ? o : undefined;
  }

  /** Owners in the pod's namespace whose selector matches it (for orphans). */
  private ownersMatching(pod: RO<Pod>): RO<T>[] {
    const out: RO<T>[] = [];
    for (const o of this.owners.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
      let sel: Selector;
      try {
        sel = this.kind.selector(o);
      } catch {
        continue;
      }
      if (!sel.isEmpty() && sel.matches(pod.metadata.labels)) out.push(o);
    }
    return out;
  }

  private addPod(pod: RO<Pod>): void {
    if (pod.metadata.deletionTimestamp) {
      // A pod that shows up already being deleted (after a restart) counts as deleted.
      this.deletePod(pod);
      return;
    }
    const ref = controllerRefOf(pod);
    if (ref) {
      const owner = this.resolveRef(pod.metadata.namespace ?? '', ref);
      if (!owner) return;
      const key = keyOfMeta(owner.metadata!);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: whoever matches may adopt it.
    for (const o of this.ownersMatching(pod)) this.enqueue(o);
  }

  private updatePod(old: RO<Pod>, cur: RO<Pod>): void {
    // Resyncs deliver (pod, pod): nothing changed.
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // Being deleted is as good as deleted for counting (a graceful delete keeps the pod a while).
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const o = this.resolveRef(old.metadata.namespace ?? '', oldRef);
      if (o) this.enqueue(o);
    }
    if (curRef) {
      const o = this.resolveRef(cur.metadata.namespace ?? '', curRef);
      if (!o) return;
      this.enqueue(o);
      // Availability needs minReadySeconds of readiness: look again once it has passed.
      const minReady = this.kind.minReadySeconds(o);
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(keyOfMeta(o.metadata!), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersMatching(cur)) this.enqueue(o);
  }

  private deletePod(pod: RO<Pod>): void {
    const ref = controllerRefOf(pod);
    const owner = this.resolveRef(pod.metadata.namespace ?? '', ref);
    if (!owner) return;
    const key = keyOfMeta(owner.metadata!);
    this.expectations.deletionObserved(key, keyOfMeta(pod.metadata));
    this.queue.add(key);
  }

  // ---- sync -----------------------------------------------------------------------

  /** Reconciles one owner: claim pods, create or delete the difference, write status. Throws to be retried. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const owner = this.owners.lister.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = this.kind.selector(owner);
    } catch (e) {
      // Validation should have refused it; nothing to do until the object changes.
      this.ctx.log.warn(`${this.kind.kind} has an invalid selector`, { key, err: errorMessage(e) });
      return;
    }
    const active = candidatePods(this.pods.lister, namespace, owner.metadata?.uid ?? '', selector).filter(isPodActive);
    const pods = await claimObjects<Pod>({
      owner: owner as RO<KubeObject>,
      ownerApiVersion: this.kind.apiVersion,
      ownerKind: this.kind.kind,
      selector,
      candidates: active,
      objects: this.ctx.client.resource(resources.pods, namespace),
      getOwner: ownerGetter(this.ctx.client, this.kind.ref, namespace, name),
    });

    let manageError: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, pods);
      } catch (e) {
        manageError = e;
      }
    }

    const status = calculateStatus({
      current: this.kind.status(owner),
      specReplicas: this.kind.replicas(owner),
      minReadySeconds: this.kind.minReadySeconds(owner),
      templateLabels: this.kind.template(owner)?.metadata?.labels,
      pods,
      manageError,
      nowMs: this.ctx.clock.now(),
    });
    const updated = await this.updateStatus(owner, status);
    if (manageError !== undefined) throw manageError;
    // Ready but not yet available: look again when minReadySeconds has passed.
    const minReady = this.kind.minReadySeconds(owner);
    const s = updated ?? status;
    if (minReady > 0 && s.readyReplicas === this.kind.replicas(owner) && s.availableReplicas !== this.kind.replicas(owner)) {
      this.queue.addAfter(key, minReady * 1000);
    }
  }

  private async manageReplicas(key: string, owner: RO<T>, pods: readonly RO<Pod>[]): Promise<void> {
    const namespace = owner.metadata?.namespace ?? '';
    const want = this.kind.replicas(owner);
    const diff = pods.length - want;
    const podClient = this.ctx.client.resource(resources.pods, namespace);
    if (diff < 0) {
      const template = this.kind.template(owner);
      if (!template) return;
      const n = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(owner as RO<KubeObject>, this.kind.apiVersion, this.kind.kind);
      const ownerName = owner.metadata?.name ?? '';
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        try {
          const created = await podClient.create(podFromTemplate(template, namespace, ownerName, ref));
          this.events.emit(owner as RO<KubeObject>, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
        } catch (e) {
          // The namespace is going away: nothing to retry, the pods would be deleted anyway.
          if (isNamespaceTerminating(e)) return;
          this.events.emit(owner as RO<KubeObject>, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
          throw e;
        }
      });
      // Creates never attempted (or failed) will not be observed: stop waiting for them.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, this.burst);
      const victims = [...pods].sort(compareForDeletion).slice(0, n);
      this.expectations.expectDeletions(key, victims.map((p) => keyOfMeta(p.metadata)));
      const results = await Promise.allSettled(
        victims.map(async (p) => {
          try {
            await podClient.delete(p.metadata.name ?? '');
            this.events.emit(owner as RO<KubeObject>, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
          } catch (e) {
            // Its delete event will never come: stop waiting for it.
            this.expectations.deletionObserved(key, keyOfMeta(p.metadata));
            if (isNotFound(e)) return;
            this.events.emit(owner as RO<KubeObject>, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
            throw e;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  }

  /**
   * Writes status when it changed; on a conflict re-reads once and retries
   * (the owner's spec moved on, but the pod counts are still what we saw).
   * Returns the status written, or undefined when nothing was written.
   */
  private async updateStatus(owner: RO<T>, status: ReturnType<typeof calculateStatus>) {
    const generation = owner.metadata?.generation ?? 0;
    if (!statusNeedsUpdate(this.kind.status(owner), status, generation)) return undefined;
    status.observedGeneration = generation;
    const client = this.ctx.client.resource(this.kind.ref, owner.metadata?.namespace);
    try {
      await client.updateStatus(this.kind.withStatus(owner, status));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      if (!isConflict(e)) throw e;
      // observedGeneration stays the generation these pods were counted for.
      const fresh = await client.get(owner.metadata?.name ?? '');
      await client.updateStatus(this.kind.withStatus(fresh as RO<T>, status));
    }
    return status;
  }
}
