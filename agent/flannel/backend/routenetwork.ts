/**
 * The route-per-lease engine (upstream backend/route_network.go), used by
 * host-gw: each remote lease of our backend type becomes one kernel route
 * given by `routeFor`; a route already there for the same destination but
 * another gateway or device is replaced. `run` re-adds missing routes every
 * 10 s (someone flushing the table must not cut the node off for good).
 * Leases of another backend type are skipped with a warning.
 */
import type { RouteSpec, RtNetlink } from '../../../native/rtnetlink/types.js';
import { contains, formatIp4Net, parseIp4Net, type Ip4Net } from '../lease/ip4.js';
import type { BackendNetwork, BackendType, Lease, LeaseEvent } from '../lease/types.js';
import { ignoring, type BackendLog } from './log.js';

export const ROUTE_CHECK_MS = 10_000;

export class RouteNetwork implements BackendNetwork {
  /** Routes we programmed, by destination; guarded by the event loop (handle and the checker never interleave writes to one key). */
  private readonly routes = new Map<string, RouteSpec>();

  constructor(
    private readonly nl: RtNetlink,
    private readonly type: BackendType,
    readonly mtu: number,
    private readonly routeFor: (l: Lease) => RouteSpec,
    private readonly log: BackendLog,
    /** The overlay Network and our device: prune() looks only at routes inside it, on it. */
    private readonly scope: { readonly network: Ip4Net; readonly dev: number },
    private readonly checkMs = ROUTE_CHECK_MS,
  ) {}

  async prune(leases: readonly Lease[]): Promise<void> {
    const live = new Set(leases.map((l) => formatIp4Net(l.subnet)));
    for (const r of await this.nl.routes({ family: 4 })) {
      const dst = parseIp4Net(r.dst);
      if (!dst || r.dev !== this.scope.dev || !r.gateway || dst.prefixLen <= this.scope.network.prefixLen || !contains(this.scope.network, dst.ip)) continue;
      if (live.has(r.dst)) continue;
      this.log.info(`Removing stale route to ${r.dst} via ${r.gateway}: no lease holds that subnet any more`);
      await ignoring(['ESRCH', 'ENOENT'], () => this.nl.delRoutes([{ dst: r.dst, gateway: r.gateway!, dev: r.dev! }]));
    }
  }

  async handle(events: readonly LeaseEvent[]): Promise<void> {
    for (const ev of events) {
      const dst = formatIp4Net(ev.lease.subnet);
      if (ev.type === 'added') {
        if (ev.lease.attrs.backendType !== this.type) {
          this.log.warn(`Ignoring non-${this.type} subnet ${dst}: type=${ev.lease.attrs.backendType ?? '(none)'}`);
          continue;
        }
        const want = this.routeFor(ev.lease);
        this.log.info(`Subnet added: ${dst} via ${want.gateway ?? '(link)'}`);
        await this.install(want);
        this.routes.set(dst, want);
      } else {
        const had = this.routes.get(dst);
        if (!had) continue;
        this.log.info(`Subnet removed: ${dst}`);
        this.routes.delete(dst);
        await ignoring(['ESRCH', 'ENOENT'], () => this.nl.delRoutes([had]));
      }
    }
  }

  /** Adds the route, replacing one for the same destination that points elsewhere. */
  private async install(want: RouteSpec): Promise<void> {
    const existing = (await this.nl.routes({ family: 4 })).filter((r) => r.dst === want.dst);
    const devIndex = typeof want.dev === 'number' ? want.dev : undefined;
    const same = existing.find((r) => r.gateway === want.gateway && (devIndex === undefined || r.dev === devIndex));
    if (same) return;
    for (const r of existing) {
      this.log.warn(`Replacing existing route to ${want.dst} via ${r.gateway ?? '(link)'} dev ${r.dev ?? '?'}`);
      await ignoring(['ESRCH', 'ENOENT'], () => this.nl.delRoutes([{ dst: r.dst, ...(r.gateway ? { gateway: r.gateway } : {}), ...(r.dev !== undefined ? { dev: r.dev } : {}) }]));
    }
    await this.nl.addRoutes([want], { ignore: ['EEXIST'] });
  }

  /** Re-adds routes that vanished. Exposed for tests. */
  async checkRoutes(): Promise<number> {
    const have = await this.nl.routes({ family: 4 });
    let fixed = 0;
    for (const want of this.routes.values()) {
      if (have.some((r) => r.dst === want.dst && r.gateway === want.gateway)) continue;
      this.log.info(`Route to ${want.dst} via ${want.gateway ?? '(link)'} was missing; adding it back`);
      await this.nl.addRoutes([want], { ignore: ['EEXIST'] });
      fixed++;
    }
    return fixed;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, this.checkMs);
        signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
      if (signal.aborted) return;
      try {
        await this.checkRoutes();
      } catch (e) {
        this.log.error(`Error checking routes: ${(e as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {}
}
