/**
 * The garbage collector (upstream pkg/controller/garbagecollector):
 * ownerReference-based cascading deletion for every resource in the scheme.
 *
 * - Monitors: a shared informer per resource that can be listed, watched
 *   and deleted (events excepted: they are never owners and are many). Each
 *   event updates the dependency graph (graph.ts).
 * - attemptToDelete workers (keys are uids) check an object's owners against
 *   the server and act on decide(): drop dangling references, delete the
 *   object with the right propagation, or — for an owner deleting in the
 *   foreground — remove its `foregroundDeletion` finalizer once no blocking
 *   dependent is left (the API server then deletes it).
 * - attemptToOrphan workers remove the owner's reference from each dependent,
 *   then the owner's `orphan` finalizer.
 * - Workers start once the monitors synced (a half-built graph would see
 *   owners as absent), or after a grace period if some resource never lists
 *   (disabled by --runtime-config): that one is named in the log.
 * Every read that decides a deletion is a fresh GET, never the cache: the
 * cache may not have seen an owner created a moment ago.
 */
import { setMaxListeners } from 'node:events';
import { scheme as defaultScheme, type ResourceInfo, type Scheme } from '../../api/scheme.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import type { ResourceClient } from '../../client/interfaces.js';
import { ref } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { runWorkers } from '../../client/workqueue.js';
import type { KubeObject } from '../../machinery/meta/types.js';
import { errorMessage } from '../common/errors.js';
import type { Controller, ControllerContext, RO } from '../common/types.js';
import { decide, type OwnerState } from './decide.js';
import { DependencyGraph, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type GraphNode, type Identity } from './graph.js';

export interface GarbageCollectorOptions {
  /** --concurrent-gc-syncs. */
  workers: number;
  scheme?: Scheme;
  /** How long to wait for every monitor to sync before starting anyway. Default 60 s. */
  syncTimeoutMs?: number;
}

/** Resources the collector watches: listable, watchable, deletable; not events. */
export function monitoredResources(s: Scheme): ResourceInfo[] {
  return s.all().filter((r) => r.verbs.includes('list') && r.verbs.includes('watch') && r.verbs.includes('delete') && r.resource !== 'events');
}

function apiVersionOf(r: ResourceInfo): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function splitApiVersion(av: string): { group: string; version: string } {
  const i = av.indexOf('/');
  return i < 0 ? { group: '', version: av } : { group: av.slice(0, i), version: av.slice(i + 1) };
}

