import test from 'ava';
import { base32, endpointChain, formatMark, serviceChain } from '../../../agent/proxy/iptables/chains.js';
import { probability } from '../../../agent/proxy/iptables/rules.js';

// DATAPLANE.md §1.3: computed and matching upstream test data.
const vectors = [
  { name: 'ns1/svc1:p80 tcp', got: () => serviceChain('KUBE-SVC-', 'ns1/svc1:p80', 'tcp'), want: 'KUBE-SVC-XPGD46QRK7WJZT7O' },
  { name: 'ns2/svc2:p80 tcp', got: () => serviceChain('KUBE-SVC-', 'ns2/svc2:p80', 'tcp'), want: 'KUBE-SVC-GNZBNJ2PO5MGZ6GT' },
  { name: 'ns4/svc4:p80 tcp', got: () => serviceChain('KUBE-SVC-', 'ns4/svc4:p80', 'tcp'), want: 'KUBE-SVC-4SW47YFZTEDKD3PK' },
  { name: 'ns1/svc1:p80 tcp 10.180.0.1:80', got: () => endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), want: 'KUBE-SEP-SXIVWICOYRO3J4NJ' },
  { name: 'ext prefix shares the hash', got: () => serviceChain('KUBE-EXT-', 'ns1/svc1:p80', 'tcp'), want: 'KUBE-EXT-XPGD46QRK7WJZT7O' },
];
for (const v of vectors) test(`chain name: ${v.name}`, (t) => t.is(v.got(), v.want));

test('chain names fit iptables (≤ 28 characters)', (t) => {
  t.true(endpointChain('a-very-long-namespace-name/and-a-long-service-name:https', 'sctp', '[fd00::1]:8443').length <= 28);
});

// RFC 4648 §10 test vectors (unpadded).
for (const [input, want] of [
  ['', ''],
  ['f', 'MY'],
  ['fo', 'MZXQ'],
  ['foo', 'MZXW6'],
  ['foob', 'MZXW6YQ'],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI'],
] as const) {
  test(`base32 ${JSON.stringify(input)}`, (t) => t.is(base32(Buffer.from(input)), want));
}

for (const [bit, want] of [
  [14, '0x004000'],
  [0, '0x000001'],
  [31, '0x80000000'],
] as const) {
  test(`mark for bit ${bit} prints as Go's %#08x`, (t) => t.is(formatMark(2 ** bit), want));
}

test('probabilities have ten decimals', (t) => {
  t.is(probability(3), '0.3333333333');
  t.is(probability(2), '0.5000000000');
});
