import test from 'ava';
import {
  escapeFieldValue,
  everythingFields,
  fieldSelectorFromSet,
  FieldSelectorError,
  oneTermEqualSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from '../../../controlplane/machinery/fields.js';

const parses: Array<{ in: string; out: string }> = [
  { in: '', out: '' },
  { in: 'metadata.name=x', out: 'metadata.name=x' },
  { in: 'metadata.name==x', out: 'metadata.name=x' },
  { in: 'status.phase!=Running,metadata.name=x', out: 'metadata.name=x,status.phase!=Running' },
  { in: 'spec.nodeName=', out: 'spec.nodeName=' },
  { in: 'a=b,,c=d', out: 'a=b,c=d' },
  { in: 'a=x\\,y', out: 'a=x\\,y' },
  { in: 'a=x\\=y\\\\', out: 'a=x\\=y\\\\' },
];

for (const tc of parses) {
  test(`parse ${JSON.stringify(tc.in)}`, (t) => {
    const s = parseFieldSelector(tc.in);
    t.is(s.toString(), tc.out);
    t.is(parseFieldSelector(s.toString()).toString(), tc.out);
    t.is(s.isEmpty(), tc.out === '');
  });
}

const errors: Array<{ in: string; err: string }> = [
  { in: 'metadata.name', err: "invalid selector: 'metadata.name'; can't understand 'metadata.name'" },
  { in: 'a=b,bogus', err: "invalid selector: 'a=b,bogus'; can't understand 'bogus'" },
  { in: 'a=b=c', err: "invalid field selector: unescaped character in value: '=' (in 'a=b=c')" },
  { in: 'a=b\\x', err: "invalid field selector: invalid escape sequence: \\x (in 'a=b\\x')" },
  { in: 'a=b\\', err: "invalid field selector: invalid escape sequence: \\ (in 'a=b\\')" },
];

for (const tc of errors) {
  test(`parse error ${JSON.stringify(tc.in)}`, (t) => {
    const err = t.throws(() => parseFieldSelector(tc.in), { instanceOf: FieldSelectorError });
    t.is(err?.message, tc.err);
  });
}

const pod = { 'metadata.name': 'web-1', 'metadata.namespace': 'default', 'status.phase': 'Pending' };

const matching: Array<{ sel: string; fields: Record<string, string>; want: boolean }> = [
  { sel: '', fields: pod, want: true },
  { sel: 'metadata.name=web-1', fields: pod, want: true },
  { sel: 'metadata.name=web-2', fields: pod, want: false },
  { sel: 'status.phase!=Running', fields: pod, want: true },
  { sel: 'status.phase!=Pending', fields: pod, want: false },
  { sel: 'spec.nodeName=', fields: pod, want: true },
  { sel: 'spec.nodeName=n1', fields: pod, want: false },
  { sel: 'spec.nodeName!=', fields: pod, want: false },
  { sel: 'spec.nodeName=n1', fields: { ...pod, 'spec.nodeName': 'n1' }, want: true },
  { sel: 'metadata.name=web-1,status.phase=Running', fields: pod, want: false },
];

for (const tc of matching) {
  test(`match ${JSON.stringify(tc.sel)} against nodeName=${tc.fields['spec.nodeName'] ?? '(none)'}`, (t) => {
    t.is(parseFieldSelector(tc.sel).matches(tc.fields), tc.want);
  });
}

test('requiresExactMatch, constructors, escaping', (t) => {
  const s = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
  t.is(s.requiresExactMatch('spec.nodeName'), 'n1');
  t.is(s.requiresExactMatch('status.phase'), undefined);
  t.is(s.requiresExactMatch('metadata.name'), undefined);
  t.is(parseFieldSelector('spec.nodeName==').requiresExactMatch('spec.nodeName'), '');
  t.true(everythingFields().matches({}));
  t.is(oneTermEqualSelector('spec.nodeName', 'a,b').toString(), 'spec.nodeName=a\\,b');
  t.is(fieldSelectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
  t.is(escapeFieldValue('a\\b,c=d'), 'a\\\\b\\,c\\=d');
  t.is(unescapeFieldValue(escapeFieldValue('a\\b,c=d')), 'a\\b,c=d');
  t.deepEqual(parseFieldSelector('a!=x').requirements(), [{ field: 'a', operator: '!=', value: 'x' }]);
});
