/**
 * Byte fixtures for the rtnetlink codec, written by hand from the kernel's
 * struct layouts (linux/netlink.h nlmsghdr 16 bytes; rtnetlink.h rtmsg 12,
 * ndmsg 12, ifaddrmsg 8; if_link.h ifinfomsg 16; rtattr = u16 len, u16 type,
 * payload padded to 4). Little-endian host order; addresses and the vxlan
 * port in network order. Each comment spells out the fields.
 */
import test from 'ava';
import * as m from '../../../native/rtnetlink/messages.js';
import { decodeError, encodeMessage, parseMessages } from '../../../native/rtnetlink/wire.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
const enc = (r: m.Request, seq = 1): Buffer => encodeMessage({ type: r.type, flags: r.flags, seq, pid: 0 }, r.fixed, r.attrs);

const cases: Array<{ name: string; req: () => m.Request; bytes: string; op: string }> = [
  {
    name: 'RTM_NEWROUTE onlink via gateway (flannel vxlan route)',
    req: () => m.routeRequest('add', { dst: '10.1.2.0/24', gateway: '10.1.2.0', dev: 'flannel.1', onlink: true }, 5),
    op: 'RTM_NEWROUTE 10.1.2.0/24',
    bytes: `
      3c000000 1800 0506 01000000 00000000   # len 60, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE, seq 1, pid 0
      02 18 00 00 fe 03 00 01 04000000       # AF_INET, dst_len 24, src 0, tos 0, main, proto boot, scope universe, unicast, RTNH_F_ONLINK
      0800 0100 0a010200                     # RTA_DST 10.1.2.0
      0800 0500 0a010200                     # RTA_GATEWAY 10.1.2.0
      0800 0400 05000000                     # RTA_OIF 5
      0800 0f00 fe000000                     # RTA_TABLE 254`,
  },
  {
    name: 'RTM_NEWROUTE direct route gets scope link, metric, replace',
    req: () => m.routeRequest('replace', { dst: '10.2.0.0/16', dev: 3, metric: 100, table: 1000 }, 3),
    op: 'RTM_NEWROUTE 10.2.0.0/16',
    bytes: `
      3c000000 1800 0505 01000000 00000000   # len 60, REQUEST|ACK|REPLACE|CREATE
      02 10 00 00 00 03 fd 01 00000000       # table in header 0 (RT_TABLE_UNSPEC: >255), scope link (253)
      0800 0100 0a020000                     # RTA_DST 10.2.0.0
      0800 0400 03000000                     # RTA_OIF 3
      0800 0600 64000000                     # RTA_PRIORITY 100
      0800 0f00 e8030000                     # RTA_TABLE 1000`,
  },
  {
    name: 'RTM_DELROUTE leaves scope/protocol/type as wildcards',
    req: () => m.routeRequest('del', { dst: '10.1.2.0/24' }, undefined),
    op: 'RTM_DELROUTE 10.1.2.0/24',
    bytes: `
      2c000000 1900 0500 01000000 00000000   # len 44, RTM_DELROUTE, REQUEST|ACK
      02 18 00 00 fe 00 ff 00 00000000       # proto 0, scope RT_SCOPE_NOWHERE, type 0
      0800 0100 0a010200                     # RTA_DST
      0800 0f00 fe000000                     # RTA_TABLE`,
  },
  {
    name: 'RTM_NEWLINK veth with the peer in a namespace by fd',
    req: () => m.newLink({ kind: 'veth', name: 'va', peer: { name: 'vb', netns: { fd: 7 } } }),
    op: 'RTM_NEWLINK va',
    bytes: `
      60000000 1000 0506 01000000 00000000   # len 96, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
      00 00 0000 00000000 00000000 00000000  # ifinfomsg: AF_UNSPEC, index 0, flags 0, change 0
      0700 0300 76610000                     # IFLA_IFNAME "va"
      3800 1200                              # IFLA_LINKINFO (56)
        0900 0100 76657468 00000000          #   IFLA_INFO_KIND "veth"
        2800 0200                            #   IFLA_INFO_DATA (40)
          2400 0100                          #     VETH_INFO_PEER (36)
            00000000 00000000 00000000 00000000  # peer ifinfomsg
            0700 0300 76620000               #     IFLA_IFNAME "vb"
            0800 1c00 07000000               #     IFLA_NET_NS_FD 7`,
  },
  {
    name: 'RTM_NEWLINK vxlan (VNI, dev, local, nolearning, port, gbp), up',
    req: () =>
      m.newLink(
        { kind: 'vxlan', name: 'flannel.1', up: true, vxlan: { vni: 1, dev: 'eth0', local: '10.0.0.1', learning: false, port: 8472, gbp: true } },
        { vxlanDev: 2 },
      ),
    op: 'RTM_NEWLINK flannel.1',
    bytes: `
      70000000 1000 0506 01000000 00000000   # len 112
      00 00 0000 00000000 01000000 01000000  # flags IFF_UP, change IFF_UP
      0e00 0300 666c616e6e656c2e31 00 0000   # IFLA_IFNAME "flannel.1" (14, padded to 16)
      4000 1200                              # IFLA_LINKINFO (64)
        0a00 0100 7678 6c61 6e00 0000        #   IFLA_INFO_KIND "vxlan"
        3000 0200                            #   IFLA_INFO_DATA (48)
          0800 0100 01000000                 #     IFLA_VXLAN_ID 1
          0800 0300 02000000                 #     IFLA_VXLAN_LINK 2
          0800 0400 0a000001                 #     IFLA_VXLAN_LOCAL 10.0.0.1
          0500 0700 00 000000                #     IFLA_VXLAN_LEARNING 0
          0600 0f00 2118 0000                #     IFLA_VXLAN_PORT 8472 (big-endian)
          0400 1700                          #     IFLA_VXLAN_GBP (flag)`,
  },
  {
    name: 'RTM_NEWLINK set by name: up and MTU',
    req: () => m.setLink('eth0', { up: true, mtu: 1450 }),
    op: 'RTM_NEWLINK eth0',
    bytes: `
      34000000 1000 0500 01000000 00000000   # len 52, REQUEST|ACK only
      00 00 0000 00000000 01000000 01000000  # index 0 (by name), IFF_UP in flags and change
      0900 0300 65746830 00 000000           # IFLA_IFNAME "eth0"
      0800 0400 aa050000                     # IFLA_MTU 1450`,
  },
  {
    name: 'RTM_NEWLINK set by index: down, nomaster, move to pid',
    req: () => m.setLink(9, { up: false, master: null, netns: { pid: 4242 } }),
    op: 'RTM_NEWLINK 9',
    bytes: `
      30000000 1000 0500 01000000 00000000   # len 48
      00 00 0000 09000000 00000000 01000000  # index 9, flags 0 with change IFF_UP: down
      0800 0a00 00000000                     # IFLA_MASTER 0
      0800 1300 92100000                     # IFLA_NET_NS_PID 4242`,
  },
  {
    name: 'RTM_DELLINK by name',
    req: () => m.delLink('kt0'),
    op: 'RTM_DELLINK kt0',
    bytes: `
      28000000 1100 0500 01000000 00000000
      00 00 0000 00000000 00000000 00000000
      0800 0300 6b743000                     # IFLA_IFNAME "kt0"`,
  },
  {
    name: 'RTM_NEWADDR /32 (flannel lease address)',
    req: () => m.newAddress({ dev: 'flannel.1', cidr: '10.1.15.0/32' }, 4),
    op: 'RTM_NEWADDR 10.1.15.0/32 dev flannel.1',
    bytes: `
      28000000 1400 0506 01000000 00000000   # len 40, RTM_NEWADDR
      02 20 00 00 04000000                   # AF_INET, prefixlen 32, flags 0, scope 0, index 4
      0800 0200 0a010f00                     # IFA_LOCAL
      0800 0100 0a010f00                     # IFA_ADDRESS`,
  },
  {
    name: 'RTM_NEWNEIGH permanent ARP entry',
    req: () => m.newNeigh({ dev: 'flannel.1', ip: '10.1.2.0', mac: '0a:58:0a:01:02:00' }, 5),
    op: 'RTM_NEWNEIGH 10.1.2.0 dev flannel.1',
    bytes: `
      30000000 1c00 0505 01000000 00000000   # len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE
      02 00 0000 05000000 8000 00 00         # AF_INET, ifindex 5, NUD_PERMANENT, flags 0, type 0
      0800 0100 0a010200                     # NDA_DST
      0a00 0200 0a580a010200 0000            # NDA_LLADDR`,
  },
  {
    name: 'RTM_NEWNEIGH AF_BRIDGE FDB entry, NTF_SELF, NDA_DST',
    req: () => m.newFdb({ dev: 'flannel.1', mac: '0a:58:0a:01:02:00', dst: '10.251.0.2' }, 5),
    op: 'RTM_NEWNEIGH fdb 0a:58:0a:01:02:00 dst 10.251.0.2 dev flannel.1',
    bytes: `
      30000000 1c00 0505 01000000 00000000
      07 00 0000 05000000 8000 02 00         # AF_BRIDGE, ifindex 5, NUD_PERMANENT, NTF_SELF
      0a00 0200 0a580a010200 0000            # NDA_LLADDR
      0800 0100 0afb0002                     # NDA_DST 10.251.0.2`,
  },
  {
    name: 'RTM_NEWNEIGH FDB append (bridge fdb append)',
    req: () => m.newFdb({ dev: 3, mac: '00:00:00:00:00:00', dst: '10.0.0.9', append: true }, 3),
    op: 'RTM_NEWNEIGH fdb 00:00:00:00:00:00 dst 10.0.0.9 dev 3',
    bytes: `
      30000000 1c00 050c 01000000 00000000   # REQUEST|ACK|CREATE|APPEND
      07 00 0000 03000000 8000 02 00
      0a00 0200 000000000000 0000
      0800 0100 0a000009`,
  },
  {
    name: 'RTM_GETROUTE dump',
    req: () => m.dumpRoutes(4),
    op: 'RTM_GETROUTE dump',
    bytes: `
      1c000000 1a00 0103 01000000 00000000   # len 28, RTM_GETROUTE, REQUEST|DUMP
      02 00 00 00 00 00 00 00 00000000`,
  },
];

