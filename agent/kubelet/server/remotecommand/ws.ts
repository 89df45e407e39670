/**
 * Exec/attach over WebSocket (kubectl 1.30+, `v5.channel.k8s.io`): every
 * binary message is one channel byte then payload — 0 stdin, 1 stdout,
 * 2 stderr, 3 error (the final Status), 4 resize, 255 close (v5: the payload
 * names the stream closed; `[255, 0]` is stdin EOF). The base64 protocols
 * carry the same as text: an ASCII channel digit then base64.
 */
import { PassThrough } from 'node:stream';
import { CLOSE } from '../websocket/frame.js';
import type { WebSocketConn } from '../websocket/conn.js';
import { AsyncQueue, CHANNEL, ResizeDecoder, encodeStatus, protocolVersion, type ExecStatus, type RemoteCommandOptions, type TerminalSize } from './protocol.js';
import { flush, outputWritable, type RemoteStreams } from './streams.js';

export function wsRemoteStreams(conn: WebSocketConn, protocol: string, opts: RemoteCommandOptions): RemoteStreams {
  const version = protocolVersion(protocol);
  const base64 = protocol.includes('base64');
  const send = (ch: number, data: Buffer): boolean =>
    base64 ? conn.send([Buffer.from(String(ch) + data.toString('base64'), 'latin1')], false) : conn.send([Buffer.from([ch]), data]);

  const stdin = opts.stdin ? new PassThrough() : undefined;
  const resize = opts.tty ? new AsyncQueue<TerminalSize>() : undefined;
  const sizes = new ResizeDecoder();
  let stdinFull = false;

  conn.start((data, binary) => {
    let ch: number;
    let payload: Buffer;
    if (base64) {
      if (binary || data.length === 0) return;
      ch = data[0] - 0x30;
      payload = Buffer.from(data.subarray(1).toString('latin1'), 'base64');
    } else {
      if (!binary || data.length === 0) return;
      ch = data[0];
      payload = data.subarray(1);
    }
    switch (ch) {
      case CHANNEL.stdin:
        if (stdin && !stdin.writableEnded && payload.length) {
          // The runtime reads stdin at the command's pace: stop reading the socket until it catches up.
          if (!stdin.write(payload) && !stdinFull) {
            stdinFull = true;
            conn.pause();
            stdin.once('drain', () => {
              stdinFull = false;
              conn.resume();
            });
          }
        }
        break;
      case CHANNEL.resize:
        if (resize) for (const s of sizes.push(payload)) resize.push(s);
        break;
      case CHANNEL.close:
        if (version >= 5 && payload[0] === CHANNEL.stdin) stdin?.end();
        break;
      default:
        break; // stdout/stderr/error come from us only
    }
  });

  const gone = conn.closed.then(() => {
    stdin?.end();
    resize?.end();
  });

  return {
    protocol,
    stdin,
    stdout: opts.stdout ? outputWritable((b) => send(CHANNEL.stdout, b), () => conn.drained()) : undefined,
    stderr: opts.stderr ? outputWritable((b) => send(CHANNEL.stderr, b), () => conn.drained()) : undefined,
    resize,
    gone,
    async finish(status: ExecStatus): Promise<void> {
      await Promise.all([flush(this.stdout), flush(this.stderr)]);
      const body = encodeStatus(status, version);
      if (body) send(CHANNEL.error, body);
      conn.close(CLOSE.normal);
      await gone;
    },
  };
}
