/**
 * The IPVS proxier: diffs plan.ts against the kernel through the `Ipvs`
 * seam (native/ipvs), the VIPs on kube-ipvs0 through an AddressBinder, and
 * rewrites its few masquerade rules with one iptables-restore.
 *
 * This kernel has no ip_vs, so in kubets this mode is proven by unit tests
 * over fakes (agent/proxy/testing/ipvs.ts) only; the daemon falls back to the
 * iptables proxier when openIpvs() throws IpvsUnsupportedError, as v1.8 did.
 * Not implemented compared with later upstream IPVS modes: ipsets, graceful
 * termination (real servers are deleted at once), --ipvs-exclude-cidrs.
 *
 * Ownership: a virtual service is ours if we created it in this process, or
 * (first sync) if its address is one we hold on kube-ipvs0 or a node IP —
 * others' virtual services (e.g. a manually configured one) stay.
 */
import type { Conntrack } from '../../../native/conntrack/index.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import { IpvsError, isMarkKey, SvcFlags, type Ipvs, type RealServer, type VirtualService } from '../../../native/ipvs/types.js';
import { BaseProxier, type BaseProxierOptions, type MapUpdate, type RulesResult } from '../base.js';
import { cleanupLeftovers } from '../cleanup.js';
import { planConntrackCleanup, runConntrackCleanup } from '../conntrack.js';
import type { IptablesConfig } from '../iptables/rules.js';
import type { ProxyMode } from '../types.js';
import { IPVS_JUMPS, planIpvs, planIpvsRules, vsKey, type AddrVirtualService, type DesiredVirtualService } from './plan.js';

/** The dummy link holding service VIPs (rtnetlink in production; a fake in tests). */
export interface AddressBinder {
  /** Creates the link if missing (never set up: the addresses only need to be local). */
  ensureLink(): Promise<void>;
  /** Addresses on the link now. */
  addresses(): Promise<string[]>;
  add(ip: string): Promise<void>;
  remove(ip: string): Promise<void>;
  /** Deletes the link (cleanup). */
  deleteLink(): Promise<void>;
}

export interface IpvsProxierOptions extends BaseProxierOptions {
  ipvs: Ipvs;
  binder: AddressBinder;
  iptables: IptablesRunner;
  conntrack?: Conntrack;
  config: IptablesConfig;
  /** --ipvs-scheduler */
  scheduler: string;
  /** Node IPs serving node ports. */
  nodeIPs: () => Promise<string[]>;
}

export interface IpvsSyncCounts {
  servicesAdded: number;
  servicesUpdated: number;
  servicesDeleted: number;
  destinationsAdded: number;
  destinationsUpdated: number;
  destinationsDeleted: number;
  addressesAdded: number;
  addressesRemoved: number;
}

function sameService(a: VirtualService, b: VirtualService): boolean {
  // The kernel sets HASHED on every service it returns; it is not ours to compare.
  return a.scheduler === b.scheduler && (a.flags & ~SvcFlags.hashed) === (b.flags & ~SvcFlags.hashed) && a.timeout === b.timeout && a.netmask === b.netmask;
}

function destKey(d: Pick<RealServer, 'address' | 'port'>): string {
  return `${d.address}/${d.port}`;
}

export class IpvsProxier extends BaseProxier {
  readonly mode: ProxyMode = 'ipvs';
  private readonly opts: IpvsProxierOptions;
  // Owned by syncProxyRules.
  private readonly owned = new Set<string>();
  private firstSync = true;
  /** The counts of the last sync (tests). */
  lastCounts: IpvsSyncCounts | undefined;

  constructor(opts: IpvsProxierOptions) {
    super(opts);
    this.opts = opts;
  }

