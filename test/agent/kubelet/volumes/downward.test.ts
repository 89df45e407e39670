// Downward API rendering: upstream's key="value" lines (sorted, Go-quoted),
// field paths, and resource values with divisors.
import test from 'ava';
import type { Container, Pod } from '../../../../controlplane/api/core/v1/types.js';
import { extractFieldPath, extractResourceValue, formatMap, goQuote } from '../../../../agent/kubelet/volumes/downward.js';

test('goQuote matches Go strconv.Quote', (t) => {
  const cases: [string, string][] = [
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['a\nb\tc\rd', '"a\\nb\\tc\\rd"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['\x07\b\f\v', '"\\a\\b\\f\\v"'],
    ['ünïcödé ✓ 日本', '"ünïcödé ✓ 日本"'],
    ['nbsp\u00a0zwsp\u200b', '"nbsp\\u00a0zwsp\\u200b"'],
    ['emoji 😀', '"emoji 😀"'],
  ];
  for (const [s, q] of cases) t.is(goQuote(s), q, s);
});

test('formatMap: sorted keys, one key="value" per line, no trailing newline', (t) => {
  t.is(formatMap({ zone: 'us-east', app: 'web', 'k8s.io/x': 'multi\nline' }), 'app="web"\nk8s.io/x="multi\\nline"\nzone="us-east"');
  t.is(formatMap({}), '');
  t.is(formatMap(undefined), '');
});

const pod: Pod = {
  metadata: { name: 'web-0', namespace: 'prod', uid: 'u-1', labels: { b: '2', a: '1' }, annotations: { note: 'say "x"' } },
  spec: {
    containers: [
      { name: 'app', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } } },
      { name: 'bare' },
    ],
  },
};

test('field paths', (t) => {
  t.is(extractFieldPath(pod, 'metadata.name'), 'web-0');
  t.is(extractFieldPath(pod, 'metadata.namespace'), 'prod');
  t.is(extractFieldPath(pod, 'metadata.uid'), 'u-1');
  t.is(extractFieldPath(pod, 'metadata.labels'), 'a="1"\nb="2"');
  t.is(extractFieldPath(pod, 'metadata.annotations'), 'note="say \\"x\\""');
  t.is(extractFieldPath(pod, "metadata.labels['b']"), '2');
  t.is(extractFieldPath(pod, "metadata.annotations['missing']"), '');
  t.throws(() => extractFieldPath(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
});

const app = pod.spec!.containers[0] as Container;
const bare = pod.spec!.containers[1] as Container;
const resourceCases: { name: string; c: Container; resource: string; divisor?: string; alloc?: Record<string, string>; want: string }[] = [
  { name: 'limits.cpu in cores rounds up', c: app, resource: 'limits.cpu', want: '1' },
  { name: 'limits.cpu divisor 1m', c: app, resource: 'limits.cpu', divisor: '1m', want: '250' },
  { name: 'requests.cpu divisor 0 means 1', c: app, resource: 'requests.cpu', divisor: '0', want: '1' },
  { name: 'limits.memory in bytes', c: app, resource: 'limits.memory', want: String(64 * 1024 * 1024) },
  { name: 'limits.memory divisor 1Mi', c: app, resource: 'limits.memory', divisor: '1Mi', want: '64' },
  { name: 'requests.memory divisor 1M rounds up', c: app, resource: 'requests.memory', divisor: '1M', want: '34' },
  { name: 'unset request is 0', c: bare, resource: 'requests.memory', want: '0' },
  { name: 'unset limit falls back to node allocatable', c: bare, resource: 'limits.cpu', divisor: '1m', alloc: { cpu: '2' }, want: '2000' },
  { name: 'unset limit without allocatable is 0', c: bare, resource: 'limits.memory', want: '0' },
];
for (const tc of resourceCases) {
  test(`resourceFieldRef: ${tc.name}`, (t) => {
    t.is(extractResourceValue({ resource: tc.resource, divisor: tc.divisor }, tc.c, tc.alloc), tc.want);
  });
}

test('resourceFieldRef: unsupported resource', (t) => {
  t.throws(() => extractResourceValue({ resource: 'limits.gpu' }, app), { message: 'unsupported container resource : limits.gpu' });
});