for (const tc of cases) {
  test(`encode: ${tc.name}`, (t) => {
    const r = tc.req();
    t.is(enc(r).toString('hex'), hex(tc.bytes).toString('hex'));
    t.is(r.op, tc.op);
  });
}

test('decode: NLMSG_ERROR with a capped request and an extended-ack message', (t) => {
  const bytes = hex(`
    30000000 0200 0003 09000000 00000000   # len 48, NLMSG_ERROR, NLM_F_CAPPED|NLM_F_ACK_TLVS
    efffffff                               # error -17 (EEXIST)
    60000000 1000 0506 09000000 00000000   # the request's header only (capped)
    0b00 0100 65786973747300 00            # NLMSGERR_ATTR_MSG "exists"`);
  const [msg] = parseMessages(bytes);
  const e = decodeError(msg);
  t.is(e.errno, 17);
  t.is(e.request.seq, 9);
  t.is(e.request.type, 16);
  t.is(e.message, 'exists');
});

test('decode: an acknowledgement is errno 0', (t) => {
  const [msg] = parseMessages(hex('24000000 0200 0001 05000000 00000000 00000000 2c000000 1900 0500 05000000 00000000'));
  t.deepEqual(decodeError(msg), { errno: 0, request: { type: 25, flags: 5, seq: 5, pid: 0 }, message: undefined });
});

