/**
 * Minimal raw clients for tests that need to see the wire: a SPDY/3.1
 * client (frames, headers compressed as kubectl's connection does) and a
 * WebSocket client (masked frames), both over a plain TCP socket after an
 * HTTP upgrade. They use the server's own codecs for the other direction,
 * which the codec tests pin to byte fixtures.
 */
import net from 'node:net';
import { FrameReader, encodeFrame, type SpdyFrame } from '../../../../agent/kubelet/server/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor, decodeHeaderBlock, encodeHeaderBlock, type SpdyHeaders } from '../../../../agent/kubelet/server/spdy/headers.js';
import { FrameDecoder, MessageAssembler, OPCODE, closePayload, encodeFrame as encodeWsFrame, type WsEvent } from '../../../../agent/kubelet/server/websocket/frame.js';

export interface UpgradeResult {
  socket: net.Socket;
  status: number;
  headers: Record<string, string>;
  /** Bytes after the response head (the start of the upgraded stream, or the error body). */
  rest: Buffer;
}

/** Sends an HTTP/1.1 request by hand and reads the response head. */
export async function rawUpgrade(port: number, method: string, path: string, headers: [string, string][]): Promise<UpgradeResult> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
  socket.write([`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n');
  let buf = Buffer.alloc(0);
  const head = await new Promise<string>((resolve, reject) => {
    const onData = (b: Buffer) => {
      buf = Buffer.concat([buf, b]);
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      socket.off('data', onData);
      socket.pause();
      const h = buf.subarray(0, i).toString('latin1');
      buf = buf.subarray(i + 4);
      resolve(h);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  const [statusLine, ...lines] = head.split('\r\n');
  const hdrs: Record<string, string> = {};
  for (const l of lines) {
    const k = l.slice(0, l.indexOf(':')).toLowerCase();
    const v = l.slice(l.indexOf(':') + 1).trim();
    hdrs[k] = hdrs[k] ? `${hdrs[k]}, ${v}` : v;
  }
  return { socket, status: Number(statusLine.split(' ')[1]), headers: hdrs, rest: buf };
}

export type DecodedSpdyFrame = SpdyFrame & { headers?: SpdyHeaders };

export class SpdyTestClient {
  readonly frames: DecodedSpdyFrame[] = [];
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private chain: Promise<void> = Promise.resolve();
  ended = false;

  constructor(readonly socket: net.Socket, rest: Buffer) {
    socket.on('data', (b: Buffer) => this.receive(b));
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => (this.ended = true));
    socket.on('error', () => (this.ended = true));
    if (rest.length) this.receive(rest);
    socket.resume();
  }

  private receive(b: Buffer): void {
    this.reader.push(b);
    for (let f = this.reader.next(); f; f = this.reader.next()) {
      const frame: DecodedSpdyFrame = f;
      // Header blocks must be inflated in order: chain them.
      this.chain = this.chain.then(async () => {
        if (frame.type === 'synReply' || frame.type === 'synStream' || frame.type === 'headers') frame.headers = decodeHeaderBlock(await this.decompressor.inflate(frame.headerBlock));
        this.frames.push(frame);
      });
    }
  }

  open(streamId: number, headers: Record<string, string>, fin = false): void {
    const block = this.compressor.compress(encodeHeaderBlock(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]))));
    this.socket.write(encodeFrame({ type: 'synStream', streamId, associatedTo: 0, priority: 0, slot: 0, fin, unidirectional: false, headerBlock: block }));
  }

  data(streamId: number, data: Buffer | string, fin = false): void {
    this.socket.write(encodeFrame({ type: 'data', streamId, fin, data: Buffer.from(data) }));
  }

  send(f: SpdyFrame): void {
    this.socket.write(encodeFrame(f));
  }

  /** Everything received on a stream (DATA payloads joined) and whether it was FIN'd or reset. */
  stream(id: number): { data: Buffer; fin: boolean; reset?: number; replied: boolean } {
    const mine = this.frames.filter((f) => 'streamId' in f && f.streamId === id);
    const data = Buffer.concat(mine.flatMap((f) => (f.type === 'data' ? [f.data] : [])));
    const fin = mine.some((f) => (f.type === 'data' || f.type === 'synReply') && f.fin);
    const rst = mine.find((f) => f.type === 'rstStream');
    return { data, fin, reset: rst?.type === 'rstStream' ? rst.status : undefined, replied: mine.some((f) => f.type === 'synReply') };
  }

  async until(pred: (c: this) => boolean, what: string, ms = 20_000): Promise<void> {
    const start = Date.now();
    while (!pred(this)) {
      if (Date.now() - start > ms) throw new Error(`SPDY test client: gave up waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type + ('streamId' in f ? ':' + f.streamId : '')))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export class WsTestClient {
  readonly events: WsEvent[] = [];
  private readonly decoder = new FrameDecoder({ requireMask: false, maxPayload: 64 << 20 });
  private readonly assembler = new MessageAssembler(64 << 20);
  ended = false;

  constructor(readonly socket: net.Socket, rest: Buffer) {
    socket.on('data', (b: Buffer) => this.receive(b));
    socket.on('end', () => (this.ended = true));
    socket.on('close', () => (this.ended = true));
    if (rest.length) this.receive(rest);
    socket.resume();
  }

  private receive(b: Buffer): void {
    this.decoder.push(b);
    for (let f = this.decoder.next(); f; f = this.decoder.next()) {
      const e = this.assembler.push(f);
      if (e) this.events.push(e);
    }
  }

  private mask(): Buffer {
    return Buffer.from([Math.random() * 256, Math.random() * 256, Math.random() * 256, Math.random() * 256].map(Math.floor));
  }

  binary(data: Buffer | number[]): void {
    this.socket.write(encodeWsFrame(OPCODE.binary, Buffer.from(data), { maskKey: this.mask() }));
  }

  text(s: string): void {
    this.socket.write(encodeWsFrame(OPCODE.text, Buffer.from(s), { maskKey: this.mask() }));
  }

  close(code = 1000): void {
    this.socket.write(encodeWsFrame(OPCODE.close, closePayload(code), { maskKey: this.mask() }));
  }

  /** Binary message payloads per channel (first byte), joined. */
  channel(ch: number): Buffer {
    return Buffer.concat(this.events.flatMap((e) => (e.kind === 'message' && e.binary && e.data[0] === ch ? [e.data.subarray(1)] : [])));
  }

  closeEvent(): WsEvent | undefined {
    return this.events.find((e) => e.kind === 'close');
  }

  async until(pred: (c: this) => boolean, what: string, ms = 20_000): Promise<void> {
    const start = Date.now();
    while (!pred(this)) {
      if (Date.now() - start > ms) throw new Error(`WebSocket test client: gave up waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => e.kind))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export const WS_HEADERS = (protocol?: string): [string, string][] => [
  ['Connection', 'Upgrade'],
  ['Upgrade', 'websocket'],
  ['Sec-WebSocket-Version', '13'],
  ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
  ...(protocol ? ([['Sec-WebSocket-Protocol', protocol]] as [string, string][]) : []),
];

export const SPDY_HEADERS = (...protocols: string[]): [string, string][] => [
  ['Connection', 'Upgrade'],
  ['Upgrade', 'SPDY/3.1'],
  ...protocols.map((p) => ['X-Stream-Protocol-Version', p] as [string, string]),
];
