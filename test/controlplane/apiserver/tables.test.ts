// meta.k8s.io Tables: the columns and cells `kubectl get` shows for every
// resource, checked against upstream's printers (v1.33). Table-driven: each
// case is an object and the cells its row must have, wide columns included
// (the apiserver always sends them; kubectl hides priority-1 ones).
import test from 'ava';
import { humanDuration, toTable } from '../../../controlplane/apiserver/tables.js';
import type { Obj } from '../../../controlplane/apiserver/registry/types.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** An RFC 3339 time `ms` before NOW. */
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface TableOut {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string };
  columnDefinitions?: { name: string; type: string; format: string; description: string; priority: number }[];
  rows: { cells: unknown[]; conditions?: { type: string; status: string; reason: string }[]; object?: { kind?: string; metadata?: unknown } }[];
}

function table(group: string, resource: string, objs: Obj[]): TableOut {
  return toTable(group, resource, objs, { include: 'Metadata', version: 'v1', resourceVersion: '7', now: NOW }) as TableOut;
}
/** Column names, wide ones marked with a trailing `*`. */
function header(group: string, resource: string): string[] {
  return (table(group, resource, []).columnDefinitions ?? []).map((c) => c.name + (c.priority > 0 ? '*' : ''));
}
const cells = (group: string, resource: string, o: Obj): unknown[] => table(group, resource, [o]).rows[0].cells;
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(5 * M), ...extra });

// ---------------------------------------------------------------------------
// Headers: names, order and priority per resource

const HEADERS: [group: string, resource: string, columns: string][] = [
  ['', 'pods', 'Name Ready Status Restarts Age IP* Node* Nominated Node* Readiness Gates*'],
  ['', 'podtemplates', 'Name Containers Images Pod Labels'],
  ['', 'replicationcontrollers', 'Name Desired Current Ready Age Containers* Images* Selector*'],
  ['', 'services', 'Name Type Cluster-IP External-IP Port(s) Age Selector*'],
  ['', 'endpoints', 'Name Endpoints Age'],
  ['', 'nodes', 'Name Status Roles Age Version Internal-IP* External-IP* OS-Image* Kernel-Version* Container-Runtime*'],
  ['', 'events', 'Last Seen Type Reason Object Subobject* Source* Message First Seen* Count* Name*'],
  ['', 'namespaces', 'Name Status Age'],
  ['', 'secrets', 'Name Type Data Age'],
  ['', 'serviceaccounts', 'Name Secrets Age'],
  ['', 'persistentvolumes', 'Name Capacity Access Modes Reclaim Policy Status Claim StorageClass VolumeAttributesClass Reason Age VolumeMode*'],
  ['', 'persistentvolumeclaims', 'Name Status Volume Capacity Access Modes StorageClass VolumeAttributesClass Age VolumeMode*'],
  ['', 'componentstatuses', 'Name Status Message Error'],
  ['', 'configmaps', 'Name Data Age'],
  ['', 'resourcequotas', 'Name Request Limit Age'],
  ['', 'limitranges', 'Name Created At'],
  ['apps', 'deployments', 'Name Ready Up-to-date Available Age Containers* Images* Selector*'],
  ['apps', 'replicasets', 'Name Desired Current Ready Age Containers* Images* Selector*'],
  ['apps', 'statefulsets', 'Name Ready Age Containers* Images*'],
  ['apps', 'daemonsets', 'Name Desired Current Ready Up-to-date Available Node Selector Age Containers* Images* Selector*'],
  ['apps', 'controllerrevisions', 'Name Controller Revision Age'],
  ['autoscaling', 'horizontalpodautoscalers', 'Name Reference Targets MinPods MaxPods Replicas Age'],
  ['batch', 'jobs', 'Name Status Completions Duration Age Containers* Images* Selector*'],
  ['batch', 'cronjobs', 'Name Schedule Timezone Suspend Active Last Schedule Age Containers* Images* Selector*'],
  ['certificates.k8s.io', 'certificatesigningrequests', 'Name Age SignerName Requestor RequestedDuration Condition'],
  ['coordination.k8s.io', 'leases', 'Name Holder Age'],
  ['discovery.k8s.io', 'endpointslices', 'Name AddressType Ports Endpoints Age'],
  ['networking.k8s.io', 'ingresses', 'Name Class Hosts Address Ports Age'],
  ['networking.k8s.io', 'ingressclasses', 'Name Controller Parameters Age'],
  ['networking.k8s.io', 'networkpolicies', 'Name Pod-Selector Age'],
  ['policy', 'poddisruptionbudgets', 'Name Min Available Max Unavailable Allowed Disruptions Age'],
  ['rbac.authorization.k8s.io', 'roles', 'Name Created At'],
  ['rbac.authorization.k8s.io', 'clusterroles', 'Name Created At'],
  ['rbac.authorization.k8s.io', 'rolebindings', 'Name Role Age Users* Groups* ServiceAccounts*'],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', 'Name Role Age Users* Groups* ServiceAccounts*'],
  ['scheduling.k8s.io', 'priorityclasses', 'Name Value Global-Default Age PreemptionPolicy*'],
  ['storage.k8s.io', 'storageclasses', 'Name Provisioner ReclaimPolicy VolumeBindingMode AllowVolumeExpansion Age'],
  ['example.com', 'widgets', 'Name Created At'],
];

