/**
 * Address helpers for the codec: IPv4/IPv6 text ⇄ bytes, CIDR prefixes and
 * MAC addresses. Pure functions; invalid input throws a TypeError naming the
 * value (callers validate user input before it reaches the kernel).
 */
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export function ipFamily(ip: string): Family {
  if (isIPv4(ip)) return 4;
  if (isIPv6(ip)) return 6;
  throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
}

/** Encodes an IPv4 or IPv6 address in network byte order (4 or 16 bytes). */
export function ipToBytes(ip: string): Buffer {
  const fam = ipFamily(ip);
  if (fam === 4) return Buffer.from(ip.split('.').map((p) => Number(p)));
  return ipv6ToBytes(ip);
}

function ipv6ToBytes(ip: string): Buffer {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as two hex groups.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const b = last.split('.').map((p) => Number(p));
    text = `${text.slice(0, lastColon + 1)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const groupsOf = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const dbl = text.indexOf('::');
  let groups: number[];
  if (dbl < 0) {
    groups = groupsOf(text);
  } else {
    const head = groupsOf(text.slice(0, dbl));
    const tail = groupsOf(text.slice(dbl + 2));
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Formats 4 or 16 network-order bytes; IPv6 uses RFC 5952 zero compression. */
export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) throw new TypeError(`address of ${b.length} bytes`);
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  // Longest run of ≥2 zero groups is compressed.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export interface Prefix {
  readonly ip: string;
  readonly len: number;
  readonly family: Family;
}

/**
 * Parses `10.1.0.0/16`, `10.1.2.3` (a host prefix) or `default` (0.0.0.0/0;
 * `default6` for ::/0).
 */
export function parsePrefix(text: string): Prefix {
  if (text === 'default') return { ip: '0.0.0.0', len: 0, family: 4 };
  if (text === 'default6') return { ip: '::', len: 0, family: 6 };
  const slash = text.indexOf('/');
  const ip = slash < 0 ? text : text.slice(0, slash);
  const family = ipFamily(ip);
  const max = family === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new TypeError(`bad prefix length in ${JSON.stringify(text)}`);
  return { ip, len, family };
}

export function formatPrefix(ip: string, len: number): string {
  return `${ip}/${len}`;
}

export function macToBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new TypeError(`not a MAC address: ${JSON.stringify(mac)}`);
  }
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}

export function bytesToMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function familyToAf(f: Family): number {
  return f === 4 ? 2 : 10;
}

export function afToFamily(af: number): Family | undefined {
  if (af === 2) return 4;
  if (af === 10) return 6;
  return undefined;
}
