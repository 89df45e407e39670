/**
 * The kubelet's /healthz (--healthz-bind-address:--healthz-port, 10248):
 * 200 `ok` while the PLEG relists, 500 naming the failed check otherwise,
 * as upstream's healthz handler prints it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthCheck {
  name: string;
  check(): { ok: boolean; message?: string };
}

export interface HealthzServer {
  port: number;
  close(): Promise<void>;
}

/** port 0 = any free port. */
export async function startHealthz(address: string, port: number, checks: readonly HealthCheck[]): Promise<HealthzServer> {
  const server: Server = createServer((req, res) => {
    if (req.url !== '/healthz' && !req.url?.startsWith('/healthz?')) {
      res.writeHead(404).end();
      return;
    }
    const failed = checks.map((c) => ({ c, r: c.check() })).filter((x) => !x.r.ok);
    if (failed.length === 0) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    res.writeHead(500, { 'content-type': 'text/plain' }).end(`${failed.map((f) => `[-]${f.c.name} failed: ${f.r.message ?? 'reason withheld'}`).join('\n')}\nhealthz check failed`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
