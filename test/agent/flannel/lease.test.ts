/** Pure parts of flanneld: config defaults/validation, lease keys and values, subnet choice, the lease watcher. */
import test from 'ava';
import { allocateSubnet, freeSubnets, reusablePrevious } from '../../../agent/flannel/subnet/allocate.js';
import { LeaseWatcher } from '../../../agent/flannel/subnet/watch.js';
import { parseNetworkConfig, subnetCompatible } from '../../../agent/flannel/lease/config.js';
import { formatIp4, formatIp4Net, overlaps, parseIp4Net } from '../../../agent/flannel/lease/ip4.js';
import { decodeLeaseAttrs, encodeLeaseAttrs, parseSubnetKey, subnetKey } from '../../../agent/flannel/lease/key.js';
import type { Lease } from '../../../agent/flannel/lease/types.js';

const net = (s: string) => {
  const n = parseIp4Net(s);
  if (!n) throw new Error(s);
  return n;
};

const configCases: { name: string; json: string; want?: { subnetLen: number; min: string; max: string; backend: string; network?: string }; err?: RegExp }[] = [
  { name: 'seed 002: only a Network, defaults everywhere, udp', json: '{ "Network": "172.16.0.0/16" }', want: { subnetLen: 24, min: '172.16.1.0', max: '172.16.255.0', backend: 'udp' } },
  { name: 'seed 000: vxlan with SubnetLen', json: '{"Network":"172.17.0.0/16","SubnetLen":24,"Backend":{"Type":"vxlan"}}', want: { subnetLen: 24, min: '172.17.1.0', max: '172.17.255.0', backend: 'vxlan' } },
  { name: '/22 network still gets /24s', json: '{"Network":"10.0.0.0/22"}', want: { subnetLen: 24, min: '10.0.1.0', max: '10.0.3.0', backend: 'udp' } },
  { name: '/23 network gets prefix+2', json: '{"Network":"10.0.0.0/23"}', want: { subnetLen: 25, min: '10.0.0.128', max: '10.0.1.128', backend: 'udp' } },
  { name: '/28 network: /30 subnets', json: '{"Network":"10.0.0.0/28"}', want: { subnetLen: 30, min: '10.0.0.4', max: '10.0.0.12', backend: 'udp' } },
  { name: 'host bits in Network are cleared', json: '{"Network":"10.1.2.3/16","Backend":{"Type":"HOST-GW"}}', want: { subnetLen: 24, min: '10.1.1.0', max: '10.1.255.0', backend: 'host-gw', network: '10.1.0.0/16' } },
  { name: 'explicit SubnetMin/Max', json: '{"Network":"10.1.0.0/16","SubnetMin":"10.1.10.0","SubnetMax":"10.1.20.0"}', want: { subnetLen: 24, min: '10.1.10.0', max: '10.1.20.0', backend: 'udp' } },
  { name: 'no Network', json: '{"SubnetLen":24}', err: /please define a correct Network/ },
  { name: 'not JSON', json: '{Network:', err: /not JSON/ },
  { name: 'IPv6 Network', json: '{"Network":"fd00::/64"}', err: /not an IPv4 CIDR/ },
  { name: 'network too small', json: '{"Network":"10.0.0.0/29"}', err: /Minimum useful network prefix is \/28/ },
  { name: 'fewer than four subnets', json: '{"Network":"10.0.0.0/16","SubnetLen":17}', err: /at least four subnets/ },
  { name: 'SubnetLen 31', json: '{"Network":"10.0.0.0/8","SubnetLen":31}', err: /less than \/31/ },
  { name: 'SubnetMin outside', json: '{"Network":"10.1.0.0/16","SubnetMin":"10.2.0.0"}', err: /SubnetMin is not in the range of the Network/ },
  { name: 'SubnetMax misaligned', json: '{"Network":"10.1.0.0/16","SubnetMax":"10.1.20.5"}', err: /SubnetMax is not on a SubnetLen boundary: 10\.1\.20\.5/ },
  { name: 'unknown backend', json: '{"Network":"10.1.0.0/16","Backend":{"Type":"aws-vpc"}}', err: /unsupported backend type "aws-vpc"/ },
];

for (const tc of configCases) {
  test(`config: ${tc.name}`, (t) => {
    if (tc.err) {
      t.throws(() => parseNetworkConfig(tc.json), { name: 'ConfigInvalidError', message: tc.err });
      return;
    }
    const c = parseNetworkConfig(tc.json);
    const w = tc.want!;
    t.is(c.subnetLen, w.subnetLen);
    t.is(formatIp4(c.subnetMin), w.min);
    t.is(formatIp4(c.subnetMax), w.max);
    t.is(String(c.backendType), w.backend);
    if (w.network) t.is(formatIp4Net(c.network), w.network);
  });
}

const keyCases: { key: string; want: string | undefined }[] = [
  { key: '/coreos.com/network/subnets/10.1.15.0-24', want: '10.1.15.0/24' },
  { key: '/atomic.io/network/subnets/172.16.3.0-24', want: '172.16.3.0/24' },
  { key: '10.1.15.0-24&fd00::-64', want: '10.1.15.0/24' },
  { key: '/coreos.com/network/config', want: undefined },
  { key: '/coreos.com/network/subnets/10.1.15.0-24/extra', want: undefined },
  { key: '/x/subnets/300.1.1.0-24', want: undefined },
];
for (const tc of keyCases) {
  test(`lease key: ${tc.key}`, (t) => {
    const sn = parseSubnetKey(tc.key);
    t.is(sn ? formatIp4Net(sn) : undefined, tc.want);
    if (sn) t.is(subnetKey(sn), tc.key.split('/').pop()!.split('&')[0]);
  });
}

