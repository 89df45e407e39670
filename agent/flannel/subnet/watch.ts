/**
 * LeaseWatcher (upstream subnet/watch.go): turns "snapshot or events" into
 * the batches a backend applies, and tells our own lease apart.
 *
 * - A snapshot is diffed against what we knew: leases that appeared or
 *   changed are `added`, those gone are `removed` — so a backend never needs
 *   to reset, and a watch that fell behind loses nothing.
 * - Our own subnet never reaches the backend. Its removal (deleted by an
 *   operator, or expired) is reported as `ownRemoved`: flanneld then exits,
 *   as upstream does, rather than keep routing for a subnet someone else may
 *   be given. An update of it (our renewal) refreshes `ownExpiration`.
 *
 * Not async-safe by itself: one owner feeds it in order.
 */
import { equalNet, formatIp4Net, type Ip4Net } from '../lease/ip4.js';
import type { Lease, LeaseEvent, LeaseWatchResult } from '../lease/types.js';

export interface WatchStep {
  readonly events: LeaseEvent[];
  readonly ownRemoved: boolean;
  readonly ownUpdated?: Lease;
}

function same(a: Lease, b: Lease): boolean {
  return JSON.stringify(a.attrs) === JSON.stringify(b.attrs);
}

export class LeaseWatcher {
  /** Remote leases by subnet text; guarded by the single caller. */
  private readonly known = new Map<string, Lease>();

  constructor(private readonly own: Ip4Net) {}

  get leases(): Lease[] {
    return [...this.known.values()];
  }

  apply(r: LeaseWatchResult): WatchStep {
    return 'snapshot' in r ? this.reset(r.snapshot) : this.update(r.events);
  }

  private reset(snapshot: readonly Lease[]): WatchStep {
    const events: LeaseEvent[] = [];
    let ownSeen: Lease | undefined;
    const seen = new Set<string>();
    for (const l of snapshot) {
      if (equalNet(l.subnet, this.own)) {
        ownSeen = l;
        continue;
      }
      const k = formatIp4Net(l.subnet);
      seen.add(k);
      const old = this.known.get(k);
      if (!old || !same(old, l)) events.push({ type: 'added', lease: l });
      this.known.set(k, l);
    }
    for (const [k, l] of this.known) {
      if (!seen.has(k)) {
        this.known.delete(k);
        events.push({ type: 'removed', lease: l });
      }
    }
    return { events, ownRemoved: ownSeen === undefined, ...(ownSeen ? { ownUpdated: ownSeen } : {}) };
  }

  private update(incoming: readonly LeaseEvent[]): WatchStep {
    const events: LeaseEvent[] = [];
    let ownRemoved = false;
    let ownUpdated: Lease | undefined;
    for (const ev of incoming) {
      if (equalNet(ev.lease.subnet, this.own)) {
        if (ev.type === 'removed') ownRemoved = true;
        else {
          ownRemoved = false;
          ownUpdated = ev.lease;
        }
        continue;
      }
      const k = formatIp4Net(ev.lease.subnet);
      if (ev.type === 'added') {
        const old = this.known.get(k);
        this.known.set(k, ev.lease);
        if (!old || !same(old, ev.lease)) events.push(ev);
      } else {
        const old = this.known.get(k);
        if (!old) continue;
        this.known.delete(k);
        // Removal events carry only the subnet: hand the backend what it programmed.
        events.push({ type: 'removed', lease: old });
      }
    }
    return { events, ownRemoved, ...(ownUpdated ? { ownUpdated } : {}) };
  }
}
