import test from 'ava';
import { Quantity, QuantityError, type QuantityFormat } from '../../../controlplane/machinery/quantity.js';

const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX_WRONG = "unable to parse quantity's suffix";

// Canonical strings, checked against upstream's quantity_test.go tables.
const canonical: Array<{ in: string; out: string; format: QuantityFormat }> = [
  { in: '0', out: '0', format: 'DecimalSI' },
  { in: '0Ki', out: '0', format: 'BinarySI' },
  { in: '-0', out: '0', format: 'DecimalSI' },
  { in: '1.5Gi', out: '1536Mi', format: 'BinarySI' },
  { in: '1024Ki', out: '1Mi', format: 'BinarySI' },
  { in: '1Gi', out: '1Gi', format: 'BinarySI' },
  { in: '300Mi', out: '300Mi', format: 'BinarySI' },
  { in: '1025', out: '1025', format: 'DecimalSI' },
  { in: '1023Ki', out: '1023Ki', format: 'BinarySI' },
  { in: '0.5Ki', out: '512', format: 'BinarySI' },
  { in: '0.5Mi', out: '512Ki', format: 'BinarySI' },
  { in: '100.035Ki', out: '102435840m', format: 'BinarySI' },
  { in: '0.05Gi', out: '53687091200m', format: 'BinarySI' },
  { in: '1000m', out: '1', format: 'DecimalSI' },
  { in: '0.5', out: '500m', format: 'DecimalSI' },
  { in: '1.5', out: '1500m', format: 'DecimalSI' },
  { in: '1.5k', out: '1500', format: 'DecimalSI' },
  { in: '1080m', out: '1080m', format: 'DecimalSI' },
  { in: '1.08', out: '1080m', format: 'DecimalSI' },
  { in: '1000M', out: '1G', format: 'DecimalSI' },
  { in: '0.001T', out: '1G', format: 'DecimalSI' },
  { in: '50k', out: '50k', format: 'DecimalSI' },
  { in: '0.0001', out: '100u', format: 'DecimalSI' },
  { in: '.001', out: '1m', format: 'DecimalSI' },
  { in: '.0001k', out: '100m', format: 'DecimalSI' },
  { in: '1.', out: '1', format: 'DecimalSI' },
  { in: '1.G', out: '1G', format: 'DecimalSI' },
  { in: '+5', out: '5', format: 'DecimalSI' },
  { in: '-9.01', out: '-9010m', format: 'DecimalSI' },
  { in: '-1Gi', out: '-1Gi', format: 'BinarySI' },
  { in: '-1024', out: '-1024', format: 'DecimalSI' },
  { in: '007', out: '7', format: 'DecimalSI' },
  // The exponent format is kept, as upstream does.
  { in: '2e3', out: '2e3', format: 'DecimalExponent' },
  { in: '1E6', out: '1e6', format: 'DecimalExponent' },
  { in: '1E-3', out: '1e-3', format: 'DecimalExponent' },
  { in: '1.3E+6', out: '1300e3', format: 'DecimalExponent' },
  { in: '0.5e0', out: '500e-3', format: 'DecimalExponent' },
  { in: '1.5e0', out: '1500e-3', format: 'DecimalExponent' },
  { in: '1000e0', out: '1e3', format: 'DecimalExponent' },
  // Rounding up to nano precision, away from zero.
  { in: '3.001n', out: '4n', format: 'DecimalSI' },
  { in: '0.9n', out: '1n', format: 'DecimalSI' },
  { in: '0.0000000001', out: '1n', format: 'DecimalSI' },
  { in: '0.00000012345', out: '124n', format: 'DecimalSI' },
  { in: '-0.00000012345', out: '-124n', format: 'DecimalSI' },
  { in: '1.1E-9', out: '2e-9', format: 'DecimalExponent' },
  { in: '0.000000000001Ki', out: '2n', format: 'DecimalSI' },
  // The fast path keeps huge exact values; the slow path caps at 2^63-1.
  { in: '12E', out: '12E', format: 'DecimalSI' },
  { in: '9Ei', out: '9223372036854775807', format: 'BinarySI' },
  { in: '9223372036854775807Ki', out: '9223372036854775807', format: 'BinarySI' },
  { in: '1e100', out: '10e99', format: 'DecimalExponent' },
  { in: '1.5e100', out: '15e99', format: 'DecimalExponent' },
  { in: '1.0000000000000000001e30', out: '9223372036854775807', format: 'DecimalExponent' },
];

for (const tc of canonical) {
  test(`canonical ${tc.in} → ${tc.out}`, (t) => {
    const q = Quantity.parse(tc.in);
    t.is(q.toString(), tc.out);
    t.is(q.format, tc.format);
    t.is(JSON.stringify({ q }), JSON.stringify({ q: tc.out }));
    // Canonical strings are fixed points.
    t.is(Quantity.parse(tc.out).toString(), tc.out);
    t.is(Quantity.parse(tc.out).cmp(q), 0);
  });
}

const invalid: Array<{ in: string; msg: string }> = [
  { in: '', msg: FORMAT_WRONG },
  { in: '1.5.5', msg: FORMAT_WRONG },
  { in: '1.1.M', msg: FORMAT_WRONG },
  { in: 'Gi', msg: FORMAT_WRONG },
  { in: '.', msg: FORMAT_WRONG },
  { in: '-', msg: FORMAT_WRONG },
  { in: '1Zi', msg: FORMAT_WRONG },
  { in: '0.1am', msg: FORMAT_WRONG },
  { in: 'aoeu', msg: FORMAT_WRONG },
  { in: '1 Gi', msg: FORMAT_WRONG },
  { in: ' 1', msg: FORMAT_WRONG },
  { in: '1 ', msg: FORMAT_WRONG },
  { in: '1+1.0M', msg: FORMAT_WRONG },
  { in: '0.1mi', msg: SUFFIX_WRONG },
  { in: '.5i', msg: SUFFIX_WRONG },
  { in: '1i', msg: SUFFIX_WRONG },
  { in: '1K', msg: SUFFIX_WRONG },
  { in: '1e', msg: SUFFIX_WRONG },
  { in: '-3.01e-', msg: SUFFIX_WRONG },
  { in: '1+1', msg: SUFFIX_WRONG },
];

