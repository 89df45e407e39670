// The API server's kubelet proxy: pods/log streamed through (kubectl logs),
// upgrade requests spliced byte for byte, and the errors a user sees when a
// pod has no node or several containers. A small HTTP server on loopback plays
// the node's kubelet endpoints (the kubelet's own server arrives with it).
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { startApiServer } from '../../harness/apiserver.js';
import { makeKubectl } from '../../harness/kubectl.js';

async function standIn(t: { teardown(fn: () => unknown): void }) {
  const seen: string[] = [];
  const srv = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/containerLogs/default/web/app')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('line one\nline two\n');
      return;
    }
    res.writeHead(404);
    res.end('no such route');
  });
  srv.on('upgrade', (req, socket) => {
    seen.push(`UPGRADE ${req.url} ${String(req.headers['sec-websocket-protocol'] ?? '')}`);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return { port: (srv.address() as AddressInfo).port, seen };
}

test('kubectl logs is proxied to the kubelet of the pod’s node; upgrades are spliced', async (t) => {
  const kubelet = await standIn(t);
  const srv = await startApiServer({ api: { kubelet: { https: false, port: 10250, timeoutMs: 2000, preferredAddressTypes: ['InternalIP'] } } });
  const k = await makeKubectl('1.33', srv.url);
  t.teardown(async () => {
    await k.cleanup();
    await srv.stop();
  });
  const post = (path: string, body: unknown) => fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  await fetch(`${srv.url}/api/v1/nodes/n1/status`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } }),
  });
  await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox' }] } });
  await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two' }, spec: { nodeName: 'n1', containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } });
  await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nowhere' }, spec: { containers: [{ name: 'a', image: 'busybox' }] } });

  t.is(await k.ok(['logs', 'web', '--tail=5']), 'line one\nline two'); // execa drops the final newline
  t.true(kubelet.seen.includes('GET /containerLogs/default/web/app?tailLines=5'));
  const unscheduled = await k.run(['logs', 'nowhere']);
  t.regex(unscheduled.stderr, /does not have a host assigned/);
  const ambiguous = await fetch(`${srv.url}/api/v1/namespaces/default/pods/two/log`);
  t.is(ambiguous.status, 400);
  t.regex(((await ambiguous.json()) as { message: string }).message, /a container name must be specified for pod two, choose one of: \[a b\]/);

  // An exec upgrade reaches the kubelet's /exec route and bytes flow both ways after its 101.
  const port = Number(new URL(srv.url).port);
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write('GET /api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  let got = '';
  sock.on('data', (d: Buffer) => (got += d.toString()));
  for (let i = 0; i < 50 && !got.includes('101'); i++) await new Promise((r) => setTimeout(r, 20));
  sock.write('ping');
  for (let i = 0; i < 50 && !got.includes('echo:ping'); i++) await new Promise((r) => setTimeout(r, 20));
  sock.destroy();
  t.regex(got, /^HTTP\/1.1 101 Switching Protocols/);
  t.regex(got, /echo:ping/);
  t.true(kubelet.seen.some((s) => s.startsWith('UPGRADE /exec/default/web/app?command=sh&stdout=true v5.channel.k8s.io')));
});

test('services/proxy forwards to a ready endpoint of the Service', async (t) => {
  const backend = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`backend saw ${req.url}`);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  t.teardown(() => backend.close());
  const port = (backend.address() as AddressInfo).port;
  const srv = await startApiServer();
  t.teardown(() => srv.stop());
  const post = (path: string, body: unknown) => fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  await post('/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: port }] } });
  t.is((await fetch(`${srv.url}/api/v1/namespaces/default/services/web/proxy/x`)).status, 503); // no endpoints yet
  await post('/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'http', port }] }] });
  const r = await fetch(`${srv.url}/api/v1/namespaces/default/services/web:http/proxy/hello/world?q=1`);
  t.is(r.status, 200);
  t.is(await r.text(), 'backend saw /hello/world?q=1');
});
