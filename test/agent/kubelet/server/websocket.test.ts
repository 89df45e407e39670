// RFC 6455 framing on byte fixtures (most from the RFC's own §5.7 examples),
// the handshake key, message assembly, and the closing handshake on a socket.
import test from 'ava';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { CLOSE, FrameDecoder, MessageAssembler, OPCODE, WsProtocolError, closePayload, encodeFrame, encodeHeader, type WsEvent, type WsFrame } from '../../../../agent/kubelet/server/websocket/frame.js';
import { wsAcceptKey, negotiateSubprotocol } from '../../../../agent/kubelet/server/websocket/handshake.js';
import { WebSocketConn } from '../../../../agent/kubelet/server/websocket/conn.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KEY = hex('37fa213d');

function decodeAll(bytes: Buffer, requireMask: boolean, chunk = bytes.length): WsFrame[] {
  const d = new FrameDecoder({ requireMask, maxPayload: 1 << 20 });
  const out: WsFrame[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    d.push(bytes.subarray(i, i + chunk));
    for (let f = d.next(); f; f = d.next()) out.push(f);
  }
  return out;
}

function events(frames: WsFrame[]): WsEvent[] {
  const a = new MessageAssembler(1 << 20);
  return frames.map((f) => a.push(f)).filter((e): e is WsEvent => e !== undefined);
}

