/**
 * Per-zone eviction queues (upstream RateLimitedTimedQueue, one per zone):
 * nodes whose pods are to be deleted, processed in order at the zone's rate
 * (--node-eviction-rate nodes per second, burst 1; 0 stops the zone).
 *
 * A node stays "done" after its pods were deleted, so it is not evicted
 * again while it stays down (pods the scheduler will not place there
 * anyway); cancel() — the node is Ready again, or gone — forgets it, so a
 * later outage evicts again. Single-threaded: the controller calls
 * process() from one loop only.
 */
import type { Clock } from '../../client/clock.js';
import { TokenBucket } from '../../client/ratelimit.js';

interface Entry {
  node: string;
  uid: string;
  /** Not before this time (ms): set after a failed attempt. */
  processAt: number;
  seq: number;
}

class ZoneQueue {
  readonly waiting = new Map<string, Entry>();
  readonly done = new Set<string>();
  limiter?: TokenBucket;
  rate = -1;
}

/** What process() does to one node: true = done, false = try again later. */
export type EvictFn = (node: string, uid: string, zone: string) => Promise<boolean>;

export class ZoneEvictor {
  // Owned by this evictor (single-threaded).
  private readonly zones = new Map<string, ZoneQueue>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    /** The rate a zone starts with. */
    private readonly initialRate: number,
    /** How long a failed node waits before the next attempt. */
    private readonly retryMs = 1_000,
  ) {}

  private zone(z: string): ZoneQueue {
    let q = this.zones.get(z);
    if (!q) {
      q = new ZoneQueue();
      this.zones.set(z, q);
      this.setRate(z, this.initialRate);
    }
    return q;
  }

  /** Swaps the zone's limiter (a fresh bucket of burst 1) when the rate changes; 0 stops the zone. */
  setRate(z: string, qps: number): void {
    const q = this.zone(z);
    if (q.rate === qps) return;
    q.rate = qps;
    q.limiter = qps > 0 ? new TokenBucket(qps, 1, this.clock) : undefined;
  }

  rateOf(z: string): number | undefined {
    return this.zones.get(z)?.rate;
  }

  /** Queues a node; false when it is already queued or was evicted in this outage. */
  add(z: string, node: string, uid: string): boolean {
    const q = this.zone(z);
    if (q.waiting.has(node) || q.done.has(node)) return false;
    q.waiting.set(node, { node, uid, processAt: this.clock.now(), seq: this.seq++ });
    return true;
  }

  /** Forgets a node in every zone (it may have moved zones); true when it was queued or evicted. */
  cancel(node: string): boolean {
    let had = false;
    for (const q of this.zones.values()) {
      if (q.waiting.delete(node)) had = true;
      if (q.done.delete(node)) had = true;
    }
    return had;
  }

  isQueued(node: string): boolean {
    for (const q of this.zones.values()) if (q.waiting.has(node)) return true;
    return false;
  }

  /** Drops a zone with no nodes left. */
  dropZone(z: string): void {
    this.zones.delete(z);
  }

  /**
   * One pass over every zone: the earliest due nodes, as many as the zone's
   * bucket allows now. A node whose evict fails waits retryMs.
   */
  async process(evict: EvictFn): Promise<void> {
    for (const [z, q] of this.zones) {
      for (;;) {
        const now = this.clock.now();
        let head: Entry | undefined;
        for (const e of q.waiting.values()) if (!head || e.processAt < head.processAt || (e.processAt === head.processAt && e.seq < head.seq)) head = e;
        if (!head || head.processAt > now) break;
        if (!q.limiter || !q.limiter.tryAccept()) break;
        let ok = false;
        try {
          ok = await evict(head.node, head.uid, z);
        } catch {
          ok = false;
        }
        // The node may have been cancelled while evict ran.
        if (q.waiting.get(head.node) !== head) continue;
        if (ok) {
          q.waiting.delete(head.node);
          q.done.add(head.node);
        } else {
          head.processAt = this.clock.now() + this.retryMs;
        }
      }
    }
  }
}
