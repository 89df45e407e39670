/** IP address text <-> bytes for IPVS attributes (pure). */
import { isIPv4, isIPv6 } from 'node:net';
import type { IpvsFamily } from './types.js';

export function ipv4Bytes(s: string): Buffer {
  if (!isIPv4(s)) throw new TypeError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return Buffer.from(s.split('.').map(Number));
}

export function ipv6Bytes(s: string): Buffer {
  if (!isIPv6(s)) throw new TypeError(`not an IPv6 address: ${JSON.stringify(s)}`);
  let text = s.split('%')[0];
  const out = Buffer.alloc(16);
  // A trailing dotted quad (::ffff:1.2.3.4) is two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let tailBytes: Buffer | undefined;
  if (tail.includes('.')) {
    tailBytes = ipv4Bytes(tail);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (g: string | undefined): number[] => (g ? g.split(':').map((x) => parseInt(x, 16)) : []);
  const h = groups(head);
  const t = groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tailBytes) tailBytes.copy(out, 12);
  return out;
}

export function ipBytes(family: IpvsFamily, s: string): Buffer {
  return family === 'ipv4' ? ipv4Bytes(s) : ipv6Bytes(s);
}

/** RFC 5952 text: lower case, longest run (≥2) of zero groups as `::`. */
export function formatIpv6(b: Buffer): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(i * 2));
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

/** Address from an attribute: the kernel sends a 16-byte union with IPv4 in the first 4 bytes. */
export function ipFromBytes(family: IpvsFamily, b: Buffer): string {
  if (family === 'ipv4') {
    if (b.length < 4) throw new RangeError(`IPv4 address attribute of ${b.length} bytes`);
    return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  }
  if (b.length < 16) throw new RangeError(`IPv6 address attribute of ${b.length} bytes`);
  return formatIpv6(b.subarray(0, 16));
}
