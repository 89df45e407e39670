/**
 * A daemon's status endpoint, the one shape kube-scheduler (--port 10251) and
 * kube-controller-manager (--port 10252) serve: /healthz (and /healthz/ping,
 * /livez, /readyz) answering `ok` or 500 with what is wrong, /metrics in the
 * Prometheus text format, and with --profiling /debug/pprof/ (pprof.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/index.js';
import { servePprof } from './pprof.js';

/** What /metrics renders (prom-client's Registry fits). */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface StatusServerOptions {
  address: string;
  /** 0: any free port (tests). */
  port: number;
  profiling: boolean;
  metrics: { registry: MetricsRegistry };
  /** An unhealthy state as the /healthz body; undefined = ok. */
  health?: () => string | undefined;
  log?: Logger;
}

export interface RunningStatusServer {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/healthz/ping', '/livez', '/readyz']);

export async function startStatusServer(opts: StatusServerOptions): Promise<RunningStatusServer> {
  const server: Server = createServer((req, res) => {
    handle(req, res, opts).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${(e as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.log?.info('serving healthz and metrics', { address: opts.address, port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: StatusServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type });
    res.end(body);
  };
  if (HEALTH_PATHS.has(url.pathname)) {
    const bad = opts.health?.();
    return bad ? text(500, `${bad}\n`) : text(200, 'ok');
  }
  if (url.pathname === '/metrics') return text(200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType);
  if (opts.profiling && (await servePprof(url, res))) return;
  text(404, '404 page not found\n');
}
