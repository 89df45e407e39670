import test from 'ava';
import { strategicMergePatch, patchMetaFor, type PatchMetaLookup } from '../../../../controlplane/apiserver/patch/strategic.js';
import { applyJsonPatch } from '../../../../controlplane/apiserver/patch/jsonpatch.js';
import { KINDS, PATCH_TYPES } from '../../../../controlplane/apiserver/patch/patchmeta.js';
import { deepFreeze, directiveKeys, statusErrorOf } from './helpers.js';

type O = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A 2-container deployment as the server stores it. */
const deployment = (): O => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    uid: 'd-1',
    generation: 2,
    labels: { app: 'web' },
    annotations: { 'deployment.kubernetes.io/revision': '2', [LAST_APPLIED]: '{"old":true}\n' },
    finalizers: ['a.example.com/x', 'b.example.com/y'],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.26',
            ports: [{ containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'], resources: {} },
        ],
        volumes: [{ name: 'data', configMap: { name: 'cm' } }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
  status: {
    observedGeneration: 2,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  },
});

const node = (): O => ({
  kind: 'Node',
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
  spec: {
    podCIDR: '10.244.1.0/24',
    podCIDRs: ['10.244.1.0/24'],
    unschedulable: true,
    taints: [
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'maint', effect: 'NoExecute' },
    ],
  },
  status: {
    addresses: [
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'Hostname', address: 'n1' },
    ],
    conditions: [
      { type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastHeartbeatTime: 't0' },
      { type: 'MemoryPressure', status: 'False' },
    ],
  },
});

const pod = (): O => ({
  kind: 'Pod',
  metadata: {
    name: 'p',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
  },
  spec: {
    containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }, { containerPort: 443 }] }],
    hostAliases: [{ ip: '1.2.3.4', hostnames: ['a'] }],
    imagePullSecrets: [{ name: 'reg' }],
    topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }],
  },
  status: {
    phase: 'Running',
    podIPs: [{ ip: '10.244.1.5' }],
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'False', lastTransitionTime: 't0' },
    ],
  },
});

/**
 * `base` with JSON-patch `ops` applied: expected values are written as the
 * difference from the fixture (the JSON patch engine has its own tests).
 */
function edit(base: O, ops: unknown[]): O {
  return applyJsonPatch(base, ops) as O;
}

interface Case {
  name: string;
  group: string;
  kind: string;
  original: O;
  patch: unknown;
  want: unknown;
}

