/**
 * The kubenet-style default network (upstream network/kubenet): a Linux
 * bridge (`cbr0`) with host-local IPAM over the node's pod CIDR
 * (node.spec.podCIDR, or --pod-cidr standalone), built from the standard CNI
 * plugins (bridge, host-local, portmap) through a generated configuration —
 * Debian's containernetworking-plugins or the project's own, whichever
 * --cni-bin-dir holds.
 *
 * Node-level rules it keeps (idempotent, ensured when the CIDR is set):
 * - masquerade pod traffic leaving --non-masquerade-cidr (kubenet's
 *   "SNAT for outbound traffic from cluster"), scoped to the pod CIDR;
 * - accept forwarding to and from the bridge: Docker sets the FORWARD policy
 *   to DROP and bridged pod-to-pod frames traverse FORWARD (br_netfilter).
 * --hairpin-mode: hairpin-veth → hairpin on each port; promiscuous-bridge →
 * the bridge in promiscuous mode; none → neither.
 */
import type { IptablesRunner } from '../../../native/iptables/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { NetworkConfList } from './cni/conf.js';
import { CniPlugin } from './cniplugin.js';
import type { NetworkStore } from './store.js';

export interface KubenetOptions {
  /** Default cbr0; tests pick unique names. */
  bridge: string;
  binDirs: readonly string[];
  /** host-local's allocation directory. */
  ipamDataDir: string;
  nonMasqueradeCIDR: string;
  hairpinMode: 'promiscuous-bridge' | 'hairpin-veth' | 'none';
  mtu?: number;
  store: NetworkStore;
  log: Logger;
  /** Opened lazily; undefined skips the node rules (unit tests). */
  iptables?: () => Promise<IptablesRunner>;
}

export function kubenetConfig(o: Pick<KubenetOptions, 'bridge' | 'ipamDataDir' | 'hairpinMode' | 'mtu'>, podCIDR: string): NetworkConfList {
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: o.bridge,
    isGateway: true,
    isDefaultGateway: true,
    ipMasq: false,
    hairpinMode: o.hairpinMode === 'hairpin-veth',
    promiscMode: o.hairpinMode === 'promiscuous-bridge',
    ipam: { type: 'host-local', ranges: [[{ subnet: podCIDR }]], dataDir: o.ipamDataDir },
  };
  if (o.mtu) bridge.mtu = o.mtu;
  return { cniVersion: '1.0.0', name: 'kubenet', plugins: [bridge as NetworkConfList['plugins'][number], { type: 'portmap', capabilities: { portMappings: true }, snat: true }] };
}

/** The iptables rules kubenet keeps, as (table, chain, args) — exported so tests can remove exactly these. */
export function kubenetRules(o: Pick<KubenetOptions, 'bridge' | 'nonMasqueradeCIDR'>, podCIDR: string): { table: 'nat' | 'filter'; chain: string; args: string[] }[] {
  return [
    { table: 'nat', chain: 'POSTROUTING', args: ['-s', podCIDR, '!', '-d', o.nonMasqueradeCIDR, '-m', 'comment', '--comment', 'kubenet: SNAT for outbound traffic from cluster', '-m', 'addrtype', '!', '--dst-type', 'LOCAL', '-j', 'MASQUERADE'] },
    { table: 'filter', chain: 'FORWARD', args: ['-i', o.bridge, '-m', 'comment', '--comment', 'kubenet: pod traffic', '-j', 'ACCEPT'] },
    { table: 'filter', chain: 'FORWARD', args: ['-o', o.bridge, '-m', 'comment', '--comment', 'kubenet: pod traffic', '-j', 'ACCEPT'] },
  ];
}

export class KubenetPlugin extends CniPlugin {
  // Guarded by nothing: set by setPodCIDR, read by every setUp.
  private podCIDR?: string;
  private conf?: NetworkConfList;

  constructor(private readonly k: KubenetOptions) {
    super({ binDirs: k.binDirs, store: k.store, log: k.log, name: 'kubenet', conf: () => this.conf });
  }

  get cidr(): string | undefined {
    return this.podCIDR;
  }

  async setPodCIDR(cidr: string): Promise<void> {
    if (cidr === this.podCIDR) return;
    if (this.podCIDR) this.k.log.warn('the node pod CIDR changed; running pods keep their addresses', { from: this.podCIDR, to: cidr });
    if (this.k.iptables) {
      const ipt = await this.k.iptables();
      for (const r of kubenetRules(this.k, cidr)) await ipt.ensureRule(r.table === 'filter' ? 'prepend' : 'append', r.table, r.chain, r.args);
    }
    this.podCIDR = cidr;
    this.conf = kubenetConfig(this.k, cidr);
    this.k.log.info('kubenet: pod CIDR set', { cidr, bridge: this.k.bridge, hairpinMode: this.k.hairpinMode, nonMasqueradeCIDR: this.k.nonMasqueradeCIDR });
  }
}
