/**
 * The generic-netlink wire format, just what IPVS needs (pure, no I/O):
 *
 *   nlmsghdr  { u32 len; u16 type; u16 flags; u32 seq; u32 pid }   16 bytes
 *   genlmsghdr{ u8 cmd; u8 version; u16 reserved }                  4 bytes
 *   nlattr    { u16 len; u16 type; payload; pad to 4 }
 *
 * Integers are host-endian (the kernel's); x86-64 and arm64 Linux are
 * little-endian, which is all kubets runs on, so this module writes LE and
 * refuses to load on a big-endian host rather than send garbage. Ports and
 * addresses inside IPVS attributes are network order and handled by the
 * IPVS codec, not here.
 */
import os from 'node:os';

if (os.endianness() !== 'LE') throw new Error('native/ipvs: netlink encoding assumes a little-endian host');

export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;

export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

/** Attribute type bits that are flags, not part of the type. */
export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;

export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;

export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** One attribute: header + payload + zero padding to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc(align4(len));
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

/** A nested attribute (NLA_F_NESTED set, which the kernel's IPVS parser accepts and masks off). */
export function nested(type: number, children: readonly Buffer[]): Buffer {
  return attr(type | NLA_F_NESTED, Buffer.concat(children));
}

export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

export function u16be(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

/** A NUL-terminated string payload. */
export function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
}

/** A whole generic-netlink request: nlmsghdr + genlmsghdr + attributes. */
export function genlMessage(opts: { type: number; flags: number; seq: number; cmd: number; version: number; attrs: readonly Buffer[] }): Buffer {
  const body = Buffer.concat(opts.attrs as Buffer[]);
  const len = NLMSG_HDRLEN + GENL_HDRLEN + body.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(opts.type, 4);
  b.writeUInt16LE(opts.flags, 6);
  b.writeUInt32LE(opts.seq >>> 0, 8);
  b.writeUInt32LE(0, 12); // pid 0: the kernel
  b.writeUInt8(opts.cmd, 16);
  b.writeUInt8(opts.version, 17);
  b.writeUInt16LE(0, 18);
  body.copy(b, 20);
  return b;
}

export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** Everything after the 16-byte header. */
  readonly payload: Buffer;
}

/** Splits one received datagram into messages. Throws on a truncated or malformed header. */
export function parseMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new Error(`netlink: bad message length ${len} at offset ${off} of ${buf.length}`);
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** The (negative) errno of an NLMSG_ERROR payload; 0 is an ack. */
export function errorCode(payload: Buffer): number {
  return payload.readInt32LE(0);
}

/** Attributes of a payload, keyed by type with flag bits masked off; the last one of a type wins. */
export function parseAttrs(buf: Buffer): Map<number, Buffer> {
  const m = new Map<number, Buffer>();
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) throw new Error(`netlink: bad attribute length ${len} at offset ${off} of ${buf.length}`);
    m.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return m;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

/** `EEXIST` for 17 (or -17); `errno 999` when unknown. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}
