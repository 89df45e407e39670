/**
 * SPDY/3.1 framing (draft 3.1 §2.2, §2.6), pure. Header blocks stay
 * compressed at this level: decompression needs the connection's zlib state
 * (headers.ts), so the session decodes them in order.
 *
 * Control frame:                      Data frame:
 * +-+-------+---------+               +-+--------------------------+
 * |1| ver=3 |  type   |               |0|       stream id (31)     |
 * +-+-------+---------+               +--------+-------------------+
 * | flags  | length (24)|             | flags  |    length (24)    |
 * +--------+------------+             +--------+-------------------+
 * |   type-specific …   |             |           data …           |
 */
import { ByteQueue } from '../bytequeue.js';

export const SPDY_VERSION = 3;

export const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;

export const FLAG = { fin: 0x01, unidirectional: 0x02, clearSettings: 0x01 } as const;

/** RST_STREAM status codes (§2.6.3). */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, unsupportedVersion: 4, cancel: 5, internalError: 6, flowControlError: 7, streamInUse: 8, streamAlreadyClosed: 9, frameTooLarge: 11 } as const;

/** GOAWAY status codes (§2.6.6). */
export const GOAWAY = { ok: 0, protocolError: 1, internalError: 2 } as const;

/** Largest frame payload the 24-bit length allows. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedTo: number; priority: number; slot: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; clear: boolean; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  /** A control frame of a type this codec does not know; §2.2.1 says to ignore it. */
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

/** The peer broke framing rules; the session answers with GOAWAY(PROTOCOL_ERROR). */
export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

function controlHeader(type: number, flags: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  b.writeUInt16BE(type, 2);
  // `<< 24` yields a signed int in JS; `>>> 0` makes it the unsigned word writeUInt32BE wants.
  b.writeUInt32BE((((flags & 0xff) << 24) >>> 0) + length, 4);
  return b;
}

function u32(...values: number[]): Buffer {
  const b = Buffer.allocUnsafe(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** Serializes one frame (header blocks must already be compressed). */
export function encodeFrame(f: SpdyFrame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_PAYLOAD) throw new RangeError('DATA payload over 16 MiB');
      const h = Buffer.allocUnsafe(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE((((f.fin ? FLAG.fin : 0) << 24) >>> 0) + f.data.length, 4);
      return Buffer.concat([h, f.data]);
    }
    case 'synStream': {
      const flags = (f.fin ? FLAG.fin : 0) | (f.unidirectional ? FLAG.unidirectional : 0);
      const body = Buffer.concat([u32(f.streamId & 0x7fffffff, f.associatedTo & 0x7fffffff), Buffer.from([(f.priority & 7) << 5, f.slot & 0xff]), f.headerBlock]);
      return Buffer.concat([controlHeader(FRAME.synStream, flags, body.length), body]);
    }
    case 'synReply': {
      const body = Buffer.concat([u32(f.streamId & 0x7fffffff), f.headerBlock]);
      return Buffer.concat([controlHeader(FRAME.synReply, f.fin ? FLAG.fin : 0, body.length), body]);
    }
    case 'headers': {
      const body = Buffer.concat([u32(f.streamId & 0x7fffffff), f.headerBlock]);
      return Buffer.concat([controlHeader(FRAME.headers, f.fin ? FLAG.fin : 0, body.length), body]);
    }
    case 'rstStream':
      return Buffer.concat([controlHeader(FRAME.rstStream, 0, 8), u32(f.streamId & 0x7fffffff, f.status)]);
    case 'settings': {
      const body = Buffer.allocUnsafe(4 + 8 * f.entries.length);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE((((e.flags & 0xff) << 24) >>> 0) + (e.id & 0xffffff), 4 + 8 * i);
        body.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
      });
      return Buffer.concat([controlHeader(FRAME.settings, f.clear ? FLAG.clearSettings : 0, body.length), body]);
    }
    case 'ping':
      return Buffer.concat([controlHeader(FRAME.ping, 0, 4), u32(f.id)]);
    case 'goAway':
      return Buffer.concat([controlHeader(FRAME.goAway, 0, 8), u32(f.lastGoodStreamId & 0x7fffffff, f.status)]);
    case 'windowUpdate':
      return Buffer.concat([controlHeader(FRAME.windowUpdate, 0, 8), u32(f.streamId & 0x7fffffff, f.delta & 0x7fffffff)]);
    case 'unknown':
      return Buffer.concat([controlHeader(f.frameType, f.flags, f.payload.length), f.payload]);
  }
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  switch (type) {
    case FRAME.synStream:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'synStream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        associatedTo: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8] >> 5,
        slot: p[9],
        fin: (flags & FLAG.fin) !== 0,
        unidirectional: (flags & FLAG.unidirectional) !== 0,
        headerBlock: p.subarray(10),
      };
    case FRAME.synReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'synReply', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG.fin) !== 0, headerBlock: p.subarray(4) };
    case FRAME.headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG.fin) !== 0, headerBlock: p.subarray(4) };
    case FRAME.rstStream:
      need(p, 8, 'RST_STREAM');
      return { type: 'rstStream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FRAME.settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      if (p.length !== 4 + 8 * n) throw new SpdyProtocolError(`SETTINGS frame of ${p.length} bytes for ${n} entries`);
      const entries: { flags: number; id: number; value: number }[] = [];
      for (let i = 0; i < n; i++) {
        const w = p.readUInt32BE(4 + 8 * i);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
      }
      return { type: 'settings', clear: (flags & FLAG.clearSettings) !== 0, entries };
    }
    case FRAME.ping:
      if (p.length !== 4) throw new SpdyProtocolError(`PING frame of ${p.length} bytes`);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FRAME.goAway:
      need(p, 4, 'GOAWAY');
      // SPDY/2 GOAWAY had no status; accept both shapes.
      return { type: 'goAway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FRAME.windowUpdate:
      if (p.length !== 8) throw new SpdyProtocolError(`WINDOW_UPDATE frame of ${p.length} bytes`);
      return { type: 'windowUpdate', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/** Splits received bytes into frames; `next()` throws SpdyProtocolError on a bad frame. */
export class FrameReader {
  private readonly q = new ByteQueue();

  constructor(private readonly maxPayload = MAX_FRAME_PAYLOAD) {}

  push(chunk: Buffer): void {
    this.q.push(chunk);
  }

  next(): SpdyFrame | undefined {
    if (this.q.length < 8) return undefined;
    const h = this.q.peek(8);
    const word = h.readUInt32BE(4);
    const flags = word >>> 24;
    const length = word & 0xffffff;
    if (length > this.maxPayload) throw new SpdyProtocolError(`frame of ${length} bytes exceeds the limit of ${this.maxPayload}`);
    if (this.q.length < 8 + length) return undefined;
    const control = (h[0] & 0x80) !== 0;
    const first = h.readUInt32BE(0);
    this.q.skip(8);
    const payload = Buffer.from(this.q.take(length));
    if (!control) {
      const streamId = first & 0x7fffffff;
      if (streamId === 0) throw new SpdyProtocolError('DATA frame on stream 0');
      return { type: 'data', streamId, fin: (flags & FLAG.fin) !== 0, data: payload };
    }
    const version = (first >>> 16) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    return decodeControl(first & 0xffff, flags, payload);
  }
}
