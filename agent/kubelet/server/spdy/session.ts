/**
 * The server side of a SPDY/3.1 connection, as kubectl's client (client-go
 * over moby/spdystream) uses it: the client opens every stream with
 * SYN_STREAM, the server accepts each with SYN_REPLY, and both sides send
 * DATA, half-closing with FIN. Each accepted stream is a node Duplex.
 *
 * Design notes:
 * - Frames are handled strictly in arrival order. Only header-carrying
 *   frames need the (asynchronous) inflater, so the loop awaits just those;
 *   a DATA frame can never overtake the SYN_STREAM that opened its stream.
 * - No flow control is enforced on what we send. spdystream never sends
 *   WINDOW_UPDATE, so honouring SPDY/3.1 windows would stall every stream
 *   after 64 KiB; WINDOW_UPDATE and SETTINGS from the peer are read and
 *   ignored, as spdystream itself does.
 * - Backpressure on what we receive is per connection: when a stream's
 *   consumer is full the socket is paused until that stream is read again
 *   (SPDY offers no per-stream alternative without flow control).
 * - The peer's PINGs (odd ids, from the client) are echoed; kubectl's
 *   port-forward pings every few seconds and drops the connection otherwise.
 */
import { Duplex } from 'node:stream';
import { GOAWAY, FrameReader, RST, SpdyProtocolError, encodeFrame, type SpdyFrame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, decodeHeaderBlock, encodeHeaderBlock, header, type SpdyHeaders } from './headers.js';

/** DATA frames we send carry at most this much, so streams interleave fairly. */
const DATA_CHUNK = 32 * 1024;

export interface SpdySessionOptions {
  /**
   * Called for every stream the client opens, after its headers are
   * decoded. Return false to refuse it (RST_STREAM REFUSED_STREAM);
   * otherwise it is accepted with an empty SYN_REPLY.
   */
  onStream(stream: SpdyStream): boolean | void;
  /** Called once for a protocol error by the peer (after GOAWAY is sent). */
  onError?(err: Error): void;
}

export class SpdyStream extends Duplex {
  /** Set when we sent FIN (our half is closed). */
  localClosed = false;
  /** Set when the peer sent FIN or the stream was reset. */
  remoteClosed = false;
  /** The RST_STREAM status, when the peer reset the stream. */
  resetStatus: number | undefined;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header (e.g. `streamtype`, `port`, `requestid`). */
  header(name: string): string | undefined {
    return header(this.headers, name);
  }

  /** Aborts the stream: RST_STREAM to the peer (CANCEL unless told otherwise), then destroy. */
  reset(status: number = RST.cancel): void {
    if (!this.localClosed || !this.remoteClosed) this.session.sendReset(this.id, status);
    this.localClosed = this.remoteClosed = true;
    this.session.forget(this);
    this.destroy();
  }

  override _read(): void {
    this.session.readWanted();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb(new Error(`write on closed SPDY stream ${this.id}`));
    this.session.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.localClosed) return cb();
    this.localClosed = true;
    this.session.sendData(this.id, Buffer.alloc(0), true, cb);
    if (this.remoteClosed) this.session.forget(this);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (!this.localClosed) {
      // Destroyed by our side with our half open. A consumer that read the peer's data to its end
      // and let go is done, not aborting (for await destroys with an AbortError at that point): close
      // our half with FIN. Otherwise tell the peer the stream is gone.
      if (this.remoteClosed && (this.readableEnded || !err)) this.session.sendData(this.id, Buffer.alloc(0), true, () => undefined);
      else this.session.sendReset(this.id, RST.cancel);
    } else if (!this.remoteClosed) this.session.sendReset(this.id, RST.cancel);
    this.localClosed = this.remoteClosed = true;
    this.session.forget(this);
    cb(err);
  }

  /** Data or FIN from the peer (session use). False: the consumer is full. */
  deliver(data: Buffer, fin: boolean): boolean {
    let ok = true;
    if (data.length && !this.remoteClosed) ok = this.push(data);
    if (fin && !this.remoteClosed) {
      this.remoteClosed = true;
      this.push(null);
      if (this.localClosed) this.session.forget(this);
    }
    return ok;
  }

  /** The peer reset the stream (session use). Destroyed without an error: like a socket's close, a consumer sees 'close' without 'end'. */
  peerReset(status: number): void {
    this.resetStatus = status;
    this.localClosed = this.remoteClosed = true;
    this.session.forget(this);
    this.destroy();
  }
}

export class SpdySession {
  /** Resolves when the underlying connection has closed. */
  readonly closed: Promise<void>;

  // Immutable after construction.
  private readonly reader = new FrameReader();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();

  // Connection state; all touched from the one JS thread, in event order.
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private pumping = false;
  private paused = false;
  private goneAway = false;
  private ended = false;
  private resolveClosed!: () => void;
  /** Writers waiting for the socket to drain; released on 'drain' or when the connection ends. */
  private drainWaiters: (() => void)[] = [];

