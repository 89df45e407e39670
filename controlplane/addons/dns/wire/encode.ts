/**
 * Message → bytes (RFC 1035 §4.1), with name compression (§4.1.4) on owner
 * names and on the names inside CNAME/PTR/NS/SOA data; SRV targets are
 * written in full as RFC 2782 asks.
 *
 * Size limit and truncation: with `maxSize`, records are added one at a time
 * and the one that would overflow is rolled back (bytes and compression
 * entries). Losing an answer or authority record sets TC so the client
 * retries over TCP; losing additional records does not (RFC 2181 §9). The
 * EDNS0 OPT record is written last and its room is reserved up front, so a
 * truncated response still carries it (RFC 6891 §7).
 */
import { isIPv6 } from 'node:net';
import { expandIPv6, labelToText, MAX_NAME_WIRE, nameToLabels } from './names.js';

/** Names the fast path writes: printable ASCII, no escapes. */
const PLAIN_NAME = /^[\x21-\x5b\x5d-\x7e]*$/;
import { DnsWireError, RRType, type Header, type Message, type Question, type RData, type ResourceRecord } from './types.js';

/** A growable byte buffer with a compression table; reused by encodeMessage per call. */
class Writer {
  buf: Buffer;
  len = 0;
  /** Lower-cased name suffix → offset of its first label; entries in offset order. */
  private readonly names = new Map<string, number>();
  private readonly order: string[] = [];

