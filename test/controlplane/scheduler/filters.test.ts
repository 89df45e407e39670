// Table-driven tests of every filter plugin: a pod, a cluster, and the
// expected reasons per node (undefined = fits), with upstream's messages.
import test from 'ava';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { checkNodeCondition, checkNodeDiskPressure, checkNodeMemoryPressure, checkNodePIDPressure } from '../../../controlplane/scheduler/framework/filters/conditions.js';
import { matchInterPodAffinity } from '../../../controlplane/scheduler/framework/filters/interpodaffinity.js';
import { hostName, matchNodeSelector } from '../../../controlplane/scheduler/framework/filters/nodeaffinity.js';
import { podFitsHostPorts } from '../../../controlplane/scheduler/framework/filters/ports.js';
import { podFitsResources } from '../../../controlplane/scheduler/framework/filters/resources.js';
import { podToleratesNodeTaints } from '../../../controlplane/scheduler/framework/filters/taints.js';
import { checkNodeUnschedulable } from '../../../controlplane/scheduler/framework/filters/unschedulable.js';
import { checkVolumeBinding, noVolumeZoneConflict } from '../../../controlplane/scheduler/framework/filters/volumes.js';
import type { FilterPlugin } from '../../../controlplane/scheduler/framework/types.js';
import { antiTerm, cluster, node, pod, type ClusterOpts } from './fixtures.js';

interface Case {
  name: string;
  plugin: FilterPlugin;
  pod: Pod;
  cluster: ClusterOpts;
  /** node name → expected reasons (undefined = fits). */
  want: Record<string, string[] | undefined>;
}

const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });
const gpuNode = node('gpu', { extra: { 'nvidia.com/gpu': '2' } });

