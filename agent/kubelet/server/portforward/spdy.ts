/**
 * Port forwarding over SPDY (`portforward.k8s.io`; every kubectl version,
 * 1.31+ tunnelled in WebSocket). For each local connection the client opens
 * a pair of streams sharing a `requestID` and a `port`: `error` (which it
 * half-closes at once and reads to EOF) and `data`. The server dials the
 * port inside the pod and copies both ways; at the end it half-closes both
 * streams, and on failure first writes the reason on the error stream
 * (kubectl prints it and gives up the whole forward).
 *
 * A pair whose second stream does not arrive within the stream creation
 * timeout is dropped with an error, as upstream's monitorStreamPair does.
 */
import type { Duplex } from 'node:stream';
import { SpdySession, type SpdyStream } from '../spdy/session.js';
import type { PortDialer } from './dial.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface PortForwardTarget {
  /** Pod name and UID, for error messages. */
  pod: string;
  uid: string;
  /** The pod's network namespace path. */
  netns: string;
}

export interface PortForwardOptions {
  dialer: PortDialer;
  streamCreationTimeoutMs: number;
  onError?(message: string): void;
}

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Checks a stream's headers as upstream's httpStreamReceived does; returns the problem, if any. */
export function checkPortForwardStream(port: string | undefined, type: string | undefined): string | undefined {
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}

/**
 * The pair key: the `requestID` header, or for old clients that sent none,
 * the error stream's id (a data stream follows its error stream, 2 ids later).
 */
export function requestIdOf(s: { id: number; header(name: string): string | undefined }): string {
  const h = s.header('requestid');
  if (h) return h;
  return String(s.header('streamtype') === 'data' ? s.id - 2 : s.id);
}

/** Serves port forwarding on an upgraded connection; resolves when it closes. */
export function servePortForward(socket: Duplex, head: Buffer, target: PortForwardTarget, o: PortForwardOptions): Promise<void> {
  const pairs = new Map<string, Pair>();

  const forward = (key: string, error: SpdyStream, data: SpdyStream): void => {
    const port = Number(data.header('port'));
    let finished = false;
    const done = (problem?: string) => {
      if (finished) return;
      finished = true;
      pairs.delete(key);
      if (problem && !error.destroyed) {
        o.onError?.(problem);
        error.write(problem);
      }
      if (!error.destroyed) error.end();
      if (!data.destroyed && !data.writableEnded) data.end();
    };
    void o.dialer.dial(target.netns, port).then(
      (conn) => {
        conn.on('error', () => undefined);
        // client → pod; the client's FIN half-closes the pod connection.
        data.pipe(conn);
        // pod → client; the pod's FIN becomes the data stream's FIN.
        conn.pipe(data);
        conn.on('close', () => {
          if (!data.destroyed && !data.writableEnded) data.end();
          done();
        });
        // The client resets the data stream once it has read our FIN (or gave up): nothing more can flow.
        data.on('close', () => conn.destroy());
      },
      (e: Error) => done(`error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${e.message}`),
    );
  };

  const session = new SpdySession(socket, head, {
    onStream: (s) => {
      s.on('error', () => undefined);
      const type = s.header('streamtype');
      const problem = checkPortForwardStream(s.header('port'), type);
      if (problem) {
        o.onError?.(problem);
        return false;
      }
      if (type === 'error') s.resume(); // the client never writes on it
      const key = requestIdOf(s);
      let p = pairs.get(key);
      if (!p) {
        const timer = setTimeout(() => {
          const q = pairs.get(key);
          if (!q) return;
          pairs.delete(key);
          const msg = `timed out waiting for streams of request ${key}`;
          o.onError?.(msg);
          if (q.error) {
            q.error.write(msg);
            q.error.end();
          }
          q.data?.reset();
        }, o.streamCreationTimeoutMs);
        timer.unref?.();
        p = { timer };
        pairs.set(key, p);
      }
      if ((type === 'error' && p.error) || (type === 'data' && p.data)) {
        o.onError?.(`request ${key} already has a ${type} stream`);
        return false;
      }
      if (type === 'error') p.error = s;
      else p.data = s;
      if (p.error && p.data) {
        clearTimeout(p.timer);
        forward(key, p.error, p.data);
      }
      return true;
    },
  });
  session.start();
  return session.closed.then(() => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });
}
