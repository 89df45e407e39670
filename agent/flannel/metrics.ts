/**
 * flanneld's Prometheus metrics (one registry per daemon, so tests running
 * several in a process do not collide) and its health endpoint:
 * GET /healthz → 200 "flanneld is running" (upstream's answer) once the
 * daemon serves its lease, 503 before; GET /metrics → the registry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export class FlannelMetrics {
  readonly registry = new Registry();
  readonly remoteLeases = new Gauge({ name: 'flannel_remote_leases', help: 'Leases of other hosts the backend programs', registers: [this.registry] });
  readonly leaseExpiration = new Gauge({ name: 'flannel_lease_expiration_timestamp_seconds', help: 'When our lease expires unless renewed', registers: [this.registry] });
  readonly renewals = new Counter({ name: 'flannel_lease_renewals_total', help: 'Lease renewals, by result', labelNames: ['result'] as const, registers: [this.registry] });
  readonly leaseEvents = new Counter({ name: 'flannel_lease_events_total', help: 'Lease events applied by the backend, by type', labelNames: ['type'] as const, registers: [this.registry] });
  readonly storeErrors = new Counter({ name: 'flannel_store_errors_total', help: 'Failed calls to etcd or the API server, by operation', labelNames: ['op'] as const, registers: [this.registry] });
  readonly iptablesRestores = new Counter({ name: 'flannel_iptables_restores_total', help: 'Times a flannel iptables chain was (re)written', labelNames: ['chain'] as const, registers: [this.registry] });
  readonly udpPackets = new Gauge({ name: 'flannel_udp_packets', help: 'udp backend packet counters, by direction/outcome', labelNames: ['what'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

export interface HealthServer {
  readonly port: number;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export async function startHealthServer(host: string, port: number, metrics: FlannelMetrics): Promise<HealthServer> {
  let ready = false;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const body = ready ? 'flanneld is running' : 'flanneld is starting';
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    setReady: (r) => (ready = r),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