  constructor(size = 512) {
    this.buf = Buffer.allocUnsafe(size);
  }

  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Writes a name, pointing at an earlier copy of its longest known suffix when `compress`. */
  name(name: string, compress: boolean): void {
    if (PLAIN_NAME.test(name)) return this.plainName(name, compress);
    const labels = nameToLabels(name);
    let wire = 1;
    for (const l of labels) wire += l.length + 1;
    if (wire > MAX_NAME_WIRE) throw new DnsWireError('NameTooLong', `name longer than ${MAX_NAME_WIRE} bytes: ${name}`);
    // Keys are the lower-cased text form with escapes, so they agree with plainName's keys.
    const texts = labels.map((l) => labelToText(l).toLowerCase());
    for (let i = 0; i < labels.length; i++) {
      if (this.suffix(texts.slice(i).join('.') + '.', compress)) return;
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }

  /** The common case: printable ASCII without escapes, written straight from the string. */
  private plainName(name: string, compress: boolean): void {
    const s = name.endsWith('.') ? name : name + '.';
    if (s === '.') return this.u8(0);
    if (s.length + 1 > MAX_NAME_WIRE) throw new DnsWireError('NameTooLong', `name longer than ${MAX_NAME_WIRE} bytes: ${name}`);
    const lower = s.toLowerCase();
    this.room(s.length + 1);
    for (let start = 0; start < s.length; ) {
      if (this.suffix(start === 0 ? lower : lower.slice(start), compress)) return;
      const dot = s.indexOf('.', start);
      const n = dot - start;
      if (n === 0) throw new DnsWireError('FormErr', `empty label in ${JSON.stringify(name)}`);
      if (n > 63) throw new DnsWireError('FormErr', `label longer than 63 bytes in ${JSON.stringify(name)}`);
      this.buf[this.len++] = n;
      for (let k = start; k < dot; k++) this.buf[this.len++] = s.charCodeAt(k);
      start = dot + 1;
    }
    this.buf[this.len++] = 0;
  }

  /** Writes a pointer to an earlier `key` (true), or remembers that `key` starts here (false). */
  private suffix(key: string, compress: boolean): boolean {
    const at = this.names.get(key);
    if (compress && at !== undefined) {
      this.u16(0xc000 | at);
      return true;
    }
    // Pointers have 14 bits: suffixes further in cannot be targets.
    if (at === undefined && this.len < 0x4000) {
      this.names.set(key, this.len);
      this.order.push(key);
    }
    return false;
  }

  /** A point to roll back to. */
  mark(): { len: number; names: number } {
    return { len: this.len, names: this.order.length };
  }
  rollback(m: { len: number; names: number }): void {
    this.len = m.len;
    while (this.order.length > m.names) this.names.delete(this.order.pop()!);
  }
}

function headerFlags(h: Header): number {
  return (
    (h.qr ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.aa ? 0x0400 : 0) |
    (h.tc ? 0x0200 : 0) |
    (h.rd ? 0x0100 : 0) |
    (h.ra ? 0x0080 : 0) |
    (h.ad ? 0x0020 : 0) |
    (h.cd ? 0x0010 : 0) |
    (h.rcode & 0xf)
  );
}

function writeQuestion(w: Writer, q: Question): void {
  w.name(q.name, true);
  w.u16(q.type);
  w.u16(q.class);
}

function writeIPv4(w: Writer, ip: string): void {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new DnsWireError('BadRData', `not an IPv4 address: ${ip}`);
  w.room(4);
  for (const p of parts) {
    const v = Number(p);
    if (p === '' || p.length > 3 || !Number.isInteger(v) || v < 0 || v > 255) throw new DnsWireError('BadRData', `not an IPv4 address: ${ip}`);
    w.buf[w.len++] = v;
  }
}

function writeIPv6(w: Writer, ip: string): void {
  if (!isIPv6(ip) || ip.includes('.')) throw new DnsWireError('BadRData', `not an IPv6 address: ${ip}`);
  w.bytes(Buffer.from(expandIPv6(ip), 'hex'));
}

function writeRData(w: Writer, d: RData): void {
  switch (d.kind) {
    case 'A':
      return writeIPv4(w, d.address);
    case 'AAAA':
      return writeIPv6(w, d.address);
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return w.name(d.target, true);
    case 'SRV':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      return w.name(d.target, false);
    case 'SOA':
      w.name(d.mname, true);
      w.name(d.rname, true);
      w.u32(d.serial);
      w.u32(d.refresh);
      w.u32(d.retry);
      w.u32(d.expire);
      w.u32(d.minimum);
      return;
    case 'TXT':
      for (const t of d.texts.length ? d.texts : ['']) {
        const b = Buffer.from(t, 'utf8');
        if (b.length > 255) throw new DnsWireError('BadRData', 'TXT string longer than 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    case 'OPT':
      return w.bytes(d.options);
    case 'RAW':
      return w.bytes(d.bytes);
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name, true);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  writeRData(w, rr.data);
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

export interface EncodeOptions {
  /** Largest message allowed (UDP: 512, or the EDNS0 size); records that do not fit are dropped as the header comment says. */
  maxSize?: number;
}

/** The wire form of `m`. Does not mutate `m` (TC is set in the bytes only). */
export function encodeMessage(m: Message, opts: EncodeOptions = {}): Buffer {
  const w = new Writer();
  const limit = opts.maxSize ?? 0xffff;
  const opt = m.additional.find((r) => r.type === RRType.OPT);
  const extra = m.additional.filter((r) => r !== opt);
  // The OPT record is root name (1) + type, class, ttl, rdlength (10) + its options.
  const optSize = opt ? 11 + (opt.data.kind === 'OPT' ? opt.data.options.length : 0) : 0;
  const budget = limit - optSize;

  w.u16(m.header.id);
  w.u16(0); // flags, patched below
  w.u16(m.questions.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  for (const q of m.questions) writeQuestion(w, q);

  let tc = m.header.tc;
  const counts = [0, 0, 0];
  let full = w.len > budget;
  const sections: [ResourceRecord[], number][] = [
    [m.answers, 0],
    [m.authority, 1],
    [extra, 2],
  ];
  for (const [records, idx] of sections) {
    for (const rr of records) {
      if (full) break;
      const at = w.mark();
      writeRecord(w, rr);
      if (w.len > budget) {
        w.rollback(at);
        full = true;
        if (idx < 2) tc = true;
        break;
      }
      counts[idx]++;
    }
  }
  if (opt) {
    writeRecord(w, opt);
    counts[2]++;
  }
  w.buf.writeUInt16BE(headerFlags({ ...m.header, tc }), 2);
  w.buf.writeUInt16BE(counts[0], 6);
  w.buf.writeUInt16BE(counts[1], 8);
  w.buf.writeUInt16BE(counts[2], 10);
  return w.buf.subarray(0, w.len);
}