const cases: Case[] = [
  // --- kubectl set image (API-SURFACE.md §a.6): the exact body kubectl sends.
  {
    name: 'kubectl set image keeps the other container and all other fields',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' }]),
  },

  // --- client-side apply: 3-way patches as kubectl computes them.
  {
    name: 'apply: replicas + image + last-applied annotation',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: {
      metadata: { annotations: { [LAST_APPLIED]: '{"new":true}\n' } },
      spec: { replicas: 3, template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'nginx' }] } } },
    },
    want: edit(deployment(), [
      { op: 'replace', path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration', value: '{"new":true}\n' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27' },
    ]),
  },
  {
    name: 'apply: container removed from the file is deleted by merge key',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } } },
    want: edit(deployment(), [{ op: 'remove', path: '/spec/template/spec/containers/1' }]),
  },
  {
    name: 'apply: env var removed, another changed, a field nulled',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
            containers: [
              { '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A', value: '10' }, { $patch: 'delete', name: 'B' }], name: 'nginx', volumeMounts: null },
            ],
          },
        },
      },
    },
    want: edit(deployment(), [
      { op: 'replace', path: '/spec/template/spec/containers/0/env', value: [{ name: 'A', value: '10' }] },
      { op: 'remove', path: '/spec/template/spec/containers/0/volumeMounts' },
    ]),
  },
  {
    name: 'apply: new container placed where $setElementOrder says',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'log' }, { name: 'sidecar' }], containers: [{ image: 'fluentbit', name: 'log' }] } } },
    },
    want: edit(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/1', value: { image: 'fluentbit', name: 'log' } }]),
  },
  {
    name: 'apply: finalizers via $deleteFromPrimitiveList and $setElementOrder',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: {
      metadata: {
        '$setElementOrder/finalizers': ['a.example.com/x', 'c.example.com/z'],
        '$deleteFromPrimitiveList/finalizers': ['b.example.com/y'],
        finalizers: ['c.example.com/z'],
      },
    },
    want: edit(deployment(), [{ op: 'replace', path: '/metadata/finalizers', value: ['a.example.com/x', 'c.example.com/z'] }]),
  },
  {
    name: 'apply: only $setElementOrder reorders the containers',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] } } } },
    want: edit(deployment(), [{ op: 'move', from: '/spec/template/spec/containers/1', path: '/spec/template/spec/containers/0' }]),
  },

  // --- $retainKeys on Deployment spec.strategy (retainKeys strategy).
  {
    name: '$retainKeys: RollingUpdate → Recreate clears rollingUpdate',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } }]),
  },
  {
    name: '$retainKeys with the explicit null kubectl apply also sends',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/strategy', value: { type: 'Recreate' } }]),
  },
  {
    name: '$retainKeys on a volume (merge,retainKeys): configMap → secret',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { volumes: [{ $retainKeys: ['name', 'secret'], name: 'data', secret: { secretName: 's' } }] } } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/template/spec/volumes', value: [{ name: 'data', secret: { secretName: 's' } }] }]),
  },

  // --- kubectl patch (strategic by default).
  {
    name: 'env merges by name; existing items keep their place',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: 'x' }, { name: 'C', value: '3' }] }] } } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/template/spec/containers/0/env', value: [{ name: 'A', value: '1' }, { name: 'B', value: 'x' }, { name: 'C', value: '3' }] }]),
  },
  {
    // Upstream's mergeSortedSlice: a new item with no $setElementOrder goes before the server-only items.
    name: 'new env var without $setElementOrder lands first (upstream order)',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'C', value: '3' }] }] } } } },
    want: edit(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/0/env/0', value: { name: 'C', value: '3' } }]),
  },
  {
    name: '$patch: delete removes a container by name',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ name: 'nginx', $patch: 'delete' }] } } } },
    want: edit(deployment(), [{ op: 'remove', path: '/spec/template/spec/containers/0' }]),
  },
  {
    name: '$patch: replace in a list replaces the whole list',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/template/spec/containers', value: [{ name: 'only', image: 'x' }] }]),
  },
  {
    name: '$patch: replace on a map replaces the map',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { metadata: { labels: { $patch: 'replace', team: 'a' } } },
    want: edit(deployment(), [{ op: 'replace', path: '/metadata/labels', value: { team: 'a' } }]),
  },
  {
    name: '$patch: delete on a map empties it (as upstream)',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { strategy: { rollingUpdate: { $patch: 'delete' } } } },
    want: edit(deployment(), [{ op: 'replace', path: '/spec/strategy/rollingUpdate', value: {} }]),
  },
  {
    name: 'tolerations and args have no merge strategy: replaced',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'sidecar', args: ['sleep', '1'] }] } } } },
    want: edit(deployment(), [
      { op: 'replace', path: '/spec/template/spec/tolerations', value: [{ key: 'b', operator: 'Exists' }] },
      { op: 'replace', path: '/spec/template/spec/containers/1/args', value: ['sleep', '1'] },
    ]),
  },
  {
    name: 'finalizers merge as a set',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { metadata: { finalizers: ['b.example.com/y', 'c.example.com/z'] } },
    want: edit(deployment(), [{ op: 'add', path: '/metadata/finalizers/-', value: 'c.example.com/z' }]),
  },
  {
    name: 'status conditions merge by type',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } },
    want: edit(deployment(), [{ op: 'replace', path: '/status/conditions/1', value: { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' } }]),
  },
  {
    name: 'kubectl rollout pause, then resume sends null',
    group: 'apps',
    kind: 'Deployment',
    original: edit(deployment(), [{ op: 'add', path: '/spec/paused', value: true }]),
    patch: { spec: { paused: null } },
    want: deployment(),
  },
  {
    name: 'kubectl rollout restart adds a template annotation',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } } } } },
    want: edit(deployment(), [{ op: 'add', path: '/spec/template/metadata/annotations', value: { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' } }]),
  },
  {
    name: 'directives inside a newly added subtree are consumed, not stored',
    group: 'apps',
    kind: 'Deployment',
    original: deployment(),
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/initContainers': [{ name: 'init' }],
            initContainers: [{ name: 'init', image: 'busybox', '$setElementOrder/env': [{ name: 'X' }], env: [{ name: 'X', value: '1' }, { name: 'Y', $patch: 'delete' }], resources: { limits: null } }],
          },
        },
      },
    },
    want: edit(deployment(), [{ op: 'add', path: '/spec/template/spec/initContainers', value: [{ name: 'init', image: 'busybox', env: [{ name: 'X', value: '1' }], resources: {} }] }]),
  },

  // --- other workload kinds share the pod template rules.
  {
    name: 'CronJob: containers under spec.jobTemplate.spec.template.spec merge by name',
    group: 'batch',
    kind: 'CronJob',
    original: { kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } } } },
    patch: { spec: { jobTemplate: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b', image: 'z' }] } } } } } },
    want: { kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'z' }] } } } } } },
  },
  {
    name: 'StatefulSet: volumeMounts merge by mountPath',
    group: 'apps',
    kind: 'StatefulSet',
    original: { spec: { template: { spec: { containers: [{ name: 'db', volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'b', mountPath: '/b' }] }] } } } },
    patch: { spec: { template: { spec: { containers: [{ name: 'db', volumeMounts: [{ name: 'b2', mountPath: '/b' }] }] } } } },
    want: { spec: { template: { spec: { containers: [{ name: 'db', volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'b2', mountPath: '/b' }] }] } } } },
  },

  // --- Pod
  {
    name: 'Pod: container ports merge by containerPort',
    group: '',
    kind: 'Pod',
    original: pod(),
    patch: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 443, name: 'https' }] }] } },
    want: edit(pod(), [{ op: 'replace', path: '/spec/containers/0/ports/1', value: { containerPort: 443, name: 'https' } }]),
  },
  {
    name: 'Pod: ownerReferences merge by uid',
    group: '',
    kind: 'Pod',
    original: pod(),
    patch: { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' }] } },
    want: edit(pod(), [{ op: 'add', path: '/metadata/ownerReferences/0', value: { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' } }]),
  },
  {
    name: 'Pod: status conditions merge by type, podIPs by ip',
    group: '',
    kind: 'Pod',
    original: pod(),
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }], podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] } },
    want: edit(pod(), [
      { op: 'replace', path: '/status/conditions/1', value: { type: 'Ready', status: 'True', lastTransitionTime: 't0' } },
      { op: 'add', path: '/status/podIPs/-', value: { ip: 'fd00::5' } },
    ]),
  },
  {
    name: 'Pod: hostAliases by ip, imagePullSecrets by name, topologySpreadConstraints by topologyKey',
    group: '',
    kind: 'Pod',
    original: pod(),
    patch: {
      spec: {
        hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }],
        imagePullSecrets: [{ name: 'reg', $patch: 'delete' }],
        topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 2 }],
      },
    },
    want: edit(pod(), [
      { op: 'replace', path: '/spec/hostAliases/0/hostnames', value: ['a', 'b'] },
      { op: 'replace', path: '/spec/imagePullSecrets', value: [] },
      { op: 'replace', path: '/spec/topologySpreadConstraints/0/maxSkew', value: 2 },
    ]),
  },

  // --- Node (API-SURFACE.md §a.7)
  {
    name: 'kubectl uncordon: {"spec":{"unschedulable":null}} removes the field',
    group: '',
    kind: 'Node',
    original: node(),
    patch: { spec: { unschedulable: null } },
    want: edit(node(), [{ op: 'remove', path: '/spec/unschedulable' }]),
  },
  {
    name: 'kubectl cordon sets unschedulable',
    group: '',
    kind: 'Node',
    original: edit(node(), [{ op: 'remove', path: '/spec/unschedulable' }]),
    patch: { spec: { unschedulable: true } },
    want: node(),
  },
  {
    name: 'kubectl taint k:NoSchedule-: the whole taints list is replaced',
    group: '',
    kind: 'Node',
    original: node(),
    patch: { spec: { taints: [{ effect: 'NoExecute', key: 'maint' }] } },
    want: edit(node(), [{ op: 'replace', path: '/spec/taints', value: [{ effect: 'NoExecute', key: 'maint' }] }]),
  },
  {
    name: 'Node: addresses and conditions merge by type, podCIDRs as a set',
    group: '',
    kind: 'Node',
    original: node(),
    patch: {
      spec: { podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] },
      status: { addresses: [{ type: 'ExternalIP', address: '1.1.1.1' }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 't1' }] },
    },
    want: edit(node(), [
      { op: 'add', path: '/spec/podCIDRs/-', value: 'fd00:1::/64' },
      { op: 'add', path: '/status/addresses/0', value: { type: 'ExternalIP', address: '1.1.1.1' } },
      { op: 'replace', path: '/status/conditions/0', value: { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 't1' } },
    ]),
  },

  // --- Service
  {
    name: 'Service: ports merge by port',
    group: '',
    kind: 'Service',
    original: { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }], externalIPs: ['1.1.1.1'] } },
    patch: { spec: { ports: [{ port: 80, nodePort: 30080 }], externalIPs: ['2.2.2.2'] } },
    want: { spec: { ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }, { port: 443, targetPort: 8443 }], externalIPs: ['2.2.2.2'] } },
  },

  // --- fallbacks
  {
    name: 'built-in kind without its own entry (ConfigMap) still merges finalizers as a set',
    group: '',
    kind: 'ConfigMap',
    original: { metadata: { finalizers: ['a'] }, data: { x: '1' } },
    patch: { metadata: { finalizers: ['a', 'b'] }, data: { y: '2' } },
    want: { metadata: { finalizers: ['a', 'b'] }, data: { x: '1', y: '2' } },
  },
  {
    name: 'custom resource: JSON merge-patch semantics (lists replaced), directives still consumed',
    group: 'example.com',
    kind: 'Widget',
    original: { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'x', v: 1 }], keep: true } },
    patch: { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'y' }], '$setElementOrder/items': [{ name: 'y' }], keep: null } },
    want: { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'y' }] } },
  },
];

