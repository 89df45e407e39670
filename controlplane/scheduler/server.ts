/**
 * The scheduler's HTTP endpoint (--address/--port, 10251): /healthz, /metrics
 * and, with --profiling, /debug/pprof/ (machinery/debug/pprof.ts: V8
 * profiles in place of Go's pprof).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { servePprof } from '../machinery/debug/pprof.js';
import type { Logger } from '../machinery/log/index.js';
import type { SchedulerMetrics } from './metrics.js';

export interface ServerOptions {
  address: string;
  port: number;
  profiling: boolean;
  metrics: SchedulerMetrics;
  /** Reports an unhealthy state as the /healthz body; undefined = ok. */
  health?: () => string | undefined;
  log?: Logger;
}

export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
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

async function handle(req: IncomingMessage, res: ServerResponse, opts: ServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const text = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
    res.writeHead(code, { 'Content-Type': type });
    res.end(body);
  };
  switch (url.pathname) {
    case '/healthz':
    case '/healthz/ping': {
      const bad = opts.health?.();
      return bad ? text(500, `${bad}\n`) : text(200, 'ok');
    }
    case '/metrics':
      return text(200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType);
  }
  if (opts.profiling && (await servePprof(url, res))) return;
  text(404, '404 page not found\n');
}
