// SPDY/3.1 framing and header compression on byte fixtures — one captured
// from the real kubectl 1.27 — and the session on a socket.
import test from 'ava';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../../../agent/kubelet/server/spdy/dictionary.js';
import { FrameReader, GOAWAY, RST, SpdyProtocolError, encodeFrame, type SpdyFrame } from '../../../../agent/kubelet/server/spdy/frames.js';
import { HeaderCompressor, HeaderDecompressor, adler32, decodeHeaderBlock, encodeHeaderBlock, type SpdyHeaders } from '../../../../agent/kubelet/server/spdy/headers.js';
import { SpdySession, type SpdyStream } from '../../../../agent/kubelet/server/spdy/session.js';
import { SpdyTestClient } from './clients.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** The first frame kubectl 1.27.16 sent after the 101 of `kubectl exec` (captured on this machine). */
const KUBECTL_127_SYN_STREAM = hex('80030001 00000029 00000001 00000000 0000 78f9e3c6a7c26260606004a7b392a2d4c45c6851c29a0a0a6800000000ffff');

test('dictionary: 1423 bytes with the Adler-32 kubectl puts in its zlib header', (t) => {
  t.is(SPDY3_DICTIONARY.length, 1423);
  t.is(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
  t.deepEqual(KUBECTL_127_SYN_STREAM.subarray(20, 24), hex('e3c6a7c2'));
  t.is(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  t.true(SPDY3_DICTIONARY.toString('latin1').endsWith('enq=0.'));
});

test('kubectl 1.27 fixture: SYN_STREAM for the error stream', async (t) => {
  const r = new FrameReader();
  r.push(KUBECTL_127_SYN_STREAM);
  const f = r.next();
  t.like(f, { type: 'synStream', streamId: 1, associatedTo: 0, priority: 0, slot: 0, fin: false, unidirectional: false });
  if (f?.type !== 'synStream') return t.fail();
  t.deepEqual(decodeHeaderBlock(await new HeaderDecompressor().inflate(f.headerBlock)), { streamtype: ['error'] });
  t.is(r.next(), undefined);
});

const frameCases: { name: string; frame: SpdyFrame; bytes: string }[] = [
  { name: 'DATA with FIN', frame: { type: 'data', streamId: 1, fin: true, data: Buffer.from('hi') }, bytes: '00000001 01000002 6869' },
  { name: 'empty DATA without FIN', frame: { type: 'data', streamId: 7, fin: false, data: Buffer.alloc(0) }, bytes: '00000007 00000000' },
  { name: 'SYN_REPLY', frame: { type: 'synReply', streamId: 1, fin: false, headerBlock: hex('abcd') }, bytes: '8003 0002 00000006 00000001 abcd' },
  { name: 'RST_STREAM CANCEL', frame: { type: 'rstStream', streamId: 3, status: RST.cancel }, bytes: '8003 0003 00000008 00000003 00000005' },
  { name: 'SETTINGS', frame: { type: 'settings', clear: false, entries: [{ flags: 1, id: 4, value: 100 }] }, bytes: '8003 0004 0000000c 00000001 01000004 00000064' },
  { name: 'PING', frame: { type: 'ping', id: 1 }, bytes: '8003 0006 00000004 00000001' },
  { name: 'GOAWAY', frame: { type: 'goAway', lastGoodStreamId: 5, status: GOAWAY.ok }, bytes: '8003 0007 00000008 00000005 00000000' },
  { name: 'HEADERS with FIN', frame: { type: 'headers', streamId: 9, fin: true, headerBlock: hex('00') }, bytes: '8003 0008 01000005 00000009 00' },
  { name: 'WINDOW_UPDATE', frame: { type: 'windowUpdate', streamId: 1, delta: 65536 }, bytes: '8003 0009 00000008 00000001 00010000' },
  {
    name: 'SYN_STREAM unidirectional, priority 3',
    frame: { type: 'synStream', streamId: 3, associatedTo: 1, priority: 3, slot: 0, fin: false, unidirectional: true, headerBlock: hex('ff') },
    bytes: '8003 0001 0200000b 00000003 00000001 6000 ff',
  },
];
for (const c of frameCases) {
  test(`frame: ${c.name} encodes to its bytes and back, whole and byte by byte`, (t) => {
    t.deepEqual(encodeFrame(c.frame), hex(c.bytes));
    for (const step of [1000, 1]) {
      const r = new FrameReader();
      const got: SpdyFrame[] = [];
      const b = hex(c.bytes);
      for (let i = 0; i < b.length; i += step) {
        r.push(b.subarray(i, i + step));
        for (let f = r.next(); f; f = r.next()) got.push(f);
      }
      t.deepEqual(got, [c.frame]);
    }
  });
}

test('frame: an unknown control type is passed on, to be ignored', (t) => {
  const r = new FrameReader();
  r.push(hex('8003 000a 00000002 0102'));
  t.deepEqual(r.next(), { type: 'unknown', frameType: 10, flags: 0, payload: hex('0102') });
});

const badFrames: { name: string; bytes: string }[] = [
  { name: 'SPDY/2 control frame', bytes: '8002 0006 00000004 00000001' },
  { name: 'DATA on stream 0', bytes: '00000000 00000001 00' },
  { name: 'PING of 3 bytes', bytes: '8003 0006 00000003 000001' },
  { name: 'SETTINGS with a wrong count', bytes: '8003 0004 00000004 00000002' },
  { name: 'SYN_STREAM shorter than its fixed part', bytes: '8003 0001 00000004 00000001' },
];
for (const c of badFrames) {
  test(`frame refused: ${c.name}`, (t) => {
    const r = new FrameReader();
    r.push(hex(c.bytes));
    t.throws(() => r.next(), { instanceOf: SpdyProtocolError });
  });
}

test('frame: a frame over the size limit is refused before it is buffered', (t) => {
  const r = new FrameReader(1024);
  r.push(hex('00000001 00000401'));
  t.throws(() => r.next(), { instanceOf: SpdyProtocolError });
});

test('header block: pairs with lengths; several values joined by NUL', (t) => {
  const b = encodeHeaderBlock({ streamtype: ['error'], port: ['8080'] });
  t.deepEqual(b, hex('00000002 0000000a 73747265616d74797065 00000005 6572726f72 00000004 706f7274 00000004 38303830'));
  t.deepEqual(decodeHeaderBlock(b), { streamtype: ['error'], port: ['8080'] });
  t.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ a: ['1', '2'] })), { a: ['1', '2'] });
  t.deepEqual(decodeHeaderBlock(hex('00000001 00000002 4142 00000001 78')), { ab: ['x'] }, 'names are lowercased');
  t.throws(() => decodeHeaderBlock(hex('00000001 00000009 4142')), { instanceOf: SpdyProtocolError });
});

