/**
 * [integration] kube-dns outlives its API server: behind a TCP proxy that the
 * test takes down (every connection reset, the port refusing) and brings
 * back, kube-dns keeps answering from its caches, then catches up with what
 * changed while it was cut off — without a restart.
 */
import test from 'ava';
import { Resolver } from 'node:dns/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Service } from '../../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../../controlplane/client/rest.js';
import { resources } from '../../../../controlplane/client/resources.js';
import { main } from '../../../../controlplane/addons/dns/main.js';
import { startApiServer } from '../../../harness/apiserver.js';
import { freePorts } from '../../../harness/ports.js';

/** A loopback TCP proxy to `target` that can be switched off and on, on the same port. */
function proxy(port: number, target: number) {
  let server: Server | undefined;
  const conns = new Set<Socket>();
  return {
    up: () =>
      new Promise<void>((resolve, reject) => {
        server = createServer((c) => {
          const u = connect(target, '127.0.0.1');
          conns.add(c).add(u);
          const drop = () => (c.destroy(), u.destroy(), conns.delete(c), conns.delete(u));
          c.on('error', drop).on('close', drop);
          u.on('error', drop).on('close', drop);
          c.pipe(u).pipe(c);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    down: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        conns.clear();
        if (!server) return resolve();
        server.close(() => resolve());
      }),
  };
}

async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const svc = (name: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name }, spec: { ports: [{ port: 80 }], selector: { app: name } } });

test('the API server goes away and comes back: answers from the cache, then the changes', async (t) => {
  const api = await startApiServer();
  const client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  const [proxyPort, dnsPort, healthzPort] = await freePorts(3);
  const p = proxy(proxyPort, Number(new URL(api.url).port));
  await p.up();
  const stderr: string[] = [];
  const ac = new AbortController();
  const exit = main(
    [`--kube-master-url=http://127.0.0.1:${proxyPort}`, '--dns-bind-address=127.0.0.1', `--dns-port=${dnsPort}`, `--healthz-port=${healthzPort}`, '--nameservers=127.0.0.1:9'],
    { stdout: { write: () => true }, stderr: { write: (s: string) => stderr.push(s) } },
    ac.signal,
  );
  t.teardown(async () => {
    ac.abort();
    await exit;
    await p.down();
    client.close();
    await api.stop();
  });
  const r = new Resolver({ timeout: 2000, tries: 1 });
  r.setServers([`127.0.0.1:${dnsPort}`]);

  const a = await client.resource(resources.services, 'default').create(svc('before'));
  t.deepEqual(await eventually(() => r.resolve4('before.default.svc.cluster.local')), [a.spec?.clusterIP]);

  await p.down();
  const b = await client.resource(resources.services, 'default').create(svc('during'));
  // Cut off: the cache still answers.
  t.deepEqual(await r.resolve4('before.default.svc.cluster.local'), [a.spec?.clusterIP]);

  await p.up();
  t.deepEqual(await eventually(() => r.resolve4('during.default.svc.cluster.local')), [b.spec?.clusterIP]);
  ac.abort();
  t.is(await exit, 0);
});
