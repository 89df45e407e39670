/**
 * Bytes → Message (RFC 1035 §4.1). Defensive: every read is bounds-checked,
 * compression pointers must point strictly backwards (so no loop can form)
 * and names stay within 255 bytes; anything else throws DnsWireError.
 */
import { compressIPv6, labelToText, MAX_NAME_WIRE } from './names.js';
import { DnsWireError, RRType, type Header, type Message, type Question, type RData, type ResourceRecord } from './types.js';

class Reader {
  off = 0;
  constructor(readonly buf: Buffer) {}

  need(n: number, what: string): void {
    if (this.off + n > this.buf.length) throw new DnsWireError('Truncated', `message ends inside ${what} at byte ${this.off}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.off++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.off);
    this.off += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }

  /** A possibly compressed name; leaves the reader after the name's first occurrence. */
  name(): string {
    const labels: string[] = [];
    let pos = this.off;
    let jumped = false;
    let wire = 1;
    // Each pointer must go strictly before the label that holds it: positions decrease, so this ends.
    let limit = pos;
    for (;;) {
      if (pos >= this.buf.length) throw new DnsWireError('Truncated', `message ends inside a name at byte ${pos}`);
      const len = this.buf[pos];
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsWireError('Truncated', 'message ends inside a compression pointer');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        if (target >= limit) throw new DnsWireError('BadPointer', `compression pointer at byte ${pos} to ${target} does not point backwards`);
        if (!jumped) this.off = pos + 2;
        jumped = true;
        pos = target;
        limit = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsWireError('FormErr', `unknown label type 0x${len.toString(16)} at byte ${pos}`);
      if (len === 0) {
        if (!jumped) this.off = pos + 1;
        break;
      }
      if (pos + 1 + len > this.buf.length) throw new DnsWireError('Truncated', `message ends inside a label at byte ${pos}`);
      wire += len + 1;
      if (wire > MAX_NAME_WIRE) throw new DnsWireError('NameTooLong', `name longer than ${MAX_NAME_WIRE} bytes at byte ${this.off}`);
      labels.push(plainLabel(this.buf, pos + 1, len) ? this.buf.toString('latin1', pos + 1, pos + 1 + len) : labelToText(this.buf.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
    return labels.length === 0 ? '.' : labels.join('.') + '.';
  }
}

/** Whether a label needs no escaping: printable ASCII other than '.' and '\\'. */
function plainLabel(b: Buffer, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) {
    const c = b[i];
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) return false;
  }
  return true;
}

export function decodeHeader(buf: Buffer): Header & { qdcount: number; ancount: number; nscount: number; arcount: number } {
  if (buf.length < 12) throw new DnsWireError('Truncated', `message of ${buf.length} bytes is shorter than a header`);
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

function readRData(r: Reader, type: number, len: number): RData {
  const end = r.off + len;
  r.need(len, 'record data');
  let d: RData;
  switch (type) {
    case RRType.A:
      if (len !== 4) throw new DnsWireError('BadRData', `A record of ${len} bytes`);
      d = { kind: 'A', address: Array.from(r.bytes(4, 'A')).join('.') };
      break;
    case RRType.AAAA: {
      if (len !== 16) throw new DnsWireError('BadRData', `AAAA record of ${len} bytes`);
      const b = r.bytes(16, 'AAAA');
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
      d = { kind: 'AAAA', address: compressIPv6(groups) };
      break;
    }
    case RRType.CNAME:
      d = { kind: 'CNAME', target: r.name() };
      break;
    case RRType.PTR:
      d = { kind: 'PTR', target: r.name() };
      break;
    case RRType.NS:
      d = { kind: 'NS', target: r.name() };
      break;
    case RRType.SRV:
      d = { kind: 'SRV', priority: r.u16('SRV'), weight: r.u16('SRV'), port: r.u16('SRV'), target: r.name() };
      break;
    case RRType.SOA:
      d = { kind: 'SOA', mname: r.name(), rname: r.name(), serial: r.u32('SOA'), refresh: r.u32('SOA'), retry: r.u32('SOA'), expire: r.u32('SOA'), minimum: r.u32('SOA') };
      break;
    case RRType.TXT: {
      const texts: string[] = [];
      while (r.off < end) {
        const n = r.u8('TXT');
        if (r.off + n > end) throw new DnsWireError('BadRData', 'TXT string runs past its record');
        texts.push(r.bytes(n, 'TXT').toString('utf8'));
      }
      d = { kind: 'TXT', texts };
      break;
    }
    case RRType.OPT:
      d = { kind: 'OPT', options: Uint8Array.from(r.bytes(len, 'OPT')) };
      break;
    default:
      d = { kind: 'RAW', bytes: Uint8Array.from(r.bytes(len, 'record data')) };
  }
  if (r.off !== end) throw new DnsWireError('BadRData', `record data of type ${type} is ${len} bytes but parsed as ${r.off - end + len}`);
  return d;
}

function readRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16('record type');
  const cls = r.u16('record class');
  const ttl = r.u32('record ttl');
  const len = r.u16('record length');
  return { name, type, class: cls, ttl, data: readRData(r, type, len) };
}

/** Decodes a whole message; trailing bytes after the last record are ignored. */
export function decodeMessage(buf: Buffer): Message {
  const h = decodeHeader(buf);
  const r = new Reader(buf);
  r.off = 12;
  const questions: Question[] = [];
  for (let i = 0; i < h.qdcount; i++) questions.push({ name: r.name(), type: r.u16('question type'), class: r.u16('question class') });
  const section = (n: number) => {
    const out: ResourceRecord[] = [];
    for (let i = 0; i < n; i++) out.push(readRecord(r));
    return out;
  };
  const answers = section(h.ancount);
  const authority = section(h.nscount);
  const additional = section(h.arcount);
  const { qdcount: _q, ancount: _a, nscount: _n, arcount: _r, ...header } = h;
  return { header, questions, answers, authority, additional };
}
