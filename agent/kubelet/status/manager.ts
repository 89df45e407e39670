/**
 * The status manager (upstream status/status_manager.go): the only writer of
 * pods/status, and of the final DELETE of a pod the kubelet finished with.
 *
 * Design notes
 * - Pod workers call setPodStatus after every sync; it costs a comparison.
 *   A status equal to the last one cached is dropped. A new one bumps the
 *   pod's version and marks it dirty.
 * - One loop writes (STYLE.md §1c "share the same go routine to avoid sync
 *   races"): woken on a change, it sends each dirty pod's newest status as a
 *   merge patch of pods/status, and records the version sent. A status
 *   computed before a newer one can never overwrite it: only the newest
 *   version is ever sent.
 * - Every 10 s it also reconciles: a pod whose API status differs from ours
 *   (someone else wrote it, or a write was lost) is sent again.
 * - Static pods report through their mirror pod (`target()` resolves it).
 * - API down: the pod stays dirty and is retried on the next tick; the
 *   failure is logged once per change of state.
 */
import type { PodStatus } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import { isConflict, isNotFound } from '../../../controlplane/client/errors.js';
import type { Client } from '../../../controlplane/client/interfaces.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';

export interface ApiTarget {
  namespace: string;
  name: string;
  uid: string;
  /** The status the API has now (from the informer), for reconciling. */
  status?: DeepReadonly<PodStatus>;
}

export interface StatusManager {
  setPodStatus(uid: string, status: PodStatus): void;
  getPodStatus(uid: string): PodStatus | undefined;
  /** Deletes the API pod (grace 0, UID precondition) once the kubelet is done with it. */
  requestDeletion(uid: string, target: { namespace: string; name: string; uid: string }): void;
  /** Forgets a pod that is gone. */
  forget(uid: string): void;
  /** Re-sends the pod's status on the next pass (its API object changed, e.g. a new mirror pod). */
  markDirty(uid: string): void;
  run(signal: AbortSignal): Promise<void>;
}

export interface StatusManagerOptions {
  client: Client;
  /** Where a pod's status goes in the API (undefined: nowhere yet, e.g. a static pod without mirror). */
  target(uid: string): ApiTarget | undefined;
  log: Logger;
  clock?: Clock;
  reconcileMs?: number;
}

interface Entry {
  status: PodStatus;
  json: string;
  version: number;
  sentVersion: number;
}

export const STATUS_RECONCILE_MS = 10_000;

/** JSON of a status with key order fixed, for comparisons. */
export function statusKey(s: DeepReadonly<PodStatus> | undefined): string {
  return JSON.stringify(s ?? {}, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) o[k] = (v as Record<string, unknown>)[k];
      return o;
    }
    return v;
  });
}

export class KubeletStatusManager implements StatusManager {
  // Guarded by nothing (single-threaded): written by pod workers, read by the writer loop.
  private readonly entries = new Map<string, Entry>();
  private readonly deletions = new Map<string, { namespace: string; name: string; uid: string }>();
  private readonly dirty = new Set<string>();
  private wake?: () => void;
  private failing = false;
  // Immutable after construction.
  private readonly clock: Clock;

  constructor(private readonly o: StatusManagerOptions) {
    this.clock = o.clock ?? realClock;
  }

  setPodStatus(uid: string, status: PodStatus): void {
    const json = statusKey(status);
    const e = this.entries.get(uid);
    if (e && e.json === json) return;
    this.entries.set(uid, { status, json, version: (e?.version ?? 0) + 1, sentVersion: e?.sentVersion ?? 0 });
    this.markDirty(uid);
  }

  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  requestDeletion(uid: string, target: { namespace: string; name: string; uid: string }): void {
    this.deletions.set(uid, target);
    this.wake?.();
  }

  forget(uid: string): void {
    this.entries.delete(uid);
    this.dirty.delete(uid);
    this.deletions.delete(uid);
  }

  markDirty(uid: string): void {
    this.dirty.add(uid);
    this.wake?.();
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.reconcileMs ?? STATUS_RECONCILE_MS;
    let nextReconcile = this.clock.now() + period;
    while (!signal.aborted) {
      if (this.clock.now() >= nextReconcile) {
        this.reconcile();
        nextReconcile = this.clock.now() + period;
      }
      await this.flush(signal);
      if (signal.aborted) break;
      // Work that arrived while flushing (no wake-up was armed then) is not left for the next tick.
      const pending = this.dirty.size > 0 || this.deletions.size > 0;
      if (pending && !this.failing) continue;
      const wait = pending ? 1000 : Math.max(0, nextReconcile - this.clock.now());
      await new Promise<void>((resolve) => {
        const cancel = this.clock.setTimer(resolve, wait);
        const onAbort = () => {
          cancel();
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          cancel();
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Marks pods whose API status differs from ours. */
  private reconcile(): void {
    for (const [uid, e] of this.entries) {
      const t = this.o.target(uid);
      if (t && statusKey(t.status) !== e.json) this.dirty.add(uid);
    }
  }

  private async flush(signal: AbortSignal): Promise<void> {
    for (const uid of [...this.dirty]) {
      if (signal.aborted) return;
      this.dirty.delete(uid);
      const e = this.entries.get(uid);
      if (!e) continue;
      const t = this.o.target(uid);
      if (!t) continue;
      // Already what the API holds (a write we made, seen back through the informer).
      if (e.sentVersion === e.version && statusKey(t.status) === e.json) continue;
      const version = e.version;
      try {
        await this.o.client.resource(resources.pods, t.namespace).patch(t.name, 'merge', { status: e.status }, { subresource: 'status', signal });
        e.sentVersion = Math.max(e.sentVersion, version);
        this.o.log.v(4).info('pod status written', { pod: `${t.namespace}/${t.name}`, phase: e.status.phase, version });
        this.ok();
      } catch (err) {
        if (isNotFound(err)) continue;
        this.fail(`updating the status of pod ${t.namespace}/${t.name}`, err);
        this.dirty.add(uid);
      }
    }
    for (const [uid, t] of [...this.deletions]) {
      if (signal.aborted) return;
      try {
        await this.o.client.resource(resources.pods, t.namespace).delete(t.name, { gracePeriodSeconds: 0, preconditions: { uid: t.uid }, signal });
        this.o.log.info('pod deleted from the API after its containers stopped', { pod: `${t.namespace}/${t.name}` });
        this.deletions.delete(uid);
        this.ok();
      } catch (err) {
        // Gone, or a new pod of the same name (UID precondition failed): nothing of ours to delete.
        if (isNotFound(err) || isConflict(err)) {
          this.deletions.delete(uid);
          continue;
        }
        this.fail(`deleting pod ${t.namespace}/${t.name}`, err);
      }
    }
  }

  private ok(): void {
    if (this.failing) this.o.log.info('pod status updates succeed again');
    this.failing = false;
  }

  private fail(what: string, err: unknown): void {
    if (!this.failing) this.o.log.warn(`status manager: ${what} failed; will retry`, { err: err instanceof Error ? err.message : String(err) });
    this.failing = true;
  }
}
