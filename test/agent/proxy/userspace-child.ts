/**
 * Runs a UserspaceProxier in this process's network namespace, for
 * kernel.test.ts (started with `nsenter --net=<node ns> node --import=tsx …`:
 * the proxy sockets must live in the node's namespace, and a Node process
 * cannot move its sockets into another one).
 *
 * Input: env PROXY_OBJECTS = JSON array of Services and Endpoints.
 * Output: `ready <service>=<proxyPort> …` on stdout after the first sync.
 * On SIGTERM: removes its rules and sockets, exits 0. Env PROXY_UPDATE
 * lines on stdin (`endpoints <json>`) replace an Endpoints object.
 */
import { createInterface } from 'node:readline';
import type { Endpoints, Service } from '../../../controlplane/api/core/v1/types.js';
import { openIptables } from '../../../native/iptables/runner.js';
import { chooseHostIP } from '../../../agent/proxy/hostip.js';
import { UserspaceProxier } from '../../../agent/proxy/userspace/proxier.js';
import { quietLogger } from './fixtures.js';

const objs = JSON.parse(process.env.PROXY_OBJECTS ?? '[]') as (Service | Endpoints)[];
const hostIP = chooseHostIP();
if (!hostIP) throw new Error('no host IP in this namespace');
const p = new UserspaceProxier({
  hostname: 'node',
  minSyncPeriodMs: 0,
  syncPeriodMs: 30_000,
  log: quietLogger('kube-proxy-userspace'),
  iptables: await openIptables({ mode: 'auto' }),
  bindAddress: '0.0.0.0',
  hostIP,
  portRange: { base: 0, size: 0 },
  udpTimeoutMs: 250,
});
const endpoints = new Map<string, Endpoints>();
for (const o of objs) {
  if (o.kind === 'Service') p.onServiceAdd(o as Service);
  else {
    p.onEndpointsAdd(o as Endpoints);
    endpoints.set(`${o.metadata.namespace}/${o.metadata.name}`, o as Endpoints);
  }
}
p.onServicesSynced();
p.onEndpointsSynced();
await p.sync();
const ports = objs.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.metadata.name}=${p.proxyPort(`${o.metadata.namespace}/${o.metadata.name}`)}`);
process.stdout.write(`ready ${ports.join(' ')}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void (async () => {
    const [kind, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (kind === 'endpoints') {
      const e = JSON.parse(json) as Endpoints;
      const key = `${e.metadata.namespace}/${e.metadata.name}`;
      p.onEndpointsUpdate(endpoints.get(key) ?? e, e);
      endpoints.set(key, e);
      await p.sync();
      process.stdout.write('synced\n');
    }
  })();
});

process.once('SIGTERM', () => {
  void (async () => {
    await p.cleanup();
    lines.close();
    process.exit(0);
  })();
});