for (const [group, resource, columns] of HEADERS) {
  test(`columns: ${group || 'core'}/${resource}`, (t) => {
    // Multi-word names are joined with single spaces in the expectation; compare the same way.
    t.is(header(group, resource).join(' '), columns);
  });
}

test('column definitions carry type, format and description; Name is the name column', (t) => {
  const defs = table('', 'pods', []).columnDefinitions!;
  t.deepEqual(defs[0].format, 'name');
  t.true(defs.every((d) => d.description.length > 0));
  t.deepEqual(
    defs.map((d) => d.type),
    ['string', 'string', 'string', 'string', 'string', 'string', 'string', 'string', 'string'],
  );
  t.deepEqual(
    table('', 'replicationcontrollers', []).columnDefinitions!.slice(1, 4).map((d) => d.type),
    ['integer', 'integer', 'integer'],
  );
  t.is(table('rbac.authorization.k8s.io', 'roles', []).columnDefinitions![1].type, 'date');
  t.is(table('batch', 'cronjobs', []).columnDefinitions![3].type, 'boolean');
});

// ---------------------------------------------------------------------------
// Cells

type Case = [title: string, group: string, resource: string, obj: Obj, expected: unknown[]];

const running = (name: string, extra: Record<string, unknown> = {}) => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: ago(4 * M) } }, ...extra });

