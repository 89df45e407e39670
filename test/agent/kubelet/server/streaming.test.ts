// Exec, attach and port-forward on the wire, with raw WebSocket and SPDY
// clients against the server on a fake runtime: protocol negotiation and
// its echo, channel bytes, stdin EOF, resize, the final Status and the
// closing order, and refusals before the upgrade.
import test from 'ava';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { RST } from '../../../../agent/kubelet/server/spdy/frames.js';
import { rawUpgrade, SPDY_HEADERS, SpdyTestClient, WS_HEADERS, WsTestClient } from './clients.js';
import { hostDialer, startFakeServer } from './fake.js';

const SUCCESS = '{"metadata":{},"status":"Success"}';

async function ws(port: number, path: string, protocol?: string) {
  const up = await rawUpgrade(port, 'GET', path, WS_HEADERS(protocol));
  return { up, client: new WsTestClient(up.socket, up.rest) };
}

test('WebSocket v5: 101 echoes the protocol; stdin, [255,0] EOF, stdout, Success, then close 1000', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { up, client } = await ws(f.port, '/exec/default/p/c?command=cat&stdin=true&stdout=true', 'v5.channel.k8s.io');
  t.is(up.status, 101);
  t.is(up.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
  t.is(up.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  client.binary([0, ...Buffer.from('abc')]);
  client.binary([0, ...Buffer.from('def')]);
  client.binary([255, 0]);
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  t.is(client.channel(1).toString(), 'abcdef');
  t.is(client.channel(3).toString(), SUCCESS);
  t.like(client.closeEvent(), { kind: 'close', code: 1000 });
  // The status is the last data message, right before the close frame.
  const kinds = client.events.map((e) => (e.kind === 'message' ? `m${e.data[0]}` : e.kind));
  t.deepEqual(kinds.slice(-2), ['m3', 'close']);
  client.close();
  await client.until((c) => c.ended, 'the server to end the connection');
});

test('WebSocket v4: a non-zero exit is a NonZeroExitCode Status after all output', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { up, client } = await ws(f.port, '/exec/default/p/c?command=fail&command=3&stdout=true&stderr=true', 'v4.channel.k8s.io');
  t.is(up.headers['sec-websocket-protocol'], 'v4.channel.k8s.io');
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  t.is(client.channel(1).toString(), 'partial\n');
  t.is(client.channel(2).toString(), 'bad\n');
  t.deepEqual(JSON.parse(client.channel(3).toString()), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [fail 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  client.close();
});

test('WebSocket: large output arrives whole and in order', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { client } = await ws(f.port, '/exec/default/p/c?command=big&stdout=true', 'v5.channel.k8s.io');
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  const out = client.channel(1);
  t.is(out.length, 64 * 16 * 1024);
  t.is(out[16 * 1024 * 5], 0x61 + 5);
  client.close();
});

test('WebSocket base64.channel.k8s.io: text frames with a channel digit; v1 writes only failures on the error channel', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { up, client } = await ws(f.port, '/exec/default/p/c?command=fail&command=2&stdout=true', 'base64.channel.k8s.io');
  t.is(up.headers['sec-websocket-protocol'], 'base64.channel.k8s.io');
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  const texts = client.events.flatMap((e) => (e.kind === 'message' && !e.binary ? [e.data.toString()] : []));
  t.deepEqual(texts, [`1${Buffer.from('partial\n').toString('base64')}`, `3${Buffer.from('command terminated with non-zero exit code: error executing command [fail 2], exit code 2').toString('base64')}`]);
  client.close();
});

test('WebSocket with a tty: resize messages reach the runtime', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { client } = await ws(f.port, '/exec/default/p/c?command=resize&command=2&stdin=true&stdout=true&tty=true', 'v5.channel.k8s.io');
  client.binary([4, ...Buffer.from('{"Width":80,"Height":24}')]);
  client.binary([4, ...Buffer.from('{"Width":120,"Height":50}')]);
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  t.deepEqual(f.runtime.resizes, [
    { width: 80, height: 24 },
    { width: 120, height: 50 },
  ]);
  t.is(client.channel(1).toString(), 'resized 2\n');
  client.close();
});

