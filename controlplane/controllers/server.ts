/**
 * The controller manager's HTTP endpoint (--address/--port, 10252): /healthz,
 * /metrics and, with --profiling, /debug/pprof/ (a V8 CPU profile in place of
 * Go's pprof: /debug/pprof/profile?seconds=N returns a .cpuprofile that
 * Chrome DevTools opens; /debug/pprof/heap a heap snapshot).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { getHeapSnapshot } from 'node:v8';
import type { Logger } from '../machinery/log/index.js';
import type { ControllerManagerMetrics } from './metrics.js';

export interface ServerOptions {
  address: string;
  port: number;
  profiling: boolean;
  metrics: ControllerManagerMetrics;
  /** An unhealthy state as the /healthz body; undefined = ok. */
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
    case '/healthz/ping':
    case '/livez':
    case '/readyz': {
      const bad = opts.health?.();
      return bad ? text(500, `${bad}\n`) : text(200, 'ok');
    }
    case '/metrics':
      return text(200, await opts.metrics.registry.metrics(), opts.metrics.registry.contentType);
  }
  if (opts.profiling && url.pathname.startsWith('/debug/pprof')) {
    const sub = url.pathname.replace(/^\/debug\/pprof\/?/, '');
    if (sub === '') return text(200, 'profiles:\n  profile?seconds=N  V8 CPU profile (.cpuprofile)\n  heap               V8 heap snapshot (.heapsnapshot)\n');
    if (sub === 'profile') {
      const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds') ?? '30') || 30, 1), 300);
      const session = new Session();
      session.connect();
      try {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        await new Promise((r) => setTimeout(r, seconds * 1000));
        const { profile } = await session.post('Profiler.stop');
        return text(200, JSON.stringify(profile), 'application/json');
      } finally {
        session.disconnect();
      }
    }
    if (sub === 'heap') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      getHeapSnapshot().pipe(res);
      return;
    }
  }
  text(404, '404 page not found\n');
}
