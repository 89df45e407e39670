/**
 * RFC 6455 framing, pure: encode a frame, decode frames from received bytes,
 * and assemble fragmented messages. No I/O here, so every rule is tested on
 * byte fixtures (test/agent/kubelet/server/websocket.test.ts).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Masking-key (0 or 4 bytes, present when MASK is set)      |
 * +---------------------------------------------------------------+
 *
 * The kubelet is a server: every client frame must be masked (§5.1), and
 * the frames it sends are not. No extension is negotiated, so RSV bits must
 * be zero.
 */
import { ByteQueue } from '../bytequeue.js';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes used here (RFC 6455 §7.4.1). */
export const CLOSE = { normal: 1000, goingAway: 1001, protocolError: 1002, unsupportedData: 1003, noStatus: 1005, abnormal: 1006, invalidPayload: 1007, policy: 1008, tooBig: 1009, internal: 1011 } as const;

/** A violation of the protocol by the peer; `code` is the close code to answer with. */
export class WsProtocolError extends Error {
  override readonly name = 'WsProtocolError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface WsFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
}

/** XORs `data` with the 4-byte key in place (masking and unmasking are the same operation). */
export function applyMask(data: Buffer, key: Buffer): Buffer {
  for (let i = 0; i < data.length; i++) data[i] ^= key[i & 3];
  return data;
}

