/**
 * Domain names as text (types.ts: absolute, trailing dot, master-file escapes)
 * ↔ labels as bytes, and the comparisons DNS needs. Pure functions.
 */
import { DnsWireError } from './types.js';

/** RFC 1035 §2.3.4: a label is at most 63 bytes, a name at most 255 on the wire. */
export const MAX_LABEL = 63;
export const MAX_NAME_WIRE = 255;

/**
 * The labels of a name as byte strings (latin1), root → []. Accepts names
 * with or without the trailing dot. Throws DnsWireError for an empty label
 * ('a..b') or a label over 63 bytes.
 */
export function nameToLabels(name: string): Buffer[] {
  if (name === '.' || name === '') return [];
  const out: Buffer[] = [];
  let cur: number[] = [];
  const flush = () => {
    if (cur.length === 0) throw new DnsWireError('FormErr', `empty label in ${JSON.stringify(name)}`);
    if (cur.length > MAX_LABEL) throw new DnsWireError('FormErr', `label longer than ${MAX_LABEL} bytes in ${JSON.stringify(name)}`);
    out.push(Buffer.from(cur));
    cur = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e /* . */) {
      flush();
      continue;
    }
    if (c === 0x5c /* \ */ && i + 1 < name.length) {
      const d = name.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        cur.push(Number(d) & 0xff);
        i += 3;
      } else {
        cur.push(name.charCodeAt(i + 1) & 0xff);
        i += 1;
      }
      continue;
    }
    cur.push(c & 0xff);
  }
  if (cur.length > 0) flush();
  return out;
}

/** One label's bytes as text, escaping '.', '\' and non-printables. */
export function labelToText(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c <= 0x20 || c >= 0x7f) s += '\\' + String(c).padStart(3, '0');
    else s += String.fromCharCode(c);
  }
  return s;
}

/** 'Foo.Bar' / 'foo.bar.' → 'foo.bar.' (lower case ASCII, absolute). */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  if (n === '' || n === '.') return '.';
  return n.endsWith('.') ? n : n + '.';
}

/** Whether `name` is `zone` or below it (both canonical). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '.') return true;
  return name === zone || (name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 0x2e);
}

/** The labels of a canonical name above `zone` (a subdomain of it), nearest the zone last: ('a.b.z.', 'z.') → ['a','b']. */
export function labelsAbove(name: string, zone: string): string[] {
  const rest = zone === '.' ? name : name.slice(0, name.length - zone.length);
  if (rest === '' || rest === '.') return [];
  return rest.slice(0, -1).split('.');
}

/** 10.0.0.1 → '1.0.0.10.in-addr.arpa.'; an IPv6 address → its ip6.arpa nibble name. */
export function reverseName(ip: string): string {
  if (ip.includes(':')) {
    const hex = expandIPv6(ip);
    return hex.split('').reverse().join('.') + '.ip6.arpa.';
  }
  return ip.split('.').reverse().join('.') + '.in-addr.arpa.';
}

/** The address a canonical reverse name stands for, or undefined when it is not a full address. */
export function addressOfReverse(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa.')) {
    const parts = name.slice(0, -'.in-addr.arpa.'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reverse().join('.');
  }
  if (name.endsWith('.ip6.arpa.')) {
    const nibbles = name.slice(0, -'.ip6.arpa.'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4).replace(/^0+(?=.)/, ''));
    return compressIPv6(groups);
  }
  return undefined;
}

/** '2001:db8::1' → the 32 hex digits. */
export function expandIPv6(ip: string): string {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail !== undefined ? new Array<string>(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join('').toLowerCase();
}

/** Eight hex groups (no leading zeros) → RFC 5952 text (the longest run of ≥2 zero groups as '::'). */
export function compressIPv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
