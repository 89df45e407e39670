/**
 * IP address text <-> bytes for IPVS attributes (pure): the IPVS views of the
 * shared address codec in native/rtnetlink/addr.ts.
 */
import { bytesToIp, ipFamily, ipToBytes } from '../rtnetlink/addr.js';
import type { IpvsFamily } from './types.js';

export function ipv4Bytes(s: string): Buffer {
  if (familyOf(s) !== 4) throw new TypeError(`not an IPv4 address: ${JSON.stringify(s)}`);
  return ipToBytes(s);
}

export function ipv6Bytes(s: string): Buffer {
  const text = s.split('%')[0];
  if (familyOf(text) !== 6) throw new TypeError(`not an IPv6 address: ${JSON.stringify(s)}`);
  return ipToBytes(text);
}

function familyOf(s: string): 4 | 6 | undefined {
  try {
    return ipFamily(s);
  } catch {
    return undefined;
  }
}

export function ipBytes(family: IpvsFamily, s: string): Buffer {
  return family === 'ipv4' ? ipv4Bytes(s) : ipv6Bytes(s);
}

/** RFC 5952 text: lower case, longest run (≥2) of zero groups as `::`. */
export function formatIpv6(b: Buffer): string {
  return bytesToIp(b.subarray(0, 16));
}

/** Address from an attribute: the kernel sends a 16-byte union with IPv4 in the first 4 bytes. */
export function ipFromBytes(family: IpvsFamily, b: Buffer): string {
  if (family === 'ipv4') {
    if (b.length < 4) throw new RangeError(`IPv4 address attribute of ${b.length} bytes`);
    return bytesToIp(b.subarray(0, 4));
  }
  if (b.length < 16) throw new RangeError(`IPv6 address attribute of ${b.length} bytes`);
  return formatIpv6(b.subarray(0, 16));
}