for (const tc of cases) {
  test(`strategic: ${tc.name}`, (t) => {
    const original = deepFreeze(structuredClone(tc.original));
    const patch = deepFreeze(structuredClone(tc.patch));
    const got = strategicMergePatch(original, patch, patchMetaFor(tc.group, tc.kind));
    t.deepEqual(got, tc.want);
    t.deepEqual(directiveKeys(got), [], 'no directive key survives');
    t.deepEqual(original, tc.original, 'input unchanged');
  });
}

test('strategic: the result shares no objects with the inputs', (t) => {
  const original = deployment();
  const patch = { spec: { template: { spec: { containers: [{ name: 'new', image: 'x', env: [{ name: 'E' }] }] } } } };
  const got = strategicMergePatch(original, patch, patchMetaFor('apps', 'Deployment')) as O & { metadata: O; spec: { template: { spec: { containers: O[] } } } };
  t.not(got.metadata, original.metadata);
  const added = got.spec.template.spec.containers.find((c) => c.name === 'new');
  t.truthy(added);
  t.not(added, patch.spec.template.spec.containers[0]);
});

interface ErrCase {
  name: string;
  original?: unknown;
  patch: unknown;
  meta?: PatchMetaLookup;
  code: number;
  message: string | RegExp;
}

const errors: ErrCase[] = [
  { name: 'patch is an array', patch: [{ op: 'add' }], code: 400, message: 'strategic merge patch: the patch must be a JSON object, got array' },
  { name: 'patch is a string', patch: 'x', code: 400, message: 'strategic merge patch: the patch must be a JSON object, got string' },
  { name: 'patch is null', patch: null, code: 400, message: 'strategic merge patch: the patch must be a JSON object, got null' },
  {
    name: 'keyed list item without its merge key',
    patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    code: 400,
    message: /item in list spec\.template\.spec\.containers does not contain declared merge key "name"/,
  },
  {
    name: '$patch: delete without the merge key',
    patch: { spec: { template: { spec: { containers: [{ $patch: 'delete' }] } } } },
    code: 400,
    message: /\$patch: delete in list spec\.template\.spec\.containers must carry the merge key "name"/,
  },
  { name: 'unknown $patch value on a map', patch: { spec: { $patch: 'merge-harder' } }, code: 400, message: /unknown \$patch directive "merge-harder" at spec/ },
  { name: '$patch: merge in a list', patch: { metadata: { ownerReferences: [{ $patch: 'merge' }] } }, code: 400, message: /merging lists cannot yet be specified/ },
  {
    name: '$setElementOrder that contradicts the patch list',
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ name: 'sidecar', image: 'x' }] } } } },
    code: 400,
    message: /the order in patch list spec\.template\.spec\.containers doesn't match \$setElementOrder list/,
  },
  { name: '$setElementOrder is not a list', patch: { metadata: { '$setElementOrder/finalizers': 'a' } }, code: 400, message: /invalid \$setElementOrder at metadata/ },
  { name: '$retainKeys is not a list of strings', patch: { spec: { strategy: { $retainKeys: 'type' } } }, code: 400, message: /invalid patch format of retainKeys at spec\.strategy/ },
  {
    name: 'patch sets a field $retainKeys declares dead',
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    code: 400,
    message: 'strategic merge patch: field "rollingUpdate" at spec.strategy is set by the patch but not listed in $retainKeys',
  },
  { name: '$deleteFromPrimitiveList holding maps', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': [{ a: 1 }] } }, code: 400, message: /invalid patch format of primitive list at metadata/ },
  { name: 'list of lists', patch: { metadata: { finalizers: [['a']] } }, code: 422, message: /lists of lists are not supported \(at metadata\.finalizers\)/ },
  { name: 'original is not an object (caller bug)', original: [1], patch: {}, code: 500, message: /original document must be a JSON object, got array/ },
];

