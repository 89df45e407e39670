/**
 * Chain names and the jump rules in built-in chains (DATAPLANE.md §1.2–1.3).
 *
 * Per-service chains are named PREFIX + the first 16 characters of the
 * RFC 4648 base32 (standard alphabet) encoding of SHA-256 over the service
 * port name and the lower-case protocol — endpoint chains add "ip:port".
 * Upstream chose a hash because iptables caps chain names at 28 characters;
 * we keep the exact recipe so chains written by a stock kube-proxy and by us
 * have the same names (a switch-over deletes no chain it should keep).
 */
import { createHash } from 'node:crypto';
import type { TableName } from '../../../native/iptables/types.js';
import type { ServicePortKey } from '../types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (standard alphabet, no padding needed for the prefix we keep). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** 16 base32 characters = 80 bits: the first 10 bytes of the digest suffice. */
function hash16(s: string): string {
  return base32(createHash('sha256').update(s).digest().subarray(0, 10));
}

export type ServiceChainPrefix = 'KUBE-SVC-' | 'KUBE-SVL-' | 'KUBE-EXT-' | 'KUBE-FW-';

/** `KUBE-SVC-XPGD46QRK7WJZT7O` for (`ns1/svc1:p80`, `tcp`). */
export function serviceChain(prefix: ServiceChainPrefix, key: ServicePortKey, protocolLower: string): string {
  return prefix + hash16(key + protocolLower);
}

/** `KUBE-SEP-SXIVWICOYRO3J4NJ` for (`ns1/svc1:p80`, `tcp`, `10.180.0.1:80`). */
export function endpointChain(key: ServicePortKey, protocolLower: string, endpoint: string): string {
  return 'KUBE-SEP-' + hash16(key + protocolLower + endpoint);
}

// Top-level chains, rewritten whole on every sync.
export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';

export const NAT_TOP_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ] as const;
export const FILTER_TOP_CHAINS = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL] as const;

/** Per-service nat chain prefixes we own (KUBE-XLB- is v1.8's name for what KUBE-SVL-/EXT- do now). */
export const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-', 'KUBE-XLB-'] as const;

export function isServiceChain(name: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => name.startsWith(p));
}

/** A rule kube-proxy keeps in a built-in chain, ensured with -C/-I rather than restore. */
export interface JumpRule {
  readonly table: TableName;
  readonly chain: string;
  readonly position: 'prepend' | 'append';
  readonly args: readonly string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];
const comment = (c: string) => ['-m', 'comment', '--comment', c];

/** The iptables mode's jumps (DATAPLANE.md §1.2), in the order they are ensured. */
export const IPTABLES_JUMPS: readonly JumpRule[] = [
  ...(['INPUT', 'FORWARD'] as const).map((c) => ({ table: 'filter' as const, chain: c, position: 'prepend' as const, args: [...NEW, ...comment('kubernetes externally-visible service portals'), '-j', KUBE_EXTERNAL_SERVICES] })),
  { table: 'filter', chain: 'INPUT', position: 'prepend', args: [...comment('kubernetes health check service ports'), '-j', KUBE_NODEPORTS] },
  ...(['FORWARD', 'OUTPUT'] as const).map((c) => ({ table: 'filter' as const, chain: c, position: 'prepend' as const, args: [...NEW, ...comment('kubernetes service portals'), '-j', KUBE_SERVICES] })),
  { table: 'filter', chain: 'FORWARD', position: 'prepend', args: [...comment('kubernetes forwarding rules'), '-j', KUBE_FORWARD] },
  ...(['INPUT', 'OUTPUT', 'FORWARD'] as const).map((c) => ({ table: 'filter' as const, chain: c, position: 'prepend' as const, args: [...NEW, ...comment('kubernetes load balancer firewall'), '-j', KUBE_PROXY_FIREWALL] })),
  ...(['OUTPUT', 'PREROUTING'] as const).map((c) => ({ table: 'nat' as const, chain: c, position: 'prepend' as const, args: [...comment('kubernetes service portals'), '-j', KUBE_SERVICES] })),
  { table: 'nat', chain: 'POSTROUTING', position: 'prepend', args: [...comment('kubernetes postrouting rules'), '-j', KUBE_POSTROUTING] },
];

/** `%#08x` as Go prints it: 0x4000 → `0x004000`. */
export function formatMark(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(6, '0');
}
