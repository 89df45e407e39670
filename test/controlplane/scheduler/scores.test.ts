// Table-driven tests of every score plugin: raw scores through the plugin's
// normalisation, compared with values worked out by hand from upstream's formulas.
import test from 'ava';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { imageLocalityPriority } from '../../../controlplane/scheduler/framework/scores/image.js';
import { interPodAffinityPriority } from '../../../controlplane/scheduler/framework/scores/interpodaffinity.js';
import { nodeAffinityPriority } from '../../../controlplane/scheduler/framework/scores/nodeaffinity.js';
import { balancedResourceAllocation, leastRequested, mostRequested } from '../../../controlplane/scheduler/framework/scores/resources.js';
import { selectorSpread } from '../../../controlplane/scheduler/framework/scores/spread.js';
import { taintTolerationPriority } from '../../../controlplane/scheduler/framework/scores/taints.js';
import type { ScorePlugin } from '../../../controlplane/scheduler/framework/types.js';
import { antiTerm, cluster, node, pod, type ClusterOpts } from './fixtures.js';

interface Case {
  name: string;
  plugin: ScorePlugin;
  pod: Pod;
  cluster: ClusterOpts;
  /** node name → final 0–100 score; undefined = plugin skipped (all 0). */
  want: Record<string, number> | undefined;
}

const MB = 1024 * 1024;
const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const web = (name: string, nodeName?: string) => pod(name, { labels: { app: 'web' }, nodeName, cpu: '100m' });
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } };

const cases: Case[] = [
  {
    // cpu: (4000-(1000+1000))*100/4000 = 50; memory: (8Gi-(1Gi+1Gi))*100/8Gi = 75 → (50+75)/2 = 62
    name: 'least requested: free share after placing the pod',
    plugin: leastRequested,
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    cluster: { nodes: [node('busy', { cpu: '4', memory: '8Gi' }), node('idle', { cpu: '4', memory: '8Gi' })], pods: [pod('x', { cpu: '1', memory: '1Gi', nodeName: 'busy' })] },
    want: { busy: 62, idle: 81 },
  },
  {
    // Non-zero defaults: 100m / 200Mi for a pod that requests nothing. cpu (4000-100)*100/4000=97, mem (8192-200)*100/8192=97
    name: 'least requested: an empty pod counts 100m and 200Mi',
    plugin: leastRequested,
    pod: pod('p'),
    cluster: { nodes: [node('a', { cpu: '4', memory: '8Gi' })] },
    want: { a: 97 },
  },
  {
    name: 'most requested: used share (packs)',
    plugin: mostRequested,
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    cluster: { nodes: [node('busy', { cpu: '4', memory: '8Gi' }), node('idle', { cpu: '4', memory: '8Gi' })], pods: [pod('x', { cpu: '1', memory: '1Gi', nodeName: 'busy' })] },
    want: { busy: 37, idle: 18 },
  },
  {
    // busy: cpu 2/4=0.5, mem 2/8=0.25 → std 0.125 → 87; idle: 0.25 vs 0.125 → 0.0625 → 93
    name: 'balanced allocation: 100 × (1 − |cpu − mem| / 2)',
    plugin: balancedResourceAllocation,
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    cluster: { nodes: [node('busy', { cpu: '4', memory: '8Gi' }), node('idle', { cpu: '4', memory: '8Gi' })], pods: [pod('x', { cpu: '1', memory: '1Gi', nodeName: 'busy' })] },
    want: { busy: 87, idle: 93 },
  },
  {
    name: 'selector spread: fewer pods of the same service score higher',
    plugin: selectorSpread,
    pod: web('new'),
    cluster: { nodes: [node('a'), node('b'), node('c')], pods: [web('w1', 'a'), web('w2', 'a'), web('w3', 'b')], services: [svc] },
    want: { a: 0, b: 50, c: 100 },
  },
  {
    // node scores a 0, b 100, c 100 (max 1); zone counts x=1 y=0 → zone scores 0 / 100
    // a: 0/3 + 2/3·0 = 0; b: 100/3 + 0 = 33; c: 100/3 + 2/3·100 = 100
    name: 'selector spread: zones weigh two thirds',
    plugin: selectorSpread,
    pod: web('new'),
    cluster: { nodes: [node('a', { labels: zone('x') }), node('b', { labels: zone('x') }), node('c', { labels: zone('y') })], pods: [web('w1', 'a')], services: [svc] },
    want: { a: 0, b: 33, c: 100 },
  },
  {
    name: 'selector spread: skipped for a pod no service or controller selects',
    plugin: selectorSpread,
    pod: pod('lonely', { labels: { app: 'other' } }),
    cluster: { nodes: [node('a')], services: [svc] },
    want: undefined,
  },
  {
    name: 'selector spread: a ReplicaSet selector counts too',
    plugin: selectorSpread,
    pod: pod('new', { labels: { rs: 'r' } }),
    cluster: {
      nodes: [node('a'), node('b')],
      pods: [pod('r1', { labels: { rs: 'r' }, nodeName: 'a' })],
      replicaSets: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', namespace: 'default' }, spec: { selector: { matchLabels: { rs: 'r' } }, template: { spec: { containers: [] } } } }],
    },
    want: { a: 0, b: 100 },
  },
  {
    name: 'preferred node affinity: weights summed, scaled to the best',
    plugin: nodeAffinityPriority,
    pod: pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 80, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
              { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
            ],
          },
        },
      },
    }),
    cluster: { nodes: [node('both', { labels: { disk: 'ssd', zone: 'a' } }), node('ssd', { labels: { disk: 'ssd' } }), node('zone', { labels: { zone: 'a' } }), node('none')] },
    want: { both: 100, ssd: 80, zone: 20, none: 0 },
  },
  {
    name: 'taint toleration: fewer untolerated PreferNoSchedule taints score higher',
    plugin: taintTolerationPriority,
    pod: pod('p', { spec: { tolerations: [{ key: 'ok', operator: 'Exists', effect: 'PreferNoSchedule' }] } }),
    cluster: {
      nodes: [
        node('clean'),
        node('tolerated', { taints: [{ key: 'ok', effect: 'PreferNoSchedule' }] }),
        node('one', { taints: [{ key: 'bad', effect: 'PreferNoSchedule' }] }),
        node('two', { taints: [{ key: 'bad', effect: 'PreferNoSchedule' }, { key: 'worse', effect: 'PreferNoSchedule' }] }),
      ],
    },
    want: { clean: 100, tolerated: 100, one: 50, two: 0 },
  },
  {
    // 'has': 500MB × (1 node of 2 holds it) = 250MB → 100 × (250−23)/(1000−23) = 23
    name: 'image locality: image size scaled by spread, between 23MB and 1000MB',
    plugin: imageLocalityPriority,
    pod: pod('p', { containers: [{ name: 'c', image: 'big/app' }] }),
    cluster: { nodes: [node('has', { images: [{ names: ['big/app:latest'], sizeBytes: 500 * MB }] }), node('not')] },
    want: { has: 23, not: 0 },
  },
  {
    name: 'preferred pod affinity and anti-affinity: min-max scaled',
    plugin: interPodAffinityPriority,
    pod: pod('p', {
      spec: {
        affinity: {
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: antiTerm({ app: 'cache' }) }] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: antiTerm({ app: 'batch' }) }] },
        },
      },
    }),
    cluster: { nodes: [node('cache'), node('batch'), node('empty')], pods: [pod('c', { labels: { app: 'cache' }, nodeName: 'cache' }), pod('b', { labels: { app: 'batch' }, nodeName: 'batch' })] },
    // raw: cache 10, batch −5, empty 0 → (s+5)·100/15
    want: { cache: 100, batch: 0, empty: 33 },
  },
  {
    name: 'symmetric weight: an existing pod with required affinity to the newcomer attracts it',
    plugin: interPodAffinityPriority,
    pod: pod('p', { labels: { app: 'db' } }),
    cluster: {
      nodes: [node('a'), node('b')],
      pods: [pod('app', { nodeName: 'a', spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'db' })] } } } })],
      hardPodAffinityWeight: 10,
    },
    want: { a: 100, b: 0 },
  },
];

for (const tc of cases) {
  test(`score ${tc.plugin.name}: ${tc.name}`, (t) => {
    const c = cluster(tc.cluster);
    const nodes = c.nodes;
    const s = tc.plugin.prepare(tc.pod, c, nodes);
    if (tc.want === undefined) {
      t.is(s, undefined);
      return;
    }
    if (!s) return t.fail('plugin skipped the pod');
    const scores = new Float64Array(nodes.map((n) => s.score(n)));
    s.normalize?.(scores, nodes);
    const got = Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]));
    t.deepEqual(got, tc.want);
  });
}