test('decode: RTM_NEWLINK of a bridge', (t) => {
  const bytes = hex(`
    64000000 1000 0200 01000000 00000000   # len 100, RTM_NEWLINK, NLM_F_MULTI
    00 00 0100 07000000 43100100 00000000  # AF_UNSPEC, ARPHRD_ETHER, index 7, flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
    0800 0300 62723000                     # IFLA_IFNAME "br0"
    0800 0400 dc050000                     # IFLA_MTU 1500
    0a00 0100 0a580a000001 0000            # IFLA_ADDRESS
    0500 1000 06 000000                    # IFLA_OPERSTATE up
    0800 0a00 03000000                     # IFLA_MASTER 3
    1000 1200 0b00 0100 627269646765 00 00 # IFLA_LINKINFO { IFLA_INFO_KIND "bridge" }
    0800 0d00 e8030000                     # IFLA_TXQLEN 1000`);
  const [msg] = parseMessages(bytes);
  t.deepEqual(m.decodeLink(msg), {
    index: 7,
    name: 'br0',
    kind: 'bridge',
    flags: 0x11043,
    up: true,
    mtu: 1500,
    mac: '0a:58:0a:00:00:01',
    master: 3,
    parent: undefined,
    linkNetnsId: undefined,
    operstate: 'up',
    txqlen: 1000,
    vxlan: undefined,
  });
});