const wsRefusals: { name: string; path: string; headers?: [string, string][]; method?: string; status: number; message: RegExp }[] = [
  { name: 'unsupported subprotocol', path: '/exec/default/p/c?command=ls&stdout=1', headers: WS_HEADERS('v9.channel.k8s.io'), status: 400, message: /requested protocol\(s\) are not supported/ },
  { name: 'missing key', path: '/exec/default/p/c?command=ls&stdout=1', headers: WS_HEADERS('v5.channel.k8s.io').filter(([k]) => k !== 'Sec-WebSocket-Key'), status: 400, message: /Sec-WebSocket-Key/ },
  { name: 'POST', path: '/exec/default/p/c?command=ls&stdout=1', method: 'POST', status: 405, message: /requires GET/ },
  { name: 'unknown pod', path: '/exec/default/zz/c?command=ls&stdout=1', status: 404, message: /pod does not exist/ },
  { name: 'a container that is not running', path: '/exec/default/p/stopped?command=ls&stdout=1', status: 404, message: /container not found \("stopped"\)/ },
  { name: 'no command', path: '/exec/default/p/c?stdout=1', status: 400, message: /at least one command/ },
  { name: 'a pod UID that does not match', path: '/exec/default/p/other-uid/c?command=ls&stdout=1', status: 404, message: /pod does not exist/ },
  { name: 'attach without an attacher', path: '/attach/default/p/c?stdout=1', status: 501, message: /attach is not supported/ },
];
for (const c of wsRefusals) {
  test(`WebSocket refused before the upgrade: ${c.name}`, async (t) => {
    const f = await startFakeServer();
    t.teardown(() => f.server.close());
    const up = await rawUpgrade(f.port, c.method ?? 'GET', c.path, c.headers ?? WS_HEADERS('v5.channel.k8s.io'));
    t.is(up.status, c.status);
    let body = up.rest.toString();
    up.socket.on('data', (b: Buffer) => (body += b.toString()));
    await new Promise((r) => up.socket.once('end', r).resume());
    t.regex(JSON.parse(body).message, c.message);
  });
}

test('WebSocket: a runtime failure is an InternalError Status', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { client } = await ws(f.port, '/exec/default/p/c?command=nope&stdout=true', 'v5.channel.k8s.io');
  await client.until((c) => c.closeEvent() !== undefined, 'the close frame');
  t.like(JSON.parse(client.channel(3).toString()), { status: 'Failure', reason: 'InternalError', code: 500, message: 'Internal error occurred: error executing command in container: exec: "nope": executable file not found in $PATH' });
  client.close();
});

async function spdy(port: number, path: string, ...protocols: string[]) {
  const up = await rawUpgrade(port, 'POST', path, SPDY_HEADERS(...protocols));
  return { up, client: new SpdyTestClient(up.socket, up.rest) };
}

test('SPDY v4 (kubectl 1.27): negotiates the client\'s first, waits for all streams, Status on the error stream, FIN everywhere', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { up, client } = await spdy(f.port, '/exec/default/p/c?command=cat&stdin=true&stdout=true&stderr=true', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io');
  t.is(up.status, 101);
  t.is(up.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  t.is(up.headers.upgrade, 'SPDY/3.1');
  // kubectl opens each stream after the previous one was replied to.
  const types = ['error', 'stdin', 'stdout', 'stderr'];
  for (let i = 0; i < types.length; i++) {
    client.open(1 + 2 * i, { streamtype: types[i] });
    await client.until((c) => c.stream(1 + 2 * i).replied, `the reply to ${types[i]}`);
  }
  client.data(3, 'hello ');
  client.data(3, 'spdy', true);
  // Our half of every stream is closed, stdin's included.
  await client.until((c) => [1, 3, 5, 7].every((id) => c.stream(id).fin), 'FIN on all four streams');
  t.is(client.stream(5).data.toString(), 'hello spdy');
  t.is(client.stream(1).data.toString(), SUCCESS);
  client.socket.destroy();
});

test('SPDY v2: the error stream carries only a failure\'s message; exit codes above 0 are not a transport error', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const { up, client } = await spdy(f.port, '/exec/default/p/c?command=fail&command=4&stdout=true', 'v2.channel.k8s.io');
  t.is(up.headers['x-stream-protocol-version'], 'v2.channel.k8s.io');
  client.open(1, { streamtype: 'error' });
  client.open(3, { streamtype: 'stdout' });
  await client.until((c) => c.stream(1).fin && c.stream(3).fin, 'FIN on both');
  t.is(client.stream(1).data.toString(), 'command terminated with non-zero exit code: error executing command [fail 4], exit code 4');
  t.is(client.stream(3).data.toString(), 'partial\n');
  client.socket.destroy();
});

test('SPDY: no common protocol is a 403 naming what the server accepts; none offered is a 400', async (t) => {
  const f = await startFakeServer();
  t.teardown(() => f.server.close());
  const bad = await rawUpgrade(f.port, 'POST', '/exec/default/p/c?command=ls&stdout=1', SPDY_HEADERS('v9.channel.k8s.io'));
  t.is(bad.status, 403);
  t.is(bad.headers['x-accepted-stream-protocol-versions'], 'v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io');
  bad.socket.destroy();
  const none = await rawUpgrade(f.port, 'POST', '/exec/default/p/c?command=ls&stdout=1', SPDY_HEADERS());
  t.is(none.status, 400);
  none.socket.destroy();
});

test('SPDY: a client that never opens its streams is dropped after the creation timeout', async (t) => {
  const f = await startFakeServer({ streamCreationTimeoutMs: 100 });
  t.teardown(() => f.server.close());
  const { client } = await spdy(f.port, '/exec/default/p/c?command=ls&stdout=true', 'v4.channel.k8s.io');
  client.open(1, { streamtype: 'error' });
  await client.until((c) => c.ended, 'the connection to be dropped');
  t.pass();
});

