// The plain HTTP routes of the kubelet server on a fake runtime: logs and
// their errors, /healthz /pods /spec /metrics, the read-only port, the
// debugging-handlers switch, /run, /logs/, and TLS with a self-signed pair.
import test from 'ava';
import { request as httpsRequest } from 'node:https';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, Counter } from 'prom-client';
import { KubeletServer } from '../../../../agent/kubelet/server/index.js';
import { PODS, FakeRuntime, locator, startFakeServer } from './fake.js';
import { rawUpgrade, WS_HEADERS } from './clients.js';
import { testLogger } from './env.js';

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(url, init);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') };
}

test('logs: text/plain, tail and timestamps passed to the runtime, limitBytes cuts', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const all = await get(`${f.url}/containerLogs/default/p/c`);
  t.is(all.status, 200);
  t.is(all.type, 'text/plain');
  t.is(all.body, 'one\ntwo\nthree\n');
  t.is((await get(`${f.url}/containerLogs/default/p/c?tailLines=1&timestamps=true`)).body, '2026-01-01T00:00:00.000000000Z three\n');
  t.like(f.runtime.logCalls.at(-1), { id: 'cid', opts: { tailLines: 1, timestamps: true, follow: false } });
  t.is((await get(`${f.url}/containerLogs/default/p/c?limitBytes=6`)).body, 'one\ntw');
  await get(`${f.url}/containerLogs/default/p/c?previous=true`);
  t.is(f.runtime.logCalls.at(-1)?.id, 'prev-cid');
});

test('logs: follow streams until the client goes away, then the runtime stream is closed', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const ac = new AbortController();
  const r = await fetch(`${f.url}/containerLogs/default/p/c?follow=true`, { signal: ac.signal });
  const reader = r.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!text.includes('three\n')) text += dec.decode((await reader.read()).value);
  f.runtime.follow!.write('four\n');
  while (!text.includes('four\n')) text += dec.decode((await reader.read()).value);
  t.is(text, 'one\ntwo\nthree\nfour\n');
  const closed = new Promise<void>((resolve) => f.runtime.follow!.once('close', () => resolve()));
  ac.abort();
  await closed;
  t.true(f.runtime.follow!.destroyed);
});

test('logs: a followed log ends when the container does', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const pending = get(`${f.url}/containerLogs/default/p/c?follow=1`);
  while (!f.runtime.follow) await new Promise((r) => setTimeout(r, 5));
  f.runtime.follow.end('bye\n');
  t.is((await pending).body, 'one\ntwo\nthree\nbye\n');
});

const logErrors: { name: string; path: string; code: number; message: string }[] = [
  { name: 'unknown pod', path: '/containerLogs/default/nope/c', code: 404, message: 'pod "nope" does not exist' },
  { name: 'container not in the spec', path: '/containerLogs/default/p/x', code: 404, message: 'container "x" not found in pod "p"' },
  { name: 'container waiting for its image', path: '/containerLogs/default/q/c', code: 400, message: 'container "c" in pod "q" is waiting to start: image can\'t be pulled' },
  { name: 'no previous instance', path: '/containerLogs/default/q/c?previous=true', code: 400, message: 'previous terminated container "c" in pod "q" not found' },
  { name: 'invalid options', path: '/containerLogs/default/p/c?tailLines=-3', code: 422, message: 'tailLines: Invalid value: -3: must be greater than or equal to 0' },
  { name: 'short path', path: '/containerLogs/default/p', code: 400, message: 'Path must be /containerLogs/{podNamespace}/{podID}/{containerName}' },
];
for (const c of logErrors) {
  test(`logs error: ${c.name} → ${c.code} Status`, async (t) => {
    const f = await startFakeServer();
    t.teardown(() => f.server.close());
    const r = await get(f.url + c.path);
    t.is(r.status, c.code);
    t.like(JSON.parse(r.body), { kind: 'Status', status: 'Failure', code: c.code, message: c.message });
  });
}

