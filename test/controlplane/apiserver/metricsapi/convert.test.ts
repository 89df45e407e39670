// metrics.k8s.io from kubelet summaries: quantities in metrics-server's
// canonical forms, and the Summary → NodeMetrics/PodMetrics conversion.
import test from 'ava';
import { formatCPU, formatMemory, nodeMetrics, podMetrics, type Summary } from '../../../../controlplane/apiserver/metricsapi/index.js';

const cpuCases: [number, string][] = [
  [0, '0'],
  [329087452, '329087452n'],
  [250_000_000, '250m'],
  [1_500_000, '1500u'],
  [1_000_000_000, '1'],
  [3_000_000_000, '3'],
  [2_000_000_000_000, '2k'],
  [12.6, '13n'],
  [-5, '0'],
];
for (const [n, want] of cpuCases) test(`cpu ${n} nanocores → ${want}`, (t) => t.is(formatCPU(n), want));

const memCases: [number, string][] = [
  [0, '0'],
  [512, '512'],
  [1000, '1k'],
  [1024, '1Ki'],
  [2748180 * 1024, '2748180Ki'],
  [64 * 1024 * 1024, '64Mi'],
  [3 * 1024 ** 3, '3Gi'],
  [10_000_000, '10000000'],
  [4096 * 3, '12Ki'],
];
for (const [n, want] of memCases) test(`memory ${n} bytes → ${want}`, (t) => t.is(formatMemory(n), want));

const now = new Date('2026-11-22T10:00:00.500Z');
const summary: Summary = {
  node: { nodeName: 'n1', cpu: { time: '2026-11-22T09:59:58Z', usageNanoCores: 1_234_567_890 }, memory: { time: '2026-11-22T09:59:59.250Z', workingSetBytes: 3 * 1024 ** 3 } },
  pods: [
    {
      podRef: { name: 'web', namespace: 'shop' },
      containers: [
        { name: 'app', cpu: { time: '2026-11-22T09:59:57Z', usageNanoCores: 250_000_000 }, memory: { time: '2026-11-22T09:59:57Z', workingSetBytes: 64 * 1024 * 1024 } },
        { name: 'sidecar', cpu: { time: '2026-11-22T09:59:58Z', usageNanoCores: 1_500_000 }, memory: { time: '2026-11-22T09:59:58Z', workingSetBytes: 10_000_000 } },
      ],
    },
    { podRef: { name: 'half', namespace: 'shop' }, containers: [{ name: 'a', cpu: { time: '2026-11-22T09:59:58Z', usageNanoCores: 1 } }] },
    { podRef: { name: 'empty', namespace: 'shop' }, containers: [] },
  ],
};

test('node metrics: usage, sample timestamp, window, labels', (t) => {
  t.deepEqual(nodeMetrics({ name: 'n1', labels: { zone: 'a' } }, summary, now), {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'n1', creationTimestamp: '2026-11-22T10:00:00Z', labels: { zone: 'a' } },
    timestamp: '2026-11-22T09:59:59Z',
    window: '10s',
    usage: { cpu: '1234567890n', memory: '3Gi' },
  });
});

test('node metrics: none without both cpu and memory samples', (t) => {
  t.is(nodeMetrics({ name: 'n1' }, { node: { cpu: { time: 'x', usageNanoCores: 5 } } }, now), undefined);
  t.is(nodeMetrics({ name: 'n1' }, { node: { memory: { time: 'x', workingSetBytes: 5 } } }, now), undefined);
});

test('pod metrics: one usage per container in summary order, latest sample time', (t) => {
  t.deepEqual(podMetrics({ name: 'web', namespace: 'shop' }, summary.pods![0], now), {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2026-11-22T10:00:00Z' },
    timestamp: '2026-11-22T09:59:58Z',
    window: '10s',
    containers: [
      { name: 'app', usage: { cpu: '250m', memory: '64Mi' } },
      { name: 'sidecar', usage: { cpu: '1500u', memory: '10000000' } },
    ],
  });
});

test('pod metrics: none when a container lacks samples or there are no containers', (t) => {
  t.is(podMetrics({ name: 'half', namespace: 'shop' }, summary.pods![1], now), undefined);
  t.is(podMetrics({ name: 'empty', namespace: 'shop' }, summary.pods![2], now), undefined);
});
