/**
 * A WebSocket connection seen as a byte stream: binary messages in, binary
 * messages out, message boundaries meaningless. kubectl 1.31+ tunnels its
 * SPDY port-forward connection this way (`SPDY/3.1+portforward.k8s.io`,
 * client-go TunnelingConnection), so the SPDY session runs unchanged on top.
 */
import { Duplex } from 'node:stream';
import { CLOSE } from './frame.js';
import type { WebSocketConn } from './conn.js';

export class WebSocketByteStream extends Duplex {
  constructor(private readonly conn: WebSocketConn) {
    super({ allowHalfOpen: false });
    conn.start((data, binary) => {
      if (!binary) {
        // The tunnel carries binary messages only; anything else is a broken client.
        conn.close(CLOSE.unsupportedData, 'text message in a binary tunnel');
        return;
      }
      if (!this.push(data)) conn.pause();
    });
    void conn.closed.then((c) => {
      // A clean close ends the readable side (allowHalfOpen false then ends ours); a dropped connection destroys.
      this.push(null);
      if (!c.clean) this.destroy();
    });
  }

  override _read(): void {
    this.conn.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.conn.isOpen) return cb(new Error('WebSocket closed'));
    if (this.conn.send([chunk])) cb();
    else this.conn.drained().then(() => cb(), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.close(CLOSE.normal);
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    if (this.conn.isOpen) this.conn.close(err ? CLOSE.internal : CLOSE.normal);
    cb(err);
  }
}
