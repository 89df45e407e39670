/**
 * SPDY/3 name/value header blocks (§2.6.10) and their compression.
 *
 * Each direction of a connection is ONE zlib stream, preset with the SPDY/3
 * dictionary, continued across every SYN_STREAM/SYN_REPLY/HEADERS frame and
 * sync-flushed at the end of each block (that is what Go's Framer does, and
 * kubectl keeps one decompressor for the whole connection). So:
 *
 * - Incoming blocks are inflated by one long-lived node:zlib Inflate, in
 *   order. Its API is asynchronous; HeaderDecompressor serializes calls and
 *   collects exactly the output of each block.
 * - Outgoing blocks are tiny (the server's SYN_REPLY headers are empty), so
 *   HeaderCompressor writes them as *stored* deflate blocks (RFC 1951 §3.2.4)
 *   after a zlib header naming the dictionary (RFC 1950): a valid continuing
 *   zlib stream any inflater reads, produced synchronously and byte for byte
 *   predictable, which keeps the framing layer simple and testable.
 */
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { SpdyProtocolError } from './frames.js';

/** Header names are lowercase in SPDY/3; several values of one name are joined by NUL. */
export type SpdyHeaders = Record<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const names = Object.keys(headers);
  const count = Buffer.allocUnsafe(4);
  count.writeUInt32BE(names.length, 0);
  parts.push(count);
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(headers[name].join('\0'), 'utf8');
    const ln = Buffer.allocUnsafe(4);
    ln.writeUInt32BE(n.length, 0);
    const lv = Buffer.allocUnsafe(4);
    lv.writeUInt32BE(v.length, 0);
    parts.push(ln, n, lv, v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  const fail = (why: string): never => {
    throw new SpdyProtocolError(`malformed header block: ${why}`);
  };
  if (b.length < 4) fail('no pair count');
  const n = b.readUInt32BE(0);
  let off = 4;
  const out: SpdyHeaders = {};
  const field = (what: string): string => {
    if (off + 4 > b.length) fail(`truncated ${what} length`);
    const len = b.readUInt32BE(off);
    off += 4;
    if (off + len > b.length) fail(`truncated ${what}`);
    const s = b.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const name = field('name').toLowerCase();
    const value = field('value');
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/** The first value of a header (names are compared lowercase). */
export function header(h: SpdyHeaders, name: string): string | undefined {
  return h[name.toLowerCase()]?.[0];
}

/** Adler-32 (RFC 1950 §8), for the zlib header's dictionary id. */
export function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    a = (a + b[i]) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

/** A non-final stored deflate block: BFINAL=0 and BTYPE=00 (padded to the byte), then LEN and its one's complement, little-endian. */
function storedBlock(data: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(data.length, 1);
  h.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([h, data]);
}

/** Compresses outgoing header blocks as one zlib stream of stored blocks (see the header comment). */
export class HeaderCompressor {
  private started = false;

  constructor(private readonly dictionary: Buffer = SPDY3_DICTIONARY) {}

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78: deflate with a 32 KiB window. FLG 0x20: FDICT set, level 0; 0x7820 is a multiple of 31 (FCHECK = 0).
      const h = Buffer.alloc(6);
      h[0] = 0x78;
      h[1] = 0x20;
      h.writeUInt32BE(adler32(this.dictionary), 2);
      parts.push(h);
    }
    // One stored block per 65535 bytes of data.
    for (let off = 0; off < block.length; off += 0xffff) parts.push(storedBlock(block.subarray(off, off + 0xffff)));
    // Then an empty stored block, exactly what a zlib sync flush ends with. It is not optional: Go's
    // inflater hands out a stored block's bytes only when the next block starts, and without one it
    // would hit the frame's end instead and stay failed for the rest of the connection.
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/**
 * Inflates incoming header blocks, in order, with the connection's one zlib
 * stream. Output is drained as it appears (so a large block cannot stall the
 * inflater) and handed out when the block's write completes, which node:zlib
 * signals only after the block's output has been pushed.
 */
export class HeaderDecompressor {
  private readonly z: Inflate;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private failed: Error | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    /** Largest decompressed block accepted (guards against a zlib bomb). */
    private readonly maxBytes = 1 << 20,
    dictionary: Buffer = SPDY3_DICTIONARY,
  ) {
    this.z = createInflate({ dictionary, flush: constants.Z_SYNC_FLUSH });
    this.z.on('error', (e: Error) => (this.failed ??= e));
    this.z.on('readable', () => this.drain());
  }

  inflate(block: Buffer): Promise<Buffer> {
    const run = (): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        if (this.failed) return reject(new SpdyProtocolError(`header decompression: ${this.failed.message}`));
        let settled = false;
        // A corrupt stream makes zlib emit 'error' and may never call the write callback: listen to both.
        const settle = (e: Error | null | undefined) => {
          if (settled) return;
          settled = true;
          this.z.off('error', settle);
          this.drain();
          const err = e ?? this.failed;
          const out = Buffer.concat(this.pending, this.pendingLen);
          this.pending = [];
          this.pendingLen = 0;
          if (err) reject(new SpdyProtocolError(`header decompression: ${err.message}`));
          else resolve(out);
        };
        this.z.once('error', settle);
        this.z.write(block, settle);
      });
    const p = this.chain.then(run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.close();
  }

  private drain(): void {
    for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null) {
      this.pendingLen += c.length;
      if (this.pendingLen > this.maxBytes) {
        this.failed ??= new Error(`header block over ${this.maxBytes} bytes`);
        this.pending = [];
        continue;
      }
      this.pending.push(c);
    }
  }
}