for (const tc of invalid) {
  test(`invalid ${JSON.stringify(tc.in)}`, (t) => {
    const err = t.throws(() => Quantity.parse(tc.in), { instanceOf: QuantityError });
    t.is(err?.message, tc.msg);
    t.is(err?.input, tc.in);
    t.is(Quantity.tryParse(tc.in), undefined);
  });
}

const comparisons: Array<{ a: string; b: string; cmp: -1 | 0 | 1 }> = [
  { a: '1Gi', b: '1G', cmp: 1 },
  { a: '1000m', b: '1', cmp: 0 },
  { a: '1k', b: '1000', cmp: 0 },
  { a: '1Ki', b: '1k', cmp: 1 },
  { a: '2e3', b: '2k', cmp: 0 },
  { a: '0.1', b: '100m', cmp: 0 },
  { a: '-1', b: '0', cmp: -1 },
  { a: '999999999n', b: '1', cmp: -1 },
  { a: '12E', b: '9Ei', cmp: 1 },
];

for (const tc of comparisons) {
  test(`cmp ${tc.a} vs ${tc.b}`, (t) => {
    const a = Quantity.parse(tc.a);
    const b = Quantity.parse(tc.b);
    t.is(a.cmp(b), tc.cmp);
    t.is(b.cmp(a), (-tc.cmp || 0) as -1 | 0 | 1);
    t.is(a.equals(b), tc.cmp === 0);
  });
}

const values: Array<{ in: string; milli: bigint; value: bigint }> = [
  { in: '0.0001', milli: 1n, value: 1n },
  { in: '1500m', milli: 1500n, value: 2n },
  { in: '1.5', milli: 1500n, value: 2n },
  { in: '-1.5', milli: -1500n, value: -2n },
  { in: '100m', milli: 100n, value: 1n },
  { in: '1Ki', milli: 1024000n, value: 1024n },
  { in: '1n', milli: 1n, value: 1n },
  { in: '0', milli: 0n, value: 0n },
  { in: '2e3', milli: 2000000n, value: 2000n },
];

for (const tc of values) {
  test(`milliValue/value of ${tc.in}`, (t) => {
    const q = Quantity.parse(tc.in);
    t.is(q.milliValue(), tc.milli);
    t.is(q.value(), tc.value);
  });
}

test('arithmetic is exact (no float drift)', (t) => {
  let sum = Quantity.zero();
  for (let i = 0; i < 10; i++) sum = sum.add(Quantity.parse('0.1'));
  t.is(sum.toString(), '1');
  t.is(sum.cmp(Quantity.fromInt(1)), 0);
  t.is(Quantity.parse('1Gi').sub(Quantity.parse('512Mi')).toString(), '512Mi');
  t.is(Quantity.parse('1').sub(Quantity.parse('1500m')).toString(), '-500m');
  t.is(Quantity.parse('100m').neg().toString(), '-100m');
  t.true(Quantity.parse('1m').sub(Quantity.parse('0.001')).isZero());
  t.is(Quantity.parse('250m').mul(4).toString(), '1');
});

test('add keeps the receiver format unless it is zero', (t) => {
  t.is(Quantity.parse('1Gi').add(Quantity.parse('1G')).format, 'BinarySI');
  t.is(Quantity.parse('1G').add(Quantity.parse('1Gi')).format, 'DecimalSI');
  t.is(Quantity.zero().add(Quantity.parse('1Gi')).toString(), '1Gi');
  t.is(Quantity.parse('1G').add(Quantity.parse('1Gi')).toString(), '2073741824');
});

test('fromMilli / fromInt / roundUp / asNumber / fromJSON', (t) => {
  t.is(Quantity.fromMilli(250n).toString(), '250m');
  t.is(Quantity.fromMilli(3000n).toString(), '3');
  t.is(Quantity.fromInt(1024, 'BinarySI').toString(), '1Ki');
  t.is(Quantity.fromInt(1536, 'BinarySI').toString(), '1536');
  t.is(Quantity.fromInt(5n * 1024n ** 3n, 'BinarySI').toString(), '5Gi');
  t.is(Quantity.fromInt(2000, 'DecimalExponent').toString(), '2e3');
  t.throws(() => Quantity.fromInt(1.5), { instanceOf: RangeError });
  t.is(Quantity.parse('0.0001').roundUp(-3).toString(), '1m');
  t.is(Quantity.parse('-9.01').roundUp(-1).toString(), '-9100m');
  t.is(Quantity.parse('9.01').roundUp(0).toString(), '10');
  t.is(Quantity.parse('1.5Gi').asNumber(), 1610612736);
  t.is(Quantity.parse('100m').asNumber(), 0.1);
  t.is(Quantity.fromJSON(' 1Gi ').toString(), '1Gi');
  t.is(Quantity.fromJSON(2).toString(), '2');
  t.is(Quantity.fromJSON(0.5).toString(), '500m');
  t.throws(() => Quantity.fromJSON(true), { instanceOf: QuantityError });
});
