// The real probes against real sockets on 127.0.0.1: http status ranges,
// redirects, headers, timeouts, https without verification, tcp refused,
// ports by name; exec through fake targets with a fake clock.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Container, Pod, Probe } from '../../../../controlplane/api/core/v1/types.js';
import { FakeClock, flush } from '../../../../controlplane/client/testing/clock.js';
import { execProbe } from '../../../../agent/kubelet/prober/exec.js';
import { httpProbe, probeURL } from '../../../../agent/kubelet/prober/http.js';
import { Prober, resolveContainerPort } from '../../../../agent/kubelet/prober/prober.js';
import { tcpProbe } from '../../../../agent/kubelet/prober/tcp.js';

let server: Server;
let port = 0;
let lastHeaders: IncomingHttpHeaders = {};

test.before(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/status\/(\d+)$/.exec(u.pathname);
    if (m) {
      res.writeHead(Number(m[1]));
      res.end(`status ${m[1]}`);
    } else if (u.pathname === '/redirect-same') {
      res.writeHead(302, { location: '/status/200' });
      res.end();
    } else if (u.pathname === '/redirect-to-500') {
      res.writeHead(307, { location: `http://127.0.0.1:${port}/status/500` });
      res.end();
    } else if (u.pathname === '/redirect-other-host') {
      res.writeHead(301, { location: 'http://other.invalid/elsewhere' });
      res.end('moved');
    } else if (u.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (u.pathname === '/hang') {
      // never answers
    } else if (u.pathname === '/big') {
      res.writeHead(200);
      res.end('x'.repeat(100_000));
    } else {
      res.writeHead(200);
      res.end('ok');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

test.after.always(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const url = (path: string) => probeURL('HTTP', '127.0.0.1', port, path);

const statusCases: [number, 'success' | 'failure'][] = [
  [200, 'success'],
  [204, 'success'],
  [301, 'success'],
  [399, 'success'],
  [418, 'failure'],
  [400, 'failure'],
  [404, 'failure'],
  [500, 'failure'],
  [503, 'failure'],
];
for (const [status, want] of statusCases) {
  test(`http status ${status} is ${want}`, async (t) => {
    const o = await httpProbe(url(`/status/${status}`), { timeoutMs: 2000 });
    t.is(o.result, want);
    if (want === 'failure') t.is(o.output, `HTTP probe failed with statuscode: ${status}`);
  });
}

test('redirects on the same host are followed; the final status decides', async (t) => {
  t.deepEqual(await httpProbe(url('/redirect-same'), { timeoutMs: 2000 }), { result: 'success', output: 'status 200' });
  t.deepEqual(await httpProbe(url('/redirect-to-500'), { timeoutMs: 2000 }), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
});

test('a redirect to another host is not followed and counts as success', async (t) => {
  const o = await httpProbe(url('/redirect-other-host'), { timeoutMs: 2000 });
  t.is(o.result, 'success');
  t.is(o.output, 'Probe terminated redirects, Response body: moved');
});

test('a redirect loop fails after 10 redirects', async (t) => {
  const o = await httpProbe(url('/loop'), { timeoutMs: 2000 });
  t.is(o.result, 'failure');
  t.regex(o.output, /stopped after 10 redirects$/);
});

test('default headers: User-Agent kube-probe/<version>, Accept */*; probe headers win; Host is settable', async (t) => {
  await httpProbe(url('/'), { timeoutMs: 2000 });
  t.is(lastHeaders['user-agent'], 'kube-probe/1.33');
  t.is(lastHeaders['accept'], '*/*');
  t.is(lastHeaders['host'], `127.0.0.1:${port}`);
  await httpProbe(url('/'), {
    timeoutMs: 2000,
    headers: [
      { name: 'User-Agent', value: 'mine' },
      { name: 'Host', value: 'example.test' },
      { name: 'X-Custom', value: 'a' },
      { name: 'Accept', value: '' },
    ],
  });
  t.is(lastHeaders['user-agent'], 'mine');
  t.is(lastHeaders['host'], 'example.test');
  t.is(lastHeaders['x-custom'], 'a');
  t.is(lastHeaders['accept'], undefined, 'an empty Accept removes it');
});

test('a server that does not answer in time fails with the client timeout message', async (t) => {
  // Without the client timeout this would hang until the test times out.
  const o = await httpProbe(url('/hang'), { timeoutMs: 300 });
  t.is(o.result, 'failure');
  t.is(o.output, `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
});

test('a large body is truncated at 10 KiB, not an error', async (t) => {
  const o = await httpProbe(url('/big'), { timeoutMs: 2000 });
  t.is(o.result, 'success');
  t.is(o.output.length, 10 * 1024);
});

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

test('http to a closed port fails with the dial error', async (t) => {
  const p = await freePort();
  const o = await httpProbe(probeURL('HTTP', '127.0.0.1', p, '/healthz'), { timeoutMs: 2000 });
  t.deepEqual(o, { result: 'failure', output: `Get "http://127.0.0.1:${p}/healthz": dial tcp 127.0.0.1:${p}: connect: connection refused` });
});

test('https skips certificate verification', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kubets-probe-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=nobody']);
  const s = createHttpsServer({ key: await readFile(join(dir, 'k')), cert: await readFile(join(dir, 'c')) }, (_req, res) => {
    res.writeHead(200);
    res.end('secure');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => s.close(() => r())));
  const o = await httpProbe(probeURL('HTTPS', '127.0.0.1', (s.address() as AddressInfo).port, '/'), { timeoutMs: 3000 });
  t.deepEqual(o, { result: 'success', output: 'secure' });
});

test('tcp: an open port succeeds, a closed one fails with connection refused', async (t) => {
  t.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'success', output: '' });
  const p = await freePort();
  t.deepEqual(await tcpProbe('127.0.0.1', p, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${p}: connect: connection refused` });
});

test('resolveContainerPort: number, name, numeric string; upstream\'s errors', (t) => {
  const c: Container = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] };
  t.is(resolveContainerPort(80, c), 80);
  t.is(resolveContainerPort('metrics', c), 9090);
  t.is(resolveContainerPort('8081', c), 8081);
  t.throws(() => resolveContainerPort('admin', c), { message: 'port admin not found' });
  t.throws(() => resolveContainerPort(0, c), { message: 'invalid port number: 0' });
  t.throws(() => resolveContainerPort(70000, c), { message: 'invalid port number: 70000' });
});

const pod = (c: Container): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [c] } });