  protected async syncProxyRules(u: MapUpdate): Promise<RulesResult> {
    const o = this.opts;
    const counts: IpvsSyncCounts = { servicesAdded: 0, servicesUpdated: 0, servicesDeleted: 0, destinationsAdded: 0, destinationsUpdated: 0, destinationsDeleted: 0, addressesAdded: 0, addressesRemoved: 0 };
    const nodeIPs = await o.nodeIPs();
    const plan = planIpvs({ services: this.serviceMap, endpoints: this.endpointsMap, nodeIPs, scheduler: o.scheduler });

    // 1. VIPs first, so a new virtual service catches packets as soon as it exists.
    await o.binder.ensureLink();
    const bound = new Set(await o.binder.addresses());
    const wanted = new Set(plan.addresses);
    for (const ip of wanted) {
      if (bound.has(ip)) continue;
      await o.binder.add(ip);
      counts.addressesAdded++;
    }

    // 2. Virtual services and real servers.
    const current = new Map<string, AddrVirtualService>();
    for (const s of await o.ipvs.listServices()) if (!isMarkKey(s)) current.set(vsKey(s), s);
    if (this.firstSync) {
      const ours = new Set([...bound, ...nodeIPs]);
      for (const [k, s] of current) if (ours.has(s.address)) this.owned.add(k);
    }
    const desired = new Map<string, DesiredVirtualService>(plan.services.map((d) => [vsKey(d.service), d]));
    for (const [k, d] of desired) {
      const cur = current.get(k);
      if (!cur) {
        await o.ipvs.addService(d.service);
        counts.servicesAdded++;
      } else if (!sameService(cur, d.service)) {
        await o.ipvs.updateService(d.service);
        counts.servicesUpdated++;
      }
      this.owned.add(k);
      await this.syncDestinations(d, cur !== undefined, counts);
    }
    for (const [k, s] of current) {
      if (desired.has(k) || !this.owned.has(k)) continue;
      try {
        await o.ipvs.deleteService(s);
      } catch (e) {
        if (!(e instanceof IpvsError && e.code === 'ESRCH')) throw e;
      }
      this.owned.delete(k);
      counts.servicesDeleted++;
    }

    // 3. VIPs no longer used, after their virtual services are gone.
    for (const ip of bound) {
      if (wanted.has(ip)) continue;
      await o.binder.remove(ip);
      counts.addressesRemoved++;
    }

    // 4. Masquerade rules.
    const rules = planIpvsRules(this.serviceMap, o.config);
    await o.iptables.restore(rules.text, { noflush: true });
    if (this.firstSync) for (const j of IPVS_JUMPS) await o.iptables.ensureRule(j.position, j.table, j.chain, j.args);
    this.firstSync = false;
    this.lastCounts = counts;

    await runConntrackCleanup(
      o.conntrack,
      planConntrackCleanup(this.serviceMap, { removedUDP: u.services.removedUDP, staleEndpoints: u.endpoints.staleEndpoints, newlyServed: u.endpoints.newlyServed }),
      this.log,
    );
    return { full: true, rulesWritten: rules.rules };
  }

  private async syncDestinations(d: DesiredVirtualService, existed: boolean, counts: IpvsSyncCounts): Promise<void> {
    const ipvs = this.opts.ipvs;
    const cur = new Map((existed ? await ipvs.listDestinations(d.service) : []).map((r) => [destKey(r), r]));
    const want = new Map(d.destinations.map((r) => [destKey(r), r]));
    for (const [k, r] of want) {
      const c = cur.get(k);
      if (!c) {
        await ipvs.addDestination(d.service, r);
        counts.destinationsAdded++;
      } else if (c.weight !== r.weight || c.forward !== r.forward) {
        await ipvs.updateDestination(d.service, r);
        counts.destinationsUpdated++;
      }
    }
    for (const [k, c] of cur) {
      if (want.has(k)) continue;
      await ipvs.deleteDestination(d.service, c);
      counts.destinationsDeleted++;
    }
  }

  async cleanup(): Promise<void> {
    const o = this.opts;
    for (const s of await o.ipvs.listServices()) {
      if (!isMarkKey(s) && this.owned.has(vsKey(s))) await o.ipvs.deleteService(s);
    }
    this.owned.clear();
    await o.binder.deleteLink();
    await cleanupLeftovers(o.iptables, this.log);
    this.firstSync = true;
  }
}
