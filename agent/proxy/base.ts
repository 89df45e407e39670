/**
 * What every proxy mode shares: the typed handlers (record a change, ask for
 * a sync), the service and endpoint maps, the "initialized" gate, and the
 * bounded-frequency runner that calls sync(). A mode supplies only
 * syncProxyRules(update) — the one place it writes the kernel — and, when it
 * holds resources (sockets), close().
 *
 * Ordering: handlers may fire before both informers synced; their changes
 * are kept but no sync runs until onServicesSynced() and onEndpointsSynced()
 * were both called, because a sync from a half-filled cache would delete the
 * rules of services not listed yet (upstream `isInitialized`).
 */
import { realClock, type Clock } from '../../controlplane/client/clock.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import {
  applyEndpointsChanges,
  applyServiceChanges,
  EndpointsChangeTracker,
  ServiceChangeTracker,
  type EndpointsMapUpdate,
  type ServiceMapUpdate,
} from './changes.js';
import { BoundedFrequencyRunner } from './runner.js';
import type { EndpointInfo, EndpointsObj, Proxier, ProxyMode, ServiceObj, ServicePortInfo, ServicePortKey, SyncObserver, SyncStats } from './types.js';

export interface BaseProxierOptions {
  /** This node's name (--hostname-override or the hostname): endpoints with this nodeName are local. */
  hostname: string;
  /** --iptables-min-sync-period (ms). */
  minSyncPeriodMs: number;
  /** --iptables-sync-period (ms): periodic resync and retry delay. */
  syncPeriodMs: number;
  log: Logger;
  clock?: Clock;
  observer?: SyncObserver;
}

/** The maps' changes since the last sync, handed to syncProxyRules. */
export interface MapUpdate {
  readonly services: ServiceMapUpdate;
  readonly endpoints: EndpointsMapUpdate;
}

/** What a mode's syncProxyRules reports. */
export interface RulesResult {
  readonly full: boolean;
  readonly rulesWritten: number;
}

export abstract class BaseProxier implements Proxier {
  abstract readonly mode: ProxyMode;
  // Immutable after construction.
  protected readonly log: Logger;
  protected readonly clock: Clock;
  protected readonly runner: BoundedFrequencyRunner;
  // Written by handlers, read by sync(): the event loop serialises both.
  private readonly serviceChanges = new ServiceChangeTracker();
  private readonly endpointsChanges: EndpointsChangeTracker;
  private servicesSynced = false;
  private endpointsSynced = false;
  // Owned by sync() (never concurrent: the runner awaits each run).
  protected readonly serviceMap = new Map<ServicePortKey, ServicePortInfo>();
  protected readonly endpointsMap = new Map<ServicePortKey, readonly EndpointInfo[]>();
  private syncing = false;

  constructor(protected readonly base: BaseProxierOptions) {
    this.log = base.log;
    this.clock = base.clock ?? realClock;
    this.endpointsChanges = new EndpointsChangeTracker(base.hostname);
    this.runner = new BoundedFrequencyRunner(() => this.syncForRunner(), {
      name: 'sync-runner',
      minIntervalMs: base.minSyncPeriodMs,
      maxIntervalMs: Math.max(base.syncPeriodMs, base.minSyncPeriodMs, 1),
      retryIntervalMs: base.syncPeriodMs,
      burst: 2,
      clock: this.clock,
      log: base.log,
    });
  }

  /** Both informers delivered their first list. */
  get initialized(): boolean {
    return this.servicesSynced && this.endpointsSynced;
  }

  private changed(pending: boolean): void {
    if (pending && this.initialized) this.runner.requestRun();
  }

  onServiceAdd(s: ServiceObj): void {
    this.changed(this.serviceChanges.update(undefined, s));
  }
  onServiceUpdate(o: ServiceObj, s: ServiceObj): void {
    this.changed(this.serviceChanges.update(o, s));
  }
  onServiceDelete(s: ServiceObj): void {
    this.changed(this.serviceChanges.update(s, undefined));
  }
  onServicesSynced(): void {
    this.servicesSynced = true;
    if (this.initialized) this.runner.requestRun();
  }
  onEndpointsAdd(e: EndpointsObj): void {
    this.changed(this.endpointsChanges.update(undefined, e));
  }
  onEndpointsUpdate(o: EndpointsObj, e: EndpointsObj): void {
    this.changed(this.endpointsChanges.update(o, e));
  }
  onEndpointsDelete(e: EndpointsObj): void {
    this.changed(this.endpointsChanges.update(e, undefined));
  }
  onEndpointsSynced(): void {
    this.endpointsSynced = true;
    if (this.initialized) this.runner.requestRun();
  }

  /** Pending changes not yet folded into the maps (for tests and the bench). */
  get pendingChanges(): number {
    return this.serviceChanges.pending + this.endpointsChanges.pending;
  }

  /** Asks the runner for a sync (e.g. after something outside the API changed). */
  requestSync(): void {
    if (this.initialized) this.runner.requestRun();
  }

  async sync(): Promise<SyncStats> {
    const t0 = this.clock.now();
    const started = performance.now();
    if (!this.initialized) {
      this.log.v(2).info('not syncing rules until Services and Endpoints have been received from the API server');
      return { ran: false, full: false, services: 0, endpoints: 0, rulesWritten: 0, durationMs: 0 };
    }
    if (this.syncing) throw new Error(`${this.mode} proxier: sync() called while a sync is running`);
    this.syncing = true;
    try {
      // Checked out synchronously: changes arriving during the awaits below wait for the next sync.
      const update: MapUpdate = {
        services: applyServiceChanges(this.serviceMap, this.serviceChanges.checkout()),
        endpoints: applyEndpointsChanges(this.endpointsMap, this.endpointsChanges.checkout()),
      };
      const r = await this.syncProxyRules(update);
      let endpoints = 0;
      for (const eps of this.endpointsMap.values()) endpoints += eps.length;
      const stats: SyncStats = { ran: true, full: r.full, services: this.serviceMap.size, endpoints, rulesWritten: r.rulesWritten, durationMs: performance.now() - started };
      this.base.observer?.synced(stats, t0);
      this.log.v(4).info('syncProxyRules complete', { mode: this.mode, full: r.full, services: stats.services, endpoints, rules: r.rulesWritten, ms: Math.round(stats.durationMs) });
      return stats;
    } catch (e) {
      this.base.observer?.failed(e);
      throw e;
    } finally {
      this.syncing = false;
    }
  }

  private async syncForRunner(): Promise<void> {
    await this.sync();
  }

  /** Folds `update` into the kernel. Throws on failure; the mode must make the next sync repair everything. */
  protected abstract syncProxyRules(update: MapUpdate): Promise<RulesResult>;

  /** Releases what the mode holds open (sockets); rules stay, as upstream leaves them on exit. */
  protected async close(): Promise<void> {}

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.runner.run(signal);
    } finally {
      await this.close();
    }
  }

  abstract cleanup(): Promise<void>;
}
