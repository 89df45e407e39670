/**
 * The iptables proxier: plan (rules.ts) then apply, in exactly one place.
 *
 * A sync:
 *  1. folds the handlers' changes into the maps (base.ts) and adds the
 *     changed service ports to the dirty set;
 *  2. decides full or partial: full on the first sync, after any failure,
 *     and once per --iptables-sync-period; partial otherwise (KEP-3453);
 *  3. on a full sync, reads the tables once (iptables-save): which of our
 *     chains exist (stale ones are deleted) and which jump rules in built-in
 *     chains are missing (someone flushed INPUT, or the first start);
 *  4. renders every table (filter and nat) and applies them in ONE
 *     `iptables-restore --noflush`. Restore is atomic per table only, so
 *     after a failure the next sync is full and rewrites everything;
 *  5. ensures the missing jump rules separately (`iptables -C`, `-I 1`),
 *     after the restore created the chains they target. The built-in chains
 *     are shared with Docker and the host firewall, so they are never
 *     declared in the restore input (that would flush them). Upstream runs
 *     -C for every jump on every full sync (~13 processes); checking the
 *     save first makes a steady-state full sync two processes;
 *  6. deletes stale UDP conntrack entries (conntrack.ts).
 * Failure throws, the runner retries after the sync period.
 */
import type { Conntrack } from '../../../native/conntrack/index.js';
import { parseSave, type SavedRuleset } from '../../../native/iptables/save.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import { BaseProxier, type BaseProxierOptions, type MapUpdate, type RulesResult } from '../base.js';
import type { StaleEndpoint } from '../changes.js';
import { cleanupLeftovers } from '../cleanup.js';
import { planConntrackCleanup, runConntrackCleanup } from '../conntrack.js';
import type { ProxyMode, ServicePortInfo, ServicePortKey } from '../types.js';
import { IPTABLES_JUMPS, isServiceChain, type JumpRule } from './chains.js';
import { ChainNameCache, planRules, type IptablesConfig, type RulesPlan } from './rules.js';

/** Whether a saved chain holds this rule (compared as token multisets: tools may reorder matches). */
function hasRule(saved: SavedRuleset, j: JumpRule): boolean {
  const want = [...j.args].sort().join('\0');
  return (saved.tables.get(j.table)?.chains.get(j.chain)?.rules ?? []).some((r) => [...r.args].sort().join('\0') === want);
}

/** The jumps missing from a saved ruleset. */
export function missingJumps(saved: SavedRuleset, jumps: readonly JumpRule[] = IPTABLES_JUMPS): JumpRule[] {
  return jumps.filter((j) => !hasRule(saved, j));
}

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
  private readonly names = new ChainNameCache();
  /** Conntrack work not done yet (kept across a failed sync). */
  private removedUDP: ServicePortInfo[] = [];
  private staleEndpoints: StaleEndpoint[] = [];
  private readonly newlyServed = new Set<ServicePortKey>();
  /** The last plan applied (tests and the bench read it). */
  lastPlan: RulesPlan | undefined;
  /** Where the last sync's time went (ms), logged at --v=4 and read by the bench. */
  lastTimings: { saveMs: number; planMs: number; restoreMs: number; jumpsMs: number; conntrackMs: number } | undefined;

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
      let jumps: JumpRule[] = [];
      const t0 = performance.now();
      if (full || this.knownNatChains === undefined) {
        // No table argument: naming one would make the legacy kernel create it.
        const saved = parseSave(await this.ipt.save());
        this.knownNatChains = new Set([...(saved.tables.get('nat')?.chains.keys() ?? [])].filter(isServiceChain));
        jumps = missingJumps(saved);
      }
      const t1 = performance.now();
      const plan = planRules({
        services: this.serviceMap,
        endpoints: this.endpointsMap,
        config: this.cfg,
        dirty: full ? undefined : this.dirty,
        existingNatChains: this.knownNatChains,
        names: this.names,
      });
      const t2 = performance.now();
      await this.ipt.restore(plan.text, { noflush: true });
      const t3 = performance.now();
      this.knownNatChains = plan.activeNatChains;
      this.lastPlan = plan;
      for (const j of jumps) await this.ipt.ensureRule(j.position, j.table, j.chain, j.args);
      if (jumps.length) this.log.v(2).info('ensured jump rules in built-in chains', { rules: jumps.length });
      const t4 = performance.now();
      if (plan.deletedChains.length) this.log.v(2).info('deleted stale chains', { chains: plan.deletedChains.length });
      this.dirty.clear();
      this.needFullSync = false;
      if (full) this.lastFullSyncAt = now;
      await this.cleanupConntrack();
      this.lastTimings = { saveMs: t1 - t0, planMs: t2 - t1, restoreMs: t3 - t2, jumpsMs: t4 - t3, conntrackMs: performance.now() - t4 };
      this.log.v(4).info('iptables sync timings', { full, ...this.lastTimings });
      return { full, rulesWritten: plan.rulesWritten };
    } catch (e) {
      // Some tables may have committed and others not: rewrite everything next time.
      this.needFullSync = true;
      this.knownNatChains = undefined;
      throw e;
    }
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
