/**
 * IPVS encode/decode against byte fixtures written by hand from the layout
 * in the kernel's include/uapi/linux/ip_vs.h (DATAPLANE.md §2.4) — not from
 * our encoder's output. Each fixture is annotated attribute by attribute:
 * nlattr = u16 len (header + payload, before padding), u16 type, payload,
 * zero padding to 4 bytes; nested attributes carry NLA_F_NESTED (0x8000).
 */
import test from 'ava';
import {
  IpvsCmd,
  decodeDest,
  decodeService,
  encodeDest,
  encodeService,
  encodeServiceKey,
  formatIpv6,
  ipBytes,
  ipFromBytes,
  type RealServer,
  type VirtualService,
} from '../../../native/ipvs/index.js';
import { NLM_F_ACK, NLM_F_REQUEST, genlMessage } from '../../../native/ipvs/netlink.js';

/** Hex with spaces/newlines and `#` comments allowed. */
function hex(s: string): Buffer {
  return Buffer.from(
    s
      .split('\n')
      .map((l) => l.replace(/#.*/, ''))
      .join('')
      .replace(/\s+/g, ''),
    'hex',
  );
}

const dnsService: VirtualService = {
  family: 'ipv4',
  protocol: 'tcp',
  address: '10.0.0.1',
  port: 80,
  scheduler: 'rr',
  flags: 0x1, // persistent: sessionAffinity ClientIP
  timeout: 10800,
  netmask: 0xffffffff,
};

const dnsServiceAttr = `
  48 00 01 80                    # CmdAttr.SERVICE (1) | NESTED, len 72
  06 00 01 00  02 00 00 00       #   AF = 2 (AF_INET), u16 + 2 pad
  06 00 02 00  06 00 00 00       #   PROTOCOL = 6 (tcp), u16
  08 00 03 00  0a 00 00 01       #   ADDR = 10.0.0.1, 4 bytes
  06 00 04 00  00 50 00 00       #   PORT = 80, big-endian u16
  07 00 06 00  72 72 00 00       #   SCHED_NAME = "rr\\0"
  0c 00 07 00  01 00 00 00 ff ff ff ff   # FLAGS = { flags 0x1, mask ~0 }
  08 00 08 00  30 2a 00 00       #   TIMEOUT = 10800 s (0x2a30), host u32
  08 00 09 00  ff ff ff ff       #   NETMASK = 255.255.255.255
`;

test('encodeService: NEW/SET_SERVICE attribute for tcp/10.0.0.1:80 rr, persistent 10800 s', (t) => {
  t.deepEqual(encodeService(dnsService), hex(dnsServiceAttr));
});

test('a whole NEW_SERVICE request: nlmsghdr + genlmsghdr + the service', (t) => {
  const msg = genlMessage({ type: 0x22, flags: NLM_F_REQUEST | NLM_F_ACK, seq: 1, cmd: IpvsCmd.NEW_SERVICE, version: 1, attrs: [encodeService(dnsService)] });
  const want = hex(`
    5c 00 00 00   # nlmsg_len = 16 + 4 + 72 = 92
    22 00         # nlmsg_type = the IPVS family id (0x22 here)
    05 00         # flags = REQUEST | ACK
    01 00 00 00   # seq = 1
    00 00 00 00   # pid = 0 (the kernel)
    01 01 00 00   # genl: cmd NEW_SERVICE (1), version 1, reserved
    ${dnsServiceAttr}
  `);
  t.deepEqual(msg, want);
});

test('encodeServiceKey: identity only — IPv6 UDP by address, and by fwmark', (t) => {
  t.deepEqual(
    encodeServiceKey({ family: 'ipv6', protocol: 'udp', address: 'fd00::a', port: 53 }),
    hex(`
      30 00 01 80                   # SERVICE | NESTED, len 48
      06 00 01 00  0a 00 00 00      #   AF = 10 (AF_INET6)
      06 00 02 00  11 00 00 00      #   PROTOCOL = 17 (udp)
      14 00 03 00  fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0a   # ADDR = fd00::a, 16 bytes
      06 00 04 00  00 35 00 00      #   PORT = 53
    `),
  );
  t.deepEqual(
    encodeServiceKey({ family: 'ipv4', fwmark: 7 }),
    hex(`
      14 00 01 80                   # SERVICE | NESTED, len 20
      06 00 01 00  02 00 00 00      #   AF = 2
      08 00 05 00  07 00 00 00      #   FWMARK = 7
    `),
  );
});

test('encodeService: IPv6 netmask is a host-order prefix length; IPv4 a network-order mask', (t) => {
  const v6 = encodeService({ family: 'ipv6', fwmark: 1, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 128 });
  t.deepEqual(v6.subarray(-8), hex('08 00 09 00  80 00 00 00'));
  const v4 = encodeService({ ...dnsService, netmask: 0xffffff00 });
  t.deepEqual(v4.subarray(-8), hex('08 00 09 00  ff ff ff 00'));
});

const endpoint: RealServer = { address: '10.244.1.5', port: 8080, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 };

test('encodeDest: NEW_DEST attribute (masq, weight 1), and the DEL_DEST key', (t) => {
  t.deepEqual(
    encodeDest(endpoint, 'ipv4', true),
    hex(`
      34 00 02 80                   # CmdAttr.DEST (2) | NESTED, len 52
      08 00 01 00  0a f4 01 05      #   ADDR = 10.244.1.5
      06 00 02 00  1f 90 00 00      #   PORT = 8080, big-endian
      08 00 03 00  00 00 00 00      #   FWD_METHOD = 0 (masq)
      08 00 04 00  01 00 00 00      #   WEIGHT = 1
      08 00 05 00  00 00 00 00      #   U_THRESH = 0
      08 00 06 00  00 00 00 00      #   L_THRESH = 0
    `),
  );
  t.deepEqual(
    encodeDest({ address: '10.244.1.5', port: 8080 }, 'ipv4', false),
    hex(`
      14 00 02 80                   # DEST | NESTED, len 20
      08 00 01 00  0a f4 01 05      #   ADDR
      06 00 02 00  1f 90 00 00      #   PORT
    `),
  );
});

/**
 * A GET_SERVICE reply as the kernel builds it (ip_vs_genl_fill_service): the
 * nest without NLA_F_NESTED (older kernels), a 16-byte address union, the
 * HASHED flag set, and a STATS64 nest with u64 values and a PAD attribute.
 */
const kernelServiceReply = hex(`
  01 01 00 00                   # genl: cmd NEW_SERVICE (replies use it), version 1
  80 00 01 00                   # SERVICE, len 128 (4 + 80 + 44), no NESTED flag
  06 00 01 00  02 00 00 00      #   AF = 2
  06 00 02 00  11 00 00 00      #   PROTOCOL = 17 (udp)
  14 00 03 00  0a 60 00 0a 00 00 00 00 00 00 00 00 00 00 00 00   # ADDR = 10.96.0.10 in a 16-byte union
  06 00 04 00  00 35 00 00      #   PORT = 53
  07 00 06 00  72 72 00 00      #   SCHED_NAME = "rr"
  0c 00 07 00  03 00 00 00 ff ff ff ff   # FLAGS = PERSISTENT | HASHED, mask ~0
  08 00 08 00  b4 00 00 00      #   TIMEOUT = 180
  08 00 09 00  ff ff ff ff      #   NETMASK
  2c 00 0c 00                   #   STATS64 (12), len 44
  04 00 0b 00                   #     PAD (11), empty
  0c 00 01 00  05 00 00 00 00 00 00 00   # CONNS = 5 (u64)
  0c 00 02 00  07 00 00 00 00 00 00 00   # INPKTS = 7
  0c 00 04 00  00 01 00 00 01 00 00 00   # INBYTES = 0x1_0000_0100
`);

test('decodeService: a kernel reply (16-byte address, HASHED stripped, STATS64)', (t) => {
  const s = decodeService(kernelServiceReply.subarray(4));
  t.like(s, { family: 'ipv4', protocol: 'udp', address: '10.96.0.10', port: 53, scheduler: 'rr', flags: 0x1, timeout: 180, netmask: 0xffffffff });
  t.is(s.stats?.conns, 5n);
  t.is(s.stats?.inPackets, 7n);
  t.is(s.stats?.inBytes, 0x100000100n);
  t.is(s.stats?.outBytes, 0n);
});

test('decodeService: a fwmark service and an IPv6 one', (t) => {
  const mark = hex(`
    30 00 01 80
    06 00 01 00  0a 00 00 00      # AF = 10
    08 00 05 00  2a 00 00 00      # FWMARK = 42
    08 00 06 00  77 6c 63 00      # SCHED_NAME = "wlc"
    0c 00 07 00  02 00 00 00 ff ff ff ff   # FLAGS = HASHED only
    08 00 09 00  80 00 00 00      # NETMASK = 128
  `);
  t.deepEqual(decodeService(mark), { family: 'ipv6', fwmark: 42, scheduler: 'wlc', flags: 0, timeout: 0, netmask: 128 });
});

test('decodeDest: a GET_DEST reply with connection counters and u32 STATS', (t) => {
  const reply = hex(`
    64 00 02 00                   # DEST, len 100 (4 + 84 + 12)
    14 00 01 00  0a f4 01 05 00 00 00 00 00 00 00 00 00 00 00 00   # ADDR = 10.244.1.5 (union)
    06 00 02 00  1f 90 00 00      # PORT = 8080
    08 00 03 00  00 00 00 00      # FWD_METHOD = masq
    08 00 04 00  00 00 00 00      # WEIGHT = 0 (draining)
    08 00 05 00  00 00 00 00      # U_THRESH
    08 00 06 00  00 00 00 00      # L_THRESH
    08 00 07 00  03 00 00 00      # ACTIVE_CONNS = 3
    08 00 08 00  01 00 00 00      # INACT_CONNS = 1
    08 00 09 00  00 00 00 00      # PERSIST_CONNS = 0
    0c 00 0a 00                   # STATS (u32 flavour), len 12
    08 00 01 00  09 00 00 00      #   CONNS = 9
  `);
  t.deepEqual(decodeDest(reply, 'ipv4'), {
    address: '10.244.1.5',
    port: 8080,
    forward: 'masq',
    weight: 0,
    upperThreshold: 0,
    lowerThreshold: 0,
    activeConns: 3,
    inactiveConns: 1,
    persistConns: 0,
    stats: { conns: 9n, inPackets: 0n, outPackets: 0n, inBytes: 0n, outBytes: 0n, cps: 0n, inPps: 0n, outPps: 0n, inBps: 0n, outBps: 0n },
  });
});

test('encode then decode is the identity for what NEW_SERVICE carries', (t) => {
  const attrs = encodeService(dnsService);
  t.deepEqual(decodeService(Buffer.concat([attrs])), dnsService);
});

const addrs: [string, 'ipv4' | 'ipv6', string][] = [
  ['10.0.0.1', 'ipv4', '0a000001'],
  ['fd00::a', 'ipv6', 'fd00000000000000000000000000000a'],
  ['::', 'ipv6', '00000000000000000000000000000000'],
  ['2001:db8:0:1:0:0:0:1', 'ipv6', '20010db8000000010000000000000001'],
  ['::ffff:10.1.2.3', 'ipv6', '00000000000000000000ffff0a010203'],
];
for (const [text, fam, bytes] of addrs) {
  test(`address bytes: ${text}`, (t) => {
    t.is(ipBytes(fam, text).toString('hex'), bytes);
  });
}

test('IPv6 text is RFC 5952 (longest zero run compressed, lower case)', (t) => {
  t.is(formatIpv6(Buffer.from('20010db8000000010000000000000001', 'hex')), '2001:db8:0:1::1');
  t.is(formatIpv6(Buffer.from('20010db8000100000001000000000000', 'hex')), '2001:db8:1:0:1::');
  t.is(formatIpv6(Buffer.from('00000000000000000000000000000001', 'hex')), '::1');
  t.is(formatIpv6(Buffer.from('20010db8000100010001000100010001', 'hex')), '2001:db8:1:1:1:1:1:1');
  t.is(ipFromBytes('ipv4', Buffer.from('0a600001000000000000000000000000', 'hex')), '10.96.0.1');
  t.throws(() => ipBytes('ipv4', 'fd00::1'), { instanceOf: TypeError });
});
