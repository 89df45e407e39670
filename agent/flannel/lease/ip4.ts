/**
 * IPv4 addresses and networks as flannel handles them: an address is an
 * unsigned 32-bit number, a network is { ip, prefixLen } with the host bits
 * cleared. Pure functions; nothing here touches the kernel.
 */

export interface Ip4Net {
  /** Network address as an unsigned 32-bit integer (host bits zero). */
  readonly ip: number;
  readonly prefixLen: number;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.1.2.3` → number; undefined when it is not a dotted quad. */
export function parseIp4(s: string): number | undefined {
  const m = DOTTED.exec(s.trim());
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255 || (m[i].length > 1 && m[i].startsWith('0'))) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function formatIp4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function mask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** `10.1.0.0/16` → Ip4Net, host bits cleared (as Go's net.ParseCIDR does); undefined when malformed. */
export function parseIp4Net(s: string): Ip4Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp4(s.slice(0, slash));
  const lenText = s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(lenText)) return undefined;
  const prefixLen = Number(lenText);
  if (prefixLen > 32) return undefined;
  return { ip: (ip & mask(prefixLen)) >>> 0, prefixLen };
}

export function formatIp4Net(n: Ip4Net): string {
  return `${formatIp4(n.ip)}/${n.prefixLen}`;
}

export function size(n: Ip4Net): number {
  return 2 ** (32 - n.prefixLen);
}

/** The network right after this one, same length. */
export function next(n: Ip4Net): Ip4Net {
  return { ip: (n.ip + size(n)) >>> 0, prefixLen: n.prefixLen };
}

export function contains(n: Ip4Net, ip: number): boolean {
  return ((ip & mask(n.prefixLen)) >>> 0) === n.ip;
}

export function overlaps(a: Ip4Net, b: Ip4Net): boolean {
  const len = Math.min(a.prefixLen, b.prefixLen);
  return ((a.ip & mask(len)) >>> 0) === ((b.ip & mask(len)) >>> 0);
}

export function equalNet(a: Ip4Net, b: Ip4Net): boolean {
  return a.ip === b.ip && a.prefixLen === b.prefixLen;
}
