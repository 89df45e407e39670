// `kubectl top node|pod` with the real kubectl 1.27 and 1.33 against an
// in-process API server whose node's kubelet is a small HTTP server on
// loopback serving a fixed /stats/summary (the Summary API's JSON).
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';
import { makeKubectl, type KubectlVersion } from '../../../harness/kubectl.js';

const at = '2026-11-22T10:00:00Z';
const container = (name: string, nanoCores: number, bytes: number) => ({
  name,
  startTime: at,
  cpu: { time: at, usageNanoCores: nanoCores, usageCoreNanoSeconds: 1 },
  memory: { time: at, workingSetBytes: bytes, usageBytes: bytes },
});
const SUMMARY = {
  node: { nodeName: 'n1', startTime: at, cpu: { time: at, usageNanoCores: 1_234_567_890 }, memory: { time: at, workingSetBytes: 3 * 1024 ** 3 } },
  pods: [
    // 250m + 1.5m → 252m (kubectl rounds up); 64Mi + 10000000 bytes → 73Mi
    { podRef: { name: 'web', namespace: 'shop', uid: 'u1' }, startTime: at, containers: [container('app', 250_000_000, 64 * 1024 ** 2), container('sidecar', 1_500_000, 10_000_000)] },
    { podRef: { name: 'db', namespace: 'shop', uid: 'u2' }, startTime: at, containers: [container('pg', 42_000_123, 100 * 1024 ** 2)] },
    { podRef: { name: 'other', namespace: 'default', uid: 'u3' }, startTime: at, containers: [container('c', 5_000_000, 8 * 1024 ** 2)] },
  ],
};

async function fakeKubelet(t: { teardown(fn: () => unknown): void }) {
  const seen: string[] = [];
  const srv = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/stats/summary')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(SUMMARY));
      return;
    }
    res.writeHead(404);
    res.end('404 page not found');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return { port: (srv.address() as AddressInfo).port, seen };
}

/** A port nothing listens on (a kubelet that is down). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function cluster(t: { teardown(fn: () => unknown): void }): Promise<{ srv: TestApiServer; seen: string[] }> {
  const kubelet = await fakeKubelet(t);
  const srv = await startApiServer({ api: { kubelet: { https: false, port: 10250, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
  t.teardown(() => srv.stop());
  const call = async (method: string, path: string, body: unknown, type = 'application/json') => {
    const r = await fetch(`${srv.url}${path}`, { method, headers: { 'Content-Type': type }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  };
  const node = async (name: string, port: number, labels: Record<string, string>) => {
    await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
    await call(
      'PATCH',
      `/api/v1/nodes/${name}/status`,
      {
        status: {
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: port } },
          capacity: { cpu: '4', memory: '8Gi', pods: '110' },
          allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        },
      },
      'application/merge-patch+json',
    );
  };
  await node('n1', kubelet.port, { pool: 'a' });
  await node('n2', await closedPort(), { pool: 'b' });
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const pod = (ns: string, name: string, labels: Record<string, string>, containers: string[]) =>
    call('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: 'n1', containers: containers.map((c) => ({ name: c, image: 'busybox' })) } });
  await pod('shop', 'web', { app: 'web' }, ['app', 'sidecar']);
  await pod('shop', 'db', { app: 'db' }, ['pg']);
  await pod('default', 'other', { app: 'web' }, ['c']);
  return { srv, seen: kubelet.seen };
}

/** Output lines split into columns. */
const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s+/));

for (const version of ['1.27', '1.33'] as KubectlVersion[]) {
  test(`kubectl ${version} top node and top pod`, async (t) => {
    const { srv, seen } = await cluster(t);
    const k = await makeKubectl(version, srv.url);
    t.teardown(() => k.cleanup());

    const nodes = rows(await k.ok(['top', 'node']));
    t.regex(nodes[0].join(' '), /^NAME CPU\(cores\) CPU(%|\(%\)) MEMORY\(bytes\) MEMORY(%|\(%\))$/);
    // 1234567890n → 1235m of 4 cores = 30%; 3Gi of 8Gi = 37%
    t.deepEqual(nodes[1], ['n1', '1235m', '30%', '3072Mi', '37%']);
    t.true(seen.some((s) => s.startsWith('GET /stats/summary')));
    t.deepEqual(rows(await k.ok(['top', 'node', 'n1']))[1], ['n1', '1235m', '30%', '3072Mi', '37%']);
    t.deepEqual(rows(await k.ok(['top', 'node', '-l', 'pool=a'])).slice(1), [['n1', '1235m', '30%', '3072Mi', '37%']]);

    const shop = rows(await k.ok(['top', 'pod', '-n', 'shop']));
    t.deepEqual(shop[0], ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    t.deepEqual(shop.slice(1).sort(), [
      ['db', '43m', '100Mi'],
      ['web', '252m', '73Mi'],
    ]);

    const containers = rows(await k.ok(['top', 'pod', 'web', '-n', 'shop', '--containers']));
    t.deepEqual(containers[0], ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    t.deepEqual(containers.slice(1).sort(), [
      ['web', 'app', '250m', '64Mi'],
      ['web', 'sidecar', '2m', '9Mi'],
    ]);

    t.deepEqual(rows(await k.ok(['top', 'pod', '-n', 'shop', '-l', 'app=web'])).slice(1), [['web', '252m', '73Mi']]);
    const all = rows(await k.ok(['top', 'pod', '-A', '-l', 'app=web']));
    t.deepEqual(all[0], ['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    t.deepEqual(all.slice(1).sort(), [
      ['default', 'other', '5m', '8Mi'],
      ['shop', 'web', '252m', '73Mi'],
    ]);

    const missing = await k.run(['top', 'pod', 'missing', '-n', 'shop']);
    t.not(missing.exitCode, 0);
    t.regex(missing.stderr, /podmetrics\.metrics\.k8s\.io "missing" not found/);
    const missingNode = await k.run(['top', 'node', 'n9']);
    t.not(missingNode.exitCode, 0);
    t.regex(missingNode.stderr, /nodemetrics\.metrics\.k8s\.io "n9" not found/);
  });
}