test('accept key of the RFC 6455 §1.3 example', (t) => {
  t.is(wsAcceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('subprotocol: the first the client offers that the server supports', (t) => {
  t.is(negotiateSubprotocol(['v5.channel.k8s.io'], ['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v5.channel.k8s.io');
  t.is(negotiateSubprotocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'], ['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v4.channel.k8s.io');
  t.is(negotiateSubprotocol(['x'], ['v5.channel.k8s.io']), undefined);
});

const encodeCases: { name: string; bytes: string; frame: () => Buffer }[] = [
  { name: 'unmasked text "Hello" (§5.7)', bytes: '81 05 48656c6c6f', frame: () => encodeFrame(OPCODE.text, Buffer.from('Hello')) },
  { name: 'masked text "Hello" (§5.7)', bytes: '81 85 37fa213d 7f9f4d5158', frame: () => encodeFrame(OPCODE.text, Buffer.from('Hello'), { maskKey: KEY }) },
  { name: 'first fragment "Hel" (§5.7)', bytes: '01 03 48656c', frame: () => encodeFrame(OPCODE.text, Buffer.from('Hel'), { fin: false }) },
  { name: 'last fragment "lo" (§5.7)', bytes: '80 02 6c6f', frame: () => encodeFrame(OPCODE.continuation, Buffer.from('lo')) },
  { name: 'unmasked ping "Hello" (§5.7)', bytes: '89 05 48656c6c6f', frame: () => encodeFrame(OPCODE.ping, Buffer.from('Hello')) },
  { name: 'masked pong "Hello" (§5.7)', bytes: '8a 85 37fa213d 7f9f4d5158', frame: () => encodeFrame(OPCODE.pong, Buffer.from('Hello'), { maskKey: KEY }) },
  { name: 'channel message [1, "ok"]', bytes: '82 03 01 6f6b', frame: () => encodeFrame(OPCODE.binary, Buffer.from([1, 0x6f, 0x6b])) },
  { name: 'close 1000 "bye"', bytes: '88 05 03e8 627965', frame: () => encodeFrame(OPCODE.close, closePayload(CLOSE.normal, 'bye')) },
];
for (const c of encodeCases) test(`encode: ${c.name}`, (t) => t.deepEqual(c.frame(), hex(c.bytes)));

test('encode: 16- and 64-bit lengths (§5.7: 256 bytes and 64 KiB)', (t) => {
  t.deepEqual(encodeFrame(OPCODE.binary, Buffer.alloc(256)).subarray(0, 4), hex('82 7e 0100'));
  t.deepEqual(encodeFrame(OPCODE.binary, Buffer.alloc(65536)).subarray(0, 10), hex('82 7f 0000000000010000'));
  t.deepEqual(encodeHeader(OPCODE.binary, 125), hex('82 7d'));
  t.deepEqual(encodeHeader(OPCODE.binary, 126), hex('82 7e 007e'));
  t.deepEqual(encodeHeader(OPCODE.binary, 65535), hex('82 7e ffff'));
  t.deepEqual(encodeHeader(OPCODE.binary, 65536), hex('82 7f 0000000000010000'));
});

test('decode: a masked client frame, fed whole and byte by byte', (t) => {
  for (const chunk of [11, 1]) {
    const [f] = decodeAll(hex('81 85 37fa213d 7f9f4d5158'), true, chunk);
    t.is(f.opcode, OPCODE.text);
    t.true(f.fin && f.masked);
    t.is(f.payload.toString(), 'Hello');
  }
});

test('decode: large masked frames round-trip', (t) => {
  for (const n of [0, 125, 126, 65535, 65536, 200_000]) {
    const data = Buffer.alloc(n, 0).map((_, i) => i % 251);
    const [f] = decodeAll(encodeFrame(OPCODE.binary, Buffer.from(data), { maskKey: KEY }), true, 7000);
    t.deepEqual(f.payload, Buffer.from(data), `length ${n}`);
  }
});

const badFrames: { name: string; bytes: string; code: number; requireMask?: boolean }[] = [
  { name: 'unmasked frame from a client', bytes: '81 05 48656c6c6f', code: CLOSE.protocolError },
  { name: 'reserved bit set', bytes: 'c1 80 00000000', code: CLOSE.protocolError },
  { name: 'unknown opcode 3', bytes: '83 80 00000000', code: CLOSE.protocolError },
  { name: 'fragmented ping', bytes: '09 80 00000000', code: CLOSE.protocolError },
  { name: 'ping over 125 bytes', bytes: '89 fe 007e 00000000', code: CLOSE.protocolError },
  { name: 'frame over the size limit', bytes: '82 ff 0000000100000000 00000000', code: CLOSE.tooBig },
];
for (const c of badFrames) {
  test(`decode refuses: ${c.name}`, (t) => {
    const e = t.throws(() => decodeAll(hex(c.bytes), c.requireMask ?? true), { instanceOf: WsProtocolError });
    t.is(e?.code, c.code);
  });
}

test('assemble: fragments joined, a ping between them delivered first (§5.4)', (t) => {
  const bytes = Buffer.concat([hex('01 03 48656c'), hex('89 02 6869'), hex('80 02 6c6f')]);
  t.deepEqual(events(decodeAll(bytes, false)), [
    { kind: 'ping', data: Buffer.from('hi') },
    { kind: 'message', binary: false, data: Buffer.from('Hello') },
  ]);
});

test('assemble: close frames parse code and reason; an empty one is 1005', (t) => {
  t.deepEqual(events(decodeAll(hex('88 05 03e8 627965'), false)), [{ kind: 'close', code: 1000, reason: 'bye' }]);
  t.deepEqual(events(decodeAll(hex('88 00'), false)), [{ kind: 'close', code: CLOSE.noStatus, reason: '' }]);
});

const badMessages: { name: string; bytes: string; code: number }[] = [
  { name: 'continuation without a message', bytes: '80 02 6c6f', code: CLOSE.protocolError },
  { name: 'new message inside a fragmented one', bytes: '01 01 48 81 01 48', code: CLOSE.protocolError },
  { name: 'text that is not UTF-8', bytes: '81 02 c328', code: CLOSE.invalidPayload },
  { name: 'close with a 1-byte payload', bytes: '88 01 03', code: CLOSE.protocolError },
  { name: 'close code 1005 on the wire', bytes: '88 02 03ed', code: CLOSE.protocolError },
];
for (const c of badMessages) {
  test(`assemble refuses: ${c.name}`, (t) => {
    const e = t.throws(() => events(decodeAll(hex(c.bytes), false)), { instanceOf: WsProtocolError });
    t.is(e?.code, c.code);
  });
}

test('assemble: a message over the limit is refused with 1009', (t) => {
  const a = new MessageAssembler(4);
  a.push({ fin: false, opcode: OPCODE.binary, masked: true, payload: Buffer.alloc(3) });
  const e = t.throws(() => a.push({ fin: true, opcode: OPCODE.continuation, masked: true, payload: Buffer.alloc(3) }), { instanceOf: WsProtocolError });
  t.is(e?.code, CLOSE.tooBig);
});

/** A connected socket pair: the server end wrapped in a WebSocketConn, the client end raw. */
async function pair(): Promise<{ conn: WebSocketConn; client: net.Socket; received: () => WsFrame[]; close: () => void }> {
  let serverSide!: net.Socket;
  const srv = net.createServer({ allowHalfOpen: true }, (s) => (serverSide = s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const client = net.connect((srv.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  while (!serverSide) await new Promise((r) => setTimeout(r, 5));
  const d = new FrameDecoder({ requireMask: false, maxPayload: 1 << 20 });
  const frames: WsFrame[] = [];
  client.on('data', (b: Buffer) => {
    d.push(b);
    for (let f = d.next(); f; f = d.next()) frames.push(f);
  });
  const conn = new WebSocketConn(serverSide, Buffer.alloc(0), { closeTimeoutMs: 60_000 });
  return { conn, client, received: () => frames, close: () => srv.close() };
}

async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 5));
}

test('conn: answers ping with pong, delivers messages, and echoes the client\'s close', async (t) => {
  const p = await pair();
  t.teardown(() => p.close());
  const got: Buffer[] = [];
  p.conn.start((data) => got.push(data));
  p.client.write(Buffer.concat([encodeFrame(OPCODE.ping, Buffer.from('x'), { maskKey: KEY }), encodeFrame(OPCODE.binary, Buffer.from([0, 1, 2]), { maskKey: KEY })]));
  await until(() => p.received().length === 1 && got.length === 1);
  t.deepEqual(p.received()[0], { fin: true, opcode: OPCODE.pong, masked: false, payload: Buffer.from('x') });
  t.deepEqual(got[0], Buffer.from([0, 1, 2]));
  t.true(p.conn.send([Buffer.from([1]), Buffer.from('out')]));
  p.client.write(encodeFrame(OPCODE.close, closePayload(1000, 'done'), { maskKey: KEY }));
  const closed = await p.conn.closed;
  t.deepEqual(closed, { code: 1000, reason: 'done', clean: true });
  await until(() => p.received().length === 3);
  t.deepEqual(p.received()[1].payload, Buffer.from('\x01out'));
  t.deepEqual(p.received()[2], { fin: true, opcode: OPCODE.close, masked: false, payload: closePayload(1000) });
  p.client.destroy();
});

test('conn: close() sends a close frame and completes when the client answers', async (t) => {
  const p = await pair();
  t.teardown(() => p.close());
  p.conn.start(() => undefined);
  p.conn.close(CLOSE.normal);
  await until(() => p.received().length === 1);
  t.is(p.received()[0].opcode, OPCODE.close);
  t.false(p.conn.isOpen);
  p.client.write(encodeFrame(OPCODE.close, closePayload(1000), { maskKey: KEY }));
  t.like(await p.conn.closed, { code: 1000, clean: true });
  p.client.destroy();
});

test('conn: a protocol error is answered with its close code', async (t) => {
  const p = await pair();
  t.teardown(() => p.close());
  p.conn.start(() => undefined);
  p.client.write(hex('81 05 48656c6c6f')); // unmasked
  t.like(await p.conn.closed, { code: CLOSE.protocolError, clean: false });
  await until(() => p.received().length === 1);
  t.is(p.received()[0].payload.readUInt16BE(0), CLOSE.protocolError);
  p.client.destroy();
});
