/**
 * The request handler without sockets: malformed and unusual requests get
 * the RFC's answer, EDNS0 sizes are honoured, large UDP answers truncate.
 */
import test from 'ava';
import type { Endpoints, Service } from '../../../../controlplane/api/core/v1/types.js';
import { Indexer, keyOf } from '../../../../controlplane/client/indexer.js';
import { createLogger, defaultLogOptions } from '../../../../controlplane/machinery/log/index.js';
import { DnsMetrics } from '../../../../controlplane/addons/dns/metrics.js';
import { endpointsIndexers, serviceIndexers } from '../../../../controlplane/addons/dns/records/state.js';
import { DnsHandler, type Transport } from '../../../../controlplane/addons/dns/server/handler.js';
import { decodeMessage } from '../../../../controlplane/addons/dns/wire/decode.js';
import { encodeMessage } from '../../../../controlplane/addons/dns/wire/encode.js';
import { optRecord, RRClass, RRType, type Message, type ResourceRecord } from '../../../../controlplane/addons/dns/wire/types.js';

function handler(): DnsHandler {
  const services = new Indexer<Service>(serviceIndexers);
  const endpoints = new Indexer<Endpoints>(endpointsIndexers);
  const big: Service = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None' } };
  services.set(keyOf(big), big);
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: 'default', name: 'big' },
    subsets: [{ addresses: Array.from({ length: 100 }, (_, i) => ({ ip: `10.9.0.${i + 1}` })) }],
  };
  endpoints.set(keyOf(ep), ep);
  return new DnsHandler({
    state: { services, endpoints },
    zone: { domain: 'cluster.local.', ttl: 30, serial: 1 },
    metrics: new DnsMetrics(),
    upstreams: () => [],
    dynamic: () => ({ stubDomains: new Map(), upstreamNameservers: [] }),
    forwardTimeoutMs: 100,
    log: createLogger(defaultLogOptions('kube-dns'), { stderr: { write: () => true } }),
  });
}

function query(name: string, type: number, opts: { opcode?: number; additional?: ResourceRecord[]; questions?: number } = {}): Buffer {
  const m: Message = {
    header: { id: 77, qr: false, opcode: opts.opcode ?? 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 },
    questions: Array.from({ length: opts.questions ?? 1 }, () => ({ name, type, class: RRClass.IN })),
    answers: [],
    authority: [],
    additional: opts.additional ?? [],
  };
  return encodeMessage(m);
}

async function ask(h: DnsHandler, q: Buffer, proto: Transport = 'udp'): Promise<{ bytes: Buffer; m: Message } | undefined> {
  const out = await h.handle(q, proto);
  return out ? { bytes: out, m: decodeMessage(out) } : undefined;
}

const BIG = 'big.default.svc.cluster.local.';

test('handler: 100 headless A records over UDP without EDNS: TC, within 512 bytes', async (t) => {
  const r = await ask(handler(), query(BIG, RRType.A));
  if (!r) return t.fail();
  t.true(r.bytes.length <= 512);
  t.true(r.m.header.tc);
  t.true(r.m.header.aa);
  t.is(r.m.header.id, 77);
});

test('handler: the same over TCP: all 100, no TC', async (t) => {
  const r = await ask(handler(), query(BIG, RRType.A), 'tcp');
  t.false(r?.m.header.tc);
  t.is(r?.m.answers.length, 100);
});

test('handler: with EDNS0 4096 over UDP: all 100, an OPT in the answer', async (t) => {
  const r = await ask(handler(), query(BIG, RRType.A, { additional: [optRecord(4096)] }));
  t.false(r?.m.header.tc);
  t.is(r?.m.answers.length, 100);
  t.is(r?.m.additional.find((a) => a.type === RRType.OPT)?.class, 4096);
});

test('handler: EDNS0 size below 512 is treated as 512', async (t) => {
  const r = await ask(handler(), query(BIG, RRType.A, { additional: [optRecord(100)] }));
  if (!r) return t.fail();
  t.true(r.m.header.tc);
  t.true(r.bytes.length > 400 && r.bytes.length <= 512);
});

const odd: { name: string; q: () => Buffer; rcode?: number; dropped?: true; extended?: number }[] = [
  { name: 'shorter than a header: dropped', q: () => Buffer.from([1, 2, 3]), dropped: true },
  { name: 'a response: dropped', q: () => { const b = query(BIG, RRType.A); b[2] |= 0x80; return b; }, dropped: true },
  { name: 'a broken question: FORMERR', q: () => Buffer.concat([query(BIG, RRType.A).subarray(0, 20)]), rcode: 1 },
  { name: 'two questions: FORMERR', q: () => query(BIG, RRType.A, { questions: 2 }), rcode: 1 },
  { name: 'opcode STATUS: NOTIMP', q: () => query(BIG, RRType.A, { opcode: 2 }), rcode: 4 },
  { name: 'EDNS version 1: BADVERS', q: () => query(BIG, RRType.A, { additional: [{ ...optRecord(4096), ttl: 1 << 16 }] }), rcode: 0, extended: 1 },
  { name: 'a name outside the zone with no upstream: SERVFAIL', q: () => query('example.com.', RRType.A), rcode: 2 },
];
for (const c of odd) {
  test(`handler: ${c.name}`, async (t) => {
    const r = await ask(handler(), c.q());
    if (c.dropped) return t.is(r, undefined);
    if (!r) return t.fail('no answer');
    t.is(r.m.header.rcode, c.rcode ?? -1);
    t.is(r.m.header.id, 77);
    if (c.extended !== undefined) t.is(r.m.additional.find((a) => a.type === RRType.OPT)!.ttl >>> 24, c.extended);
  });
}