for (const tc of errors) {
  test(`strategic error: ${tc.name}`, (t) => {
    const err = statusErrorOf(() => strategicMergePatch(tc.original ?? deployment(), tc.patch, tc.meta ?? patchMetaFor('apps', 'Deployment')));
    if (!err) return t.fail('expected a StatusError');
    t.is(err.code, tc.code);
    if (typeof tc.message === 'string') t.is(err.message, tc.message);
    else t.regex(err.message, tc.message);
  });
}

// --- the table itself
const lookups: Array<{ group: string; kind: string; path: string[]; want: unknown }> = [
  { group: '', kind: 'Pod', path: ['spec', 'containers'], want: { strategy: 'merge', mergeKey: 'name' } },
  { group: '', kind: 'Pod', path: ['spec', 'ephemeralContainers', 'env'], want: { strategy: 'merge', mergeKey: 'name' } },
  { group: '', kind: 'Pod', path: ['spec', 'initContainers', 'volumeDevices'], want: { strategy: 'merge', mergeKey: 'devicePath' } },
  { group: '', kind: 'Pod', path: ['spec', 'volumes'], want: { strategy: 'merge,retainKeys', mergeKey: 'name' } },
  { group: '', kind: 'Pod', path: ['spec', 'resourceClaims'], want: { strategy: 'merge,retainKeys', mergeKey: 'name' } },
  { group: '', kind: 'Pod', path: ['spec', 'schedulingGates'], want: { strategy: 'merge', mergeKey: 'name' } },
  { group: '', kind: 'Pod', path: ['status', 'hostIPs'], want: { strategy: 'merge', mergeKey: 'ip' } },
  { group: '', kind: 'Pod', path: ['spec', 'containers', 'envFrom'], want: { strategy: 'replace' } },
  { group: '', kind: 'Pod', path: ['spec', 'containers', 'unknownField'], want: undefined },
  { group: '', kind: 'Pod', path: ['spec', 'constructor'], want: undefined },
  { group: '', kind: 'ReplicationController', path: ['spec', 'template', 'spec', 'containers', 'ports'], want: { strategy: 'merge', mergeKey: 'containerPort' } },
  { group: '', kind: 'PodTemplate', path: ['template', 'spec', 'containers'], want: { strategy: 'merge', mergeKey: 'name' } },
  { group: 'apps', kind: 'ReplicaSet', path: ['spec', 'template', 'metadata', 'finalizers'], want: { strategy: 'merge' } },
  { group: 'apps', kind: 'DaemonSet', path: ['status', 'conditions'], want: { strategy: 'merge', mergeKey: 'type' } },
  { group: 'apps', kind: 'Deployment', path: ['spec', 'strategy'], want: { strategy: 'retainKeys' } },
  { group: 'batch', kind: 'Job', path: ['spec', 'template', 'spec', 'containers', 'env'], want: { strategy: 'merge', mergeKey: 'name' } },
  { group: 'policy', kind: 'PodDisruptionBudget', path: ['status', 'conditions'], want: { strategy: 'merge', mergeKey: 'type' } },
  { group: '', kind: 'Namespace', path: ['metadata', 'ownerReferences'], want: { strategy: 'merge', mergeKey: 'uid' } },
  { group: 'rbac.authorization.k8s.io', kind: 'Role', path: ['metadata', 'finalizers'], want: { strategy: 'merge' } },
  { group: 'rbac.authorization.k8s.io', kind: 'Role', path: ['rules'], want: undefined },
  { group: 'example.com', kind: 'Widget', path: ['metadata', 'finalizers'], want: undefined },
];
for (const tc of lookups) {
  test(`patchMetaFor(${JSON.stringify(tc.group)}, ${tc.kind}) at ${tc.path.join('.')}`, (t) => {
    t.deepEqual(patchMetaFor(tc.group, tc.kind)(tc.path), tc.want);
  });
}

test('patch table: every referenced struct type exists', (t) => {
  const missing: string[] = [];
  for (const [name, fields] of Object.entries(PATCH_TYPES)) {
    for (const [field, spec] of Object.entries(fields)) {
      if (spec.type !== undefined && !(spec.type in PATCH_TYPES)) missing.push(`${name}.${field} → ${spec.type}`);
    }
  }
  for (const [group, kinds] of Object.entries(KINDS)) {
    for (const [kind, root] of Object.entries(kinds)) if (!(root in PATCH_TYPES)) missing.push(`${group}/${kind} → ${root}`);
  }
  t.deepEqual(missing, []);
});
