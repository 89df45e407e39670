/**
 * The DNS wire codec against byte strings written down from RFC 1035 §4.1
 * (header, question, compression pointers), RFC 2782 (SRV), RFC 3596 (AAAA)
 * and RFC 6891 (OPT): decode them, re-encode them byte for byte, and refuse
 * the malformed ones with a typed error.
 */
import test from 'ava';
import { decodeMessage } from '../../../../controlplane/addons/dns/wire/decode.js';
import { encodeMessage } from '../../../../controlplane/addons/dns/wire/encode.js';
import { addressOfReverse, canonical, isSubdomain, nameToLabels, reverseName } from '../../../../controlplane/addons/dns/wire/names.js';
import { DnsWireError, RRClass, RRType, type Message, type ResourceRecord } from '../../../../controlplane/addons/dns/wire/types.js';

/** 'example' → [7, e, x, a, m, p, l, e]. */
const label = (s: string): number[] => [s.length, ...Buffer.from(s, 'latin1')];
const hdr = (id: number, flags: number, qd: number, an: number, ns: number, ar: number): number[] => [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, ns, 0, ar];
const EXAMPLE_COM = [...label('example'), ...label('com'), 0];

interface Fixture {
  name: string;
  bytes: number[];
  check(t: import('ava').ExecutionContext, m: Message): void;
}

const fixtures: Fixture[] = [
  {
    name: 'query: example.com. IN A, RD (what `dig example.com +noedns` sends)',
    bytes: [...hdr(0x1234, 0x0100, 1, 0, 0, 0), ...EXAMPLE_COM, 0, 1, 0, 1],
    check: (t, m) => {
      t.deepEqual(m.header, { id: 0x1234, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, ad: false, cd: false, rcode: 0 });
      t.deepEqual(m.questions, [{ name: 'example.com.', type: RRType.A, class: RRClass.IN }]);
    },
  },
  {
    name: 'response: A record whose owner is a pointer to the question (0xc00c)',
    bytes: [...hdr(0x1234, 0x8180, 1, 1, 0, 0), ...EXAMPLE_COM, 0, 1, 0, 1, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34],
    check: (t, m) => {
      t.true(m.header.qr && m.header.ra && m.header.rd);
      t.deepEqual(m.answers, [{ name: 'example.com.', type: RRType.A, class: RRClass.IN, ttl: 3600, data: { kind: 'A', address: '93.184.216.34' } }]);
    },
  },
  {
    name: 'response: CNAME whose target ends in a pointer, then the A of the target',
    // www.example.com CNAME example.com (rdata = pointer to offset 16, "example.com" inside the question)
    bytes: [
      ...hdr(7, 0x8180, 1, 2, 0, 0),
      ...label('www'), ...EXAMPLE_COM, 0, 1, 0, 1,
      0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 30, 0, 2, 0xc0, 0x10,
      0xc0, 0x10, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 1,
    ],
    check: (t, m) => {
      t.deepEqual(m.answers.map((a) => [a.name, a.data]), [
        ['www.example.com.', { kind: 'CNAME', target: 'example.com.' }],
        ['example.com.', { kind: 'A', address: '10.0.0.1' }],
      ]);
    },
  },
  {
    name: 'response: SRV (target written in full, RFC 2782), AAAA, TXT, and the SOA of an NXDOMAIN-style authority',
    bytes: [
      ...hdr(9, 0x8580, 1, 3, 1, 0),
      ...label('_http'), ...label('_tcp'), ...EXAMPLE_COM, 0, 33, 0, 1,
      // SRV 10 100 80 web.example.com. — 6 + 5 (web) + 13 (example.com.) = 23 bytes of rdata... written out below
      0xc0, 0x0c, 0, 33, 0, 1, 0, 0, 0, 30, 0, 6 + 4 + 13, 0, 10, 0, 100, 0, 80, ...label('web'), ...EXAMPLE_COM,
      0xc0, 0x17, 0, 28, 0, 1, 0, 0, 0, 30, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
      0xc0, 0x17, 0, 16, 0, 1, 0, 0, 0, 30, 0, 6, 5, ...Buffer.from('1.0.1'),
      // SOA example.com. ns.example.com. hostmaster.example.com. 1 28800 7200 604800 30
      0xc0, 0x17, 0, 6, 0, 1, 0, 0, 0, 30, 0, 3 + 2 + 11 + 2 + 20,
      ...label('ns'), 0xc0, 0x17, ...label('hostmaster'), 0xc0, 0x17,
      0, 0, 0, 1, 0, 0, 0x70, 0x80, 0, 0, 0x1c, 0x20, 0, 0x09, 0x3a, 0x80, 0, 0, 0, 30,
    ],
    check: (t, m) => {
      t.true(m.header.aa);
      t.deepEqual(m.answers.map((a) => a.data), [
        { kind: 'SRV', priority: 10, weight: 100, port: 80, target: 'web.example.com.' },
        { kind: 'AAAA', address: '2001:db8::1' },
        { kind: 'TXT', texts: ['1.0.1'] },
      ]);
      t.deepEqual(m.authority[0].data, { kind: 'SOA', mname: 'ns.example.com.', rname: 'hostmaster.example.com.', serial: 1, refresh: 28800, retry: 7200, expire: 604800, minimum: 30 });
    },
  },
  {
    name: 'query with EDNS0: OPT record, UDP size 4096 (what `dig` sends by default)',
    bytes: [...hdr(0xbeef, 0x0120, 1, 0, 0, 1), ...EXAMPLE_COM, 0, 1, 0, 1, 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0],
    check: (t, m) => {
      t.true(m.header.ad);
      t.deepEqual(m.additional, [{ name: '.', type: RRType.OPT, class: 4096, ttl: 0, data: { kind: 'OPT', options: new Uint8Array(0) } }]);
    },
  },
  {
    name: 'PTR response: reverse name of 10.0.0.10',
    bytes: [
      ...hdr(1, 0x8400, 1, 1, 0, 0),
      ...label('10'), ...label('0'), ...label('0'), ...label('10'), ...label('in-addr'), ...label('arpa'), 0, 0, 12, 0, 1,
      0xc0, 0x0c, 0, 12, 0, 1, 0, 0, 0, 30, 0, 10, ...label('kube-dns'), 0,
    ],
    check: (t, m) => {
      t.deepEqual(m.answers[0].data, { kind: 'PTR', target: 'kube-dns.' });
      t.is(addressOfReverse(canonical(m.questions[0].name)), '10.0.0.10');
    },
  },
];

