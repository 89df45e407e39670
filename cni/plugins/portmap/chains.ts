/**
 * The portmap rules, laid out as the reference plugin lays them out so
 * either plugin set can clean up after the other (nat table):
 *
 *   PREROUTING, OUTPUT   -m addrtype --dst-type LOCAL [conditions] -j CNI-HOSTPORT-DNAT
 *   CNI-HOSTPORT-DNAT    -p <proto> -m comment --comment 'dnat name: "N" id: "ID"'
 *                          -m multiport --destination-ports P1,P2 -j CNI-DN-<hash>   (one per protocol)
 *   CNI-DN-<hash>        per mapping: hairpin (-s <container net>) and, IPv4, localhost
 *                          (-s 127.0.0.1) → CNI-HOSTPORT-SETMARK, then -j DNAT --to-destination
 *   CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark M/M
 *   POSTROUTING          -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
 *   CNI-HOSTPORT-MASQ    -m mark --mark M/M -j MASQUERADE
 *
 * The shared chains stay after DEL (other containers use them); the
 * per-container CNI-DN chain and its jumps go. This module only computes
 * rules (pure); portmap.ts applies them.
 */
import { formatIp, formatNetwork, type Cidr } from '../../spec/ip.js';
import { formatChainName, formatComment } from '../../internal/chains.js';
import type { PortMapping, PortmapConf, Protocol } from './config.js';

export const TOPLEVEL_DNAT = 'CNI-HOSTPORT-DNAT';
export const SETMARK = 'CNI-HOSTPORT-SETMARK';
export const MASQ = 'CNI-HOSTPORT-MASQ';

export function dnatChainName(network: string, containerId: string): string {
  return formatChainName(network, containerId, 'DN-');
}

function markOf(bit: number): string {
  const m = `0x${(1 << bit >>> 0).toString(16)}`;
  return `${m}/${m}`;
}

export function setMarkRules(c: PortmapConf): string[][] {
  return [['-m', 'comment', '--comment', 'CNI portfwd masquerade mark', '-j', 'MARK', '--set-xmark', markOf(c.markMasqBit)]];
}

export function masqRules(c: PortmapConf): string[][] {
  return [['-m', 'mark', '--mark', markOf(c.markMasqBit), '-j', 'MASQUERADE']];
}

export const MASQ_ENTRY: readonly string[] = ['-m', 'comment', '--comment', 'CNI portfwd requiring masquerade', '-j', MASQ];

export function toplevelEntry(conditions: readonly string[]): string[] {
  return ['-m', 'addrtype', '--dst-type', 'LOCAL', ...conditions, '-j', TOPLEVEL_DNAT];
}

/** Jumps from CNI-HOSTPORT-DNAT into the container's chain, one per protocol in first-seen order. */
export function dnatEntryRules(mappings: readonly PortMapping[], network: string, containerId: string, chain: string, v6: boolean): string[][] {
  const byProto = new Map<Protocol, number[]>();
  for (const m of mappings) {
    if (m.hostIP && m.hostIP.includes(':') !== v6) continue;
    const ports = byProto.get(m.protocol) ?? [];
    if (!ports.includes(m.hostPort)) ports.push(m.hostPort);
    byProto.set(m.protocol, ports);
  }
  const comment = `dnat ${formatComment(network, containerId)}`;
  return [...byProto].map(([proto, ports]) => ['-p', proto, '-m', 'comment', '--comment', comment, '-m', 'multiport', '--dports', ports.join(','), '-j', chain]);
}

/** The container chain's rules for one family. */
export function dnatRules(c: PortmapConf, container: Cidr): string[][] {
  const v6 = container.ip.family === 6;
  const ip = formatIp(container.ip);
  const out: string[][] = [];
  for (const m of c.mappings) {
    if (m.hostIP && m.hostIP.includes(':') !== v6) continue;
    const match = ['-p', m.protocol, '-m', m.protocol, '--dport', String(m.hostPort)];
    const dst = m.hostIP ? ['-d', m.hostIP] : [];
    if (c.snat) {
      const setMark = c.externalSetMarkChain ?? SETMARK;
      // Hairpin: a container reaching its own host port must be masqueraded, or the reply bypasses the DNAT.
      out.push(['-s', formatNetwork(container), ...dst, ...match, '-j', setMark]);
      if (!v6) out.push(['-s', '127.0.0.1/32', ...dst, ...match, '-j', setMark]);
    }
    out.push([...dst, ...match, '-j', 'DNAT', '--to-destination', v6 ? `[${ip}]:${m.containerPort}` : `${ip}:${m.containerPort}`]);
  }
  return out;
}
