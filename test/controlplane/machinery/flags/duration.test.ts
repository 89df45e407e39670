import test from 'ava';
import { formatGoDuration, parseGoDuration } from '../../../../controlplane/machinery/flags/duration.js';

const parses: { in: string; ms: number }[] = [
  { in: '0', ms: 0 },
  { in: '0s', ms: 0 },
  { in: '5m', ms: 300_000 },
  { in: '1m0s', ms: 60_000 },
  { in: '250ms', ms: 250 },
  { in: '12h0m0s', ms: 43_200_000 },
  { in: '1h30m', ms: 5_400_000 },
  { in: '-1s', ms: -1000 },
  { in: '+2s', ms: 2000 },
  { in: '1.5h', ms: 5_400_000 },
  { in: '2m30s', ms: 150_000 },
  { in: '1.5us', ms: 0.0015 },
  { in: '1500µs', ms: 1.5 },
  { in: '100ns', ms: 0.0001 },
];
for (const tc of parses) {
  test(`parse ${tc.in}`, (t) => {
    const r = parseGoDuration(tc.in);
    t.true(r.ok);
    if (r.ok) t.is(r.ms, tc.ms);
  });
}

const bad = ['', '5', 'abc', '1x', '5m-3s', '.s', '1h 2m', '-'];
for (const s of bad) {
  test(`reject ${JSON.stringify(s)}`, (t) => {
    const r = parseGoDuration(s);
    t.false(r.ok);
    if (!r.ok) t.regex(r.error, /^time: (invalid duration|unknown unit)/);
  });
}

const prints: { ms: number; out: string }[] = [
  { ms: 0, out: '0s' },
  { ms: 300_000, out: '5m0s' },
  { ms: 90_000, out: '1m30s' },
  { ms: 250, out: '250ms' },
  { ms: 43_200_000, out: '12h0m0s' },
  { ms: 5_400_000, out: '1h30m0s' },
  { ms: 1500, out: '1.5s' },
  { ms: -1000, out: '-1s' },
  { ms: 0.0015, out: '1.5µs' },
  { ms: 86_400_000, out: '24h0m0s' },
  { ms: 14_400_000, out: '4h0m0s' },
];
for (const tc of prints) {
  test(`format ${tc.ms}ms as ${tc.out}`, (t) => {
    t.is(formatGoDuration(tc.ms), tc.out);
    // And back: Go's String() output parses to the same value.
    const r = parseGoDuration(tc.out);
    t.true(r.ok && r.ms === tc.ms);
  });
}