test('Prober: httpGet and tcpSocket by port name against the pod IP', async (t) => {
  const prober = new Prober({ podIP: () => '127.0.0.1', exec: async () => ({ exitCode: 0, output: '' }) });
  const c: Container = { name: 'c', ports: [{ name: 'web', containerPort: port }] };
  const signal = new AbortController().signal;
  const run = (probe: Probe) => prober.run({ kind: 'readiness', pod: pod(c), container: c, probe, containerId: 'id', signal });
  t.deepEqual(await run({ httpGet: { port: 'web', path: '/status/200' } }), { result: 'success', output: 'status 200' });
  t.is((await run({ httpGet: { port: 'web', path: 'status/503' } })).result, 'failure', 'a path without a leading slash still works');
  t.is((await run({ tcpSocket: { port: 'web' } })).result, 'success');
  await t.throwsAsync(run({ httpGet: { port: 'nope' } }), { message: 'port nope not found' });
  await t.throwsAsync(run({ grpc: { port: 1 } }), { message: /grpc/ });
});

test('Prober: no pod IP yet is a probe error (the attempt is thrown away), unless the probe names a host', async (t) => {
  const prober = new Prober({ podIP: () => undefined, exec: async () => ({ exitCode: 0, output: '' }) });
  const c: Container = { name: 'c' };
  const signal = new AbortController().signal;
  await t.throwsAsync(prober.run({ kind: 'liveness', pod: pod(c), container: c, probe: { tcpSocket: { port } }, containerId: 'id', signal }), { message: /has no IP yet/ });
  t.is((await prober.run({ kind: 'liveness', pod: pod(c), container: c, probe: { tcpSocket: { port, host: '127.0.0.1' } }, containerId: 'id', signal })).result, 'success');
});

test('exec: exit 0 succeeds, non-zero fails with the output, a rejected exec is a probe error', async (t) => {
  const clock = new FakeClock();
  const calls: { id: string; cmd: string[]; timeout: number }[] = [];
  const targets = {
    exec: async (id: string, cmd: string[], timeout: number) => {
      calls.push({ id, cmd, timeout });
      if (cmd[0] === 'gone') throw new Error('No such container');
      return cmd[0] === 'true' ? { exitCode: 0, output: 'fine\n' } : { exitCode: 3, output: 'broken\n' };
    },
  };
  t.deepEqual(await execProbe(targets, clock, 'cid', ['true'], 1000), { result: 'success', output: 'fine\n' });
  t.deepEqual(await execProbe(targets, clock, 'cid', ['false'], 1000), { result: 'failure', output: 'broken\n' });
  await t.throwsAsync(execProbe(targets, clock, 'cid', ['gone'], 1000), { message: 'No such container' });
  t.deepEqual(calls[0], { id: 'cid', cmd: ['true'], timeout: 1000 });
});

test('exec: a command that outlives timeoutSeconds fails with upstream\'s message', async (t) => {
  const clock = new FakeClock();
  const targets = { exec: () => new Promise<{ exitCode: number; output: string }>(() => {}) };
  const p = execProbe(targets, clock, 'cid', ['sleep', '10'], 1000);
  await flush();
  await clock.advance(999);
  let settled = false;
  void p.then(() => (settled = true));
  await flush();
  t.false(settled);
  await clock.advance(1);
  t.deepEqual(await p, { result: 'failure', output: 'command "sleep 10" timed out' });
});

test('Prober: exec probes go through ProbeTargets.exec with the probe\'s timeout', async (t) => {
  const seen: number[] = [];
  const prober = new Prober({ podIP: () => undefined, exec: async (_id, _cmd, timeoutMs) => (seen.push(timeoutMs), { exitCode: 0, output: '' }) });
  const c: Container = { name: 'c' };
  const o = await prober.run({ kind: 'liveness', pod: pod(c), container: c, probe: { exec: { command: ['cat', '/tmp/ok'] }, timeoutSeconds: 4 }, containerId: 'id', signal: new AbortController().signal });
  t.is(o.result, 'success');
  t.deepEqual(seen, [4000]);
});
