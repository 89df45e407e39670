/**
 * IP arithmetic for IPAM and the plugins: addresses as bigints (one code
 * path for IPv4 and IPv6), CIDRs, next/previous, containment. Text parsing
 * and formatting reuse native/rtnetlink's codec so both agree on IPv6 text.
 * Pure functions; bad input throws TypeError (callers turn it into a
 * CniError naming the field).
 */
import { bytesToIp, ipFamily, ipToBytes, type Family } from '../../native/rtnetlink/addr.js';

export type { Family };

export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

export interface Cidr {
  /** The address as written (`10.1.2.3` in `10.1.2.3/24`). */
  readonly ip: Ip;
  readonly len: number;
}

export const bits = (f: Family): number => (f === 4 ? 32 : 128);

export function parseIp(s: string): Ip {
  const family = ipFamily(s);
  let value = 0n;
  for (const b of ipToBytes(s)) value = (value << 8n) | BigInt(b);
  return { family, value };
}

export function formatIp(ip: Ip): string {
  const n = bits(ip.family) / 8;
  const out = Buffer.alloc(n);
  let v = ip.value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytesToIp(out);
}

/** `10.1.2.3/24`; a bare address is a host prefix. */
export function parseCidr(s: string): Cidr {
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  const max = bits(ip.family);
  const lenText = slash < 0 ? String(max) : s.slice(slash + 1);
  const len = Number(lenText);
  if (!/^\d+$/.test(lenText) || len > max) throw new TypeError(`bad prefix length in ${JSON.stringify(s)}`);
  return { ip, len };
}

function mask(f: Family, len: number): bigint {
  const b = BigInt(bits(f));
  return ((1n << b) - 1n) ^ ((1n << (b - BigInt(len))) - 1n);
}

/** The first address of the prefix. */
export function networkOf(c: Cidr): Ip {
  return { family: c.ip.family, value: c.ip.value & mask(c.ip.family, c.len) };
}

/** The last address of the prefix (the IPv4 broadcast). */
export function lastOf(c: Cidr): Ip {
  const host = (1n << BigInt(bits(c.ip.family) - c.len)) - 1n;
  return { family: c.ip.family, value: networkOf(c).value | host };
}

export function contains(c: Cidr, ip: Ip): boolean {
  return ip.family === c.ip.family && (ip.value & mask(ip.family, c.len)) === networkOf(c).value;
}

export function addIp(ip: Ip, n: bigint): Ip {
  return { family: ip.family, value: ip.value + n };
}

export function ipEqual(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

/** `10.1.2.0/24` for `10.1.2.3/24`. */
export function formatNetwork(c: Cidr): string {
  return `${formatIp(networkOf(c))}/${c.len}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.ip)}/${c.len}`;
}

/** The IP of a CIDR string as text (`10.1.2.3` of `10.1.2.3/24`). */
export function cidrIp(s: string): string {
  return s.split('/')[0];
}