for (const f of fixtures) {
  test(`wire: decode ${f.name}`, (t) => f.check(t, decodeMessage(Buffer.from(f.bytes))));
  test(`wire: re-encode ${f.name} byte for byte`, (t) => {
    const m = decodeMessage(Buffer.from(f.bytes));
    t.deepEqual([...encodeMessage(m)], f.bytes);
  });
}

const malformed: { name: string; bytes: number[]; code: DnsWireError['code'] }[] = [
  { name: 'shorter than a header', bytes: [0, 1, 0, 0, 0, 1], code: 'Truncated' },
  { name: 'question cut inside a label', bytes: [...hdr(1, 0, 1, 0, 0, 0), 7, 0x65, 0x78], code: 'Truncated' },
  { name: 'question without type and class', bytes: [...hdr(1, 0, 1, 0, 0, 0), ...EXAMPLE_COM], code: 'Truncated' },
  { name: 'pointer to itself (a loop)', bytes: [...hdr(1, 0, 1, 0, 0, 0), 0xc0, 12, 0, 1, 0, 1], code: 'BadPointer' },
  { name: 'pointer forwards', bytes: [...hdr(1, 0, 1, 0, 0, 0), 0xc0, 20, 0, 1, 0, 1, 0, 0, 0, 0], code: 'BadPointer' },
  { name: 'an answer owner pointing ahead into its own data', bytes: [...hdr(1, 0x8000, 1, 1, 0, 0), 0, 0, 1, 0, 1, 0xc0, 0x17, 0, 1, 0, 1, 0, 0, 0, 0, 0, 2, 0xc0, 0x11], code: 'BadPointer' },
  { name: 'reserved label type 0x40', bytes: [...hdr(1, 0, 1, 0, 0, 0), 0x41, 0x61, 0, 0, 1, 0, 1], code: 'FormErr' },
  { name: 'A record with 5 bytes of data', bytes: [...hdr(1, 0x8000, 0, 1, 0, 0), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5], code: 'BadRData' },
  { name: 'record data longer than the message', bytes: [...hdr(1, 0x8000, 0, 1, 0, 0), 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2], code: 'Truncated' },
  { name: 'name over 255 bytes', bytes: [...hdr(1, 0, 1, 0, 0, 0), ...Array.from({ length: 5 }, () => label('a'.repeat(60))).flat(), 0, 0, 1, 0, 1], code: 'NameTooLong' },
];
for (const m of malformed) {
  test(`wire: refuse ${m.name}`, (t) => {
    const e = t.throws(() => decodeMessage(Buffer.from(m.bytes)), { instanceOf: DnsWireError });
    t.is(e?.code, m.code);
  });
}