const POD_CASES: Case[] = [
  [
    'running pod, wide columns',
    '',
    'pods',
    {
      metadata: meta('web'),
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
      status: { phase: 'Running', podIP: '10.0.0.7', podIPs: [{ ip: '10.0.0.7' }], containerStatuses: [running('c')] },
    },
    ['web', '1/1', 'Running', '0', '5m', '10.0.0.7', 'n1', '<none>', '<none>'],
  ],
  [
    'pending pod without status detail',
    '',
    'pods',
    { metadata: meta('p', { creationTimestamp: ago(10 * S) }), spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending' } },
    ['p', '0/2', 'Pending', '0', '10s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'ContainerCreating',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
      status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
    },
    ['p', '0/1', 'ContainerCreating', '0', '5m', '<none>', 'n1', '<none>', '<none>'],
  ],
  [
    'init container running: Init:0/1',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, state: { running: { startedAt: ago(M) } } }],
        containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    ['p', '0/1', 'Init:0/1', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'second of two init containers waiting on PodInitializing: Init:1/2',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'b', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
      },
    },
    ['p', '0/1', 'Init:1/2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init container crash-looping: Init:CrashLoopBackOff with restarts (… ago)',
    '',
    'pods',
    {
      metadata: meta('p', { creationTimestamp: ago(30 * M) }),
      spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(2 * M) } } },
        ],
      },
    },
    ['p', '0/1', 'Init:CrashLoopBackOff', '3 (2m ago)', '30m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init container failed: Init:Error',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'c' }] },
      status: { phase: 'Failed', initContainerStatuses: [{ name: 'init', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
    },
    ['p', '0/1', 'Init:Error', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init container failed without a reason: Init:ExitCode:2 / Init:Signal:9',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'c' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 2 } } }] },
    },
    ['p', '0/1', 'Init:ExitCode:2', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init container killed by a signal',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'c' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    },
    ['p', '0/1', 'Init:Signal:9', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'CrashLoopBackOff with restarts (5m ago)',
    '',
    'pods',
    {
      metadata: meta('p', { creationTimestamp: ago(2 * H) }),
      spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.1.0.4' }, { ip: 'fd00::4' }],
        containerStatuses: [{ name: 'c', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * M) } } }],
      },
    },
    ['p', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '120m', '10.1.0.4', 'n1', '<none>', '<none>'],
  ],
  [
    'restarts without a recorded finish time print the bare count',
    '',
    'pods',
    { metadata: meta('p'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [running('c', { restartCount: 2 })] } },
    ['p', '1/1', 'Running', '2', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'Completed',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    },
    ['p', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'one container Completed, another still running and the pod Ready: Running',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    },
    ['p', '1/2', 'Running', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'one container Completed, another running, pod not Ready: NotReady',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [running('a'), { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
      },
    },
    ['p', '1/2', 'NotReady', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'OOMKilled main container',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] },
    },
    ['p', '0/1', 'OOMKilled', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'main container terminated without a reason: ExitCode:3',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }] },
    },
    ['p', '0/1', 'ExitCode:3', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'Terminating (deletionTimestamp on a running pod)',
    '',
    'pods',
    { metadata: meta('p', { deletionTimestamp: ago(0) }), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [running('c')] } },
    ['p', '1/1', 'Terminating', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'a deleted pod that already finished keeps its status',
    '',
    'pods',
    {
      metadata: meta('p', { deletionTimestamp: ago(0) }),
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    },
    ['p', '0/1', 'Completed', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'a deleted pod on an unreachable node: Unknown',
    '',
    'pods',
    { metadata: meta('p', { deletionTimestamp: ago(0) }), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('c')] } },
    ['p', '1/1', 'Unknown', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'Evicted (status.reason)',
    '',
    'pods',
    { metadata: meta('p'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Failed', reason: 'Evicted' } },
    ['p', '0/1', 'Evicted', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'SchedulingGated',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { schedulingGates: [{ name: 'g' }], containers: [{ name: 'c' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    },
    ['p', '0/1', 'SchedulingGated', '0', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'sidecar (restartable init container) counts in READY and RESTARTS',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'side', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * M) } } }],
        containerStatuses: [running('c')],
      },
    },
    ['p', '2/2', 'Running', '1 (3m ago)', '5m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'nominated node and readiness gates (-o wide)',
    '',
    'pods',
    {
      metadata: meta('p'),
      spec: { containers: [{ name: 'c' }], readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] },
      status: { phase: 'Pending', nominatedNodeName: 'n2', conditions: [{ type: 'example.com/a', status: 'True' }, { type: 'example.com/b', status: 'False' }] },
    },
    ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', 'n2', '1/2'],
  ],
];

