/**
 * Docker's multiplexed stream format (non-tty logs and exec): frames of an
 * 8-byte header `[stream, 0, 0, 0, length BE32]` then the payload; stream 1
 * is stdout, 2 stderr. `logs({follow:false})` answers a whole Buffer in this
 * format (LIBS.md §1), so it is split here.
 */
import { PassThrough } from 'node:stream';

export function demuxBuffer(buf: Buffer): { stdout: Buffer; stderr: Buffer; frames: { stream: 1 | 2; data: Buffer }[] } {
  const frames: { stream: 1 | 2; data: Buffer }[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const len = buf.readUInt32BE(off + 4);
    const data = buf.subarray(off + 8, off + 8 + len);
    off += 8 + len;
    if (kind === 1 || kind === 2) frames.push({ stream: kind, data });
  }
  return {
    stdout: Buffer.concat(frames.filter((f) => f.stream === 1).map((f) => f.data)),
    stderr: Buffer.concat(frames.filter((f) => f.stream === 2).map((f) => f.data)),
    frames,
  };
}

/** A readable of the payloads in order (stdout and stderr interleaved, as `kubectl logs` shows them). */
export function readableOf(buf: Buffer): NodeJS.ReadableStream {
  const out = new PassThrough();
  for (const f of demuxBuffer(buf).frames) out.write(f.data);
  out.end();
  return out;
}