/** A TCP echo server standing in for the pod's port (upper-cases what it gets, then closes). */
async function upperServer(): Promise<{ port: number; close: () => void }> {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    let got = '';
    s.on('data', (b: Buffer) => (got += b.toString()));
    s.on('end', () => s.end(got.toUpperCase()));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, close: () => srv.close() };
}

test('port-forward over SPDY: error+data pairs by requestID, data both ways, half-closes, an empty error stream', async (t) => {
  const pod = await upperServer();
  t.teardown(pod.close);
  const dialer = hostDialer({ 80: pod.port });
  const f = await startFakeServer({ dialer });
  t.teardown(() => f.server.close());
  const { up, client } = await spdy(f.port, '/portForward/default/p', 'portforward.k8s.io');
  t.is(up.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  for (const [i, req] of ['0', '1'].entries()) {
    const errId = 1 + 4 * i;
    const dataId = errId + 2;
    client.open(errId, { streamtype: 'error', port: '80', requestid: req });
    client.data(errId, '', true); // kubectl half-closes the error stream at once
    client.open(dataId, { streamtype: 'data', port: '80', requestid: req });
    client.data(dataId, `hello ${req}`, true);
    await client.until((c) => c.stream(dataId).fin && c.stream(errId).fin, `the answer to request ${req}`);
    t.is(client.stream(dataId).data.toString(), `HELLO ${req}`);
    t.is(client.stream(errId).data.length, 0);
  }
  t.deepEqual(dialer.calls, [
    { netns: '/fake/netns', port: 80 },
    { netns: '/fake/netns', port: 80 },
  ]);
  client.socket.destroy();
});

test('port-forward over SPDY: a refused port is reported on the error stream; bad headers reset the stream', async (t) => {
  const f = await startFakeServer({ dialer: hostDialer({}) });
  t.teardown(() => f.server.close());
  const { client } = await spdy(f.port, '/portForward/default/p', 'portforward.k8s.io');
  client.open(1, { streamtype: 'error', port: '81', requestid: '0' });
  client.open(3, { streamtype: 'data', port: '81', requestid: '0' });
  await client.until((c) => c.stream(1).fin, 'the error stream to end');
  t.is(client.stream(1).data.toString(), 'error forwarding port 81 to pod p, uid uid-p: connect ECONNREFUSED 127.0.0.1:81');
  client.open(5, { streamtype: 'data', requestid: '1' });
  client.open(7, { streamtype: 'data', port: 'x', requestid: '2' });
  await client.until((c) => c.stream(5).reset !== undefined && c.stream(7).reset !== undefined, 'two resets');
  t.is(client.stream(5).reset, RST.refusedStream);
  client.socket.destroy();
});

test('port-forward tunnelled in WebSocket (kubectl 1.31+): SPDY/3.1+portforward.k8s.io echoed, SPDY frames in binary messages', async (t) => {
  const pod = await upperServer();
  t.teardown(pod.close);
  const f = await startFakeServer({ dialer: hostDialer({ 80: pod.port }) });
  t.teardown(() => f.server.close());
  const up = await rawUpgrade(f.port, 'GET', '/portForward/default/p', WS_HEADERS('SPDY/3.1+portforward.k8s.io'));
  t.is(up.status, 101);
  t.is(up.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
  const ws = new WsTestClient(up.socket, up.rest);
  // Run a SPDY client whose bytes go through WebSocket binary messages, split at odd places.
  const spdyOut = new net.Socket();
  const frames = new SpdyTestClient(spdyOut, Buffer.alloc(0));
  spdyOut.write = ((b: Buffer) => {
    for (let i = 0; i < b.length; i += 7) ws.binary(b.subarray(i, i + 7));
    return true;
  }) as typeof spdyOut.write;
  let fed = 0;
  const pump = setInterval(() => {
    const msgs = ws.events.filter((e) => e.kind === 'message');
    for (; fed < msgs.length; fed++) {
      const m = msgs[fed];
      if (m.kind === 'message') spdyOut.emit('data', m.data);
    }
  }, 5);
  t.teardown(() => clearInterval(pump));
  frames.open(1, { streamtype: 'error', port: '80', requestid: '0' });
  frames.open(3, { streamtype: 'data', port: '80', requestid: '0' });
  frames.data(3, 'tunnel', true);
  await frames.until((c) => c.stream(3).fin && c.stream(1).fin, 'the forwarded answer');
  t.is(frames.stream(3).data.toString(), 'TUNNEL');
  ws.close();
  await ws.until((c) => c.ended, 'the end of the connection');
});

test('port-forward refusals: unknown pod, and WebSocket without the tunnel protocol', async (t) => {
  const f = await startFakeServer({ dialer: hostDialer({}) });
  t.teardown(() => f.server.close());
  const a = await rawUpgrade(f.port, 'POST', '/portForward/default/zz', SPDY_HEADERS('portforward.k8s.io'));
  t.is(a.status, 404);
  a.socket.destroy();
  const b = await rawUpgrade(f.port, 'GET', '/portForward/default/p', WS_HEADERS('v4.channel.k8s.io'));
  t.is(b.status, 400);
  b.socket.destroy();
});