test('compressor: one zlib stream of stored blocks, each ended like a sync flush', (t) => {
  const c = new HeaderCompressor();
  const first = c.compress(encodeHeaderBlock({}));
  // zlib header with FDICT and the dictionary id; stored block of 4 bytes; empty stored block.
  t.deepEqual(first, hex('7820 e3c6a7c2  00 0400 fbff 00000000  00 0000 ffff'));
  const second = c.compress(encodeHeaderBlock({ streamtype: ['data'] }));
  t.is(second[0], 0x00, 'no second zlib header');
  const out = inflateSync(Buffer.concat([first, second]), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
  t.deepEqual(out, Buffer.concat([encodeHeaderBlock({}), encodeHeaderBlock({ streamtype: ['data'] })]));
  const big = Buffer.alloc(70_000, 0x61);
  const c2 = new HeaderCompressor();
  t.deepEqual(inflateSync(c2.compress(big), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH }), big, 'blocks over 64 KiB are split');
});

test('decompressor: blocks of one sync-flushed zlib stream (as Go writes them), in order', async (t) => {
  const z = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (b: Buffer) => chunks.push(b));
  const blocks: SpdyHeaders[] = [{ streamtype: ['error'] }, { streamtype: ['stdout'] }, { streamtype: ['data'], port: ['80'], requestid: ['0'] }];
  const compressed: Buffer[] = [];
  for (const h of blocks) {
    z.write(encodeHeaderBlock(h));
    await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
    await new Promise((r) => setImmediate(r));
    compressed.push(Buffer.concat(chunks.splice(0)));
  }
  const d = new HeaderDecompressor();
  const got = await Promise.all(compressed.map((b) => d.inflate(b)));
  t.deepEqual(got.map(decodeHeaderBlock), blocks);
});

test('decompressor: a wrong dictionary is a protocol error', async (t) => {
  const d = new HeaderDecompressor();
  await t.throwsAsync(d.inflate(hex('78f9 00000001 0000ffff')), { instanceOf: SpdyProtocolError });
});