const CORE_CASES: Case[] = [
  [
    'node: Ready, cordoned, control-plane role, wide',
    '',
    'nodes',
    {
      metadata: meta('n1', { namespace: undefined, creationTimestamp: ago(3 * D), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } }),
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
      },
    },
    ['n1', 'Ready,SchedulingDisabled', 'control-plane,master', '3d', 'v1.33.0', '10.0.0.1', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0'],
  ],
  [
    'node: NotReady, no roles',
    '',
    'nodes',
    { metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }], nodeInfo: { kubeletVersion: 'v1.33.0' } } },
    ['n2', 'NotReady', '<none>', '5m', 'v1.33.0', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  ],
  ['node: no Ready condition', '', 'nodes', { metadata: meta('n3'), status: {} }, ['n3', 'Unknown', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
  [
    'service: ClusterIP with a selector',
    '',
    'services',
    { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'fe', app: 'web' } } },
    ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '5m', 'app=web,tier=fe'],
  ],
  [
    'service: NodePort with external IPs',
    '',
    'services',
    { metadata: meta('np'), spec: { type: 'NodePort', clusterIP: '10.96.0.11', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], externalIPs: ['1.2.3.4'] } },
    ['np', 'NodePort', '10.96.0.11', '1.2.3.4', '80:30080/TCP', '5m', '<none>'],
  ],
  [
    'service: LoadBalancer pending',
    '',
    'services',
    { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.12', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, status: { loadBalancer: {} } },
    ['lb', 'LoadBalancer', '10.96.0.12', '<pending>', '443:31443/TCP', '5m', '<none>'],
  ],
  [
    'service: LoadBalancer with ingress points',
    '',
    'services',
    { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.12', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } } },
    ['lb', 'LoadBalancer', '10.96.0.12', '203.0.113.9,lb.example.com', '443:31443/TCP', '5m', '<none>'],
  ],
  [
    'service: ExternalName',
    '',
    'services',
    { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  ],
  [
    'service: headless',
    '',
    'services',
    { metadata: meta('h'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 3306, protocol: 'TCP' }], selector: { app: 'db' } } },
    ['h', 'ClusterIP', 'None', '<none>', '3306/TCP', '5m', 'app=db'],
  ],
  [
    'endpoints: more than three',
    '',
    'endpoints',
    { metadata: meta('web'), subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip })), ports: [{ port: 80 }, { port: 443 }] }] },
    ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 5 more...', '5m'],
  ],
  ['endpoints: none', '', 'endpoints', { metadata: meta('web') }, ['web', '<none>', '5m']],
  ['endpoints: headless without ports, IPv6 with ports', '', 'endpoints', { metadata: meta('h'), subsets: [{ addresses: [{ ip: '10.0.0.9' }] }, { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] }, ['h', '10.0.0.9,[fd00::1]:53', '5m']],
  ['namespace', '', 'namespaces', { metadata: meta('dev'), status: { phase: 'Terminating' } }, ['dev', 'Terminating', '5m']],
  ['configmap: data + binaryData', '', 'configmaps', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, ['cm', 3, '5m']],
  ['secret', '', 'secrets', { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, ['s', 'kubernetes.io/tls', 2, '5m']],
  ['serviceaccount', '', 'serviceaccounts', { metadata: meta('default') }, ['default', 0, '5m']],
  [
    'persistentvolume: bound, class from spec',
    '',
    'persistentvolumes',
    {
      metadata: meta('pv1'),
      spec: { capacity: { storage: '1.5Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'fast', volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    },
    ['pv1', '1536Mi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'fast', '<unset>', '', '5m', 'Filesystem'],
  ],
  [
    'persistentvolume: terminating, beta class annotation',
    '',
    'persistentvolumes',
    { metadata: meta('pv2', { deletionTimestamp: ago(0), annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } }), spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Delete' }, status: { phase: 'Released' } },
    ['pv2', '10Gi', 'ROX', 'Delete', 'Terminating', '', 'slow', '<unset>', '', '5m', '<unset>'],
  ],
  [
    'persistentvolumeclaim: bound',
    '',
    'persistentvolumeclaims',
    { metadata: meta('data'), spec: { volumeName: 'pv1', storageClassName: 'fast', volumeMode: 'Filesystem', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1536Mi' }, accessModes: ['ReadWriteOnce'] } },
    ['data', 'Bound', 'pv1', '1536Mi', 'RWO', 'fast', '<unset>', '5m', 'Filesystem'],
  ],
  [
    'persistentvolumeclaim: pending',
    '',
    'persistentvolumeclaims',
    { metadata: meta('data'), spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
    ['data', 'Pending', '', '', '', '', '<unset>', '5m', '<unset>'],
  ],
  [
    'replicationcontroller, wide',
    '',
    'replicationcontrollers',
    { metadata: meta('mysql'), spec: { replicas: 3, selector: { app: 'mysql' }, template: { spec: { containers: [{ name: 'mysql', image: 'mysql:8' }, { name: 'exporter', image: 'exp' }] } } }, status: { replicas: 3, readyReplicas: 2 } },
    ['mysql', 3, 3, 2, '5m', 'mysql,exporter', 'mysql:8,exp', 'app=mysql'],
  ],
  [
    'podtemplate',
    '',
    'podtemplates',
    { metadata: meta('tpl'), template: { metadata: { labels: { app: 'x', tier: 'y' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    ['tpl', 'c', 'busybox', 'app=x,tier=y'],
  ],
  [
    'event (core/v1, count and source)',
    '',
    'events',
    {
      metadata: meta('web.17a'),
      type: 'Warning',
      reason: 'BackOff',
      message: '  Back-off restarting failed container\n',
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{c}' },
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(30 * S),
      count: 7,
    },
    ['30s', 'Warning', 'BackOff', 'pod/web', 'spec.containers{c}', 'kubelet, n1', 'Back-off restarting failed container', '10m', 7, 'web.17a'],
  ],
  [
    'event (events.k8s.io style: eventTime, series, reporting controller)',
    '',
    'events',
    {
      metadata: meta('ev2'),
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web to n1',
      involvedObject: { kind: 'Pod', name: 'web' },
      eventTime: '2025-06-01T11:58:00.000000Z',
      series: { count: 4, lastObservedTime: '2025-06-01T11:59:00.000000Z' },
      reportingComponent: 'default-scheduler',
      reportingInstance: '',
    },
    ['60s', 'Normal', 'Scheduled', 'pod/web', '', 'default-scheduler', 'Successfully assigned default/web to n1', '2m', 4, 'ev2'],
  ],
  [
    'event about a kind without a name, count defaulted to 1',
    '',
    'events',
    { metadata: meta('ev3'), type: 'Normal', reason: 'Starting', message: 'x', involvedObject: { kind: 'Node' }, firstTimestamp: ago(M) },
    ['60s', 'Normal', 'Starting', 'node', '', '', 'x', '60s', 1, 'ev3'],
  ],
  ['limitrange: default table (Created At)', '', 'limitranges', { metadata: meta('limits', { creationTimestamp: '2025-05-31T08:09:10Z' }) }, ['limits', '2025-05-31T08:09:10Z']],
  [
    'resourcequota',
    '',
    'resourcequotas',
    { metadata: meta('q'), status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '2Gi', 'limits.cpu': '4' }, used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' } } },
    ['q', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 1/4, limits.memory: 0/2Gi', '5m'],
  ],
  [
    'componentstatus',
    '',
    'componentstatuses',
    { metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] },
    ['etcd-0', 'Healthy', 'ok', ''],
  ],
];

const APPS_BATCH_CASES: Case[] = [
  [
    'deployment, wide',
    'apps',
    'deployments',
    {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    },
    ['web', '2/3', 3, 2, '5m', 'nginx', 'nginx:1.27', 'app=web,env in (dev,prod)'],
  ],
  ['deployment with no status yet', 'apps', 'deployments', { metadata: meta('d'), spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [] } } } }, ['d', '0/1', 0, 0, '5m', '', '', 'a=b']],
  [
    'replicaset, wide',
    'apps',
    'replicasets',
    { metadata: meta('web-5d8'), spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 2, readyReplicas: 1 } },
    ['web-5d8', 2, 2, 1, '5m', 'c', 'i', 'app=web,pod-template-hash=5d8'],
  ],
  [
    'statefulset, wide',
    'apps',
    'statefulsets',
    { metadata: meta('db'), spec: { replicas: 3, template: { spec: { containers: [{ name: 'db', image: 'postgres:16' }] } } }, status: { readyReplicas: 3 } },
    ['db', '3/3', '5m', 'db', 'postgres:16'],
  ],
  [
    'daemonset, wide',
    'apps',
    'daemonsets',
    {
      metadata: meta('proxy'),
      spec: { selector: { matchLabels: { k8s: 'proxy' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'kp' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    },
    ['proxy', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'kube-proxy', 'kp', 'k8s=proxy'],
  ],
  [
    'controllerrevision',
    'apps',
    'controllerrevisions',
    { metadata: meta('db-7c9', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] }), revision: 2 },
    ['db-7c9', 'statefulset.apps/db', 2, '5m'],
  ],
  ['controllerrevision without a controller', 'apps', 'controllerrevisions', { metadata: meta('r'), revision: 1 }, ['r', '<none>', 1, '5m']],
  [
    'job: complete, wide',
    'batch',
    'jobs',
    {
      metadata: meta('pi', { creationTimestamp: ago(10 * M) }),
      spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      status: { succeeded: 1, startTime: ago(10 * M), completionTime: ago(10 * M - 42 * S), conditions: [{ type: 'Complete', status: 'True' }] },
    },
    ['pi', 'Complete', '1/1', '42s', '10m', 'pi', 'perl', 'batch.kubernetes.io/controller-uid=u1'],
  ],
  [
    'job: running work queue (no completions, parallelism 3)',
    'batch',
    'jobs',
    { metadata: meta('q'), spec: { parallelism: 3, template: { spec: { containers: [{ name: 'w', image: 'w' }] } } }, status: { succeeded: 1, startTime: ago(4 * M) } },
    ['q', 'Running', '1/1 of 3', '4m', '5m', 'w', 'w', '<none>'],
  ],
  [
    'job: failed',
    'batch',
    'jobs',
    { metadata: meta('f'), spec: { completions: 2, template: { spec: { containers: [] } } }, status: { failed: 7, startTime: ago(3 * M), conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] } },
    ['f', 'Failed', '0/2', '3m', '5m', '', '', '<none>'],
  ],
  ['job: suspended, never started', 'batch', 'jobs', { metadata: meta('s'), spec: { completions: 1, suspend: true, template: { spec: { containers: [] } } }, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }, ['s', 'Suspended', '0/1', '', '5m', '', '', '<none>']],
  [
    'cronjob, wide',
    'batch',
    'cronjobs',
    {
      metadata: meta('hello', { creationTimestamp: ago(D) }),
      spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } } },
      status: { active: [{ name: 'hello-1' }], lastScheduleTime: ago(40 * S) },
    },
    ['hello', '*/1 * * * *', '<none>', 'False', 1, '40s', '24h', 'hello', 'busybox', '<none>'],
  ],
  [
    'cronjob with a time zone, never scheduled',
    'batch',
    'cronjobs',
    { metadata: meta('tz'), spec: { schedule: '0 3 * * *', timeZone: 'Europe/Paris', suspend: true, jobTemplate: { spec: { template: { spec: { containers: [] } } } } }, status: {} },
    ['tz', '0 3 * * *', 'Europe/Paris', 'True', 0, '<none>', '5m', '', '', '<none>'],
  ],
  [
    'hpa (autoscaling/v1): target and current CPU',
    'autoscaling',
    'horizontalpodautoscalers',
    { metadata: meta('web'), spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, currentCPUUtilizationPercentage: 20 } },
    ['web', 'Deployment/web', 'cpu: 20%/50%', '1', 10, 2, '5m'],
  ],
  [
    'hpa (autoscaling/v1) without a target: the 80% CPU default, unknown current',
    'autoscaling',
    'horizontalpodautoscalers',
    { metadata: meta('web'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 }, status: {} },
    ['web', 'Deployment/web', 'cpu: <unknown>/80%', '<unset>', 3, 0, '5m'],
  ],
  [
    'hpa (v2 shape): three metrics, two shown',
    'autoscaling',
    'horizontalpodautoscalers',
    {
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '200Mi' } } }] },
    },
    ['web', 'Deployment/web', 'memory: 200Mi/500Mi, <unknown>/10 + 1 more...', '2', 5, 2, '5m'],
  ],
];

