/**
 * The iptables mode's plan: service and endpoint maps in, one
 * iptables-restore input out (DATAPLANE.md §1.4–1.8). Pure — no I/O — so
 * every rule is unit-testable without root (STYLE.md rule 2).
 *
 * Layout (nat): KUBE-SERVICES dispatches ClusterIPs to KUBE-SVC-* (or
 * KUBE-SVL-* for internalTrafficPolicy=Local), externalIPs and load-balancer
 * IPs to KUBE-EXT-* (through KUBE-FW-* when source ranges apply), and ends
 * with the jump to KUBE-NODEPORTS for local destinations; KUBE-SVC-* picks an
 * endpoint with `-m statistic --mode random --probability 1/(n-i)` (ClientIP
 * affinity first checks `-m recent`); KUBE-SEP-* marks hairpin traffic for
 * SNAT and DNATs. Marked packets are masqueraded in KUBE-POSTROUTING.
 * Filter: REJECT (no endpoints) / DROP (no local endpoints) for destinations
 * that have nowhere to go, health-check node ports, the forwarding rules.
 *
 * The top-level chains are written whole on every sync. Per-service chains
 * are written only for "dirty" service ports on a partial sync (KEP-3453):
 * under --noflush a chain not mentioned is left as it is; rules for clean
 * services are rendered into a discard block so rule counts stay true.
 * Chains that existed before and are no longer wanted are flushed and
 * deleted (`-X`) at the end of the nat block.
 */
import { TableBlock, RestoreBuilder } from '../../../native/iptables/builder.js';
import { endpointString, type EndpointInfo, type EndpointsMap, type ServiceMap, type ServicePortInfo, type ServicePortKey } from '../types.js';
import {
  endpointChain,
  FILTER_TOP_CHAINS,
  formatMark,
  isServiceChain,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  NAT_TOP_CHAINS,
  serviceChain,
  type ServiceChainPrefix,
} from './chains.js';

export interface IptablesConfig {
  /** --iptables-masquerade-bit (0–31): the fwmark bit that asks for SNAT. */
  readonly masqueradeBit: number;
  /** --masquerade-all: SNAT everything sent to a ClusterIP. */
  readonly masqueradeAll: boolean;
  /** --cluster-cidr: traffic to a ClusterIP from outside it is SNATed; '' = no such rule. */
  readonly clusterCIDR: string;
  /** Drop ctstate INVALID in KUBE-FORWARD (upstream skips it when nf_conntrack_tcp_be_liberal is set). */
  readonly dropInvalid: boolean;
  /** MASQUERADE --random-fully (iptables ≥ 1.6.2 and the kernel support it). */
  readonly randomFully: boolean;
  /** Above this many endpoints, per-endpoint comments are left out ("large cluster mode"). Default 1000. */
  readonly largeClusterEndpoints?: number;
}

export const DEFAULT_IPTABLES_CONFIG: IptablesConfig = { masqueradeBit: 14, masqueradeAll: false, clusterCIDR: '', dropInvalid: true, randomFully: true };

export interface RulesInput {
  readonly services: ServiceMap;
  readonly endpoints: EndpointsMap;
  readonly config: IptablesConfig;
  /** Service ports whose own chains must be written; undefined = all of them (a full sync). */
  readonly dirty?: ReadonlySet<ServicePortKey>;
  /** nat chains present now (from the last sync or iptables-save); our stale ones are deleted. */
  readonly existingNatChains: ReadonlySet<string>;
  /** Chain names computed by earlier plans (hashing is most of the planning cost); a new one when omitted. */
  readonly names?: ChainNameCache;
}

/**
 * Chain names kept across plans: SHA-256 per chain per sync was the largest
 * cost of planning 5,000 services. Keyed by the ServicePortInfo object
 * itself — the proxier's map keeps the same object until the service
 * changes — so a lookup is an identity lookup and entries of replaced
 * services go with them (WeakMap). Owned by one proxier; not shared.
 */
export class ChainNameCache {
  private readonly bySvc = new WeakMap<ServicePortInfo, { svc: Partial<Record<ServiceChainPrefix, string>>; seps: Map<string, string> }>();

  private entry(svc: ServicePortInfo) {
    let e = this.bySvc.get(svc);
    if (!e) this.bySvc.set(svc, (e = { svc: {}, seps: new Map() }));
    return e;
  }

  service(prefix: ServiceChainPrefix, svc: ServicePortInfo, proto: string): string {
    const e = this.entry(svc);
    return (e.svc[prefix] ??= serviceChain(prefix, svc.key, proto));
  }