test('wire: names are compressed on output, case-insensitively, and decode back', (t) => {
  const owner = 'web.Default.svc.cluster.local.';
  const m: Message = {
    header: { id: 1, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
    questions: [{ name: owner, type: RRType.A, class: RRClass.IN }],
    answers: [
      { name: owner, type: RRType.A, class: RRClass.IN, ttl: 30, data: { kind: 'A', address: '10.0.0.1' } },
      { name: 'x.default.svc.cluster.local.', type: RRType.CNAME, class: RRClass.IN, ttl: 30, data: { kind: 'CNAME', target: 'y.default.svc.cluster.local.' } },
    ],
    authority: [],
    additional: [],
  };
  const b = encodeMessage(m);
  // Question 12 + 31 + 4; A: pointer(2)+10+4; CNAME: 'x' + pointer(4) + 10 + rdata 'y' + pointer(4).
  t.is(b.length, 12 + 31 + 4 + 16 + 4 + 10 + 4);
  const back = decodeMessage(b);
  t.is(back.answers[1].name, 'x.Default.svc.cluster.local.');
  t.deepEqual(back.answers[1].data, { kind: 'CNAME', target: 'y.Default.svc.cluster.local.' });
});

function bigAnswer(n: number, opt?: ResourceRecord): Message {
  const name = 'many.default.svc.cluster.local.';
  return {
    header: { id: 5, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: true, ad: false, cd: false, rcode: 0 },
    questions: [{ name, type: RRType.A, class: RRClass.IN }],
    answers: Array.from({ length: n }, (_, i) => ({ name, type: RRType.A, class: RRClass.IN, ttl: 30, data: { kind: 'A' as const, address: `10.1.${i >> 8}.${i & 0xff}` } })),
    authority: [],
    additional: opt ? [opt] : [],
  };
}

const truncation: { name: string; n: number; max: number; opt: boolean; tc: boolean; answers: number }[] = [
  { name: '40 A records in 512 bytes: TC, as many whole records as fit', n: 40, max: 512, opt: false, tc: true, answers: Math.floor((512 - 12 - 36) / 16) },
  { name: '20 A records fit in 512 bytes: no TC', n: 20, max: 512, opt: false, tc: false, answers: 20 },
  { name: '40 A records with EDNS0 4096: all fit, OPT kept', n: 40, max: 4096, opt: true, tc: false, answers: 40 },
  { name: '300 A records with EDNS0 1232: TC, OPT still last', n: 300, max: 1232, opt: true, tc: true, answers: Math.floor((1232 - 12 - 36 - 11) / 16) },
];
for (const c of truncation) {
  test(`wire: truncation — ${c.name}`, (t) => {
    const opt: ResourceRecord | undefined = c.opt ? { name: '.', type: RRType.OPT, class: 4096, ttl: 0, data: { kind: 'OPT', options: new Uint8Array(0) } } : undefined;
    const b = encodeMessage(bigAnswer(c.n, opt), { maxSize: c.max });
    t.true(b.length <= c.max, `${b.length} > ${c.max}`);
    const m = decodeMessage(b);
    t.is(m.header.tc, c.tc);
    t.is(m.answers.length, c.answers);
    t.is(m.additional.length, c.opt ? 1 : 0);
    if (c.opt) t.is(m.additional[0].type, RRType.OPT);
  });
}

test('wire: losing additional records does not set TC', (t) => {
  const m = bigAnswer(20);
  m.additional = Array.from({ length: 20 }, (_, i) => ({ name: `h${i}.many.default.svc.cluster.local.`, type: RRType.A, class: RRClass.IN, ttl: 30, data: { kind: 'A' as const, address: `10.2.0.${i}` } }));
  const d = decodeMessage(encodeMessage(m, { maxSize: 512 }));
  t.false(d.header.tc);
  t.is(d.answers.length, 20);
  t.true(d.additional.length < 20);
});

const nameCases: { name: string; fn: () => unknown; want: unknown }[] = [
  { name: 'canonical lowers and adds the dot', fn: () => canonical('Web.Default.SVC.cluster.local'), want: 'web.default.svc.cluster.local.' },
  { name: 'subdomain at a label boundary', fn: () => [isSubdomain('a.cluster.local.', 'cluster.local.'), isSubdomain('acluster.local.', 'cluster.local.'), isSubdomain('cluster.local.', 'cluster.local.')], want: [true, false, true] },
  { name: 'reverse of v4', fn: () => reverseName('10.0.0.10'), want: '10.0.0.10.in-addr.arpa.' },
  { name: 'reverse of v6 round-trips', fn: () => addressOfReverse(reverseName('fd00::1:2')), want: 'fd00::1:2' },
  { name: 'partial reverse names are not addresses', fn: () => addressOfReverse('0.10.in-addr.arpa.'), want: undefined },
  { name: 'escaped dot stays in its label', fn: () => nameToLabels('a\\.b.c.').map((l) => l.toString()), want: ['a.b', 'c'] },
];
for (const c of nameCases) test(`names: ${c.name}`, (t) => t.deepEqual(c.fn(), c.want));

test('names: an empty label is refused', (t) => {
  t.throws(() => nameToLabels('a..b.'), { instanceOf: DnsWireError });
});
