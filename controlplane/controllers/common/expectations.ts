/**
 * ControllerExpectations (upstream pkg/controller/controller_utils.go, with
 * the UID-tracking variant for deletions): a controller that just issued n
 * creates must not act on its cache again until it has *seen* those n pods
 * arrive, or it would create them a second time.
 *
 * - expectCreations(key, n) before issuing creates; each pod add event for
 *   that owner calls creationObserved(key). Creates that were never attempted
 *   or failed must be "observed" by the caller too, since no event will come.
 * - expectDeletions(key, podKeys) records which pods it deletes; a delete
 *   event of one of them calls deletionObserved(key, podKey). Tracking keys
 *   (not a count) means a pod deleted by someone else is not mistaken for ours.
 * - satisfied(key) is true when nothing is pending, when no record exists
 *   (new owner, or a restart), or when the record is older than the TTL —
 *   a lost watch event must not wedge an owner forever (5 min upstream).
 *
 * Single-threaded: callers on the event loop see a consistent record.
 */
import type { Clock } from '../../client/clock.js';

export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Record {
  add: number;
  del: number;
  /** Pods whose deletion we wait to observe. */
  deleting: Set<string>;
  since: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.since > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, deleting: new Set(), since: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, del: podKeys.length, deleting: new Set(podKeys), since: this.clock.now() });
  }

  /** Both at once: n creates and the deletion of these keys. */
  expect(key: string, creates: number, deletes: readonly string[]): void {
    this.records.set(key, { add: creates, del: deletes.length, deleting: new Set(deletes), since: this.clock.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** Counts only pods this controller said it would delete. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  /** Forget the owner (deleted, or its sync starts over). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** Pending (adds, dels), for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}
