/**
 * What attemptToDelete does with one dependent, decided from facts (upstream
 * garbagecollector.go attemptToDeleteItem). Pure, so the table of cases is
 * unit-tested without a server.
 *
 * Each owner reference is classified (isDangling / classifyReferences):
 * - dangling: the owner does not exist, or exists with another uid;
 * - waiting: the owner is being deleted in the foreground (it waits for us);
 * - solid: anything else.
 * Then:
 * - some solid owner → keep the object; drop references to dangling and
 *   waiting owners (a waiting owner must not wait for something it will not
 *   get to delete);
 * - no solid owner, some waiting owner, and dependents of our own → delete
 *   in the foreground too, so the chain is deleted bottom-up; if one of our
 *   dependents is itself deleting its dependents (a cycle), first unblock
 *   the references to the waiting owners;
 * - otherwise (all owners gone) → delete, propagating as the object's own
 *   finalizers ask (orphan → Orphan, foregroundDeletion → Foreground,
 *   else Background).
 */
import type { KubeObject, OwnerReference } from '../../machinery/meta/types.js';
import type { RO } from '../common/types.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './graph.js';

export type OwnerState = 'solid' | 'dangling' | 'waiting';

export type Decision =
  | { action: 'none' }
  | { action: 'removeOwners'; uids: string[] }
  | { action: 'delete'; policy: 'Background' | 'Foreground' | 'Orphan'; unblock: string[] };

export interface DecideInput {
  latest: RO<KubeObject>;
  /** Per owner uid. */
  states: ReadonlyMap<string, OwnerState>;
  /** Whether the item has dependents in the graph. */
  hasDependents: boolean;
  /** Whether one of those dependents is itself deleting its dependents (cycle hint). */
  dependentDeletingDependents: boolean;
}

export function decide(i: DecideInput): Decision {
  const refs: readonly RO<OwnerReference>[] = i.latest.metadata?.ownerReferences ?? [];
  if (refs.length === 0) return { action: 'none' };
  const solid: string[] = [];
  const dangling: string[] = [];
  const waiting: string[] = [];
  for (const r of refs) {
    const s = i.states.get(r.uid) ?? 'solid';
    (s === 'solid' ? solid : s === 'dangling' ? dangling : waiting).push(r.uid);
  }
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    return { action: 'removeOwners', uids: [...dangling, ...waiting] };
  }
  if (waiting.length > 0 && i.hasDependents) {
    return { action: 'delete', policy: 'Foreground', unblock: i.dependentDeletingDependents ? waiting : [] };
  }
  const finalizers = i.latest.metadata?.finalizers ?? [];
  const policy = finalizers.includes(FINALIZER_ORPHAN) ? 'Orphan' : finalizers.includes(FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
  return { action: 'delete', policy, unblock: [] };
}
