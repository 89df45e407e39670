/**
 * The iptables proxier: plan (rules.ts) then apply, in exactly one place.
 *
 * A sync:
 *  1. folds the handlers' changes into the maps (base.ts) and adds the
 *     changed service ports to the dirty set;
 *  2. decides full or partial: full on the first sync, after any failure,
 *     and once per --iptables-sync-period; partial otherwise (KEP-3453);
 *  3. renders every table (filter and nat) and applies them in ONE
 *     `iptables-restore --noflush`. Restore is atomic per table only, so a
 *     failure leaves an unknown mix: the next sync is full, and re-reads the
 *     nat chains that exist with iptables-save (for stale-chain deletion);
 *  4. on full syncs, ensures the jump rules in built-in chains with single
 *     -C/-I calls (after the restore, which created the chains they target);
 *  5. deletes stale UDP conntrack entries (conntrack.ts).
 * Failure throws, the runner retries after the sync period.
 */
import type { Conntrack } from '../../../native/conntrack/index.js';
import { parseSave } from '../../../native/iptables/save.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import { BaseProxier, type BaseProxierOptions, type MapUpdate, type RulesResult } from '../base.js';
import type { StaleEndpoint } from '../changes.js';
import { cleanupLeftovers } from '../cleanup.js';
import { planConntrackCleanup, runConntrackCleanup } from '../conntrack.js';
import type { ProxyMode, ServicePortInfo, ServicePortKey } from '../types.js';
import { IPTABLES_JUMPS, isServiceChain } from './chains.js';
import { planRules, type IptablesConfig, type RulesPlan } from './rules.js';

export interface IptablesProxierOptions extends BaseProxierOptions {
  iptables: IptablesRunner;
  /** Omit to skip conntrack cleanup (tests without the tool). */
  conntrack?: Conntrack;
  config: IptablesConfig;
  /** Partial syncs (KEP-3453); default true. */
  partialSyncs?: boolean;
}

export class IptablesProxier extends BaseProxier {
  readonly mode: ProxyMode = 'iptables';
  // Immutable after construction.
  private readonly ipt: IptablesRunner;
  private readonly ct: Conntrack | undefined;
  private readonly cfg: IptablesConfig;
  private readonly partial: boolean;
  // Owned by syncProxyRules (syncs never overlap).
  private needFullSync = true;
  private lastFullSyncAt = 0;
  private readonly dirty = new Set<ServicePortKey>();
  /** Our nat chains as of the last successful restore; undefined = unknown, read with iptables-save. */
  private knownNatChains: ReadonlySet<string> | undefined;
  /** Conntrack work not done yet (kept across a failed sync). */
  private removedUDP: ServicePortInfo[] = [];
  private staleEndpoints: StaleEndpoint[] = [];
  private readonly newlyServed = new Set<ServicePortKey>();
  /** The last plan applied (tests and the bench read it). */
  lastPlan: RulesPlan | undefined;

  constructor(opts: IptablesProxierOptions) {
    super(opts);
    this.ipt = opts.iptables;
    this.ct = opts.conntrack;
    this.cfg = opts.config;
    this.partial = opts.partialSyncs ?? true;
  }

  /** Forces the next sync to be full (e.g. something flushed our chains). */
  forceFullSync(): void {
    this.needFullSync = true;
    this.requestSync();
  }

  protected async syncProxyRules(u: MapUpdate): Promise<RulesResult> {
    for (const k of u.services.changed) this.dirty.add(k);
    for (const k of u.endpoints.changed) this.dirty.add(k);
    this.removedUDP.push(...u.services.removedUDP);
    this.staleEndpoints.push(...u.endpoints.staleEndpoints);
    for (const k of u.endpoints.newlyServed) this.newlyServed.add(k);

    const now = this.clock.now();
    const full = !this.partial || this.needFullSync || now - this.lastFullSyncAt >= this.base.syncPeriodMs;
    try {
      if (this.knownNatChains === undefined) this.knownNatChains = await this.readNatChains();
      const plan = planRules({
        services: this.serviceMap,
        endpoints: this.endpointsMap,
        config: this.cfg,
        dirty: full ? undefined : this.dirty,
        existingNatChains: this.knownNatChains,
      });
      await this.ipt.restore(plan.text, { noflush: true });
      this.knownNatChains = plan.activeNatChains;
      this.lastPlan = plan;
      if (full) await this.ensureJumps();
      if (plan.deletedChains.length) this.log.v(2).info('deleted stale chains', { chains: plan.deletedChains.length });
      this.dirty.clear();
      this.needFullSync = false;
      if (full) this.lastFullSyncAt = now;
      await this.cleanupConntrack();
      return { full, rulesWritten: plan.rulesWritten };
    } catch (e) {
      // Some tables may have committed and others not: rewrite everything next time.
      this.needFullSync = true;
      this.knownNatChains = undefined;
      throw e;
    }
  }

  private async readNatChains(): Promise<ReadonlySet<string>> {
    const saved = parseSave(await this.ipt.save('nat'));
    return new Set([...(saved.tables.get('nat')?.chains.keys() ?? [])].filter(isServiceChain));
  }

  private async ensureJumps(): Promise<void> {
    for (const j of IPTABLES_JUMPS) await this.ipt.ensureRule(j.position, j.table, j.chain, j.args);
  }

  private async cleanupConntrack(): Promise<void> {
    const work = { removedUDP: this.removedUDP, staleEndpoints: this.staleEndpoints, newlyServed: this.newlyServed };
    const filters = planConntrackCleanup(this.serviceMap, work);
    this.removedUDP = [];
    this.staleEndpoints = [];
    this.newlyServed.clear();
    await runConntrackCleanup(this.ct, filters, this.log);
  }

  async cleanup(): Promise<void> {
    await cleanupLeftovers(this.ipt, this.log);
    this.needFullSync = true;
    this.knownNatChains = undefined;
  }
}
