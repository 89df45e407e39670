/**
 * Forwarding a query to other nameservers, byte for byte: the client's
 * message goes out unchanged except for a fresh random ID (so its EDNS0
 * OPT and UDP size pass through), and the answer comes back with the
 * client's ID restored.
 *
 * Each attempt uses its own UDP socket on an ephemeral port (source-port
 * randomisation for free, no ID bookkeeping); servers are tried in order,
 * each with `timeoutMs`. An answer with TC set is retried over TCP to the
 * same server when the caller allows it (a TCP client wants the full answer).
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6, Socket } from 'node:net';
import type { Nameserver } from './upstream.js';

export interface ForwardOptions {
  timeoutMs: number;
  /** Retry a truncated UDP answer over TCP. */
  tcpFallback: boolean;
  signal?: AbortSignal;
}

export interface ForwardResult {
  response: Buffer;
  server: Nameserver;
}

/** The first answer from `servers` (in order), or undefined when none answered. */
export async function forward(query: Buffer, servers: readonly Nameserver[], opts: ForwardOptions): Promise<ForwardResult | undefined> {
  const clientId = query.readUInt16BE(0);
  for (const server of servers) {
    if (opts.signal?.aborted) return undefined;
    const id = randomInt(0, 0x10000);
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    let resp = await udpExchange(out, server, id, opts.timeoutMs).catch(() => undefined);
    if (resp && opts.tcpFallback && (resp.readUInt16BE(2) & 0x0200) !== 0) {
      resp = (await tcpExchange(out, server, id, opts.timeoutMs).catch(() => undefined)) ?? resp;
    }
    if (!resp) continue;
    resp.writeUInt16BE(clientId, 0);
    return { response: resp, server };
  }
  return undefined;
}

/** One UDP query/answer; resolves undefined on timeout. Answers from other addresses or with other IDs are ignored. */
export function udpExchange(msg: Buffer, server: Nameserver, id: number, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (b: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('message', (b, rinfo) => {
      if (rinfo.address !== server.host || rinfo.port !== server.port) return;
      if (b.length < 12 || b.readUInt16BE(0) !== id || (b.readUInt16BE(2) & 0x8000) === 0) return;
      finish(b);
    });
    sock.send(msg, server.port, server.host, (err) => {
      if (err) finish(undefined);
    });
  });
}

/** One TCP query/answer (RFC 1035 §4.2.2 length prefix); resolves undefined on timeout or a closed connection. */
export function tcpExchange(msg: Buffer, server: Nameserver, id: number, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = new Socket();
    let done = false;
    let acc = Buffer.alloc(0);
    const finish = (b: Buffer | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('data', (d) => {
      acc = Buffer.concat([acc, d]);
      while (acc.length >= 2) {
        const n = acc.readUInt16BE(0);
        if (acc.length < 2 + n) return;
        const m = Buffer.from(acc.subarray(2, 2 + n));
        acc = acc.subarray(2 + n);
        if (m.length >= 12 && m.readUInt16BE(0) === id) return finish(m);
      }
    });
    sock.connect(server.port, server.host, () => {
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(msg.length, 0);
      sock.write(Buffer.concat([len, msg]));
    });
  });
}
