/**
 * Exec/attach over SPDY (kubectl 1.27–1.29, and 1.30+ when the WebSocket
 * upgrade fails): the client opens one stream per channel, typed by its
 * `streamtype` header — error, stdin, stdout, stderr, resize — and the
 * server waits until every stream the request asked for exists before
 * starting the command (upstream's waitForStreams). At the end the status is
 * written on the error stream and every stream is half-closed (FIN), which
 * kubectl reads as EOF; kubectl then closes the connection itself.
 */
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdyStream } from '../spdy/session.js';
import { AsyncQueue, ResizeDecoder, encodeStatus, protocolVersion, type ExecStatus, type RemoteCommandOptions, type TerminalSize } from './protocol.js';
import { flush, type RemoteStreams } from './streams.js';

const STREAM_TYPES = new Set(['error', 'stdin', 'stdout', 'stderr', 'resize']);

export interface SpdyRemoteOptions {
  /** How long the client has to open every expected stream (upstream: 30 s). */
  streamCreationTimeoutMs: number;
  /** After finishing, how long to wait for the client to close before dropping the connection. */
  lingerMs?: number;
}

/** The stream types a request needs (tty drops stderr; resize exists from v3 on, with a tty). */
export function expectedStreams(opts: RemoteCommandOptions, version: number): string[] {
  const want = ['error'];
  if (opts.stdin) want.push('stdin');
  if (opts.stdout) want.push('stdout');
  if (opts.stderr && !opts.tty) want.push('stderr');
  if (opts.tty && version >= 3) want.push('resize');
  return want;
}

/** Runs the SPDY session on an upgraded socket and resolves once the client has opened the expected streams. */
export function spdyRemoteStreams(socket: Duplex, head: Buffer, protocol: string, opts: RemoteCommandOptions, o: SpdyRemoteOptions): Promise<RemoteStreams> {
  const version = protocolVersion(protocol);
  const want = expectedStreams(opts, version);
  const got = new Map<string, SpdyStream>();

  return new Promise((resolve, reject) => {
    let settled = false;
    const session = new SpdySession(socket, head, {
      onStream: (s) => {
        s.on('error', () => undefined); // resets and lost connections are handled through session.closed
        const type = s.header('streamtype') ?? '';
        if (!STREAM_TYPES.has(type) || got.has(type)) {
          s.resume(); // accept and discard, as upstream does with an unexpected stream
          return true;
        }
        got.set(type, s);
        // Only stdin and resize carry data from the client; drain anything sent on the others.
        if (type !== 'stdin' && type !== 'resize') s.resume();
        if (!settled && want.every((t) => got.has(t))) {
          settled = true;
          clearTimeout(timer);
          resolve(build());
        }
        return true;
      },
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      session.destroy();
      reject(new Error(`timed out waiting for the client to create streams (have [${[...got.keys()].join(' ')}], want [${want.join(' ')}])`));
    }, o.streamCreationTimeoutMs);
    timer.unref?.();
    void session.closed.then(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error('connection closed before the client created its streams'));
    });
    session.start();

    const build = (): RemoteStreams => {
      let resize: AsyncQueue<TerminalSize> | undefined;
      const resizeStream = got.get('resize');
      if (resizeStream) {
        const q = new AsyncQueue<TerminalSize>();
        const sizes = new ResizeDecoder();
        resizeStream.on('data', (b: Buffer) => sizes.push(b).forEach((s) => q.push(s)));
        resizeStream.on('end', () => q.end());
        resizeStream.on('close', () => q.end());
        resize = q;
      }
      const stdin = got.get('stdin');
      return {
        protocol,
        stdin,
        stdout: got.get('stdout'),
        stderr: got.get('stderr'),
        resize,
        gone: session.closed,
        async finish(status: ExecStatus): Promise<void> {
          await Promise.all([flush(got.get('stdout')), flush(got.get('stderr'))]);
          const err = got.get('error');
          const body = encodeStatus(status, version);
          if (err && body && !err.destroyed) err.write(body);
          // Half-close every stream we hold; the client's reads end, then it closes the connection.
          await Promise.all([flush(err), flush(stdin), flush(resizeStream)]);
          resize?.end();
          const linger = setTimeout(() => session.destroy(), o.lingerMs ?? 10_000);
          linger.unref?.();
          await session.closed;
          clearTimeout(linger);
        },
      };
    };
  });
}
