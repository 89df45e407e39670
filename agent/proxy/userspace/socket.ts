/**
 * The userspace mode's proxy sockets (v1.8 proxysocket.go): one listening
 * socket per service port, copying bytes to an endpoint the load balancer
 * picks.
 *
 * TCP: accept, then dial an endpoint with growing timeouts (250 ms, 500 ms,
 * 1 s, 2 s); each attempt asks the balancer again and, after the first
 * failure, ignores affinity so another endpoint is tried. Then bytes flow
 * both ways; half-closes are passed on (allowHalfOpen), errors tear down both.
 *
 * UDP: one socket bound to the proxy port; per client address a socket to the
 * chosen endpoint, whose replies are sent back to the client from the proxy
 * port (conntrack turns that into the service address). Every packet either
 * way extends the client's entry by --udp-timeout; when it expires the
 * backend socket is closed.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { pipeline } from 'node:stream';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { ServicePortKey } from '../types.js';
import type { RoundRobinLoadBalancer } from './loadbalancer.js';

/** v1.8's EndpointDialTimeouts. */
export const DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000] as const;

export interface ProxySocket {
  readonly protocol: 'TCP' | 'UDP';
  /** The bound port (the kernel's choice when asked for 0). */
  readonly port: number;
  /** Active client connections (TCP) or client entries (UDP). */
  readonly active: number;
  close(): Promise<void>;
}

function splitHostPort(ep: string): { host: string; port: number } {
  const i = ep.lastIndexOf(':');
  return { host: ep.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(ep.slice(i + 1)) };
}

function dial(ep: string, timeoutMs: number): Promise<Socket> {
  const { host, port } = splitHostPort(ep);
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`dial ${ep}: timed out after ${timeoutMs}ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    });
  });
}

export interface SocketContext {
  readonly key: ServicePortKey;
  readonly lb: RoundRobinLoadBalancer;
  readonly log: Logger;
}

export class TcpProxySocket implements ProxySocket {
  readonly protocol = 'TCP' as const;
  private readonly server: Server;
  private readonly conns = new Set<Socket>();
  port = 0;

  private constructor(private readonly ctx: SocketContext) {
    this.server = createServer({ allowHalfOpen: true }, (c) => this.handle(c));
  }

  static async listen(ctx: SocketContext, host: string, port: number): Promise<TcpProxySocket> {
    const s = new TcpProxySocket(ctx);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen({ host, port, exclusive: true }, () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    s.server.on('error', (e) => ctx.log.error('proxy socket error', { service: ctx.key, err: e.message }));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get active(): number {
    return this.conns.size;
  }

  private async handle(client: Socket): Promise<void> {
    this.conns.add(client);
    client.on('close', () => this.conns.delete(client));
    client.on('error', () => client.destroy());
    const clientIP = client.remoteAddress ?? '';
    let backend: Socket | undefined;
    for (let i = 0; i < DIAL_TIMEOUTS_MS.length && !client.destroyed; i++) {
      let ep: string;
      try {
        ep = this.ctx.lb.next(this.ctx.key, clientIP, i > 0);
      } catch (e) {
        this.ctx.log.v(2).info('no endpoint for a new connection', { service: this.ctx.key, err: (e as Error).message });
        break;
      }
      try {
        backend = await dial(ep, DIAL_TIMEOUTS_MS[i]);
        break;
      } catch (e) {
        this.ctx.log.v(2).info('dial to endpoint failed; trying another', { service: this.ctx.key, endpoint: ep, err: (e as Error).message });
      }
    }
    if (!backend || client.destroyed) {
      backend?.destroy();
      client.destroy();
      return;
    }
    this.conns.add(backend);
    const b = backend;
    b.on('close', () => this.conns.delete(b));
    // pipeline ends the destination on EOF (half-close) and destroys both streams on error.
    pipeline(client, b, (err) => {
      if (err) b.destroy();
    });
    pipeline(b, client, (err) => {
      if (err) client.destroy();
    });
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

interface UdpClient {
  readonly backend: UdpSocket;
  /** The endpoint this client's packets go to. */
  readonly host: string;
  readonly port: number;
  timer: NodeJS.Timeout;
}

export class UdpProxySocket implements ProxySocket {
  readonly protocol = 'UDP' as const;
  private readonly clients = new Map<string, UdpClient>();
  port = 0;

  private constructor(
    private readonly ctx: SocketContext,
    private readonly sock: UdpSocket,
    private readonly timeoutMs: number,
  ) {}

  static async listen(ctx: SocketContext, host: string, port: number, timeoutMs: number): Promise<UdpProxySocket> {
    const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind({ address: host, port, exclusive: true }, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    const s = new UdpProxySocket(ctx, sock, timeoutMs);
    s.port = sock.address().port;
    sock.on('message', (msg, rinfo) => s.fromClient(msg, rinfo.address, rinfo.port));
    sock.on('error', (e) => ctx.log.error('proxy socket error', { service: ctx.key, err: e.message }));
    return s;
  }

  get active(): number {
    return this.clients.size;
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    const id = `${address}|${port}`;
    let c = this.clients.get(id);
    if (!c) {
      let ep: string;
      try {
        ep = this.ctx.lb.next(this.ctx.key, address, false);
      } catch {
        return; // No endpoint: drop, as v1.8 did.
      }
      const { host, port: epPort } = splitHostPort(ep);
      const backend = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      // Not connect()ed: sending to an address per packet avoids a state where early packets are dropped.
      const entry: UdpClient = { backend, host, port: epPort, timer: setTimeout(() => this.expire(id), this.timeoutMs) };
      backend.on('message', (reply, r) => {
        if (r.address !== host || r.port !== epPort) return;
        this.touch(id);
        this.sock.send(reply, port, address);
      });
      backend.on('error', () => this.expire(id));
      this.clients.set(id, entry);
      c = entry;
    }
    this.touch(id);
    c.backend.send(msg, c.port, c.host);
  }

  private touch(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    clearTimeout(c.timer);
    c.timer = setTimeout(() => this.expire(id), this.timeoutMs);
  }

  private expire(id: string): void {
    const c = this.clients.get(id);
    if (!c) return;
    clearTimeout(c.timer);
    this.clients.delete(id);
    c.backend.close();
  }

  async close(): Promise<void> {
    for (const id of [...this.clients.keys()]) this.expire(id);
    await new Promise<void>((r) => this.sock.close(() => r()));
  }
}
