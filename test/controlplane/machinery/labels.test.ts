import test from 'ava';
import { FieldPath, formatFieldError } from '../../../controlplane/machinery/errors.js';
import {
  everything,
  formatLabels,
  LabelSelectorError,
  nothing,
  parseSelector,
  Requirement,
  selectorAsSet,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelKey,
  validateLabels,
  validateLabelSelector,
  validateLabelValue,
} from '../../../controlplane/machinery/labels.js';
import type { LabelSelector } from '../../../controlplane/machinery/meta/types.js';

// ---- parse + canonical string --------------------------------------------------

const parses: Array<{ in: string; out: string }> = [
  { in: '', out: '' },
  { in: 'a=b', out: 'a=b' },
  { in: 'a==b', out: 'a==b' },
  { in: 'a!=b', out: 'a!=b' },
  { in: '  a = b  ', out: 'a=b' },
  { in: 'b=2,a=1', out: 'a=1,b=2' },
  { in: 'a in (y,x)', out: 'a in (x,y)' },
  { in: 'a notin (x)', out: 'a notin (x)' },
  { in: 'a', out: 'a' },
  { in: '!a', out: '!a' },
  { in: ' ! a ', out: '!a' },
  { in: 'a>1', out: 'a>1' },
  { in: 'a<5', out: 'a<5' },
  { in: 'a=', out: 'a=' },
  { in: 'a=,b', out: 'a=,b' },
  { in: 'x in (foo,,baz),y,z notin ()', out: 'x in (,baz,foo),y,z notin ()' },
  { in: 'x in (,a)', out: 'x in (,a)' },
  { in: 'x in (a,)', out: 'x in (,a)' },
  { in: 'x in (a,a)', out: 'x in (a)' },
  { in: 'in in (in)', out: 'in in (in)' },
  { in: 'notin notin (notin)', out: 'notin notin (notin)' },
  { in: 'example.com/app=web', out: 'example.com/app=web' },
  { in: 'k1 == v1 , k2!=v2', out: 'k1==v1,k2!=v2' },
];

for (const tc of parses) {
  test(`parse ${JSON.stringify(tc.in)}`, (t) => {
    const sel = parseSelector(tc.in);
    t.is(sel.toString(), tc.out);
    t.is(parseSelector(sel.toString()).toString(), tc.out);
    t.is(sel.isEmpty(), tc.out === '');
  });
}

