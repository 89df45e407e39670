/** Builders for scheduler unit tests: nodes, pods and a static ClusterView over them (no server). */
import type { Node, Pod, Container, PersistentVolume, PersistentVolumeClaim, Service, Taint } from '../../../controlplane/api/core/v1/types.js';
import type { ReplicaSet } from '../../../controlplane/api/apps/v1/types.js';
import { SchedulerCache } from '../../../controlplane/scheduler/cache/cache.js';
import type { ClusterView } from '../../../controlplane/scheduler/framework/types.js';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  conditions?: Record<string, 'True' | 'False' | 'Unknown'>;
  extra?: Record<string, string>;
  images?: { names: string[]; sizeBytes: number }[];
}

export function node(name: string, o: NodeOpts = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi', ...(o.extra ?? {}) };
  const conds = o.conditions ?? { Ready: 'True' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      capacity: allocatable,
      allocatable,
      conditions: Object.entries(conds).map(([type, status]) => ({ type, status })),
      images: o.images,
    },
  };
}

export interface PodOpts {
  ns?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  containers?: Container[];
  initContainers?: Container[];
  spec?: Partial<Pod['spec']>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const containers = o.containers ?? [{ name: 'c', image: 'busybox', resources: Object.keys(requests).length ? { requests } : {} }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels, uid: `uid-${name}` },
    spec: { containers, initContainers: o.initContainers, nodeName: o.nodeName, schedulerName: 'default-scheduler', ...(o.spec ?? {}) },
  };
}

export interface ClusterOpts {
  nodes: Node[];
  /** Pods already on nodes (spec.nodeName set). */
  pods?: Pod[];
  services?: Service[];
  replicaSets?: ReplicaSet[];
  pvcs?: PersistentVolumeClaim[];
  pvs?: PersistentVolume[];
  hardPodAffinityWeight?: number;
}

/** A ClusterView over a real SchedulerCache filled from plain objects. */
export function cluster(o: ClusterOpts): ClusterView & { cache: SchedulerCache } {
  const cache = new SchedulerCache();
  for (const n of o.nodes) cache.addNode(n);
  for (const p of o.pods ?? []) cache.addPod(p);
  const byNs = <T extends { metadata: { namespace?: string } }>(xs: T[] | undefined, ns: string) => (xs ?? []).filter((x) => (x.metadata.namespace ?? 'default') === ns);
  return {
    cache,
    get nodes() {
      return cache.nodes;
    },
    nodeInfo: (n) => cache.nodeInfo(n),
    servicesIn: (ns) => byNs(o.services, ns),
    replicationControllersIn: () => [],
    replicaSetsIn: (ns) => byNs(o.replicaSets, ns),
    statefulSetsIn: () => [],
    pvc: (ns, name) => (o.pvcs ?? []).find((c) => c.metadata.name === name && (c.metadata.namespace ?? 'default') === ns),
    pv: (name) => (o.pvs ?? []).find((v) => v.metadata.name === name),
    imageNodeCount: (img) => cache.imageNodeCount(img),
    hardPodAffinityWeight: o.hardPodAffinityWeight ?? 1,
  };
}

/** A pod (anti-)affinity term selecting these labels within topologyKey. */
export function antiTerm(labels: Record<string, string>, topologyKey = 'kubernetes.io/hostname') {
  return { labelSelector: { matchLabels: labels }, topologyKey };
}