  endpoint(svc: ServicePortInfo, proto: string, ep: string, liveEndpoints: number): string {
    const e = this.entry(svc);
    let v = e.seps.get(ep);
    if (v === undefined) {
      // Endpoints churn while the service stays: do not keep names of long-gone ones.
      if (e.seps.size > 2 * liveEndpoints + 16) e.seps.clear();
      v = endpointChain(svc.key, proto, ep);
      e.seps.set(ep, v);
    }
    return v;
  }
}

/**
 * Where the rules of a clean service's own chains go on a partial sync: they
 * are counted (metrics stay true) but never rendered, which is most of the
 * cost of a partial sync.
 */
class DiscardBlock {
  ruleCount = 0;
  chain(): this {
    return this;
  }
  append(): this {
    this.ruleCount++;
    return this;
  }
}

/** The two methods writeService needs from a table block. */
interface RuleSink {
  chain(name: string): unknown;
  append(chain: string, args: readonly string[]): unknown;
}

export interface RulesPlan {
  /** The iptables-restore input: `*filter … COMMIT *nat … COMMIT`. */
  readonly text: string;
  /** Every per-service nat chain that exists after this plan is applied. */
  readonly activeNatChains: ReadonlySet<string>;
  /** Rule lines written to the kernel (excluding discarded ones). */
  readonly rulesWritten: number;
  /** Rules the full ruleset holds (written or unchanged). */
  readonly rulesTotal: number;
  readonly deletedChains: readonly string[];
}

/** `0.3333333333`: Go's %0.10f of 1/n (upstream memoises it; toFixed is cheap enough not to). */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

const comment = (c: string): string[] => ['-m', 'comment', '--comment', c];