/** The header of an unmasked frame carrying `len` payload bytes (the server's frames; payload written after it). */
export function encodeHeader(opcode: number, len: number, fin = true): Buffer {
  const ext = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const out = Buffer.allocUnsafe(2 + ext);
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (ext === 0) out[1] = len;
  else if (ext === 2) {
    out[1] = 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  return out;
}

/** One frame. `maskKey` (4 bytes) is for client-side frames, i.e. tests. */
export function encodeFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; maskKey?: Buffer } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const maskLen = opts.maskKey ? 4 : 0;
  const out = Buffer.allocUnsafe(2 + ext + maskLen + len);
  out[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  const maskBit = opts.maskKey ? 0x80 : 0;
  if (ext === 0) out[1] = maskBit | len;
  else if (ext === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  let off = 2 + ext;
  if (opts.maskKey) {
    opts.maskKey.copy(out, off, 0, 4);
    off += 4;
  }
  payload.copy(out, off);
  if (opts.maskKey) applyMask(out.subarray(off), opts.maskKey);
  return out;
}

/** A close frame's payload: the code, then a UTF-8 reason (≤ 123 bytes so the frame stays a control frame). */
export function closePayload(code: number, reason = ''): Buffer {
  let r = Buffer.from(reason, 'utf8');
  if (r.length > 123) r = r.subarray(0, 123);
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

export interface DecoderOptions {
  /** Servers require masked frames (§5.1); a client decoder would not. */
  requireMask: boolean;
  /** Largest payload of a single frame accepted (guards memory). */
  maxPayload: number;
}

/** Splits received bytes into frames. `next()` throws WsProtocolError on a malformed frame. */
export class FrameDecoder {
  private readonly q = new ByteQueue();

  constructor(private readonly opts: DecoderOptions) {}

  push(chunk: Buffer): void {
    this.q.push(chunk);
  }

  /** The next complete frame, or undefined until more bytes arrive. */
  next(): WsFrame | undefined {
    if (this.q.length < 2) return undefined;
    const h = this.q.peek(2);
    const fin = (h[0] & 0x80) !== 0;
    const rsv = h[0] & 0x70;
    const opcode = h[0] & 0x0f;
    const masked = (h[1] & 0x80) !== 0;
    const len7 = h[1] & 0x7f;
    if (rsv !== 0) throw new WsProtocolError(CLOSE.protocolError, 'reserved bits set without a negotiated extension');
    if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) throw new WsProtocolError(CLOSE.protocolError, `unknown opcode ${opcode}`);
    const control = opcode >= 0x8;
    if (control && !fin) throw new WsProtocolError(CLOSE.protocolError, 'fragmented control frame');
    if (control && len7 > 125) throw new WsProtocolError(CLOSE.protocolError, 'control frame payload over 125 bytes');
    if (this.opts.requireMask && !masked) throw new WsProtocolError(CLOSE.protocolError, 'client frame not masked');
    const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const headLen = 2 + ext + (masked ? 4 : 0);
    if (this.q.length < headLen) return undefined;
    const head = this.q.peek(headLen);
    let len: number;
    if (ext === 0) len = len7;
    else if (ext === 2) len = head.readUInt16BE(2);
    else {
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new WsProtocolError(CLOSE.tooBig, 'frame length out of range');
      len = Number(big);
    }
    if (len > this.opts.maxPayload) throw new WsProtocolError(CLOSE.tooBig, `frame of ${len} bytes exceeds the limit of ${this.opts.maxPayload}`);
    if (this.q.length < headLen + len) return undefined;
    const key = masked ? Buffer.from(head.subarray(2 + ext, 2 + ext + 4)) : undefined;
    this.q.skip(headLen);
    // Copy: unmasking writes in place and the queue's chunks may be shared with the socket's buffers.
    const payload = Buffer.from(this.q.take(len));
    if (key) applyMask(payload, key);
    return { fin, opcode, masked, payload };
  }
}

export type WsEvent =
  | { kind: 'message'; binary: boolean; data: Buffer }
  | { kind: 'ping'; data: Buffer }
  | { kind: 'pong'; data: Buffer }
  | { kind: 'close'; code: number; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function validUtf8(b: Buffer): boolean {
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Close codes a peer may send (§7.4: 1005, 1006 and 1015 are never on the wire). */
function validCloseCode(code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

/**
 * Turns frames into events: joins fragments (§5.4; control frames may come
 * between them), checks text is UTF-8 and parses close payloads.
 */
export class MessageAssembler {
  private parts: Buffer[] = [];
  private partsLen = 0;
  private partsOpcode = -1;

  constructor(private readonly maxMessage: number) {}

  push(f: WsFrame): WsEvent | undefined {
    switch (f.opcode) {
      case OPCODE.ping:
        return { kind: 'ping', data: f.payload };
      case OPCODE.pong:
        return { kind: 'pong', data: f.payload };
      case OPCODE.close: {
        if (f.payload.length === 0) return { kind: 'close', code: CLOSE.noStatus, reason: '' };
        if (f.payload.length === 1) throw new WsProtocolError(CLOSE.protocolError, 'close payload of 1 byte');
        const code = f.payload.readUInt16BE(0);
        if (!validCloseCode(code)) throw new WsProtocolError(CLOSE.protocolError, `invalid close code ${code}`);
        const reason = f.payload.subarray(2);
        if (!validUtf8(reason)) throw new WsProtocolError(CLOSE.invalidPayload, 'close reason is not UTF-8');
        return { kind: 'close', code, reason: reason.toString('utf8') };
      }
      case OPCODE.continuation:
        if (this.partsOpcode < 0) throw new WsProtocolError(CLOSE.protocolError, 'continuation frame without a message');
        this.add(f.payload);
        return f.fin ? this.finish() : undefined;
      default: // text or binary
        if (this.partsOpcode >= 0) throw new WsProtocolError(CLOSE.protocolError, 'new message before the previous one finished');
        this.partsOpcode = f.opcode;
        this.add(f.payload);
        return f.fin ? this.finish() : undefined;
    }
  }

  private add(b: Buffer): void {
    this.partsLen += b.length;
    if (this.partsLen > this.maxMessage) throw new WsProtocolError(CLOSE.tooBig, `message exceeds the limit of ${this.maxMessage} bytes`);
    this.parts.push(b);
  }

  private finish(): WsEvent {
    const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partsLen);
    const binary = this.partsOpcode === OPCODE.binary;
    this.parts = [];
    this.partsLen = 0;
    this.partsOpcode = -1;
    if (!binary && !validUtf8(data)) throw new WsProtocolError(CLOSE.invalidPayload, 'text message is not UTF-8');
    return { kind: 'message', binary, data };
  }
}