test('/healthz, /pods, /spec and /metrics', async (t) => {
  const registry = new Registry();
  new Counter({ name: 'kubelet_test_total', help: 'test', registers: [registry] }).inc(3);
  let healthy = true;
  const machine = { cpus: 2, memoryBytes: 4096, machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', architecture: 'amd64', ephemeralStorageBytes: 10 };
  const f = await startFakeServer({ metrics: registry, machineInfo: () => machine, healthz: () => ({ ok: healthy, message: 'pleg was last seen active 5m ago' }) });
  t.teardown(() => f.server.close());
  t.deepEqual(await get(`${f.url}/healthz`), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
  healthy = false;
  const sick = await get(`${f.url}/healthz`);
  t.is(sick.status, 500);
  t.regex(sick.body, /pleg was last seen active/);
  const pods = JSON.parse((await get(`${f.url}/pods`)).body) as { kind: string; items: { metadata: { name: string } }[] };
  t.is(pods.kind, 'PodList');
  t.deepEqual(pods.items.map((p) => p.metadata.name), ['p', 'q']);
  t.like(JSON.parse((await get(`${f.url}/spec/`)).body), { num_cores: 2, memory_capacity: 4096, machine_id: 'm', boot_id: 'b' });
  t.regex((await get(`${f.url}/metrics`)).body, /kubelet_test_total 3/);
});

test('read-only port: only the non-streaming GETs', async (t) => {
  const f = await startFakeServer({ readOnlyPort: -1 });
  t.teardown(() => f.server.close());
  t.truthy(f.readOnlyPort);
  const ro = `http://127.0.0.1:${f.readOnlyPort}`;
  t.is((await get(`${ro}/pods`)).status, 200);
  t.is((await get(`${ro}/healthz`)).status, 200);
  t.is((await get(`${ro}/containerLogs/default/p/c`)).status, 404);
  const up = await rawUpgrade(f.readOnlyPort!, 'GET', '/exec/default/p/c?command=ls&stdout=1', WS_HEADERS('v5.channel.k8s.io'));
  t.is(up.status, 404);
  up.socket.destroy();
});

test('without --enable-debugging-handlers, logs and streaming are not served', async (t) => {
  const f = await startFakeServer({ enableDebuggingHandlers: false });
  t.teardown(() => f.server.close());
  t.is((await get(`${f.url}/containerLogs/default/p/c`)).status, 404);
  t.is((await get(`${f.url}/pods`)).status, 200);
  const up = await rawUpgrade(f.port, 'GET', '/exec/default/p/c?command=ls&stdout=1', WS_HEADERS('v5.channel.k8s.io'));
  t.is(up.status, 404);
  up.socket.destroy();
});

test('a streaming path without an upgrade is a 400', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const r = await get(`${f.url}/exec/default/p/c?command=ls&stdout=1`);
  t.is(r.status, 400);
  t.like(JSON.parse(r.body), { message: 'Upgrade request required' });
});

test('POST /run answers the command output', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const r = await get(`${f.url}/run/default/p/c?cmd=echo&cmd=ran`, { method: 'POST' });
  t.deepEqual([r.status, r.body], [200, 'ran\n']);
  t.is((await get(`${f.url}/run/default/p/c?cmd=echo`)).status, 405);
});

test('/logs/ serves the log directory and nothing outside it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kt-srv-logdir-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'a.log'), 'hello log\n');
  const f = await startFakeServer({ logDir: dir });
  t.teardown(() => f.server.close());
  t.regex((await get(`${f.url}/logs/`)).body, /<a href="sub\/">sub\/<\/a>/);
  t.is((await get(`${f.url}/logs/sub/a.log`)).body, 'hello log\n');
  t.is((await get(`${f.url}/logs/sub/..%2F..%2F..%2Fetc%2Fpasswd`)).status, 400);
  t.is((await get(`${f.url}/logs/missing`)).status, 404);
});

test('TLS: a self-signed pair is made in --cert-dir once, then reused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kt-srv-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const opts = { address: '127.0.0.1', port: 0, readOnlyPort: 0, enableDebuggingHandlers: true, runtime: new FakeRuntime(), locator, pods: () => PODS, log: testLogger('tls'), tls: { certDir: dir, hostname: 'node-a', addresses: ['127.0.0.1'] } };
  const s1 = new KubeletServer(opts);
  const l1 = await s1.start();
  t.teardown(() => s1.close());
  t.is(l1.certFile, join(dir, 'kubelet.crt'));
  t.true(existsSync(join(dir, 'kubelet.key')));
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: l1.port, path: '/healthz', rejectUnauthorized: false, agent: false }, (res) => {
      const san = (res.socket as unknown as { getPeerCertificate(): { subjectaltname?: string } }).getPeerCertificate().subjectaltname ?? '';
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${b} ${san}`));
    });
    req.on('error', reject);
    req.end();
  });
  t.regex(body, /^200 ok .*DNS:node-a.*IP Address:127\.0\.0\.1/);
  await s1.close();
  const s2 = new KubeletServer({ ...opts, log: testLogger('tls2') });
  t.teardown(() => s2.close());
  const l2 = await s2.start();
  t.is(l2.certFile, l1.certFile);
});
