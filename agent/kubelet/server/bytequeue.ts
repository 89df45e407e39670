/**
 * A FIFO of received bytes for the frame decoders (WebSocket, SPDY). Chunks
 * are kept as they arrive and joined only when a caller needs a contiguous
 * view, so a large frame arriving in many small TCP reads costs one copy, not
 * one per read.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The first `n` bytes as one Buffer (n ≤ length); does not consume. */
  peek(n: number): Buffer {
    if (n > this.size) throw new RangeError(`peek(${n}) with only ${this.size} bytes queued`);
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0].length < n) {
      // Join just enough chunks at the front to cover n bytes.
      let have = 0;
      let k = 0;
      while (have < n) have += this.chunks[k++].length;
      this.chunks.splice(0, k, Buffer.concat(this.chunks.slice(0, k), have));
    }
    return this.chunks[0].subarray(0, n);
  }

  /** Removes and returns the first `n` bytes. */
  take(n: number): Buffer {
    const out = this.peek(n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    if (n > this.size) throw new RangeError(`skip(${n}) with only ${this.size} bytes queued`);
    this.size -= n;
    while (n > 0) {
      const head = this.chunks[0];
      if (head.length <= n) {
        this.chunks.shift();
        n -= head.length;
      } else {
        this.chunks[0] = head.subarray(n);
        n = 0;
      }
    }
  }
}