export function planRules(input: RulesInput): RulesPlan {
  const { config: cfg } = input;
  const mark = formatMark(1 << cfg.masqueradeBit);
  const markMatch = `${mark}/${mark}`;
  const b = new RestoreBuilder();
  const filter = b.table('filter');
  const nat = b.table('nat');
  const discard = new DiscardBlock();
  const names = input.names ?? new ChainNameCache();
  for (const c of FILTER_TOP_CHAINS) filter.chain(c);
  for (const c of NAT_TOP_CHAINS) nat.chain(c);

  let totalEndpoints = 0;
  for (const eps of input.endpoints.values()) totalEndpoints += eps.length;
  const large = totalEndpoints > (cfg.largeClusterEndpoints ?? 1000);

  // Fixed rules first: masquerade plumbing and forwarding.
  nat.append(KUBE_POSTROUTING, ['-m', 'mark', '!', '--mark', markMatch, '-j', 'RETURN']);
  // Clear the mark so a packet that traverses again (e.g. through a tunnel) is not SNATed twice.
  nat.append(KUBE_POSTROUTING, ['-j', 'MARK', '--xor-mark', mark]);
  nat.append(KUBE_POSTROUTING, [...comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', ...(cfg.randomFully ? ['--random-fully'] : [])]);
  nat.append(KUBE_MARK_MASQ, ['-j', 'MARK', '--or-mark', mark]);
  if (cfg.dropInvalid) filter.append(KUBE_FORWARD, ['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
  filter.append(KUBE_FORWARD, [...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', markMatch, '-j', 'ACCEPT']);
  filter.append(KUBE_FORWARD, [...comment('kubernetes forwarding conntrack rule'), '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);

  const active = new Set<string>();
  const keys = [...input.services.keys()].sort();
  for (const key of keys) {
    const svc = input.services.get(key)!;
    const eps = input.endpoints.get(key) ?? [];
    const dirty = input.dirty === undefined || input.dirty.has(key);
    writeService(svc, eps, { nat, filter, svcNat: dirty ? nat : discard, active, cfg, large, names });
  }

  // Last: anything addressed to this node may be a NodePort (must stay the final KUBE-SERVICES rule).
  nat.append(KUBE_SERVICES, [...comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', KUBE_NODEPORTS]);

  const deletedChains: string[] = [];
  for (const c of [...input.existingNatChains].sort()) {
    if (isServiceChain(c) && !active.has(c)) {
      nat.deleteChain(c);
      deletedChains.push(c);
    }
  }
  const rulesWritten = nat.ruleCount + filter.ruleCount;
  return { text: b.render(), activeNatChains: active, rulesWritten, rulesTotal: rulesWritten + discard.ruleCount, deletedChains };
}

interface Sinks {
  /** nat rules in top-level chains (always written). */
  readonly nat: TableBlock;
  readonly filter: TableBlock;
  /** nat rules in this service's own chains: `nat` when dirty, a discard block otherwise. */
  readonly svcNat: RuleSink;
  readonly active: Set<string>;
  readonly cfg: IptablesConfig;
  readonly large: boolean;
  readonly names: ChainNameCache;
}

/** The rules of one service port (upstream's loop body in syncProxyRules). */
function writeService(svc: ServicePortInfo, eps: readonly EndpointInfo[], s: Sinks): void {
  const { nat, filter, svcNat, active, cfg } = s;
  const key = svc.key;
  const proto = svc.protocol.toLowerCase();
  const protoArgs = ['-m', proto, '-p', proto];
  const names = s.names;
  const svcChain = names.service('KUBE-SVC-', svc, proto);
  const svlChain = names.service('KUBE-SVL-', svc, proto);
  const extChain = names.service('KUBE-EXT-', svc, proto);
  const fwChain = names.service('KUBE-FW-', svc, proto);

  const localEps = eps.filter((e) => e.isLocal);
  const externallyAccessible = svc.nodePort > 0 || svc.externalIPs.length > 0 || svc.loadBalancerIPs.length > 0;
  // Cluster endpoints are also needed under Local external policy, for the pod/host short-circuits.
  const usesClusterEndpoints = !svc.internalPolicyLocal || externallyAccessible;
  const usesLocalEndpoints = svc.internalPolicyLocal || (externallyAccessible && svc.externalPolicyLocal);
  const usesClusterChain = eps.length > 0 && usesClusterEndpoints;
  const usesLocalChain = localEps.length > 0 && usesLocalEndpoints;
  const hasEndpoints = eps.length > 0;
  const hasInternalEndpoints = svc.internalPolicyLocal ? localEps.length > 0 : hasEndpoints;
  const hasExternalEndpoints = svc.externalPolicyLocal ? localEps.length > 0 : hasEndpoints;
  const usesExternalChain = hasEndpoints && externallyAccessible;
  const usesFirewallChain = usesExternalChain && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  const internalChain = svc.internalPolicyLocal ? svlChain : svcChain;
  const externalPolicyChain = svc.externalPolicyLocal ? svlChain : svcChain;
  const noEndpointsTarget = (local: boolean) => (hasEndpoints && local ? 'DROP' : 'REJECT');
  const noEndpointsComment = (local: boolean) => (hasEndpoints && local ? `${key} has no local endpoints` : `${key} has no endpoints`);

  if (usesClusterChain) {
    svcNat.chain(svcChain);
    active.add(svcChain);
  }
  if (usesLocalChain) {
    svcNat.chain(svlChain);
    active.add(svlChain);
  }
  if (usesExternalChain) {
    svcNat.chain(extChain);
    active.add(extChain);
  }
  if (usesFirewallChain) {
    svcNat.chain(fwChain);
    active.add(fwChain);
  }

  // ClusterIP.
  const clusterArgs = [...comment(`${key} cluster IP`), ...protoArgs, '-d', svc.clusterIP, '--dport', String(svc.port)];
  if (hasInternalEndpoints) {
    if (cfg.masqueradeAll) svcNat.append(internalChain, [...clusterArgs, '-j', KUBE_MARK_MASQ]);
    // Off-cluster traffic to a VIP: replies must come back through this node.
    else if (cfg.clusterCIDR) svcNat.append(internalChain, [...clusterArgs, '!', '-s', cfg.clusterCIDR, '-j', KUBE_MARK_MASQ]);
    nat.append(KUBE_SERVICES, [...clusterArgs, '-j', internalChain]);
  } else {
    filter.append(KUBE_SERVICES, [...comment(noEndpointsComment(svc.internalPolicyLocal)), ...protoArgs, '-d', svc.clusterIP, '--dport', String(svc.port), '-j', noEndpointsTarget(svc.internalPolicyLocal)]);
  }

  const externalFilterTarget = noEndpointsTarget(svc.externalPolicyLocal);
  const externalFilterComment = noEndpointsComment(svc.externalPolicyLocal);

  // externalIPs.
  for (const ip of svc.externalIPs) {
    if (hasEndpoints) nat.append(KUBE_SERVICES, [...comment(`${key} external IP`), ...protoArgs, '-d', ip, '--dport', String(svc.port), '-j', extChain]);
    if (!hasExternalEndpoints) filter.append(KUBE_EXTERNAL_SERVICES, [...comment(externalFilterComment), ...protoArgs, '-d', ip, '--dport', String(svc.port), '-j', externalFilterTarget]);
  }

  // Load-balancer ingress IPs.
  for (const ip of svc.loadBalancerIPs) {
    if (hasEndpoints) nat.append(KUBE_SERVICES, [...comment(`${key} loadbalancer IP`), ...protoArgs, '-d', ip, '--dport', String(svc.port), '-j', usesFirewallChain ? fwChain : extChain]);
    if (usesFirewallChain) {
      // What KUBE-FW-* did not accept falls through the nat table unchanged and is dropped here.
      filter.append(KUBE_PROXY_FIREWALL, [...comment(`${key} traffic not accepted by ${fwChain}`), ...protoArgs, '-d', ip, '--dport', String(svc.port), '-j', 'DROP']);
    }
    if (!hasExternalEndpoints) filter.append(KUBE_EXTERNAL_SERVICES, [...comment(externalFilterComment), ...protoArgs, '-d', ip, '--dport', String(svc.port), '-j', externalFilterTarget]);
  }

  // NodePort.
  if (svc.nodePort > 0) {
    if (hasEndpoints) nat.append(KUBE_NODEPORTS, [...comment(key), ...protoArgs, '--dport', String(svc.nodePort), '-j', extChain]);
    if (!hasExternalEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, [...comment(externalFilterComment), '-m', 'addrtype', '--dst-type', 'LOCAL', ...protoArgs, '--dport', String(svc.nodePort), '-j', externalFilterTarget]);
    }
  }
  if (svc.healthCheckNodePort > 0) {
    filter.append(KUBE_NODEPORTS, [...comment(`${key} health check node port`), '-m', 'tcp', '-p', 'tcp', '--dport', String(svc.healthCheckNodePort), '-j', 'ACCEPT']);
  }

  // KUBE-FW-*: allowed sources go on to KUBE-EXT-*.
  if (usesFirewallChain) {
    for (const src of svc.loadBalancerSourceRanges) svcNat.append(fwChain, [...comment(`${key} loadbalancer IP`), '-s', src, '-j', extChain]);
  }

  // KUBE-EXT-*.
  if (usesExternalChain) {
    if (!svc.externalPolicyLocal) {
      // Cluster policy may cross nodes: SNAT so replies come back through us.
      svcNat.append(extChain, [...comment(`masquerade traffic for ${key} external destinations`), '-j', KUBE_MARK_MASQ]);
    } else {
      // Pods reaching an external address behave as if they went out to the LB and back: any endpoint.
      if (cfg.clusterCIDR) svcNat.append(extChain, [...comment(`pod traffic for ${key} external destinations`), '-s', cfg.clusterCIDR, '-j', svcChain]);
      // The node itself picks the external IP (a local address) as source: SNAT it, and use any endpoint.
      svcNat.append(extChain, [...comment(`masquerade LOCAL traffic for ${key} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ]);
      svcNat.append(extChain, [...comment(`route LOCAL traffic for ${key} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', svcChain]);
    }
    if (hasExternalEndpoints) svcNat.append(extChain, ['-j', externalPolicyChain]);
  }

  // KUBE-SVC-* / KUBE-SVL-* → KUBE-SEP-*.
  if (usesClusterChain) writeEndpointDispatch(svcNat, svc, svcChain, eps, s.large, names);
  if (usesLocalChain) writeEndpointDispatch(svcNat, svc, svlChain, localEps, s.large, names);

  // KUBE-SEP-*: one per endpoint used by either chain.
  const used = usesClusterChain ? eps : usesLocalChain ? localEps : [];
  for (const ep of used) {
    const epStr = endpointString(ep);
    const sep = names.endpoint(svc, proto, epStr, eps.length);
    svcNat.chain(sep);
    active.add(sep);
    const args = s.large ? [] : comment(key);
    // Hairpin: a pod reaching itself through the VIP must be SNATed, or it would answer itself directly.
    svcNat.append(sep, [...args, '-s', ep.ip, '-j', KUBE_MARK_MASQ]);
    const recent = svc.affinitySeconds > 0 ? ['-m', 'recent', '--name', sep, '--set'] : [];
    svcNat.append(sep, [...args, ...recent, ...protoArgs, '-j', 'DNAT', '--to-destination', epStr]);
  }
}

function writeEndpointDispatch(t: RuleSink, svc: ServicePortInfo, chain: string, eps: readonly EndpointInfo[], large: boolean, names: ChainNameCache): void {
  const proto = svc.protocol.toLowerCase();
  const named = eps.map((e) => {
    const str = endpointString(e);
    return { e, str, sep: names.endpoint(svc, proto, str, eps.length) };
  });
  if (svc.affinitySeconds > 0) {
    // A client seen recently goes back to the same endpoint; -m recent lists are keyed by the SEP chain name.
    for (const { str, sep } of named) {
      t.append(chain, [...(large ? [] : comment(`${svc.key} -> ${str}`)), '-m', 'recent', '--name', sep, '--rcheck', '--seconds', String(svc.affinitySeconds), '--reap', '-j', sep]);
    }
  }
  // 1/n, 1/(n-1), …, 1/2, then unconditional: each endpoint gets exactly 1/n overall.
  const n = named.length;
  named.forEach(({ str, sep }, i) => {
    const args = large ? [] : comment(`${svc.key} -> ${str}`);
    if (i < n - 1) t.append(chain, [...args, '-m', 'statistic', '--mode', 'random', '--probability', probability(n - i), '-j', sep]);
    else t.append(chain, [...args, '-j', sep]);
  });
}
