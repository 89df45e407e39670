import test from 'ava';
import {
  type IntOrString,
  IntOrStringError,
  intOrStringToString,
  isPercent,
  parseIntOrString,
  scaledValueFromIntOrPercent,
} from '../../../controlplane/machinery/intstr.js';

const scaled: Array<{ v: IntOrString; total: number; roundUp: boolean; want: number }> = [
  { v: 5, total: 100, roundUp: true, want: 5 },
  { v: 0, total: 10, roundUp: false, want: 0 },
  { v: '25%', total: 10, roundUp: true, want: 3 },
  { v: '25%', total: 10, roundUp: false, want: 2 },
  { v: '33%', total: 300, roundUp: true, want: 99 },
  { v: '33%', total: 300, roundUp: false, want: 99 },
  { v: '10%', total: 5, roundUp: true, want: 1 },
  { v: '10%', total: 5, roundUp: false, want: 0 },
  { v: '100%', total: 7, roundUp: false, want: 7 },
  { v: '0%', total: 7, roundUp: true, want: 0 },
  { v: '150%', total: 3, roundUp: true, want: 5 },
  { v: '-10%', total: 5, roundUp: true, want: 0 },
  { v: '-10%', total: 5, roundUp: false, want: -1 },
];

for (const tc of scaled) {
  test(`scaled ${JSON.stringify(tc.v)} of ${tc.total} roundUp=${tc.roundUp}`, (t) => {
    t.is(scaledValueFromIntOrPercent(tc.v, tc.total, tc.roundUp), tc.want);
  });
}

const bad: Array<{ v: IntOrString | undefined; err: string }> = [
  { v: undefined, err: 'nil value for IntOrString' },
  { v: '25', err: 'invalid value for IntOrString: invalid type: string is not a percentage' },
  { v: 'http', err: 'invalid value for IntOrString: invalid type: string is not a percentage' },
  { v: 'abc%', err: 'invalid value for IntOrString: invalid value "abc%": strconv.Atoi: parsing "abc": invalid syntax' },
  { v: '%', err: 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax' },
  { v: '1.5%', err: 'invalid value for IntOrString: invalid value "1.5%": strconv.Atoi: parsing "1.5": invalid syntax' },
];

for (const tc of bad) {
  test(`scaled error ${JSON.stringify(tc.v)}`, (t) => {
    const err = t.throws(() => scaledValueFromIntOrPercent(tc.v, 10, true), { instanceOf: IntOrStringError });
    t.is(err?.message, tc.err);
  });
}

test('isPercent, parse, toString', (t) => {
  t.true(isPercent('10%'));
  t.true(isPercent('x%'));
  t.false(isPercent('10'));
  t.false(isPercent(10));
  t.false(isPercent(undefined));
  t.is(parseIntOrString('8080'), 8080);
  t.is(parseIntOrString('-1'), -1);
  t.is(parseIntOrString('http'), 'http');
  t.is(parseIntOrString('25%'), '25%');
  t.is(parseIntOrString('99999999999'), '99999999999');
  t.is(intOrStringToString(80), '80');
  t.is(intOrStringToString('http'), 'http');
});