/** A server-side session on one end of a TCP pair and a raw test client on the other. */
async function sessionPair(onStream: (s: SpdyStream) => boolean | void): Promise<{ session: SpdySession; client: SpdyTestClient; stop: () => void }> {
  let session!: SpdySession;
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    session = new SpdySession(s, Buffer.alloc(0), { onStream });
    session.start();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const sock = net.connect((srv.address() as AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', r));
  while (!session) await new Promise((r) => setTimeout(r, 5));
  return { session, client: new SpdyTestClient(sock, Buffer.alloc(0)), stop: () => (sock.destroy(), srv.close()) };
}

test('session: replies to each stream, carries data both ways, FIN ends each half', async (t) => {
  const streams: SpdyStream[] = [];
  const p = await sessionPair((s) => void streams.push(s));
  t.teardown(p.stop);
  p.client.open(1, { streamtype: 'stdin' });
  p.client.open(3, { streamtype: 'stdout' });
  await p.client.until((c) => c.stream(1).replied && c.stream(3).replied, 'two replies');
  t.deepEqual(p.client.frames.find((f) => f.type === 'synReply')?.headers, {});
  t.is(streams.map((s) => s.header('streamtype')).join(), 'stdin,stdout');
  const got: Buffer[] = [];
  streams[0].on('data', (b: Buffer) => got.push(b));
  const ended = new Promise<void>((r) => streams[0].on('end', r));
  p.client.data(1, 'abc');
  p.client.data(1, 'def', true);
  await ended;
  t.is(Buffer.concat(got).toString(), 'abcdef');
  streams[1].end(Buffer.alloc(100_000, 0x7a));
  await p.client.until((c) => c.stream(3).fin, 'FIN on stdout');
  t.is(p.client.stream(3).data.length, 100_000);
  t.true(p.client.frames.filter((f) => f.type === 'data' && f.streamId === 3).length > 1, 'large writes are split into several DATA frames');
});

test('session: echoes the client\'s pings (odd ids) only', async (t) => {
  const p = await sessionPair(() => undefined);
  t.teardown(p.stop);
  p.client.send({ type: 'ping', id: 2 });
  p.client.send({ type: 'ping', id: 5 });
  await p.client.until((c) => c.frames.some((f) => f.type === 'ping'), 'a ping');
  t.deepEqual(p.client.frames.filter((f) => f.type === 'ping'), [{ type: 'ping', id: 5 }]);
});

test('session: refused streams, reused ids and data for unknown streams are reset', async (t) => {
  const p = await sessionPair((s) => s.header('streamtype') !== 'bogus');
  t.teardown(p.stop);
  p.client.open(1, { streamtype: 'bogus' });
  p.client.open(3, { streamtype: 'ok' });
  p.client.open(3, { streamtype: 'again' });
  p.client.data(9, 'x');
  await p.client.until((c) => c.frames.filter((f) => f.type === 'rstStream').length === 3, 'three resets');
  t.is(p.client.stream(1).reset, RST.refusedStream);
  t.is(p.client.frames.find((f) => f.type === 'rstStream' && f.streamId === 3)?.type === 'rstStream' ? RST.protocolError : -1, RST.protocolError);
  t.is(p.client.stream(9).reset, RST.invalidStream);
  t.true(p.client.stream(3).replied);
});

test('session: the client resetting a stream destroys it; a bad frame ends the session with GOAWAY', async (t) => {
  const streams: SpdyStream[] = [];
  const p = await sessionPair((s) => void streams.push(s));
  t.teardown(p.stop);
  p.client.open(1, { streamtype: 'data' });
  await p.client.until((c) => c.stream(1).replied, 'reply');
  const closed = new Promise<void>((r) => streams[0].on('close', r));
  streams[0].on('error', () => undefined);
  p.client.send({ type: 'rstStream', streamId: 1, status: RST.cancel });
  await closed;
  t.true(streams[0].destroyed);
  p.client.socket.write(hex('8002 0006 00000004 00000001'));
  await p.client.until((c) => c.frames.some((f) => f.type === 'goAway'), 'GOAWAY');
  t.like(p.client.frames.find((f) => f.type === 'goAway'), { lastGoodStreamId: 1, status: GOAWAY.protocolError });
  await p.session.closed;
  t.pass();
});