test('decode: RTM_NEWROUTE round-trips the encoder', (t) => {
  const r = m.routeRequest('add', { dst: '10.1.2.0/24', gateway: '10.1.2.0', dev: 5, onlink: true, metric: 7, src: '10.1.1.0' }, 5);
  const [msg] = parseMessages(enc(r));
  t.deepEqual(m.decodeRoute(msg), {
    family: 4,
    dst: '10.1.2.0/24',
    gateway: '10.1.2.0',
    dev: 5,
    table: 254,
    scope: 0,
    metric: 7,
    onlink: true,
    protocol: 3,
    type: 'unicast',
    src: '10.1.1.0',
  });
});

test('decode: neighbour and FDB entries round-trip', (t) => {
  const [n] = parseMessages(enc(m.newNeigh({ dev: 5, ip: 'fd00::1', mac: '02:00:00:00:00:01' }, 5)));
  t.deepEqual(m.decodeNeigh(n), { index: 5, family: 6, ip: 'fd00::1', mac: '02:00:00:00:00:01', state: 0x80, flags: 0 });
  const [f] = parseMessages(enc(m.newFdb({ dev: 5, mac: '02:00:00:00:00:02', dst: '192.168.1.2', vni: 7, vlan: 3 }, 5)));
  t.deepEqual(m.decodeFdb(f), { index: 5, mac: '02:00:00:00:00:02', dst: '192.168.1.2', state: 0x80, flags: 2, vlan: 3, vni: 7, master: undefined });
});

test('decode: address with a peer (point-to-point)', (t) => {
  const [a] = parseMessages(enc(m.newAddress({ dev: 2, cidr: '10.9.0.1/32', peer: '10.9.0.2', label: 'tun0' }, 2)));
  t.like(m.decodeAddress(a), { index: 2, family: 4, cidr: '10.9.0.1/32', peer: '10.9.0.2', label: 'tun0' });
});

test('decode: events by message type', (t) => {
  const [route] = parseMessages(enc(m.routeRequest('add', { dst: '10.3.0.0/16', dev: 2 }, 2)));
  t.like(m.decodeEvent(route), { kind: 'newroute', route: { dst: '10.3.0.0/16', scope: 253 } });
  const [del] = parseMessages(enc(m.delLink(3)));
  t.like(m.decodeEvent(del), { kind: 'dellink', link: { index: 3 } });
  const [done] = parseMessages(hex('14000000 0300 0200 01000000 00000000 00000000'));
  t.is(m.decodeEvent(done), undefined);
});

test('parseMessages: several per datagram, stops at a truncated one', (t) => {
  const a = enc(m.delLink('a'), 1);
  const b = enc(m.delLink('bb'), 2);
  const all = Buffer.concat([a, b, b.subarray(0, 20)]);
  t.deepEqual(
    parseMessages(all).map((x) => x.seq),
    [1, 2],
  );
});