export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
  readonly code = 'UnknownKind';
}

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  // Immutable after construction.
  readonly graph: DependencyGraph;
  readonly deleteQueue: WorkQueue;
  readonly orphanQueue: WorkQueue;
  private readonly scheme: Scheme;
  private readonly monitors: { info: ResourceInfo; informer: SharedInformer<KubeObject> }[] = [];

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: GarbageCollectorOptions,
  ) {
    this.scheme = opts.scheme ?? defaultScheme;
    this.deleteQueue = ctx.newQueue('garbage_collector_attempt_to_delete');
    this.orphanQueue = ctx.newQueue('garbage_collector_attempt_to_orphan');
    this.graph = new DependencyGraph({
      attemptToDelete: (n) => this.deleteQueue.add(n.identity.uid),
      attemptToOrphan: (n) => this.orphanQueue.add(n.identity.uid),
    });
    for (const info of monitoredResources(this.scheme)) {
      const informer = ctx.informers.informerFor(ref<KubeObject>(info.group, info.version, info.resource));
      const id = (o: RO<KubeObject>): Identity => ({
        apiVersion: apiVersionOf(info),
        kind: info.kind,
        name: o.metadata?.name ?? '',
        namespace: o.metadata?.namespace ?? '',
        uid: o.metadata?.uid ?? '',
      });
      informer.onAdd((o) => this.graph.observe('add', id(o), o));
      informer.onUpdate((old, o) => old !== o && this.graph.observe('update', id(o), o, old));
      informer.onDelete((o) => this.graph.observe('delete', id(o), o));
      this.monitors.push({ info, informer });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.ctx.log;
    log.info('Starting garbage collector controller', { monitors: this.monitors.length });
    const timeout = new AbortController();
    const cancel = this.ctx.clock.setTimer(() => timeout.abort(), this.opts.syncTimeoutMs ?? 60_000);
    const both = AbortSignal.any([signal, timeout.signal]);
    // One listener per monitor: far above Node's default warning threshold of 10.
    setMaxListeners(this.monitors.length + 10, both);
    await Promise.all(this.monitors.map((m) => m.informer.waitForSync(both)));
    cancel();
    if (signal.aborted) return;
    const unsynced = this.monitors.filter((m) => !m.informer.hasSynced()).map((m) => m.info.resource);
    if (unsynced.length) log.warn('garbage collector starting before every monitor synced', { unsynced: unsynced.join(',') });
    else log.v(1).info('Caches are synced for garbage collector controller', { nodes: this.graph.nodes.size });
    await Promise.all([
      runWorkers(this.deleteQueue, this.opts.workers, (uid) => this.attemptToDelete(uid), signal, { log }),
      runWorkers(this.orphanQueue, this.opts.workers, (uid) => this.attemptToOrphan(uid), signal, { log }),
    ]);
    log.info('Shutting down garbage collector controller');
  }

  // ---- resource plumbing ----------------------------------------------------------------------

  private isMonitored(id: Identity): boolean {
    const { group } = splitApiVersion(id.apiVersion);
    return this.monitors.some((m) => m.info.group === group && m.info.kind === id.kind);
  }

  /** The resource of an apiVersion/kind: exact version first, else the kind in any version of the group. */
  private infoFor(apiVersion: string, kind: string): ResourceInfo {
    const { group, version } = splitApiVersion(apiVersion);
    const info = this.scheme.forKind({ group, version, kind }) ?? this.scheme.all().find((r) => r.group === group && r.kind === kind);
    if (!info) throw new UnknownKindError(`no resource for ${apiVersion}, Kind=${kind}`);
    return info;
  }

  private clientFor(id: Pick<Identity, 'apiVersion' | 'kind' | 'namespace'>): ResourceClient<KubeObject> {
    const info = this.infoFor(id.apiVersion, id.kind);
    return this.ctx.client.resource(ref<KubeObject>(info.group, info.version, info.resource), info.namespaced ? id.namespace : undefined);
  }

  /** A fresh read; undefined when absent or replaced by another object of the same name. */
  private async getLive(id: Identity): Promise<KubeObject | undefined> {
    try {
      const o = await this.clientFor(id).get(id.name);
      return o.metadata?.uid === id.uid ? o : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  // ---- attemptToDelete ------------------------------------------------------------------------

  /** One item of the attemptToDelete queue. Throws to be retried. */
  async attemptToDelete(uid: string): Promise<void> {
    const item = this.graph.get(uid);
    if (!item) return;
    // Being deleted already (and not waiting on us): its own deletion finishes it.
    if (item.beingDeleted && !item.deletingDependents) return;
    let latest: KubeObject | undefined;
    try {
      latest = await this.getLive(item.identity);
    } catch (e) {
      if (e instanceof UnknownKindError) {
        this.ctx.log.v(2).info('garbage collector cannot resolve an owner kind; leaving it', { uid, err: e.message });
        return;
      }
      throw e;
    }
    if (!latest) {
      // Absent: remove it from the graph, which queues its dependents.
      this.graph.virtualDelete(item.identity);
      return;
    }
    if (item.virtual) {
      // It exists. A monitored kind's informer event will make it real: look
      // again later until then. An unmonitored kind never will: it is as real as it gets.
      if (this.isMonitored(item.identity)) {
        this.deleteQueue.addAfter(uid, 1000);
        return;
      }
      item.virtual = false;
    }
    if (item.deletingDependents) return this.processDeletingDependents(item);
    if (latest.metadata?.deletionTimestamp && !latest.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) return;

    const states = new Map<string, OwnerState>();
    for (const r of latest.metadata?.ownerReferences ?? []) states.set(r.uid, await this.ownerState(item, r));
    const decision = decide({
      latest,
      states,
      hasDependents: item.dependents.size > 0,
      dependentDeletingDependents: [...item.dependents].some((d) => d.deletingDependents),
    });
    const c = this.clientFor(item.identity);
    switch (decision.action) {
      case 'none':
        return;
      case 'removeOwners':
        this.ctx.log.v(2).info('garbage collector removing dangling owner references', { object: describe(item.identity), owners: decision.uids.join(',') });
        await ignoreNotFound(c.patch(item.identity.name, 'strategic', { metadata: { ownerReferences: decision.uids.map((u) => ({ $patch: 'delete', uid: u })), uid } }));
        return;
      case 'delete':
        if (decision.unblock.length) {
          await ignoreNotFound(c.patch(item.identity.name, 'strategic', { metadata: { ownerReferences: decision.unblock.map((u) => ({ uid: u, blockOwnerDeletion: false })), uid } }));
        }
        this.ctx.log.v(2).info('garbage collector deleting object', { object: describe(item.identity), propagationPolicy: decision.policy });
        await ignoreNotFound(c.delete(item.identity.name, { propagationPolicy: decision.policy, preconditions: { uid } }));
        return;
    }
  }

  /** isDangling + classification of one owner reference, by a fresh GET (cached when absent). */
  private async ownerState(item: GraphNode, r: RO<{ apiVersion: string; kind: string; name: string; uid: string }>): Promise<OwnerState> {
    if (this.graph.absent.has(r.uid)) return 'dangling';
    let info: ResourceInfo;
    try {
      info = this.infoFor(r.apiVersion, r.kind);
    } catch {
      // A kind we do not serve: we cannot tell, so never collect on its account.
      return 'solid';
    }
    if (info.namespaced && !item.identity.namespace) return 'solid'; // a cluster-scoped object cannot have a namespaced owner
    let owner: KubeObject;
    try {
      owner = await this.ctx.client.resource(ref<KubeObject>(info.group, info.version, info.resource), info.namespaced ? item.identity.namespace : undefined).get(r.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.graph.absent.add(r.uid);
      return 'dangling';
    }
    if (owner.metadata?.uid !== r.uid) {
      this.graph.absent.add(r.uid);
      return 'dangling';
    }
    if (owner.metadata?.deletionTimestamp && owner.metadata.finalizers?.includes(FINALIZER_FOREGROUND)) return 'waiting';
    return 'solid';
  }

  /** An owner deleting in the foreground: done when no blocking dependent is left; else hurry those along. */
  private async processDeletingDependents(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item.identity, FINALIZER_FOREGROUND);
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) this.deleteQueue.add(d.identity.uid);
  }

  // ---- attemptToOrphan ------------------------------------------------------------------------

  /** One owner with the orphan finalizer: free its dependents, then drop the finalizer. */
  async attemptToOrphan(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    const results = await Promise.allSettled(
      [...owner.dependents].map((d) =>
        ignoreNotFound(this.clientFor(d.identity).patch(d.identity.name, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: d.identity.uid } })),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw new Error(`orphaning dependents of ${describe(owner.identity)}: ${errorMessage((failed as PromiseRejectedResult).reason)}`);
    await this.removeFinalizer(owner.identity, FINALIZER_ORPHAN);
  }

  /** Read-modify-write of the finalizers, retried on conflicts; a vanished object is fine. */
  private async removeFinalizer(id: Identity, finalizer: string): Promise<void> {
    const c = this.clientFor(id);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getLive(id);
      if (!cur?.metadata?.finalizers?.includes(finalizer)) return;
      cur.metadata.finalizers = cur.metadata.finalizers.filter((f) => f !== finalizer);
      try {
        await c.update(cur);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }
}

function describe(id: Identity): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.uid})`;
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
