/**
 * kube-proxy's two HTTP servers (v1.8 cmd/kube-proxy/app/server.go):
 *
 * - healthz (--healthz-bind-address:--healthz-port, 10256): GET /healthz
 *   answers `{"lastUpdated": …, "currentTime": …}`, 200 while the last
 *   successful sync is younger than the timeout (2 × the sync period), 503
 *   once it is older. Before the first sync it answers 200, as v1.8 did
 *   (a node that is still listing services is not unhealthy).
 * - metrics (--metrics-bind-address, 127.0.0.1:10249): /metrics
 *   (Prometheus), /proxyMode (the mode in use, plain text), /healthz ("ok"),
 *   and /debug/pprof with --profiling.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '../../controlplane/client/clock.js';
import { servePprof } from '../../controlplane/machinery/debug/pprof.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import type { ProxyMetrics } from './metrics.js';
import type { ProxyMode, SyncObserver, SyncStats } from './types.js';

/** Tracks the last successful sync for /healthz. */
export class HealthState implements SyncObserver {
  private lastUpdated = 0;

  constructor(
    /** Stale after this long without a successful sync (v1.8: 2 × --iptables-sync-period). */
    readonly timeoutMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  synced(s: SyncStats, at: number): void {
    this.lastUpdated = at + s.durationMs;
  }

  failed(): void {}

  /** The /healthz answer now. */
  check(): { ok: boolean; body: string } {
    const now = this.clock.now();
    const ok = this.lastUpdated === 0 || now <= this.lastUpdated + this.timeoutMs;
    const fmt = (t: number) => (t === 0 ? '0001-01-01T00:00:00Z' : new Date(t).toISOString());
    return { ok, body: `{"lastUpdated": ${JSON.stringify(fmt(this.lastUpdated))},"currentTime": ${JSON.stringify(fmt(now))}}` };
  }
}

/** Fans one sync out to several observers (health, metrics). */
export function observers(...list: SyncObserver[]): SyncObserver {
  return {
    synced: (s, at) => list.forEach((o) => o.synced(s, at)),
    failed: (e) => list.forEach((o) => o.failed(e)),
  };
}

export interface Listening {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function text(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function startHealthzServer(health: HealthState, host: string, port: number): Promise<Listening> {
  return listen(
    (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/healthz') return text(res, 404, '404 page not found\n');
      const h = health.check();
      text(res, h.ok ? 200 : 503, h.body, 'application/json');
    },
    host,
    port,
  );
}

export function startMetricsServer(opts: { metrics: ProxyMetrics; mode: () => ProxyMode; profiling: boolean; host: string; port: number; log: Logger }): Promise<Listening> {
  return listen(
    (req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (url.pathname === '/metrics') return text(res, 200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType);
        if (url.pathname === '/proxyMode') return text(res, 200, opts.mode());
        if (url.pathname === '/healthz') return text(res, 200, 'ok');
        if (opts.profiling && (await servePprof(url, res))) return;
        text(res, 404, '404 page not found\n');
      })().catch((e: unknown) => {
        opts.log.error('metrics server request failed', { err: (e as Error).message });
        if (!res.headersSent) text(res, 500, 'internal error\n');
      });
    },
    opts.host,
    opts.port,
  );
}

/** `127.0.0.1:10249`, `0.0.0.0` (→ :defaultPort), `[::1]:10249` → host and port. */
export function splitBindAddress(addr: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]+):(\d+)$/.exec(addr);
  if (m) return { host: m[1], port: Number(m[2]) };
  return { host: addr.replace(/^\[|\]$/g, '') || '0.0.0.0', port: defaultPort };
}
