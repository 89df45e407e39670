import test from 'ava';
import { bytesToIp, bytesToMac, ipToBytes, macToBytes, parsePrefix } from '../../../native/rtnetlink/addr.js';

const ips: Array<{ text: string; hex: string; back?: string }> = [
  { text: '10.1.2.3', hex: '0a010203' },
  { text: '0.0.0.0', hex: '00000000' },
  { text: '255.255.255.255', hex: 'ffffffff' },
  { text: '::', hex: '0'.repeat(32) },
  { text: '::1', hex: `${'0'.repeat(30)}01` },
  { text: 'fe80::1', hex: `fe80${'0'.repeat(26)}01` },
  { text: '2001:db8::ff00:42:8329', hex: '20010db8000000000000ff0000428329' },
  { text: '2001:db8:0:0:1:0:0:1', hex: '20010db8000000000001000000000001', back: '2001:db8::1:0:0:1' },
  { text: 'fd00:1:2:3:4:5:6:7', hex: 'fd000001000200030004000500060007' },
  { text: '::ffff:1.2.3.4', hex: '00000000000000000000ffff01020304', back: '::ffff:102:304' },
];

for (const tc of ips) {
  test(`ip ${tc.text}`, (t) => {
    t.is(ipToBytes(tc.text).toString('hex'), tc.hex);
    t.is(bytesToIp(Buffer.from(tc.hex, 'hex')), tc.back ?? tc.text);
  });
}

const prefixes: Array<{ text: string; want: ReturnType<typeof parsePrefix> | string }> = [
  { text: '10.1.0.0/16', want: { ip: '10.1.0.0', len: 16, family: 4 } },
  { text: '10.1.2.3', want: { ip: '10.1.2.3', len: 32, family: 4 } },
  { text: 'default', want: { ip: '0.0.0.0', len: 0, family: 4 } },
  { text: 'default6', want: { ip: '::', len: 0, family: 6 } },
  { text: 'fd00::/8', want: { ip: 'fd00::', len: 8, family: 6 } },
  { text: '10.1.0.0/33', want: 'bad prefix length' },
  { text: '10.1.0/24', want: 'not an IP address' },
];

for (const tc of prefixes) {
  test(`prefix ${tc.text}`, (t) => {
    if (typeof tc.want === 'string') t.throws(() => parsePrefix(tc.text), { message: new RegExp(tc.want) });
    else t.deepEqual(parsePrefix(tc.text), tc.want);
  });
}

test('mac round trip and rejection', (t) => {
  t.is(macToBytes('0A:58:0a:f4:01:00').toString('hex'), '0a580af40100');
  t.is(bytesToMac(Buffer.from('0a580af40100', 'hex')), '0a:58:0a:f4:01:00');
  t.throws(() => macToBytes('0a:58:0a:f4:01'), { instanceOf: TypeError });
  t.throws(() => macToBytes('zz:58:0a:f4:01:00'), { instanceOf: TypeError });
});
