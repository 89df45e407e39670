/**
 * Netlink wire format: nlmsghdr framing, rtattr TLVs (with nesting) and the
 * NLMSG_ERROR payload. Everything is host byte order (little-endian on the
 * machines we run on) except where a field is documented as network order
 * (ports, addresses), and every TLV is padded to 4 bytes (NLMSG_ALIGN /
 * RTA_ALIGN). Pure functions over Buffers; no I/O.
 */
import { NLA_TYPE_MASK, NLM_F, NLMSGERR_ATTR, NLMSGHDR_LEN } from './constants.js';

export const align4 = (n: number): number => (n + 3) & ~3;

/** One attribute: a payload, or a list of attributes for a nested one. */
export interface Attr {
  readonly type: number;
  readonly value: Buffer | readonly Attr[];
}

export const attr = {
  bytes: (type: number, value: Uint8Array): Attr => ({ type, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) }),
  u8: (type: number, v: number): Attr => ({ type, value: Buffer.of(v & 0xff) }),
  u16: (type: number, v: number): Attr => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return { type, value: b };
  },
  /** A u16 in network byte order (e.g. IFLA_VXLAN_PORT). */
  be16: (type: number, v: number): Attr => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return { type, value: b };
  },
  u32: (type: number, v: number): Attr => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return { type, value: b };
  },
  /** NUL-terminated string. */
  str: (type: number, s: string): Attr => ({ type, value: Buffer.from(`${s}\0`, 'utf8') }),
  /** A flag attribute: present, no payload. */
  flag: (type: number): Attr => ({ type, value: Buffer.alloc(0) }),
  nest: (type: number, children: readonly Attr[]): Attr => ({ type, value: children }),
} as const;

function attrsLength(attrs: readonly Attr[]): number {
  let n = 0;
  for (const a of attrs) n += align4(4 + (Buffer.isBuffer(a.value) ? a.value.length : attrsLength(a.value as readonly Attr[])));
  return n;
}

function writeAttrs(out: Buffer, off: number, attrs: readonly Attr[]): number {
  for (const a of attrs) {
    const start = off;
    off += 4;
    if (Buffer.isBuffer(a.value)) {
      a.value.copy(out, off);
      off += a.value.length;
    } else {
      off = writeAttrs(out, off, a.value as readonly Attr[]);
    }
    out.writeUInt16LE(off - start, start);
    out.writeUInt16LE(a.type, start + 2);
    off = align4(off); // padding bytes are already zero (Buffer.alloc)
  }
  return off;
}

/** Encodes a list of attributes (each padded to 4 bytes). */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const out = Buffer.alloc(attrsLength(attrs));
  writeAttrs(out, 0, attrs);
  return out;
}

export interface NlHeader {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
}

/**
 * One netlink message: header, the fixed family header (`fixed`, e.g. an
 * ifinfomsg, already padded by its own size) and attributes.
 */
export function encodeMessage(h: NlHeader, fixed: Buffer, attrs: readonly Attr[] = []): Buffer {
  const fixedLen = align4(fixed.length);
  const len = NLMSGHDR_LEN + fixedLen + attrsLength(attrs);
  const out = Buffer.alloc(len);
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(h.type, 4);
  out.writeUInt16LE(h.flags, 6);
  out.writeUInt32LE(h.seq >>> 0, 8);
  out.writeUInt32LE(h.pid >>> 0, 12);
  fixed.copy(out, NLMSGHDR_LEN);
  writeAttrs(out, NLMSGHDR_LEN + fixedLen, attrs);
  return out;
}

export interface NlMessage extends NlHeader {
  /** Everything after the 16-byte header (a view into the receive buffer). */
  readonly payload: Buffer;
}

/**
 * Splits a datagram into messages. The payloads are views into `buf`: copy
 * them before the buffer is reused. Stops at a truncated message.
 */
export function parseMessages(buf: Buffer, length = buf.length): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off + NLMSGHDR_LEN <= length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSGHDR_LEN || off + len > length) break;
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSGHDR_LEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/**
 * Attributes by type (flags bits masked off); a repeated type keeps the last
 * value. Values are views into `buf`.
 */
export function parseAttrs(buf: Buffer, offset = 0): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = offset;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    out.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** Reads a NUL-terminated string attribute. */
export function attrString(b: Buffer | undefined): string | undefined {
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString('utf8', 0, nul < 0 ? b.length : nul);
}

export function attrU32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

export function attrU8(b: Buffer | undefined): number | undefined {
  return b && b.length >= 1 ? b[0] : undefined;
}

export interface NlError {
  /** 0 for an acknowledgement, else a positive errno. */
  readonly errno: number;
  /** Header of the request this answers. */
  readonly request: NlHeader;
  /** NLMSGERR_ATTR_MSG when the kernel attached an extended ack. */
  readonly message: string | undefined;
}

/**
 * Decodes an NLMSG_ERROR payload: s32 error, the request's nlmsghdr, then
 * (unless NLM_F_CAPPED) the rest of the request, then extended-ack TLVs when
 * NLM_F_ACK_TLVS is set.
 */
export function decodeError(msg: NlMessage): NlError {
  const p = msg.payload;
  const error = p.readInt32LE(0);
  const reqLen = p.readUInt32LE(4);
  const request: NlHeader = { type: p.readUInt16LE(8), flags: p.readUInt16LE(10), seq: p.readUInt32LE(12), pid: p.readUInt32LE(16) };
  let message: string | undefined;
  if (msg.flags & NLM_F.ACK_TLVS) {
    const tlvOff = 4 + (msg.flags & NLM_F.CAPPED ? NLMSGHDR_LEN : align4(reqLen));
    if (tlvOff <= p.length) message = attrString(parseAttrs(p, tlvOff).get(NLMSGERR_ATTR.MSG));
  }
  return { errno: error === 0 ? 0 : -error, request, message };
}

/** NLMSG_DONE carries an s32 status (a negative errno when a dump failed). */
export function decodeDone(msg: NlMessage): number {
  const status = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0;
  return status === 0 ? 0 : -status;
}
