/**
 * Controller references: who controls an object, a reference to make, and
 * the adopt/release dance of upstream's ControllerRefManager.
 *
 * Claiming (ClaimPods / ClaimReplicaSets): of the candidates,
 * - owned by another controller → not ours, untouched;
 * - owned by us and matching the selector → ours;
 * - owned by us but no longer matching → released (our reference removed),
 *   unless we are being deleted (the garbage collector then handles them);
 * - orphans that match, are not being deleted, and live in our namespace →
 *   adopted, after one fresh GET of the owner confirms it still exists with
 *   the same uid and is not being deleted: the cache may be stale, and
 *   adopting into a deleted owner would get the pods garbage-collected.
 * Adopt and release are strategic-merge patches of ownerReferences (merge
 * key uid) that carry the object's uid, so they touch only our reference.
 */
import type { Client, ResourceClient } from '../../client/interfaces.js';
import { isNotFound } from '../../client/errors.js';
import type { ResourceRef } from '../../client/resources.js';
import type { Selector } from '../../machinery/labels.js';
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { RO } from './types.js';

export function controllerRefOf(obj: RO<KubeObject>): RO<OwnerReference> | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to owner (metav1.NewControllerRef): controller and blockOwnerDeletion set. */
export function newControllerRef(owner: RO<KubeObject>, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export class OwnerGoneError extends Error {
  override readonly name = 'OwnerGoneError';
  readonly code = 'OwnerGone';
}

export interface ClaimSpec<T extends KubeObject> {
  owner: RO<KubeObject>;
  ownerApiVersion: string;
  ownerKind: string;
  selector: Selector;
  candidates: readonly RO<T>[];
  /** Where adopt/release patches go (bound to the owner's namespace). */
  objects: ResourceClient<T>;
  /** A fresh read of the owner, for the check before the first adoption. */
  getOwner: () => Promise<RO<KubeObject>>;
}

/**
 * The candidates that belong to owner, adopting and releasing on the way.
 * Adopted objects are returned as the server answered the patch. Throws the
 * first adopt/release error (after trying the rest), so the sync is retried.
 */
export async function claimObjects<T extends KubeObject>(s: ClaimSpec<T>): Promise<RO<T>[]> {
  const uid = s.owner.metadata?.uid ?? '';
  const ns = s.owner.metadata?.namespace;
  const ownerDeleting = Boolean(s.owner.metadata?.deletionTimestamp);
  const claimed: RO<T>[] = [];
  let recheck: Promise<void> | undefined;
  const canAdopt = () =>
    (recheck ??= s.getOwner().then((fresh) => {
      if (fresh.metadata?.uid !== uid) throw new OwnerGoneError(`original ${s.ownerKind} ${ns}/${s.owner.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
      if (fresh.metadata?.deletionTimestamp) throw new OwnerGoneError(`${s.ownerKind} ${ns}/${s.owner.metadata?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }));
  let firstErr: unknown;
  for (const obj of s.candidates) {
    const ref = controllerRefOf(obj);
    const matches = s.selector.matches(obj.metadata?.labels);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (matches) {
          claimed.push(obj);
          continue;
        }
        if (ownerDeleting) continue;
        await s.objects.patch(obj.metadata!.name!, 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid }], uid: obj.metadata?.uid } });
        continue;
      }
      if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp) continue;
      if (ns && obj.metadata?.namespace !== ns) continue;
      await canAdopt();
      const ownerRef = newControllerRef(s.owner, s.ownerApiVersion, s.ownerKind);
      const adopted = await s.objects.patch(obj.metadata!.name!, 'strategic', { metadata: { ownerReferences: [ownerRef], uid: obj.metadata?.uid } });
      claimed.push(adopted as RO<T>);
    } catch (e) {
      if (isNotFound(e)) continue; // gone meanwhile: neither ours nor anyone's
      if (e instanceof OwnerGoneError) throw e; // no point adopting the rest
      firstErr ??= e;
    }
  }
  if (firstErr) throw firstErr;
  return claimed;
}

/** A fresh GET of the owner through the client (the canAdopt re-check). */
export function ownerGetter<T extends KubeObject>(client: Client, r: ResourceRef<T>, namespace: string, name: string): () => Promise<RO<KubeObject>> {
  return async () => (await client.resource(r, namespace).get(name)) as RO<KubeObject>;
}
