/**
 * The userspace mode's iptables rules (v1.8 pkg/proxy/userspace, DATAPLANE.md
 * §3): "portals" that send a service's ClusterIP:port (and externalIPs, LB
 * IPs, node ports) to the local socket the proxy listens on for it.
 *
 *  nat KUBE-PORTALS-CONTAINER (jumped to first from PREROUTING): traffic from
 *    pods/other hosts — REDIRECT to the proxy port when we listen on all
 *    addresses, else DNAT to bindAddress:proxyPort.
 *  nat KUBE-PORTALS-HOST (first from OUTPUT): traffic from the node itself —
 *    always DNAT to the node's IP:proxyPort (REDIRECT would rewrite to
 *    127.0.0.1, and UDP replies would then come from the wrong address).
 *  nat KUBE-NODEPORT-CONTAINER / KUBE-NODEPORT-HOST (appended to PREROUTING /
 *    OUTPUT for local destinations): the same for node ports.
 *  filter KUBE-NODEPORT-NON-LOCAL (first in INPUT): accept new connections to
 *    the proxy ports of node ports.
 *
 * v1.8 wrote each rule with its own `iptables -C/-A` call (≈50 ms each,
 * issue #20479); here the chains are ours alone, so each sync rewrites them
 * whole in one iptables-restore and only the five jumps use single calls.
 */
import { RestoreBuilder } from '../../../native/iptables/builder.js';
import type { JumpRule } from '../iptables/chains.js';
import type { ServicePortInfo } from '../types.js';

export const PORTALS_CONTAINER = 'KUBE-PORTALS-CONTAINER';
export const PORTALS_HOST = 'KUBE-PORTALS-HOST';
export const NODEPORT_CONTAINER = 'KUBE-NODEPORT-CONTAINER';
export const NODEPORT_HOST = 'KUBE-NODEPORT-HOST';
export const NODEPORT_NON_LOCAL = 'KUBE-NODEPORT-NON-LOCAL';

export const USERSPACE_CHAINS = {
  nat: [PORTALS_CONTAINER, PORTALS_HOST, NODEPORT_CONTAINER, NODEPORT_HOST],
  filter: [NODEPORT_NON_LOCAL],
} as const;

const portalsComment = ['-m', 'comment', '--comment', 'handle ClusterIPs; NOTE: this must be before the NodePort rules'];
const nodePortsComment = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', 'handle service NodePorts; NOTE: this must be the last rule in the chain'];

export const USERSPACE_JUMPS: readonly JumpRule[] = [
  { table: 'nat', chain: 'PREROUTING', position: 'prepend', args: [...portalsComment, '-j', PORTALS_CONTAINER] },
  { table: 'nat', chain: 'OUTPUT', position: 'prepend', args: [...portalsComment, '-j', PORTALS_HOST] },
  { table: 'nat', chain: 'PREROUTING', position: 'append', args: [...nodePortsComment, '-j', NODEPORT_CONTAINER] },
  { table: 'nat', chain: 'OUTPUT', position: 'append', args: [...nodePortsComment, '-j', NODEPORT_HOST] },
  { table: 'filter', chain: 'INPUT', position: 'prepend', args: ['-m', 'comment', '--comment', 'Ensure that non-local NodePort traffic can flow', '-j', NODEPORT_NON_LOCAL] },
];

/** One service port as the userspace proxy serves it. */
export interface Portal {
  readonly service: ServicePortInfo;
  /** The local port the proxy socket listens on. */
  readonly proxyPort: number;
}

export interface PortalConfig {
  /** --bind-address; 0.0.0.0 (or ::) means the proxy sockets listen on every address. */
  readonly bindAddress: string;
  /** The node's own IP, the DNAT target for host-originated traffic. */
  readonly hostIP: string;
}

function listensEverywhere(addr: string): boolean {
  return addr === '' || addr === '0.0.0.0' || addr === '::';
}

/** The restore input rewriting the userspace chains for these portals (pure). */
export function planPortals(portals: readonly Portal[], cfg: PortalConfig): { text: string; rules: number } {
  const b = new RestoreBuilder();
  const nat = b.table('nat');
  const filter = b.table('filter');
  for (const c of USERSPACE_CHAINS.nat) nat.chain(c);
  for (const c of USERSPACE_CHAINS.filter) filter.chain(c);
  const sorted = [...portals].sort((a, b) => (a.service.key < b.service.key ? -1 : a.service.key > b.service.key ? 1 : 0));
  for (const { service: s, proxyPort } of sorted) {
    const proto = s.protocol.toLowerCase();
    const match = (ip: string) => ['-m', 'comment', '--comment', s.key, '-p', proto, '-m', proto, '--dport', String(s.port), '-d', ip.includes(':') ? `${ip}/128` : `${ip}/32`];
    const containerTarget = listensEverywhere(cfg.bindAddress) ? ['-j', 'REDIRECT', '--to-ports', String(proxyPort)] : ['-j', 'DNAT', '--to-destination', `${cfg.bindAddress}:${proxyPort}`];
    const hostTarget = ['-j', 'DNAT', '--to-destination', `${listensEverywhere(cfg.bindAddress) ? cfg.hostIP : cfg.bindAddress}:${proxyPort}`];
    for (const ip of [s.clusterIP, ...s.loadBalancerIPs]) {
      nat.append(PORTALS_CONTAINER, [...match(ip), ...containerTarget]);
      nat.append(PORTALS_HOST, [...match(ip), ...hostTarget]);
    }
    for (const ip of s.externalIPs) {
      // v1.8 matched `-m physdev ! --physdev-is-in` (not bridged) here; bridged packets only reach
      // iptables with br_netfilter loaded, so without that module the unconditional rule is the same.
      nat.append(PORTALS_CONTAINER, [...match(ip), ...containerTarget]);
      // From the node itself only when the external IP is one of its own addresses.
      nat.append(PORTALS_HOST, [...match(ip), '-m', 'addrtype', '--dst-type', 'LOCAL', ...hostTarget]);
    }
    if (s.nodePort > 0) {
      const np = ['-m', 'comment', '--comment', s.key, '-p', proto, '-m', proto, '--dport', String(s.nodePort)];
      nat.append(NODEPORT_CONTAINER, [...np, ...containerTarget]);
      nat.append(NODEPORT_HOST, [...np, ...hostTarget]);
      filter.append(NODEPORT_NON_LOCAL, ['-m', 'comment', '--comment', s.key, '-m', 'state', '--state', 'NEW', '-p', proto, '-m', proto, '--dport', String(proxyPort), '-j', 'ACCEPT']);
    }
  }
  return { text: b.render(), rules: nat.ruleCount + filter.ruleCount };
}
