/**
 * The DNS sockets: one UDP socket and one TCP listener on the same address
 * and port (RFC 7766: TCP is not optional). Port 0 picks a free UDP port and
 * then binds TCP to the same number, retrying when that TCP port is taken.
 *
 * TCP connections may pipeline queries; answers are written as they are
 * ready, each with its two-byte length, and may come out of order (RFC 7766
 * §6.2.1.1). An idle connection is closed after IDLE_MS.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../machinery/log/index.js';
import type { DnsHandler } from './handler.js';

const IDLE_MS = 10_000;
/** A TCP message is at most 65535 bytes; a connection holding more unparsed bytes is broken. */
const MAX_PENDING = 0x10000 + 2;

export interface DnsListener {
  port: number;
  close(): Promise<void>;
}

export async function listenDns(opts: { address: string; port: number; handler: DnsHandler; log: Logger }): Promise<DnsListener> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(opts.address, opts.port, opts.handler, opts.log);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(opts.address, port, opts.handler, opts.log);
      return {
        port,
        close: async () => {
          await new Promise<void>((r) => udp.close(() => r()));
          await tcp.close();
        },
      };
    } catch (e) {
      await new Promise<void>((r) => udp.close(() => r()));
      if (opts.port !== 0 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw e;
    }
  }
}

function send(udp: UdpSocket, out: Buffer | undefined, port: number, address: string, log: Logger): void {
  if (!out) return;
  udp.send(out, port, address, (err) => {
    if (err) log.v(4).info('cannot send a DNS answer', { to: `${address}:${port}`, err: err.message });
  });
}

function bindUdp(address: string, port: number, handler: DnsHandler, log: Logger): Promise<UdpSocket> {
  const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
  udp.on('message', (msg, rinfo) => {
    let r: ReturnType<DnsHandler['handle']>;
    try {
      r = handler.handle(msg, 'udp');
    } catch (e) {
      log.error('DNS handler failed', { err: (e as Error).stack ?? String(e) });
      return;
    }
    if (r instanceof Promise) {
      r.then(
        (out) => send(udp, out, rinfo.port, rinfo.address, log),
        (e: unknown) => log.error('DNS handler failed', { err: (e as Error).stack ?? String(e) }),
      );
    } else send(udp, r, rinfo.port, rinfo.address, log);
  });
  return new Promise((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, address, () => {
      udp.off('error', reject);
      udp.on('error', (e) => log.error('DNS UDP socket error', { err: e.message }));
      resolve(udp);
    });
  });
}

function listenTcp(address: string, port: number, handler: DnsHandler, log: Logger): Promise<{ close(): Promise<void> }> {
  const conns = new Set<Socket>();
  const server: Server = createServer((conn) => {
    conns.add(conn);
    conn.setTimeout(IDLE_MS, () => conn.end());
    conn.on('close', () => conns.delete(conn));
    conn.on('error', () => conn.destroy());
    let acc = Buffer.alloc(0);
    const reply = (out: Buffer | undefined) => {
      if (!out || conn.destroyed) return;
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(out.length, 0);
      conn.write(Buffer.concat([len, out]));
    };
    conn.on('data', (d) => {
      acc = acc.length ? Buffer.concat([acc, d]) : d;
      if (acc.length > MAX_PENDING) return conn.destroy();
      while (acc.length >= 2) {
        const n = acc.readUInt16BE(0);
        if (acc.length < 2 + n) break;
        const msg = acc.subarray(2, 2 + n);
        acc = acc.subarray(2 + n);
        let r: ReturnType<DnsHandler['handle']>;
        try {
          r = handler.handle(msg, 'tcp');
        } catch (e) {
          log.error('DNS handler failed', { err: (e as Error).stack ?? String(e) });
          conn.destroy();
          return;
        }
        if (r instanceof Promise) r.then(reply, (e: unknown) => log.error('DNS handler failed', { err: (e as Error).stack ?? String(e) }));
        else if (r) reply(r);
        // Nothing to say to a message we drop: close, as a server that cannot parse the stream would.
        else return conn.destroy();
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((r) => {
            for (const c of conns) c.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