const cases: Case[] = [
  // ---- PodFitsResources
  {
    name: 'resources: fits on an empty node, not on a full one',
    plugin: podFitsResources,
    pod: pod('p', { cpu: '1', memory: '1Gi' }),
    cluster: { nodes: [node('a', { cpu: '2', memory: '2Gi' }), node('b', { cpu: '2', memory: '2Gi' })], pods: [pod('x', { cpu: '1500m', memory: '1500Mi', nodeName: 'b' })] },
    want: { a: undefined, b: ['Insufficient cpu', 'Insufficient memory'] },
  },
  {
    name: 'resources: exact fit is allowed',
    plugin: podFitsResources,
    pod: pod('p', { cpu: '1' }),
    cluster: { nodes: [node('a', { cpu: '2' })], pods: [pod('x', { cpu: '1', nodeName: 'a' })] },
    want: { a: undefined },
  },
  {
    name: 'resources: pod count limit says Too many pods',
    plugin: podFitsResources,
    pod: pod('p'),
    cluster: { nodes: [node('a', { pods: '1' })], pods: [pod('x', { nodeName: 'a' })] },
    want: { a: ['Too many pods'] },
  },
  {
    name: 'resources: ephemeral-storage',
    plugin: podFitsResources,
    pod: pod('p', { containers: [{ name: 'c', resources: { requests: { 'ephemeral-storage': '200Gi' } } }] }),
    cluster: { nodes: [node('a')] },
    want: { a: ['Insufficient ephemeral-storage'] },
  },
  {
    name: 'resources: extended resource nvidia.com/gpu, missing on a node counts as zero',
    plugin: podFitsResources,
    pod: pod('p', { containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } } }] }),
    cluster: { nodes: [gpuNode, node('plain')], pods: [] },
    want: { gpu: undefined, plain: ['Insufficient nvidia.com/gpu'] },
  },
  {
    name: 'resources: init containers count by their max, not their sum',
    plugin: podFitsResources,
    pod: pod('p', {
      cpu: '500m',
      initContainers: [
        { name: 'i1', resources: { requests: { cpu: '1500m' } } },
        { name: 'i2', resources: { requests: { cpu: '1500m' } } },
      ],
    }),
    cluster: { nodes: [node('a', { cpu: '1500m' }), node('b', { cpu: '1' })] },
    want: { a: undefined, b: ['Insufficient cpu'] },
  },
  {
    name: 'resources: a pod requesting nothing fits anywhere with pod room',
    plugin: podFitsResources,
    pod: pod('p'),
    cluster: { nodes: [node('a', { cpu: '0', memory: '0' })] },
    want: { a: undefined },
  },
  // ---- PodFitsHostPorts
  {
    name: 'ports: same protocol and port collide; another protocol does not',
    plugin: podFitsHostPorts,
    pod: pod('p', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
    cluster: {
      nodes: [node('a'), node('b'), node('c')],
      pods: [
        pod('x', { nodeName: 'a', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }] }),
        pod('y', { nodeName: 'b', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }] }),
      ],
    },
    want: { a: ["node(s) didn't have free ports for the requested pod ports"], b: undefined, c: undefined },
  },
  {
    name: 'ports: specific IPs differ → no conflict; 0.0.0.0 conflicts with any IP',
    plugin: podFitsHostPorts,
    pod: pod('p', { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 9000, hostIP: '10.0.0.1' }] }] }),
    cluster: {
      nodes: [node('a'), node('b')],
      pods: [
        pod('x', { nodeName: 'a', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 9000, hostIP: '10.0.0.2' }] }] }),
        pod('y', { nodeName: 'b', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 9000 }] }] }),
      ],
    },
    want: { a: undefined, b: ["node(s) didn't have free ports for the requested pod ports"] },
  },
  // ---- MatchNodeSelector
  {
    name: 'nodeSelector: disktype=ssd picks the SSD node (the seeds example)',
    plugin: matchNodeSelector,
    pod: pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }),
    cluster: { nodes: [node('ssd', { labels: { disktype: 'ssd' } }), node('hdd', { labels: { disktype: 'hdd' } }), node('none')] },
    want: { ssd: undefined, hdd: ["node(s) didn't match Pod's node affinity/selector"], none: ["node(s) didn't match Pod's node affinity/selector"] },
  },
  ...(
    [
      ['In', ['a', 'b'], { x: 'a' }, true],
      ['In', ['a'], { x: 'c' }, false],
      ['NotIn', ['a'], { x: 'c' }, true],
      ['NotIn', ['a'], {}, true],
      ['NotIn', ['a'], { x: 'a' }, false],
      ['Exists', undefined, { x: '' }, true],
      ['Exists', undefined, {}, false],
      ['DoesNotExist', undefined, {}, true],
      ['DoesNotExist', undefined, { x: '1' }, false],
      ['Gt', ['5'], { x: '6' }, true],
      ['Gt', ['5'], { x: '5' }, false],
      ['Gt', ['5'], { x: 'abc' }, false],
      ['Lt', ['5'], { x: '4' }, true],
      ['Lt', ['5'], { x: '5' }, false],
    ] as const
  ).map(
    ([op, values, labels, fits]): Case => ({
      name: `required node affinity: ${op} ${JSON.stringify(values ?? [])} on ${JSON.stringify(labels)} → ${fits ? 'fits' : 'fails'}`,
      plugin: matchNodeSelector,
      pod: pod('p', {
        spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: op, values: values ? [...values] : undefined }] }] } } } },
      }),
      cluster: { nodes: [node('n', { labels })] },
      want: { n: fits ? undefined : ["node(s) didn't match Pod's node affinity/selector"] },
    }),
  ),
  {
    name: 'required node affinity: terms are ORed; matchFields metadata.name',
    plugin: matchNodeSelector,
    pod: pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }],
            },
          },
        },
      },
    }),
    cluster: { nodes: [node('a', { labels: { gpu: 'yes' } }), node('b'), node('c')] },
    want: { a: undefined, b: undefined, c: ["node(s) didn't match Pod's node affinity/selector"] },
  },
  {
    name: 'HostName: spec.nodeName must name the node',
    plugin: hostName,
    pod: pod('p', { nodeName: 'b' }),
    cluster: { nodes: [node('a'), node('b')] },
    want: { a: ["node(s) didn't match the requested node name"], b: undefined },
  },
  // ---- taints
  {
    name: 'taints: NoSchedule and NoExecute block unless tolerated; PreferNoSchedule does not',
    plugin: podToleratesNodeTaints,
    pod: pod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } }),
    cluster: {
      nodes: [
        node('db', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
        node('web', { taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] }),
        node('exec', { taints: [{ key: 'evict', effect: 'NoExecute' }] }),
        node('soft', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      ],
    },
    want: { db: undefined, web: ['node(s) had untolerated taint {dedicated: web}'], exec: ['node(s) had untolerated taint {evict: }'], soft: undefined },
  },
  {
    name: 'taints: Exists with no key tolerates everything',
    plugin: podToleratesNodeTaints,
    pod: pod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }),
    cluster: { nodes: [node('a', { taints: [{ key: 'x', value: 'y', effect: 'NoExecute' }] })] },
    want: { a: undefined },
  },
  {
    name: 'taints: a toleration for another effect does not help',
    plugin: podToleratesNodeTaints,
    pod: pod('p', { spec: { tolerations: [{ key: 'x', operator: 'Exists', effect: 'NoSchedule' }] } }),
    cluster: { nodes: [node('a', { taints: [{ key: 'x', effect: 'NoExecute' }] })] },
    want: { a: ['node(s) had untolerated taint {x: }'] },
  },
  // ---- unschedulable
  {
    name: 'cordoned node refuses pods',
    plugin: checkNodeUnschedulable,
    pod: pod('p'),
    cluster: { nodes: [node('a', { unschedulable: true }), node('b')] },
    want: { a: ['node(s) were unschedulable'], b: undefined },
  },
  {
    name: 'cordoned node takes pods tolerating node.kubernetes.io/unschedulable',
    plugin: checkNodeUnschedulable,
    pod: pod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    cluster: { nodes: [node('a', { unschedulable: true })] },
    want: { a: undefined },
  },
  // ---- conditions
  {
    name: 'conditions: not ready and network unavailable',
    plugin: checkNodeCondition,
    pod: pod('p'),
    cluster: {
      nodes: [
        node('ok'),
        node('down', { conditions: { Ready: 'False' } }),
        node('unknown', { conditions: { Ready: 'Unknown' } }),
        node('nonet', { conditions: { Ready: 'True', NetworkUnavailable: 'True' } }),
      ],
    },
    want: { ok: undefined, down: ['node(s) were not ready'], unknown: ['node(s) were not ready'], nonet: ['node(s) had network unavailable'] },
  },
  {
    name: 'memory pressure blocks BestEffort pods only',
    plugin: checkNodeMemoryPressure,
    pod: pod('be'),
    cluster: { nodes: [node('mp', { conditions: { Ready: 'True', MemoryPressure: 'True' } }), node('ok')] },
    want: { mp: ['node(s) had memory pressure'], ok: undefined },
  },
  {
    name: 'memory pressure lets a Burstable pod in',
    plugin: checkNodeMemoryPressure,
    pod: pod('burst', { cpu: '100m' }),
    cluster: { nodes: [node('mp', { conditions: { Ready: 'True', MemoryPressure: 'True' } })] },
    want: { mp: undefined },
  },
  {
    name: 'disk pressure blocks every pod',
    plugin: checkNodeDiskPressure,
    pod: pod('burst', { cpu: '100m' }),
    cluster: { nodes: [node('dp', { conditions: { Ready: 'True', DiskPressure: 'True' } })] },
    want: { dp: ['node(s) had disk pressure'] },
  },
  {
    name: 'pid pressure blocks every pod',
    plugin: checkNodePIDPressure,
    pod: pod('p'),
    cluster: { nodes: [node('pp', { conditions: { Ready: 'True', PIDPressure: 'True' } }), node('ok')] },
    want: { pp: ['node(s) had pid pressure'], ok: undefined },
  },
  // ---- volumes
  {
    name: 'volume zone: a bound PV in zone a only fits zone-a nodes (nodes without zone labels are not judged)',
    plugin: noVolumeZoneConflict,
    pod: pod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } }),
    cluster: {
      nodes: [node('a', { labels: zone('a') }), node('b', { labels: zone('b') }), node('nozone')],
      pvcs: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default' }, spec: { volumeName: 'pv1' } }],
      pvs: [{ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1', labels: zone('a__c') }, spec: {} }],
    },
    want: { a: undefined, b: ['node(s) had no available volume zone'], nozone: undefined },
  },
  {
    name: 'volume zone: a missing claim fails every node',
    plugin: noVolumeZoneConflict,
    pod: pod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'gone' } }] } }),
    cluster: { nodes: [node('a')] },
    want: { a: ['persistentvolumeclaim "gone" not found'] },
  },
  {
    name: 'volume binding: PV node affinity must match; unbound claims block',
    plugin: checkVolumeBinding,
    pod: pod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'local' } }] } }),
    cluster: {
      nodes: [node('a'), node('b')],
      pvcs: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'local', namespace: 'default' }, spec: { volumeName: 'pv-a' } }],
      pvs: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: 'pv-a' },
          spec: { local: { path: '/mnt' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['a'] }] }] } } },
        },
      ],
    },
    want: { a: undefined, b: ['node(s) had volume node affinity conflict'] },
  },
  {
    name: 'volume binding: an unbound claim',
    plugin: checkVolumeBinding,
    pod: pod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'new' } }] } }),
    cluster: { nodes: [node('a')], pvcs: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'new', namespace: 'default' }, spec: {} }] },
    want: { a: ['pod has unbound immediate PersistentVolumeClaims'] },
  },
  // ---- inter-pod affinity
  {
    name: 'anti-affinity by hostname keeps replicas apart',
    plugin: matchInterPodAffinity,
    pod: pod('web-2', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'web' })] } } } }),
    cluster: { nodes: [node('a'), node('b')], pods: [pod('web-1', { labels: { app: 'web' }, nodeName: 'a' })] },
    want: { a: ["node(s) didn't match pod anti-affinity rules"], b: undefined },
  },
  {
    name: 'anti-affinity by zone blocks the whole zone',
    plugin: matchInterPodAffinity,
    pod: pod('p', { labels: { app: 'x' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'x' }, 'topology.kubernetes.io/zone')] } } } }),
    cluster: { nodes: [node('a1', { labels: zone('a') }), node('a2', { labels: zone('a') }), node('b1', { labels: zone('b') })], pods: [pod('q', { labels: { app: 'x' }, nodeName: 'a1' })] },
    want: { a1: ["node(s) didn't match pod anti-affinity rules"], a2: ["node(s) didn't match pod anti-affinity rules"], b1: undefined },
  },
  {
    name: 'symmetry: an existing pod anti-affine to the newcomer keeps it away',
    plugin: matchInterPodAffinity,
    pod: pod('newcomer', { labels: { role: 'noisy' } }),
    cluster: {
      nodes: [node('a'), node('b')],
      pods: [pod('quiet', { nodeName: 'a', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ role: 'noisy' })] } } } })],
    },
    want: { a: ["node(s) didn't satisfy existing pods anti-affinity rules"], b: undefined },
  },
  {
    name: 'affinity: must share a zone with a matching pod; nodes without the key fail',
    plugin: matchInterPodAffinity,
    pod: pod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'db' }, 'topology.kubernetes.io/zone')] } } } }),
    cluster: { nodes: [node('a1', { labels: zone('a') }), node('a2', { labels: zone('a') }), node('b1', { labels: zone('b') }), node('nozone')], pods: [pod('db', { labels: { app: 'db' }, nodeName: 'a1' })] },
    want: { a1: undefined, a2: undefined, b1: ["node(s) didn't match pod affinity rules"], nozone: ["node(s) didn't match pod affinity rules"] },
  },
  {
    name: 'affinity: the first pod of a self-affine group may go anywhere',
    plugin: matchInterPodAffinity,
    pod: pod('first', { labels: { app: 'grp' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'grp' })] } } } }),
    cluster: { nodes: [node('a'), node('b')] },
    want: { a: undefined, b: undefined },
  },
  {
    name: 'affinity: namespaces default to the pod\'s own',
    plugin: matchInterPodAffinity,
    pod: pod('p', { ns: 'one', spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiTerm({ app: 'db' })] } } } }),
    cluster: { nodes: [node('a'), node('b')], pods: [pod('db', { ns: 'two', labels: { app: 'db' }, nodeName: 'a' })] },
    want: { a: ["node(s) didn't match pod affinity rules"], b: ["node(s) didn't match pod affinity rules"] },
  },
];

for (const tc of cases) {
  test(`filter ${tc.plugin.name}: ${tc.name}`, (t) => {
    const c = cluster(tc.cluster);
    const f = tc.plugin.prepare(tc.pod, c);
    for (const [name, want] of Object.entries(tc.want)) {
      const info = c.nodeInfo(name);
      if (!info) return t.fail(`no node ${name}`);
      const got = f ? f(info) : undefined;
      t.deepEqual(got ? [...got] : undefined, want, `node ${name}`);
    }
  });
}