const OTHER_CASES: Case[] = [
  [
    'ingress: class, hosts, TLS, address',
    'networking.k8s.io',
    'ingresses',
    {
      metadata: meta('web'),
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'] }], rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    },
    ['web', 'nginx', 'a.example.com,b.example.com', '192.0.2.10', '80, 443', '5m'],
  ],
  [
    'ingress: no class, catch-all, many hosts',
    'networking.k8s.io',
    'ingresses',
    { metadata: meta('i'), spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, {}] } },
    ['i', '<none>', 'a,b,c + 2 more...', '', '80', '5m'],
  ],
  ['ingress: default backend only', 'networking.k8s.io', 'ingresses', { metadata: meta('i'), spec: { defaultBackend: { service: { name: 's', port: { number: 80 } } } } }, ['i', '<none>', '*', '', '80', '5m']],
  [
    'ingressclass with parameters',
    'networking.k8s.io',
    'ingressclasses',
    { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } } },
    ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '5m'],
  ],
  ['ingressclass without parameters', 'networking.k8s.io', 'ingressclasses', { metadata: meta('c'), spec: { controller: 'x/y' } }, ['c', 'x/y', '<none>', '5m']],
  ['networkpolicy: all pods', 'networking.k8s.io', 'networkpolicies', { metadata: meta('deny-all'), spec: { podSelector: {}, policyTypes: ['Ingress'] } }, ['deny-all', '<none>', '5m']],
  [
    'networkpolicy: selected pods',
    'networking.k8s.io',
    'networkpolicies',
    { metadata: meta('np'), spec: { podSelector: { matchLabels: { role: 'db' }, matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] } } },
    ['np', '!canary,role=db', '5m'],
  ],
  ['role: default table', 'rbac.authorization.k8s.io', 'roles', { metadata: meta('reader', { creationTimestamp: '2025-01-02T03:04:05Z' }), rules: [] }, ['reader', '2025-01-02T03:04:05Z']],
  ['clusterrole: default table', 'rbac.authorization.k8s.io', 'clusterroles', { metadata: { name: 'admin', creationTimestamp: '2024-12-31T23:59:59Z' } }, ['admin', '2024-12-31T23:59:59Z']],
  [
    'rolebinding, wide subjects',
    'rbac.authorization.k8s.io',
    'rolebindings',
    {
      metadata: meta('rb'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' },
      ],
    },
    ['rb', 'Role/reader', '5m', 'alice, bob', 'devs', 'kube-system/default'],
  ],
  [
    'clusterrolebinding',
    'rbac.authorization.k8s.io',
    'clusterrolebindings',
    { metadata: { name: 'cluster-admin', creationTimestamp: ago(2 * D + 3 * H) }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] },
    ['cluster-admin', 'ClusterRole/cluster-admin', '2d3h', '', 'system:masters', ''],
  ],
  [
    'csr: approved and issued',
    'certificates.k8s.io',
    'certificatesigningrequests',
    { metadata: { name: 'csr-1', creationTimestamp: ago(S * 90) }, spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 3600 }, status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0t' } },
    ['csr-1', '90s', 'kubernetes.io/kube-apiserver-client', 'alice', '60m', 'Approved,Issued'],
  ],
  [
    'csr: pending',
    'certificates.k8s.io',
    'certificatesigningrequests',
    { metadata: { name: 'csr-2', creationTimestamp: ago(M) }, spec: { signerName: 'kubernetes.io/kubelet-serving', username: 'system:node:n1' } },
    ['csr-2', '60s', 'kubernetes.io/kubelet-serving', 'system:node:n1', '<none>', 'Pending'],
  ],
  ['csr: denied', 'certificates.k8s.io', 'certificatesigningrequests', { metadata: meta('csr-3'), spec: {}, status: { conditions: [{ type: 'Denied', status: 'True' }] } }, ['csr-3', '5m', '<none>', '', '<none>', 'Denied']],
  ['lease', 'coordination.k8s.io', 'leases', { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'n1_1234' } }, ['kube-scheduler', 'n1_1234', '5m']],
  ['lease without a holder', 'coordination.k8s.io', 'leases', { metadata: meta('l'), spec: {} }, ['l', '', '5m']],
  [
    'endpointslice',
    'discovery.k8s.io',
    'endpointslices',
    {
      metadata: meta('web-abc'),
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'named' }],
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
    },
    ['web-abc', 'IPv4', '80,named', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5m'],
  ],
  ['endpointslice: empty', 'discovery.k8s.io', 'endpointslices', { metadata: meta('e'), addressType: 'IPv6', endpoints: [] }, ['e', 'IPv6', '<unset>', '<unset>', '5m']],
  ['pdb: minAvailable', 'policy', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { minAvailable: 2, selector: {} }, status: { disruptionsAllowed: 1 } }, ['pdb', '2', 'N/A', 1, '5m']],
  ['pdb: maxUnavailable percent', 'policy', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { maxUnavailable: '50%' }, status: {} }, ['pdb', 'N/A', '50%', 0, '5m']],
  [
    'storageclass: default, explicit fields',
    'storage.k8s.io',
    'storageclasses',
    { metadata: { name: 'standard', creationTimestamp: ago(5 * M), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true },
    ['standard (default)', 'rancher.io/local-path', 'Retain', 'WaitForFirstConsumer', true, '5m'],
  ],
  ['storageclass: defaults', 'storage.k8s.io', 'storageclasses', { metadata: { name: 'slow', creationTimestamp: ago(5 * M) }, provisioner: 'example.com/p' }, ['slow', 'example.com/p', 'Delete', 'Immediate', false, '5m']],
  ['priorityclass', 'scheduling.k8s.io', 'priorityclasses', { metadata: { name: 'high', creationTimestamp: ago(5 * M) }, value: 1000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' }, ['high', 1000000, false, '5m', 'PreemptLowerPriority']],
  ['unknown resource: default table', 'example.com', 'widgets', { metadata: { name: 'w' } }, ['w', '0001-01-01T00:00:00Z']],
];

for (const [title, group, resource, obj, expected] of [...POD_CASES, ...CORE_CASES, ...APPS_BATCH_CASES, ...OTHER_CASES]) {
  test(`cells: ${group || 'core'}/${resource}: ${title}`, (t) => {
    const row = cells(group, resource, obj);
    t.deepEqual(row, expected);
    t.is(row.length, header(group, resource).length, 'one cell per column');
  });
}

// ---------------------------------------------------------------------------
// AGE formatting

const DURATIONS: [ms: number, text: string][] = [
  [-5 * S, '<invalid>'],
  [-1500, '0s'],
  [0, '0s'],
  [59 * S, '59s'],
  [119 * S, '119s'],
  [2 * M, '2m'],
  [5 * M + 30 * S, '5m30s'],
  [10 * M, '10m'],
  [179 * M, '179m'],
  [3 * H, '3h'],
  [7 * H + 59 * M, '7h59m'],
  [8 * H + 30 * M, '8h'],
  [47 * H, '47h'],
  [2 * D, '2d'],
  [3 * D + 5 * H, '3d5h'],
  [8 * D, '8d'],
  [400 * D, '400d'],
  [730 * D, '2y'],
  [800 * D, '2y70d'],
  [9 * 365 * D, '9y'],
];

for (const [ms, text] of DURATIONS) {
  test(`humanDuration(${ms}ms) = ${text}`, (t) => {
    t.is(humanDuration(ms), text);
  });
}

// ---------------------------------------------------------------------------
// The Table envelope

test('table envelope: kind, apiVersion, resourceVersion, continue', (t) => {
  const tbl = toTable('', 'configmaps', [], { include: 'Metadata', version: 'v1beta1', resourceVersion: '42', continue: 'tok' }) as TableOut;
  t.is(tbl.kind, 'Table');
  t.is(tbl.apiVersion, 'meta.k8s.io/v1beta1');
  t.deepEqual(tbl.metadata, { resourceVersion: '42', continue: 'tok' });
  t.deepEqual(tbl.rows, []);
});

test('rows carry PartialObjectMetadata, the whole object, or nothing', (t) => {
  const o: Obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm', { labels: { a: 'b' } }), data: {} };
  const md = toTable('', 'configmaps', [o], { include: 'Metadata', version: 'v1', now: NOW }) as TableOut;
  t.deepEqual(md.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
  const full = toTable('', 'configmaps', [o], { include: 'Object', version: 'v1', now: NOW }) as TableOut;
  t.is(full.rows[0].object, o);
  const none = toTable('', 'configmaps', [o], { include: 'None', version: 'v1', now: NOW }) as TableOut;
  t.false('object' in none.rows[0]);
});

test('watch events after the first omit columnDefinitions', (t) => {
  const tbl = toTable('', 'pods', [], { include: 'Metadata', version: 'v1', withColumns: false }) as TableOut;
  t.false('columnDefinitions' in tbl);
});

test('finished pods carry the Completed row condition', (t) => {
  const pod = (phase: string): Obj => ({ metadata: meta('p'), spec: { containers: [{ name: 'c' }] }, status: { phase } });
  const tbl = table('', 'pods', [pod('Succeeded'), pod('Failed'), pod('Running')]);
  t.deepEqual(tbl.rows[0].conditions?.map((c) => [c.type, c.status, c.reason]), [['Completed', 'True', 'Succeeded']]);
  t.deepEqual(tbl.rows[1].conditions?.map((c) => [c.type, c.status, c.reason]), [['Completed', 'True', 'Failed']]);
  t.false('conditions' in tbl.rows[2]);
});

test('pod cells are recomputed for a later `now` (RESTARTS "(… ago)" and AGE move on)', (t) => {
  const o: Obj = {
    metadata: meta('p'),
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Running', containerStatuses: [running('c', { restartCount: 1, lastState: { terminated: { finishedAt: ago(M) } } })] },
  };
  const first = (toTable('', 'pods', [o], { include: 'None', version: 'v1', now: NOW }) as TableOut).rows[0].cells;
  const later = (toTable('', 'pods', [o], { include: 'None', version: 'v1', now: NOW + 10 * M }) as TableOut).rows[0].cells;
  t.deepEqual(first.slice(3, 5), ['1 (60s ago)', '5m']);
  t.deepEqual(later.slice(3, 5), ['1 (11m ago)', '15m']);
});