test('lease value: Go omitempty shape, both ways', (t) => {
  t.is(encodeLeaseAttrs({ publicIP: '192.168.1.5' }), '{"PublicIP":"192.168.1.5"}');
  const vx = { publicIP: '192.168.1.5', backendType: 'vxlan', backendData: { VNI: 1, VtepMAC: 'aa:bb:cc:dd:ee:ff' } };
  t.is(encodeLeaseAttrs(vx), '{"PublicIP":"192.168.1.5","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"aa:bb:cc:dd:ee:ff"}}');
  t.deepEqual(decodeLeaseAttrs(encodeLeaseAttrs(vx)), vx);
  t.deepEqual(decodeLeaseAttrs('{"PublicIP":"10.0.0.1","PublicIPv6":null,"BackendType":"host-gw"}'), { publicIP: '10.0.0.1', backendType: 'host-gw' });
  t.throws(() => decodeLeaseAttrs('{"PublicIP":"nope"}'), { message: /PublicIP "nope" is not an IPv4 address/ });
});

const lease = (sn: string, ip: string, type = 'vxlan'): Lease => ({ subnet: net(sn), attrs: { publicIP: ip, backendType: type }, expiration: undefined });

test('allocation: skips leased subnets, stays in [SubnetMin, SubnetMax], picks from up to 100', (t) => {
  const c = parseNetworkConfig('{"Network":"10.1.0.0/16"}');
  const leases = [lease('10.1.1.0/24', 'a'), lease('10.1.3.0/24', 'b')];
  const free = freeSubnets(c, leases);
  t.is(free.length, 100);
  t.is(formatIp4Net(free[0]), '10.1.2.0/24');
  t.is(formatIp4Net(free[1]), '10.1.4.0/24');
  t.false(free.some((f) => leases.some((l) => overlaps(f, l.subnet))));
  t.is(formatIp4Net(allocateSubnet(c, leases, () => 0)!), '10.1.2.0/24');
  t.is(formatIp4Net(allocateSubnet(c, leases, () => 0.999999)!), '10.1.102.0/24');
  const small = parseNetworkConfig('{"Network":"10.0.0.0/28"}');
  t.deepEqual(freeSubnets(small, []).map(formatIp4Net), ['10.0.0.4/30', '10.0.0.8/30', '10.0.0.12/30']);
  const full = ['10.0.0.4/30', '10.0.0.8/30', '10.0.0.12/30'].map((s) => lease(s, s));
  t.is(allocateSubnet(small, full), undefined);
});

test('allocation: the previous subnet is reused only when free and compatible', (t) => {
  const c = parseNetworkConfig('{"Network":"10.1.0.0/16"}');
  t.is(formatIp4Net(reusablePrevious(c, [], net('10.1.7.0/24'))!), '10.1.7.0/24');
  t.is(reusablePrevious(c, [lease('10.1.7.0/24', 'x')], net('10.1.7.0/24')), undefined);
  t.is(reusablePrevious(c, [], net('10.2.7.0/24')), undefined);
  t.is(reusablePrevious(c, [], net('10.1.7.0/25')), undefined);
  t.is(reusablePrevious(c, [], net('10.1.0.0/24')), undefined, 'the first subnet is below SubnetMin');
  t.true(subnetCompatible(c, net('10.1.255.0/24')));
});

test('watcher: snapshots become diffs, own lease filtered, its removal reported', (t) => {
  const w = new LeaseWatcher(net('10.1.5.0/24'));
  let s = w.apply({ snapshot: [lease('10.1.5.0/24', 'me'), lease('10.1.6.0/24', 'b'), lease('10.1.7.0/24', 'c')] });
  t.deepEqual(s.events.map((e) => `${e.type} ${formatIp4Net(e.lease.subnet)}`), ['added 10.1.6.0/24', 'added 10.1.7.0/24']);
  t.false(s.ownRemoved);
  // Renewal of a peer (same attrs): nothing to do. A changed MAC: added again.
  s = w.apply({ events: [{ type: 'added', lease: lease('10.1.6.0/24', 'b') }] });
  t.deepEqual(s.events, []);
  s = w.apply({ events: [{ type: 'added', lease: { ...lease('10.1.6.0/24', 'b'), attrs: { publicIP: 'b', backendType: 'vxlan', backendData: { VtepMAC: 'x' } } } }] });
  t.is(s.events.length, 1);
  // Removal events carry only the subnet; the backend gets what it programmed.
  s = w.apply({ events: [{ type: 'removed', lease: { subnet: net('10.1.7.0/24'), attrs: { publicIP: '' }, expiration: undefined } }] });
  t.is(s.events[0].lease.attrs.publicIP, 'c');
  // A later snapshot without 10.1.6.0 and with a new 10.1.8.0.
  s = w.apply({ snapshot: [lease('10.1.5.0/24', 'me'), lease('10.1.8.0/24', 'd')] });
  t.deepEqual(s.events.map((e) => `${e.type} ${formatIp4Net(e.lease.subnet)}`).sort(), ['added 10.1.8.0/24', 'removed 10.1.6.0/24']);
  t.deepEqual(w.leases.map((l) => formatIp4Net(l.subnet)), ['10.1.8.0/24']);
  s = w.apply({ events: [{ type: 'removed', lease: lease('10.1.5.0/24', '') }] });
  t.true(s.ownRemoved);
  t.deepEqual(s.events, []);
  t.true(new LeaseWatcher(net('10.1.5.0/24')).apply({ snapshot: [] }).ownRemoved);
});
