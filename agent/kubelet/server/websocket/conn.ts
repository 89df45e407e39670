/**
 * A WebSocket connection after the 101: frames in and out of a socket, ping
 * answered with pong, and the closing handshake (§7): whoever closes first
 * sends a close frame, the other answers with one, and the server then ends
 * the TCP connection (§7.1.1). Waiting for the peer's close frame before
 * ending matters here: the API server splices us to kubectl and tears both
 * sides down as soon as one ends, so ending early could cut off data still
 * in flight to kubectl.
 */
import type { Duplex } from 'node:stream';
import { CLOSE, FrameDecoder, MessageAssembler, OPCODE, WsProtocolError, closePayload, encodeHeader } from './frame.js';

export interface WsConnOptions {
  /** Largest message (and frame) accepted from the peer. Default 32 MiB. */
  maxMessageBytes?: number;
  /** How long to wait for the peer's close frame before dropping the connection. Default 5 s. */
  closeTimeoutMs?: number;
}

export interface WsClosed {
  code: number;
  reason: string;
  /** False when the socket went away without a closing handshake. */
  clean: boolean;
}

export class WebSocketConn {
  /** Resolves once the connection is over, however it ended. */
  readonly closed: Promise<WsClosed>;

  // Immutable after construction.
  private readonly decoder: FrameDecoder;
  private readonly assembler: MessageAssembler;
  private readonly closeTimeoutMs: number;

  // State, touched only from socket events and the public methods (one JS thread).
  private onMessage: (data: Buffer, binary: boolean) => void = () => undefined;
  private sentClose = false;
  private done = false;
  private closeTimer: NodeJS.Timeout | undefined;
  private resolveClosed!: (c: WsClosed) => void;
  /** Senders waiting for the socket to drain (one 'drain' listener serves them all). */
  private drainWaiters: (() => void)[] = [];

  constructor(
    readonly socket: Duplex,
    private readonly head: Buffer,
    opts: WsConnOptions = {},
  ) {
    const max = opts.maxMessageBytes ?? 32 << 20;
    this.decoder = new FrameDecoder({ requireMask: true, maxPayload: max });
    this.assembler = new MessageAssembler(max);
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Starts reading; `onMessage` gets every data message (text or binary) in order. */
  start(onMessage: (data: Buffer, binary: boolean) => void): void {
    this.onMessage = onMessage;
    const s = this.socket as Duplex & { setNoDelay?: (v: boolean) => void };
    s.setNoDelay?.(true);
    this.socket.on('data', (c: Buffer) => this.receive(c));
    this.socket.on('drain', () => this.releaseWriters());
    this.socket.on('end', () => {
      // The peer half-closed without a closing handshake: nothing more will come, so end our side too.
      this.socket.end();
      this.finish({ code: CLOSE.abnormal, reason: 'connection ended', clean: false });
    });
    this.socket.on('close', () => this.finish({ code: CLOSE.abnormal, reason: 'connection closed', clean: false }));
    this.socket.on('error', () => {
      this.socket.destroy();
      this.finish({ code: CLOSE.abnormal, reason: 'connection error', clean: false });
    });
    if (this.head.length) this.receive(this.head);
  }

  get isOpen(): boolean {
    return !this.sentClose && !this.done;
  }

  /** Sends one message made of `parts` (e.g. a channel byte and a payload) without joining them. False: the socket is buffering. */
  send(parts: readonly Buffer[], binary = true): boolean {
    if (!this.isOpen) return false;
    const len = parts.reduce((n, p) => n + p.length, 0);
    this.socket.cork();
    let ok = this.socket.write(encodeHeader(binary ? OPCODE.binary : OPCODE.text, len));
    for (const p of parts) if (p.length) ok = this.socket.write(p);
    process.nextTick(() => this.socket.uncork());
    return ok;
  }

  /** Resolves when the socket's write buffer has drained (or the connection is gone). */
  drained(): Promise<void> {
    const s = this.socket as Duplex & { writableNeedDrain?: boolean };
    if (this.done || !s.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private releaseWriters(): void {
    for (const w of this.drainWaiters.splice(0)) w();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Starts the closing handshake; the socket ends once the peer answers (or after closeTimeoutMs). */
  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.sentClose || this.done) return;
    this.sentClose = true;
    const payload = closePayload(code, reason);
    this.socket.write(Buffer.concat([encodeHeader(OPCODE.close, payload.length), payload]));
    this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    this.closeTimer.unref?.();
  }

  private receive(chunk: Buffer): void {
    if (this.done) return;
    this.decoder.push(chunk);
    try {
      for (let f = this.decoder.next(); f; f = this.decoder.next()) {
        const ev = this.assembler.push(f);
        if (!ev) continue;
        switch (ev.kind) {
          case 'message':
            // After our close frame, data is still read (§7.1.4) but no longer delivered.
            if (!this.sentClose) this.onMessage(ev.data, ev.binary);
            break;
          case 'ping':
            if (!this.sentClose) this.socket.write(Buffer.concat([encodeHeader(OPCODE.pong, ev.data.length), ev.data]));
            break;
          case 'pong':
            break;
          case 'close':
            if (!this.sentClose) {
              // Echo the code (§5.5.1); 1005 means "no code" and is sent back as an empty payload.
              this.sentClose = true;
              const payload = ev.code === CLOSE.noStatus ? Buffer.alloc(0) : closePayload(ev.code);
              this.socket.write(Buffer.concat([encodeHeader(OPCODE.close, payload.length), payload]));
            }
            this.socket.end();
            this.finish({ code: ev.code, reason: ev.reason, clean: true });
            return;
        }
        if (this.done) return;
      }
    } catch (e) {
      if (!(e instanceof WsProtocolError)) throw e;
      if (!this.sentClose) {
        this.sentClose = true;
        const payload = closePayload(e.code, e.message);
        this.socket.write(Buffer.concat([encodeHeader(OPCODE.close, payload.length), payload]));
      }
      this.socket.end();
      this.finish({ code: e.code, reason: e.message, clean: false });
    }
  }

  private finish(c: WsClosed): void {
    if (this.done) return;
    this.done = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.releaseWriters();
    this.resolveClosed(c);
  }
}