const KEY_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const parseErrors: Array<{ in: string; err: string }> = [
  { in: 'a=b,', err: "found '', expected: identifier after ','" },
  { in: ',a', err: "found ',', expected: !, identifier, or 'end of string'" },
  { in: '=a', err: "found '=', expected: !, identifier, or 'end of string'" },
  { in: 'a=b c', err: "found 'c', expected: ',' or 'end of string'" },
  { in: '!a=b', err: "found '=', expected: ',' or 'end of string'" },
  { in: 'x=a=b', err: "found '=', expected: ',' or 'end of string'" },
  { in: 'a b', err: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
  { in: 'a (b)', err: "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt" },
  { in: 'a in b', err: "unable to parse requirement: found 'b', expected: '('" },
  { in: 'a in (x y)', err: "unable to parse requirement: found 'y', expected: ',' or ')'" },
  { in: 'a notin (b', err: "unable to parse requirement: found '', expected: ',' or ')'" },
  { in: 'a in (=)', err: "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
  { in: 'a in (b,=)', err: "unable to parse requirement: found '=', expected: ',', or identifier" },
  { in: 'a=(', err: "unable to parse requirement: found '(', expected: identifier" },
  { in: '!!a', err: "unable to parse requirement: found '!', expected: identifier" },
  { in: 'a>b', err: `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer` },
  { in: '-a=b', err: `unable to parse requirement: <nil>: Invalid value: "-a": ${KEY_MSG}` },
  { in: 'a=b$', err: 'unable to parse requirement: values[0][a]: Invalid value: "b$": ' +
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
];

for (const tc of parseErrors) {
  test(`parse error ${JSON.stringify(tc.in)}`, (t) => {
    const err = t.throws(() => parseSelector(tc.in), { instanceOf: LabelSelectorError });
    t.is(err?.message, tc.err);
  });
}

// ---- matching --------------------------------------------------------------------

const matching: Array<{ sel: string; labels: Record<string, string> | undefined; want: boolean }> = [
  { sel: '', labels: undefined, want: true },
  { sel: '', labels: { a: 'b' }, want: true },
  { sel: 'a=b', labels: { a: 'b' }, want: true },
  { sel: 'a=b', labels: { a: 'c' }, want: false },
  { sel: 'a=b', labels: {}, want: false },
  { sel: 'a=', labels: { a: '' }, want: true },
  { sel: 'a=', labels: {}, want: false },
  { sel: 'a!=b', labels: {}, want: true },
  { sel: 'a!=b', labels: undefined, want: true },
  { sel: 'a!=b', labels: { a: 'b' }, want: false },
  { sel: 'a in (x,y)', labels: { a: 'y' }, want: true },
  { sel: 'a in (x,y)', labels: {}, want: false },
  { sel: 'a notin (x,y)', labels: {}, want: true },
  { sel: 'a notin (x,y)', labels: { a: 'x' }, want: false },
  { sel: 'a notin (x,y)', labels: { a: 'z' }, want: true },
  { sel: 'a', labels: { a: '' }, want: true },
  { sel: 'a', labels: {}, want: false },
  { sel: '!a', labels: {}, want: true },
  { sel: '!a', labels: { a: 'x' }, want: false },
  { sel: 'a>1', labels: { a: '2' }, want: true },
  { sel: 'a>1', labels: { a: '1' }, want: false },
  { sel: 'a>1', labels: { a: 'x' }, want: false },
  { sel: 'a>1', labels: {}, want: false },
  { sel: 'a<10', labels: { a: '9' }, want: true },
  { sel: 'a<10', labels: { a: '-10' }, want: true },
  { sel: 'a=b,c notin (d)', labels: { a: 'b' }, want: true },
  { sel: 'a=b,c notin (d)', labels: { a: 'b', c: 'd' }, want: false },
  { sel: 'toString', labels: {}, want: false },
];

for (const tc of matching) {
  test(`match ${JSON.stringify(tc.sel)} against ${JSON.stringify(tc.labels)}`, (t) => {
    t.is(parseSelector(tc.sel).matches(tc.labels), tc.want);
  });
}

test('everything, nothing, selectorFromSet', (t) => {
  t.true(everything().matches(undefined));
  t.true(everything().isEmpty());
  t.false(nothing().matches({}));
  t.false(nothing().isEmpty());
  t.is(nothing().toString(), '');
  const s = selectorFromSet({ b: '2', a: '1' });
  t.is(s.toString(), 'a=1,b=2');
  t.true(s.matches({ a: '1', b: '2', c: '3' }));
  t.false(s.matches({ a: '1' }));
  t.true(selectorFromSet({}).isEmpty());
  t.true(selectorFromSet(undefined).matches({ x: 'y' }));
  t.deepEqual(selectorAsSet(s), { a: '1', b: '2' });
  t.is(selectorAsSet(parseSelector('a in (x)')), undefined);
  t.is(s.requiresExactMatch('a'), '1');
  t.is(s.requiresExactMatch('z'), undefined);
  t.is(parseSelector('a in (x)').requiresExactMatch('a'), 'x');
  t.is(parseSelector('a!=x').requiresExactMatch('a'), undefined);
  t.is(s.add(Requirement.create('0', 'exists')).toString(), '0,a=1,b=2');
  t.is(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  t.is(formatLabels(undefined), '<none>');
});

// ---- LabelSelector (API struct) -----------------------------------------------------

const apiSelectors: Array<{ name: string; ls: LabelSelector | undefined; str: string; match: Record<string, string>; want: boolean }> = [
  { name: 'undefined selects nothing', ls: undefined, str: '', match: {}, want: false },
  { name: '{} selects everything', ls: {}, str: '', match: {}, want: true },
  { name: 'matchLabels', ls: { matchLabels: { app: 'web' } }, str: 'app=web', match: { app: 'web' }, want: true },
  {
    name: 'all operators',
    ls: {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    },
    str: 'app=web,env notin (prod),!legacy,team,tier in (be,fe)',
    match: { app: 'web', tier: 'fe', team: 'x' },
    want: true,
  },
  {
    name: 'NotIn against missing label matches, In does not',
    ls: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }, { key: 'env', operator: 'NotIn', values: ['prod'] }] },
    str: 'env notin (prod),tier in (fe)',
    match: { env: 'dev' },
    want: false,
  },
];

for (const tc of apiSelectors) {
  test(`selectorFromLabelSelector: ${tc.name}`, (t) => {
    const sel = selectorFromLabelSelector(tc.ls);
    t.is(sel.toString(), tc.str);
    t.is(sel.matches(tc.match), tc.want);
  });
}

const apiErrors: Array<{ name: string; ls: LabelSelector; err: string }> = [
  { name: 'bad operator', ls: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, err: '"Equals" is not a valid label selector operator' },
  { name: 'In without values', ls: { matchExpressions: [{ key: 'a', operator: 'In' }] }, err: `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty` },
  {
    name: 'Exists with values',
    ls: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    err: `values: Invalid value: ["x"]: values set must be empty for exists and does not exist`,
  },
  { name: 'bad key', ls: { matchLabels: { 'a/b/c': 'x' } }, err: 'key: Invalid value: "a/b/c": a qualified name must consist of' },
];

for (const tc of apiErrors) {
  test(`selectorFromLabelSelector error: ${tc.name}`, (t) => {
    const err = t.throws(() => selectorFromLabelSelector(tc.ls), { instanceOf: LabelSelectorError });
    t.true(err!.message.startsWith(tc.err), err!.message);
  });
}

// ---- validation ---------------------------------------------------------------------------

const keyCases: Array<{ key: string; errs: number }> = [
  { key: 'app', errs: 0 },
  { key: 'app.kubernetes.io/name', errs: 0 },
  { key: 'A_b.c-9', errs: 0 },
  { key: 'a'.repeat(63), errs: 0 },
  { key: 'a'.repeat(64), errs: 1 },
  { key: '', errs: 2 },
  { key: '/a', errs: 1 },
  { key: 'Example.com/a', errs: 1 },
  { key: 'a/b/c', errs: 1 },
  { key: '-a', errs: 1 },
];

for (const tc of keyCases) {
  test(`validateLabelKey ${JSON.stringify(tc.key.length > 20 ? `${tc.key.length} chars` : tc.key)}`, (t) => {
    t.is(validateLabelKey(tc.key).length, tc.errs, validateLabelKey(tc.key).join(' | '));
  });
}

test('validateLabelValue', (t) => {
  t.deepEqual(validateLabelValue(''), []);
  t.deepEqual(validateLabelValue('a'.repeat(63)), []);
  t.deepEqual(validateLabelValue('a'.repeat(64)), ['must be no more than 63 characters']);
  t.is(validateLabelValue('a b').length, 1);
  t.is(validateLabelValue('-a').length, 1);
});

test('validateLabels reports at the map path', (t) => {
  const errs = validateLabels({ good: 'ok', 'bad key!': 'v', k: 'bad value!' }, FieldPath.root('metadata').child('labels'));
  t.deepEqual(
    errs.map((e) => [e.field, e.value]),
    [
      ['metadata.labels', 'bad key!'],
      ['metadata.labels', 'bad value!'],
    ],
  );
});

test('validateLabelSelector', (t) => {
  const p = FieldPath.root('spec').child('selector');
  t.deepEqual(validateLabelSelector(undefined, p), []);
  t.deepEqual(validateLabelSelector({ matchLabels: { a: 'b' } }, p), []);
  const errs = validateLabelSelector(
    {
      matchLabels: { a: 'b' },
      matchExpressions: [
        { key: 'x', operator: 'In' },
        { key: 'y', operator: 'Exists', values: ['1'] },
        { key: 'z', operator: 'Foo' },
        { key: 'bad key', operator: 'In', values: ['bad value!'] },
      ],
    },
    p,
  );
  t.deepEqual(
    errs.map((e) => formatFieldError(e).slice(0, 90)),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Foo": not a valid selector operator',
      'spec.selector.matchExpressions[3].key: Invalid value: "bad key": name part must consist of alphanumeric characters',
      'spec.selector.matchExpressions[3].values[0]: Invalid value: "bad value!": a valid label must be an empty string or consist',
    ].map((s) => s.slice(0, 90)),
  );
});
