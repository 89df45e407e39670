/**
 * The garbage collector's dependency graph (upstream garbagecollector
 * graph.go + graph_builder.go): one node per object uid seen by any monitor,
 * each knowing its owners (from ownerReferences) and its dependents.
 *
 * Design notes
 * - observe() is called from informer handlers and updates the graph at
 *   once. Unlike a controller's handler it does more than enqueue a key, but
 *   it is in-memory and O(owners), and doing it synchronously keeps events
 *   in order without a second queue (upstream's graphChanges queue exists
 *   to serialize goroutines, which a single JS thread already is).
 * - An owner referenced before it is seen gets a *virtual* node, queued for
 *   attemptToDelete, which GETs it: absent → a virtual delete (its
 *   dependents are then collected); present → it stays until its informer
 *   event arrives and makes it real.
 * - Transitions queue work: an object entering deletion with the `orphan`
 *   finalizer → attemptToOrphan; with `foregroundDeletion` → it is marked
 *   deletingDependents and it and all its dependents go to attemptToDelete.
 * - A deleted node's dependents go to attemptToDelete (their owner is now
 *   dangling); its owners that wait for their dependents (foreground) too,
 *   so they can drop their finalizer once the last blocking one is gone.
 * - absent: uids recently found missing, so collecting 1,000 pods of one
 *   deleted ReplicaSet costs one GET of the ReplicaSet, not 1,000.
 */
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { RO } from '../common/types.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Where an object lives: enough to GET or DELETE it. */
export interface Identity {
  apiVersion: string;
  kind: string;
  name: string;
  /** '' for cluster-scoped objects (and for virtual owners whose scope is not known yet, see below). */
  namespace: string;
  uid: string;
}

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  owners: readonly RO<OwnerReference>[] = [];
  beingDeleted = false;
  deletingDependents = false;

  constructor(
    public identity: Identity,
    /** Known only from someone's ownerReference, not (yet) from an informer. */
    public virtual: boolean,
  ) {}

  /** Dependents whose reference to this node blocks its foreground deletion. */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of this.dependents) {
      if (d.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true)) out.push(d);
    }
    return out;
  }
}

export interface GraphSink {
  attemptToDelete(n: GraphNode): void;
  attemptToOrphan(n: GraphNode): void;
}

function hasFinalizer(o: RO<KubeObject> | undefined, f: string): boolean {
  return o?.metadata?.finalizers?.includes(f) ?? false;
}

function deleting(o: RO<KubeObject> | undefined): boolean {
  return Boolean(o?.metadata?.deletionTimestamp);
}

/** A bounded set of recently-absent owner uids (oldest forgotten first). */
export class AbsentOwners {
  private readonly uids = new Set<string>();
  constructor(private readonly max = 500) {}
  has(uid: string): boolean {
    return this.uids.has(uid);
  }
  add(uid: string): void {
    this.uids.delete(uid);
    this.uids.add(uid);
    if (this.uids.size > this.max) this.uids.delete(this.uids.values().next().value as string);
  }
}

export class DependencyGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly absent = new AbsentOwners();

  constructor(private readonly sink: GraphSink) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** An informer event for obj (identity derived by the caller from the monitor's resource). */
  observe(type: 'add' | 'update' | 'delete', id: Identity, obj: RO<KubeObject>, old?: RO<KubeObject>): void {
    const existing = this.nodes.get(id.uid);
    if (existing?.virtual && type !== 'delete') {
      // Seen for real at last: take the observed coordinates.
      existing.virtual = false;
      existing.identity = id;
    }
    if (type === 'delete') {
      if (existing) this.remove(existing, id);
      return;
    }
    const owners = obj.metadata?.ownerReferences ?? [];
    let n = existing;
    if (!n) {
      n = new GraphNode(id, false);
      n.owners = owners;
      n.beingDeleted = deleting(obj);
      n.deletingDependents = n.beingDeleted && hasFinalizer(obj, FINALIZER_FOREGROUND);
      this.nodes.set(id.uid, n);
      this.addToOwners(n, owners);
    } else {
      const before = new Map(n.owners.map((o) => [o.uid, o]));
      const after = new Map(owners.map((o) => [o.uid, o]));
      const added = owners.filter((o) => !before.has(o.uid));
      const removed = n.owners.filter((o) => !after.has(o.uid));
      // A reference that stopped blocking (removed, or blockOwnerDeletion cleared) may unblock a foreground owner.
      for (const o of n.owners) {
        const now = after.get(o.uid);
        if (o.blockOwnerDeletion === true && now?.blockOwnerDeletion !== true) {
          const owner = this.nodes.get(o.uid);
          if (owner) this.sink.attemptToDelete(owner);
        }
      }
      n.owners = owners;
      this.addToOwners(n, added);
      for (const o of removed) this.nodes.get(o.uid)?.dependents.delete(n);
      if (deleting(obj)) n.beingDeleted = true;
    }
    this.transitions(n, obj, old);
  }

  /**
   * The owner was found absent by a GET (attemptToDelete): remove it as if
   * its delete had been observed. A real node whose uid now names something
   * else is left alone.
   */
  virtualDelete(id: Identity): void {
    const n = this.nodes.get(id.uid);
    if (!n) return;
    this.remove(n, id);
  }

  private remove(n: GraphNode, id: Identity): void {
    this.nodes.delete(n.identity.uid);
    for (const o of n.owners) this.nodes.get(o.uid)?.dependents.delete(n);
    if (n.dependents.size > 0) this.absent.add(id.uid);
    for (const d of n.dependents) this.sink.attemptToDelete(d);
    for (const o of n.owners) {
      const owner = this.nodes.get(o.uid);
      if (owner?.deletingDependents) this.sink.attemptToDelete(owner);
    }
  }

  private addToOwners(n: GraphNode, owners: readonly RO<OwnerReference>[]): void {
    for (const o of owners) {
      let owner = this.nodes.get(o.uid);
      if (!owner) {
        // Known only from this reference. Its namespace is the dependent's
        // if it is namespaced; the collector resolves the kind's scope.
        owner = new GraphNode({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: n.identity.namespace, uid: o.uid }, true);
        this.nodes.set(o.uid, owner);
        owner.dependents.add(n);
        this.sink.attemptToDelete(owner);
        continue;
      }
      owner.dependents.add(n);
    }
  }

  private transitions(n: GraphNode, obj: RO<KubeObject>, old: RO<KubeObject> | undefined): void {
    const startsOrphaning = deleting(obj) && hasFinalizer(obj, FINALIZER_ORPHAN) && !(deleting(old) && hasFinalizer(old, FINALIZER_ORPHAN));
    if (startsOrphaning) this.sink.attemptToOrphan(n);
    const startsForeground = deleting(obj) && hasFinalizer(obj, FINALIZER_FOREGROUND) && !(deleting(old) && hasFinalizer(old, FINALIZER_FOREGROUND));
    if (startsForeground) {
      n.deletingDependents = true;
      for (const d of n.dependents) this.sink.attemptToDelete(d);
      this.sink.attemptToDelete(n);
    }
    // The finalizer was removed (by us, done) while the object lingers: it no longer waits.
    if (n.deletingDependents && !hasFinalizer(obj, FINALIZER_FOREGROUND)) n.deletingDependents = false;
  }
}
