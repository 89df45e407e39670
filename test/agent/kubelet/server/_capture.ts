// Temporary capture script (not a test): dumps kubectl's SPDY bytes.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { startApiServer } from '../../../harness/apiserver.js';
import { makeKubectl } from '../../../harness/kubectl.js';

const chunks: Buffer[] = [];
let reqHead = '';
const srv = net.createServer((s) => {
  let got = Buffer.alloc(0);
  let upgraded = false;
  s.on('data', (d: Buffer) => {
    if (upgraded) { chunks.push(d); return; }
    got = Buffer.concat([got, d]);
    const i = got.indexOf('\r\n\r\n');
    if (i < 0) return;
    reqHead = got.subarray(0, i).toString();
    upgraded = true;
    s.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    if (got.length > i + 4) chunks.push(got.subarray(i + 4));
  });
});
await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
const port = (srv.address() as net.AddressInfo).port;
const api = await startApiServer({ api: { kubelet: { https: false, port, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
const post = (path: string, body: unknown) => fetch(api.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.text());
console.log(await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }));
await fetch(api.url + '/api/v1/nodes/n1/status', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } }) });
console.log(await post('/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } }));
await fetch(api.url + '/api/v1/namespaces/default/pods/p/status', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { phase: 'Running' } }) });
const k = await makeKubectl((process.argv[2] ?? '1.27') as '1.27', api.url);
const r = await Promise.race([k.run(['exec', '-i', 'p', '--', 'sh', '-c', 'echo hi']), new Promise((res) => setTimeout(() => res('timeout'), 4000))]);
console.log(r);
console.log(reqHead);
writeFileSync('/tmp/ktcap/spdy.bin', Buffer.concat(chunks));
console.log('captured', Buffer.concat(chunks).toString('hex'));
process.exit(0);
