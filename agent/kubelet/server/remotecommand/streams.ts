/**
 * The transport-neutral view of an exec/attach session: the streams the
 * runtime reads and writes, and how the session ends. The WebSocket and SPDY
 * transports (ws.ts, spdy.ts) each build one.
 */
import { Writable, type Readable } from 'node:stream';
import type { ExecStatus, TerminalSize } from './protocol.js';

export interface RemoteStreams {
  readonly protocol: string;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  readonly resize?: AsyncIterable<TerminalSize>;
  /**
   * Flushes stdout and stderr, writes the status on the error stream and
   * closes the session; resolves once the connection is closed. Ordering
   * matters: the status must come after the last output byte, since kubectl
   * stops reading when it has the status and both outputs have ended.
   */
  finish(status: ExecStatus): Promise<void>;
  /** Resolves when the connection is gone (client left, or finish completed). */
  readonly gone: Promise<void>;
}

/**
 * A Writable that sends each chunk with `send` and waits for `drained`
 * when the transport is buffering. Errors after the client left are dropped:
 * the command keeps running (as upstream's does) and its output has nowhere
 * to go.
 */
export function outputWritable(send: (chunk: Buffer) => boolean, drained: () => Promise<void>): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (send(chunk)) cb();
      else drained().then(() => cb(), cb);
    },
  });
  w.on('error', () => undefined);
  return w;
}

/** Ends a writable and waits until everything written before has been handed to the transport. */
export async function flush(w: Writable | undefined): Promise<void> {
  if (!w || w.destroyed || w.writableFinished) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      w.off('finish', done);
      w.off('close', done);
      w.off('error', done);
      resolve();
    };
    w.on('finish', done);
    w.on('close', done);
    w.on('error', done);
    if (!w.writableEnded) w.end();
  });
}
