// kube-apiserver's own limits and endpoints, against an in-process server over
// a real sqlite store: in-flight limits (429 + Retry-After), /metrics, CORS,
// the event TTL sweeper, and Status answers for bad input.
import test from 'ava';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scheme } from '../../../controlplane/api/scheme.js';
import { openStore } from '../../../controlplane/storage/factory.js';
import { ApiServer, type ApiServerOptions } from '../../../controlplane/apiserver/server.js';
import { apiHooks } from '../../../controlplane/apiserver/hooks.js';

async function serve(t: { teardown(fn: () => Promise<void> | void): void }, extra: Partial<ApiServerOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-apiserver-unit-'));
  const store = await openStore({ backend: 'sqlite', dataDir: dir });
  const api = new ApiServer({ scheme, store, hooks: apiHooks, serverAddress: '127.0.0.1:0', ...extra });
  await api.bootstrap();
  const server = createServer(api.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(async () => {
    await api.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { url, api, store, port: (server.address() as AddressInfo).port };
}

const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

test('a mutating request over --max-mutating-requests-inflight gets 429 with Retry-After', async (t) => {
  const { url, port } = await serve(t, { maxMutatingRequestsInflight: 1 });
  // Hold one POST open by sending its headers and only half of its body.
  const held = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'Content-Type': 'application/json', 'Content-Length': 1000 } });
  held.on('error', () => undefined);
  held.write('{"apiVersion":');
  await new Promise((r) => setTimeout(r, 100));
  const r = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('second') });
  t.is(r.status, 429);
  t.is(r.headers.get('retry-after'), '1');
  t.is(((await r.json()) as { reason: string }).reason, 'TooManyRequests');
  // Reads are limited separately and still served.
  t.is((await fetch(`${url}/api/v1/namespaces/default/configmaps`)).status, 200);
  held.destroy();
  await new Promise((r) => setTimeout(r, 100));
  const after = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('third') });
  t.is(after.status, 201);
});

test('/metrics counts requests by verb, resource and code', async (t) => {
  const { url } = await serve(t);
  await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('m1') });
  await fetch(`${url}/api/v1/namespaces/default/configmaps/missing`);
  const text = await (await fetch(`${url}/metrics`)).text();
  t.regex(text, /apiserver_request_total\{verb="create",group="",resource="configmaps",subresource="",code="201"\} 1/);
  t.regex(text, /apiserver_request_total\{verb="get",group="",resource="configmaps",subresource="",code="404"\} 1/);
  t.regex(text, /apiserver_request_duration_seconds_bucket/);
});

test('CORS headers only for allowed origins', async (t) => {
  const { url } = await serve(t, { corsAllowedOrigins: ['^https://dash\\.example\\.com$'] });
  const ok = await fetch(`${url}/api`, { headers: { Origin: 'https://dash.example.com' } });
  t.is(ok.headers.get('access-control-allow-origin'), 'https://dash.example.com');
  const no = await fetch(`${url}/api`, { headers: { Origin: 'https://evil.example.com' } });
  t.is(no.headers.get('access-control-allow-origin'), null);
});

test('events older than --event-ttl are deleted by the sweeper', async (t) => {
  const { url, api } = await serve(t, { eventTTLms: 2000 });
  const ev = (name: string, last: string) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Test', message: 'm', type: 'Normal', lastTimestamp: last, firstTimestamp: last, count: 1 });
  const old = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const fresh = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  t.is((await fetch(`${url}/api/v1/namespaces/default/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ev('old', old) })).status, 201);
  t.is((await fetch(`${url}/api/v1/namespaces/default/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ev('fresh', fresh) })).status, 201);
  const ac = new AbortController();
  const sweeping = api.runEventSweeper(ac.signal);
  for (let i = 0; i < 40; i++) {
    if ((await fetch(`${url}/api/v1/namespaces/default/events/old`)).status === 404) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  ac.abort();
  await sweeping;
  t.is((await fetch(`${url}/api/v1/namespaces/default/events/old`)).status, 404);
  t.is((await fetch(`${url}/api/v1/namespaces/default/events/fresh`)).status, 200);
});