  constructor(
    readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly opts: SpdySessionOptions,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  start(): void {
    const s = this.socket as Duplex & { setNoDelay?: (v: boolean) => void };
    s.setNoDelay?.(true);
    this.socket.on('data', (c: Buffer) => {
      this.reader.push(c);
      void this.pump();
    });
    this.socket.on('drain', () => this.releaseWriters());
    this.socket.on('end', () => this.teardown(true));
    this.socket.on('close', () => this.teardown(false));
    this.socket.on('error', () => this.teardown(false));
    if (this.head.length) {
      this.reader.push(this.head);
      void this.pump();
    }
  }

  /** Open streams (accepted and not yet closed both ways). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Stops accepting streams: GOAWAY naming the last stream we accepted. */
  goAway(status: number = GOAWAY.ok): void {
    if (this.goneAway || this.ended) return;
    this.goneAway = true;
    this.write(encodeFrame({ type: 'goAway', lastGoodStreamId: this.lastStreamId, status }));
  }

  /** Ends the connection: our side is closed once what was written is flushed. */
  end(): void {
    if (this.ended) return;
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- used by SpdyStream -------------------------------------------------

  sendData(id: number, data: Buffer, fin: boolean, cb: (err?: Error | null) => void): void {
    if (this.ended) return cb(new Error('SPDY connection closed'));
    let ok = true;
    if (data.length === 0) ok = this.write(encodeFrame({ type: 'data', streamId: id, fin, data }));
    for (let off = 0; off < data.length; off += DATA_CHUNK) {
      const part = data.subarray(off, off + DATA_CHUNK);
      ok = this.write(encodeFrame({ type: 'data', streamId: id, fin: fin && off + DATA_CHUNK >= data.length, data: part }));
    }
    if (ok) return cb();
    // One 'drain' listener for the connection, however many streams wait (see start()).
    this.drainWaiters.push(() => cb());
  }

  sendReset(id: number, status: number): void {
    if (!this.ended) this.write(encodeFrame({ type: 'rstStream', streamId: id, status }));
  }

  forget(s: SpdyStream): void {
    if (this.streams.get(s.id) === s) this.streams.delete(s.id);
  }

  /** A stream's consumer wants more: resume reading if we paused for it. */
  readWanted(): void {
    if (this.paused && !this.ended) {
      this.paused = false;
      this.socket.resume();
    }
  }

  // ---- internals ------------------------------------------------------------

  private releaseWriters(): void {
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private write(b: Buffer): boolean {
    if (this.ended) return true;
    return this.socket.write(b);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let f = this.reader.next(); f && !this.ended; f = this.reader.next()) {
        const pending = this.handle(f);
        if (pending) await pending;
      }
    } catch (e) {
      const err = e as Error;
      if (e instanceof SpdyProtocolError) this.goAway(GOAWAY.protocolError);
      else this.goAway(GOAWAY.internalError);
      this.opts.onError?.(err);
      this.socket.end();
      this.teardown(false);
    } finally {
      this.pumping = false;
    }
  }

  /** Handles one frame; returns a promise only when headers must be inflated first. */
  private handle(f: SpdyFrame): Promise<void> | undefined {
    switch (f.type) {
      case 'synStream':
        return this.decompressor.inflate(f.headerBlock).then((block) => this.openStream(f.streamId, f.fin, decodeHeaderBlock(block)));
      case 'synReply':
      case 'headers':
        // Inflate anyway: the zlib stream is shared, skipping a block would corrupt the next one.
        return this.decompressor.inflate(f.headerBlock).then(() => undefined);
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s) {
          // Streams we already closed may still see in-flight DATA; only unknown ids are an error.
          if (f.streamId > this.lastStreamId) this.sendReset(f.streamId, RST.invalidStream);
          return undefined;
        }
        if (s.remoteClosed) {
          this.sendReset(f.streamId, RST.streamAlreadyClosed);
          return undefined;
        }
        if (!s.deliver(f.data, f.fin) && !this.paused) {
          this.paused = true;
          this.socket.pause();
        }
        return undefined;
      }
      case 'rstStream':
        this.streams.get(f.streamId)?.peerReset(f.status);
        return undefined;
      case 'ping':
        // Odd ids are the client's: echo them. Even ones would answer pings we never send.
        if (f.id % 2 === 1) this.write(encodeFrame(f));
        return undefined;
      case 'goAway':
        this.goneAway = true;
        return undefined;
      case 'settings':
      case 'windowUpdate':
      case 'unknown':
        return undefined;
    }
  }

  private openStream(id: number, fin: boolean, headers: SpdyHeaders): void {
    if (this.ended) return;
    // Client-initiated ids are odd and strictly increasing (§2.3.2).
    if (id % 2 === 0 || id <= this.lastStreamId) {
      this.sendReset(id, RST.protocolError);
      return;
    }
    this.lastStreamId = id;
    if (this.goneAway) {
      this.sendReset(id, RST.refusedStream);
      return;
    }
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    if (this.opts.onStream(s) === false) {
      s.reset(RST.refusedStream);
      return;
    }
    this.write(encodeFrame({ type: 'synReply', streamId: id, fin: false, headerBlock: this.compressor.compress(encodeHeaderBlock({})) }));
    if (fin) s.deliver(Buffer.alloc(0), true);
  }

  private teardown(peerEnded: boolean): void {
    if (this.ended) return;
    this.ended = true;
    if (peerEnded) this.socket.end();
    for (const s of [...this.streams.values()]) {
      s.localClosed = s.remoteClosed = true;
      s.destroy();
    }
    this.streams.clear();
    this.decompressor.close();
    this.releaseWriters();
    this.resolveClosed();
  }
}
