/** What flanneld writes: subnet.env, the iptables chains, and the udp forwarder's packet edits. */
import test from 'ava';
import { decrementTtl, headerChecksum, ipv4Dst } from '../../../agent/flannel/backend/udp/packet.js';
import { ForwardTable } from '../../../agent/flannel/backend/udp/udp.js';
import { vtepMac, vxlanSettings } from '../../../agent/flannel/backend/vxlan/vxlan.js';
import { chainLines, forwardRules, masqRules, renderRestore } from '../../../agent/flannel/iptables.js';
import { parseNetworkConfig } from '../../../agent/flannel/lease/config.js';
import { parseIp4, parseIp4Net } from '../../../agent/flannel/lease/ip4.js';
import { parseEnvFile, previousSubnet, renderSubnetEnv } from '../../../agent/flannel/subnetenv.js';

const net = (s: string) => parseIp4Net(s)!;

const envCases = [
  { name: 'vxlan, no masq', network: '10.1.0.0/16', subnet: '10.1.74.0/24', mtu: 1450, masq: false, want: 'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.74.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n' },
  { name: 'udp, masq', network: '172.16.0.0/16', subnet: '172.16.3.0/24', mtu: 1472, masq: true, want: 'FLANNEL_NETWORK=172.16.0.0/16\nFLANNEL_SUBNET=172.16.3.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n' },
  { name: '/30 subnets', network: '10.0.0.0/28', subnet: '10.0.0.8/30', mtu: 1500, masq: false, want: 'FLANNEL_NETWORK=10.0.0.0/28\nFLANNEL_SUBNET=10.0.0.9/30\nFLANNEL_MTU=1500\nFLANNEL_IPMASQ=false\n' },
];
for (const tc of envCases) {
  test(`subnet.env: ${tc.name}`, (t) => {
    const text = renderSubnetEnv({ network: net(tc.network), subnet: net(tc.subnet), mtu: tc.mtu, ipMasq: tc.masq });
    t.is(text, tc.want);
    t.is(previousSubnet(text) && `${previousSubnet(text)!.ip}/${previousSubnet(text)!.prefixLen}`, `${net(tc.subnet).ip}/${net(tc.subnet).prefixLen}`);
  });
}

test('env file parsing: quotes, comments, blanks', (t) => {
  t.deepEqual(parseEnvFile('# c\nA=1\n\nB="two words"\nC=\'x\'\nbad\n'), { A: '1', B: 'two words', C: 'x' });
});

test('iptables: masquerade chain as iptables-restore input (DATAPLANE §4.5)', (t) => {
  t.is(
    renderRestore(masqRules(net('10.1.0.0/16'), net('10.1.74.0/24'), true)),
    [
      '*nat',
      ':FLANNEL-POSTRTG - [0:0]',
      '-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN',
      '-A FLANNEL-POSTRTG -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment "flanneld masq" -j RETURN',
      '-A FLANNEL-POSTRTG -s 10.1.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',
      '-A FLANNEL-POSTRTG ! -s 10.1.0.0/16 -d 10.1.74.0/24 -m comment --comment "flanneld masq" -j RETURN',
      '-A FLANNEL-POSTRTG ! -s 10.1.0.0/16 -d 10.1.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully',
      'COMMIT',
      '',
    ].join('\n'),
  );
  const noRf = masqRules(net('10.1.0.0/16'), net('10.1.74.0/24'), false);
  t.false(noRf.rules.some((r) => r.includes('--random-fully')));
  t.deepEqual(noRf.jump, ['-m', 'comment', '--comment', 'flanneld masq', '-j', 'FLANNEL-POSTRTG']);
  t.is(noRf.from, 'POSTROUTING');
});

test('iptables: forward chain, and reading a chain back from iptables-save', (t) => {
  const f = forwardRules(net('10.1.0.0/16'));
  t.is(renderRestore(f), '*filter\n:FLANNEL-FWD - [0:0]\n-A FLANNEL-FWD -s 10.1.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT\n-A FLANNEL-FWD -d 10.1.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT\nCOMMIT\n');
  const save = '*filter\n:FORWARD ACCEPT [0:0]\n:FLANNEL-FWD - [0:0]\n[3:180] -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD\n-A FLANNEL-FWD -s 10.1.0.0/16 -j ACCEPT\nCOMMIT\n';
  t.deepEqual(chainLines(save, 'FLANNEL-FWD'), ['-A FLANNEL-FWD -s 10.1.0.0/16 -j ACCEPT']);
  t.deepEqual(chainLines(save, 'FORWARD'), ['-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD']);
});

function ipv4Packet(ttl: number, dst: string): Buffer {
  const p = Buffer.alloc(28);
  p[0] = 0x45;
  p.writeUInt16BE(28, 2);
  p[8] = ttl;
  p[9] = 17;
  p.writeUInt32BE(parseIp4('10.1.1.2')!, 12);
  p.writeUInt32BE(parseIp4(dst)!, 16);
  p.writeUInt16BE(headerChecksum(p, 20), 10);
  return p;
}

test('udp forwarder: TTL decrement keeps the header checksum valid; TTL 1 is dropped', (t) => {
  for (const ttl of [64, 2, 255, 128]) {
    const p = ipv4Packet(ttl, '10.1.9.3');
    t.true(decrementTtl(p));
    t.is(p[8], ttl - 1);
    t.is(p.readUInt16BE(10), headerChecksum(p, 20));
  }
  t.false(decrementTtl(ipv4Packet(1, '10.1.9.3')));
  t.false(decrementTtl(Buffer.from([0x60, 0, 0, 0])));
  t.is(ipv4Dst(ipv4Packet(9, '10.1.9.3')), parseIp4('10.1.9.3'));
  t.is(ipv4Dst(Buffer.alloc(40, 0x60)), undefined);
});

test('udp forwarder: longest prefix wins; removal', (t) => {
  const ft = new ForwardTable();
  ft.set(net('10.1.0.0/16'), '192.168.0.9');
  ft.set(net('10.1.9.0/24'), '192.168.0.2');
  t.is(ft.lookup(parseIp4('10.1.9.3')!), '192.168.0.2');
  t.is(ft.lookup(parseIp4('10.1.8.3')!), '192.168.0.9');
  t.is(ft.lookup(parseIp4('10.2.0.1')!), undefined);
  ft.remove(net('10.1.9.0/24'));
  t.is(ft.lookup(parseIp4('10.1.9.3')!), '192.168.0.9');
  t.is(ft.size, 1);
});

test('vxlan: settings from Backend, VtepMAC from a lease', (t) => {
  t.deepEqual(vxlanSettings(parseNetworkConfig('{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}')), { vni: 1, port: 0, gbp: false });
  t.deepEqual(vxlanSettings(parseNetworkConfig('{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan","VNI":42,"Port":4789,"GBP":true}}')), { vni: 42, port: 4789, gbp: true });
  t.throws(() => vxlanSettings(parseNetworkConfig('{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan","VNI":"x"}}')), { message: /Backend.VNI must be an integer/ });
  const l = (d: unknown) => ({ subnet: net('10.1.2.0/24'), attrs: { publicIP: '1.2.3.4', backendType: 'vxlan', backendData: d }, expiration: undefined });
  t.is(vtepMac(l({ VtepMAC: 'AA:BB:CC:DD:EE:FF' })), 'aa:bb:cc:dd:ee:ff');
  t.is(vtepMac(l({ VtepMAC: 'nope' })), undefined);
  t.is(vtepMac(l(undefined)), undefined);
});