const badInput = [
  { name: 'malformed JSON', body: '{"apiVersion":', type: 'application/json', code: 400, reason: 'BadRequest' },
  { name: 'malformed YAML', body: 'a: [b', type: 'application/yaml', code: 400, reason: 'BadRequest' },
  { name: 'wrong kind for the URL', body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }), type: 'application/json', code: 400, reason: 'BadRequest' },
  { name: 'wrong apiVersion', body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), type: 'application/json', code: 400, reason: 'BadRequest' },
  { name: 'name that is not DNS-1123', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }), type: 'application/json', code: 422, reason: 'Invalid' },
  { name: 'unknown media type', body: 'x', type: 'text/plain', code: 415, reason: 'UnsupportedMediaType' },
];
for (const tc of badInput) {
  test(`bad input answered with a Status: ${tc.name}`, async (t) => {
    const { url } = await serve(t, { maxRequestBytes: 1 << 20 });
    const r = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': tc.type }, body: tc.body });
    t.is(r.status, tc.code);
    const s = (await r.json()) as { kind: string; reason: string; code: number };
    t.is(s.kind, 'Status');
    t.is(s.reason, tc.reason);
    // …and the server keeps serving.
    t.is((await fetch(`${url}/api/v1/namespaces/default/configmaps`)).status, 200);
  });
}

test('a body over --max-request-bytes gets 413', async (t) => {
  const { url } = await serve(t, { maxRequestBytes: 1024 });
  const r = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(4096) } }) });
  t.is(r.status, 413);
  t.is(((await r.json()) as { reason: string }).reason, 'RequestEntityTooLarge');
});

test('Accept: application/vnd.kubernetes.protobuf gets protobuf for kinds with a codec, JSON otherwise', async (t) => {
  const { url } = await serve(t);
  const { decodeK8sProtobuf } = await import('../../../controlplane/apiserver/protobuf/index.js');
  t.is((await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('pb') })).status, 201);
  const accept = 'application/vnd.kubernetes.protobuf,application/json';
  const one = await fetch(`${url}/api/v1/namespaces/default/configmaps/pb`, { headers: { Accept: accept } });
  t.is(one.headers.get('content-type'), 'application/vnd.kubernetes.protobuf');
  const decoded = decodeK8sProtobuf(new Uint8Array(await one.arrayBuffer()));
  t.is(decoded.kind, 'ConfigMap');
  t.deepEqual((decoded.object as { data: unknown }).data, { a: '1' });
  t.is((decoded.object as { metadata: { name: string } }).metadata.name, 'pb');
  const list = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { headers: { Accept: accept } });
  t.is(list.headers.get('content-type'), 'application/vnd.kubernetes.protobuf');
  const l = decodeK8sProtobuf(new Uint8Array(await list.arrayBuffer()));
  t.is(l.kind, 'ConfigMapList');
  t.deepEqual((l.object as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name), ['pb']);
  // A kind without a codec (meta.k8s.io Table is always JSON) is answered in JSON.
  const table = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  t.is(table.headers.get('content-type'), 'application/json');
  // Plain JSON clients are unaffected.
  t.is((await fetch(`${url}/api/v1/namespaces/default/configmaps/pb`)).headers.get('content-type'), 'application/json');
});

test('--profiling serves a V8 CPU profile at /debug/pprof/profile', async (t) => {
  const { url } = await serve(t, { profiling: true });
  const r = await fetch(`${url}/debug/pprof/profile?seconds=1`);
  t.is(r.status, 200);
  const profile = (await r.json()) as { nodes: unknown[]; startTime: number };
  t.true(profile.nodes.length > 0);
  const off = await serve(t);
  t.is((await fetch(`${off.url}/debug/pprof/`)).status, 404);
});
