/**
 * meta.k8s.io Table conversion: the columns `kubectl get` shows against a real
 * cluster come from the server (API-SURFACE.md §a.2, §b.4). Each row carries
 * the object's metadata (PartialObjectMetadata) or the whole object
 * (includeObject=Object) so NAMESPACE, --show-labels and -L work.
 */
import type { Obj } from './registry/types.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
  cell: (o: Obj, now: number) => unknown;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const str = (v: unknown, dflt = '<none>'): string => (v === undefined || v === null || v === '' ? dflt : String(v));

/** Upstream's duration.HumanDuration, which kubectl's AGE column uses. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  if (y < 8) return `${y}y${Math.floor((h / 24) % 365)}d`;
  return `${y}y`;
}

const name: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0, cell: (o) => o.metadata?.name ?? '' };
const age: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (o, now) => (o.metadata?.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>'),
};
const col = (n: string, cell: Column['cell'], priority = 0, type: Column['type'] = 'string'): Column => ({ name: n, type, description: n, priority, cell });

function selectorString(sel: unknown): string {
  const s = rec(sel);
  const ml = rec(s.matchLabels ?? (s.matchExpressions ? undefined : s));
  const parts = Object.entries(ml).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arr(s.matchExpressions)) {
    const vals = Array.isArray(e.values) ? (e.values as string[]).join(',') : '';
    if (e.operator === 'In') parts.push(`${String(e.key)} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${String(e.key)} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

function podStatus(o: Obj): string {
  const meta = o.metadata ?? {};
  const status = rec(o.status);
  let reason = str(status.reason, '') || str(status.phase, 'Pending');
  for (const cs of arr(status.containerStatuses)) {
    const st = rec(cs.state);
    if (st.waiting && rec(st.waiting).reason) reason = String(rec(st.waiting).reason);
    else if (st.terminated) reason = String(rec(st.terminated).reason ?? (rec(st.terminated).signal ? `Signal:${rec(st.terminated).signal}` : `ExitCode:${rec(st.terminated).exitCode}`));
  }
  if (meta.deletionTimestamp) reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function containers(o: Obj, path: 'pod' | 'template'): Rec[] {
  const spec = path === 'pod' ? rec(o.spec) : rec(rec(rec(rec(o.spec).template).spec));
  return arr(spec.containers);
}

function servicePorts(o: Obj): string {
  const ports = arr(rec(o.spec).ports);
  if (!ports.length) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${str(p.protocol, 'TCP')}`).join(',');
}

function externalIP(o: Obj): string {
  const spec = rec(o.spec);
  const t = str(spec.type, 'ClusterIP');
  const ext = Array.isArray(spec.externalIPs) ? (spec.externalIPs as string[]) : [];
  if (t === 'ExternalName') return str(spec.externalName);
  if (t === 'LoadBalancer') {
    const ing = arr(rec(rec(o.status).loadBalancer).ingress).map((i) => String(i.ip ?? i.hostname));
    const all = [...ing, ...ext];
    return all.length ? all.join(',') : '<pending>';
  }
  return ext.length ? ext.join(',') : '<none>';
}

function nodeStatus(o: Obj): string {
  const conds = arr(rec(o.status).conditions);
  const ready = conds.find((c) => c.type === 'Ready');
  let s = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
  if (rec(o.spec).unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(o: Obj): string {
  const roles = Object.keys(o.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  return roles.length ? roles.sort().join(',') : '<none>';
}

const nodeAddr = (t: string) => (o: Obj) => str(arr(rec(o.status).addresses).find((a) => a.type === t)?.address);
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v).length : 0);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const TABLES: Record<string, Column[]> = {
  '/pods': [
    name,
    col('Ready', (o) => {
      const cs = arr(rec(o.status).containerStatuses);
      return `${cs.filter((c) => c.ready).length}/${containers(o, 'pod').length}`;
    }),
    col('Status', podStatus),
    col('Restarts', (o) => arr(rec(o.status).containerStatuses).reduce((n, c) => n + num(c.restartCount), 0), 0, 'string'),
    age,
    col('IP', (o) => str(rec(o.status).podIP), 1),
    col('Node', (o) => str(rec(o.spec).nodeName), 1),
    col('Nominated Node', (o) => str(rec(o.status).nominatedNodeName), 1),
    col('Readiness Gates', (o) => {
      const g = arr(rec(o.spec).readinessGates);
      return g.length ? `0/${g.length}` : '<none>';
    }, 1),
  ],
  '/namespaces': [name, col('Status', (o) => str(rec(o.status).phase, 'Active')), age],
  '/nodes': [
    name,
    col('Status', nodeStatus),
    col('Roles', nodeRoles),
    age,
    col('Version', (o) => str(rec(rec(o.status).nodeInfo).kubeletVersion, '')),
    col('Internal-IP', nodeAddr('InternalIP'), 1),
    col('External-IP', nodeAddr('ExternalIP'), 1),
    col('OS-Image', (o) => str(rec(rec(o.status).nodeInfo).osImage, '<unknown>'), 1),
    col('Kernel-Version', (o) => str(rec(rec(o.status).nodeInfo).kernelVersion, '<unknown>'), 1),
    col('Container-Runtime', (o) => str(rec(rec(o.status).nodeInfo).containerRuntimeVersion, '<unknown>'), 1),
  ],
  '/services': [
    name,
    col('Type', (o) => str(rec(o.spec).type, 'ClusterIP')),
    col('Cluster-IP', (o) => str(rec(o.spec).clusterIP)),
    col('External-IP', externalIP),
    col('Port(s)', servicePorts),
    age,
    col('Selector', (o) => selectorString(rec(o.spec).selector), 1),
  ],
  '/endpoints': [
    name,
    col('Endpoints', (o) => {
      const eps: string[] = [];
      for (const s of arr(o.subsets)) for (const a of arr(s.addresses)) for (const p of arr(s.ports).length ? arr(s.ports) : [{}]) eps.push(p.port ? `${a.ip}:${p.port}` : String(a.ip));
      return eps.length ? (eps.length > 3 ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...` : eps.join(',')) : '<none>';
    }),
    age,
  ],
  '/configmaps': [name, col('Data', (o) => count(o.data) + count(o.binaryData), 0, 'integer'), age],
  '/secrets': [name, col('Type', (o) => str(o.type, 'Opaque')), col('Data', (o) => count(o.data), 0, 'integer'), age],
  '/serviceaccounts': [name, col('Secrets', (o) => arr(o.secrets).length, 0, 'integer'), age],
  '/persistentvolumes': [
    name,
    col('Capacity', (o) => str(rec(rec(o.spec).capacity).storage, '')),
    col('Access Modes', (o) => accessModes(rec(o.spec).accessModes)),
    col('Reclaim Policy', (o) => str(rec(o.spec).persistentVolumeReclaimPolicy, 'Retain')),
    col('Status', (o) => str(rec(o.status).phase, '')),
    col('Claim', (o) => {
      const c = rec(rec(o.spec).claimRef);
      return c.name ? `${String(c.namespace)}/${String(c.name)}` : '';
    }),
    col('StorageClass', (o) => str(rec(o.spec).storageClassName, '')),
    col('Reason', (o) => str(rec(o.status).reason, '')),
    age,
  ],
  '/persistentvolumeclaims': [
    name,
    col('Status', (o) => str(rec(o.status).phase, 'Pending')),
    col('Volume', (o) => str(rec(o.spec).volumeName, '')),
    col('Capacity', (o) => str(rec(rec(o.status).capacity).storage, '')),
    col('Access Modes', (o) => accessModes(rec(o.status).accessModes)),
    col('StorageClass', (o) => str(rec(o.spec).storageClassName, '')),
    age,
  ],
  '/replicationcontrollers': [
    name,
    col('Desired', (o) => num(rec(o.spec).replicas ?? 1), 0, 'integer'),
    col('Current', (o) => num(rec(o.status).replicas), 0, 'integer'),
    col('Ready', (o) => num(rec(o.status).readyReplicas), 0, 'integer'),
    age,
    col('Containers', (o) => containers(o, 'template').map((c) => c.name).join(','), 1),
    col('Images', (o) => containers(o, 'template').map((c) => c.image).join(','), 1),
    col('Selector', (o) => selectorString(rec(o.spec).selector), 1),
  ],
  'apps/deployments': [
    name,
    col('Ready', (o) => `${num(rec(o.status).readyReplicas)}/${num(rec(o.spec).replicas ?? 1)}`),
    col('Up-to-date', (o) => num(rec(o.status).updatedReplicas), 0, 'integer'),
    col('Available', (o) => num(rec(o.status).availableReplicas), 0, 'integer'),
    age,
    col('Containers', (o) => containers(o, 'template').map((c) => c.name).join(','), 1),
    col('Images', (o) => containers(o, 'template').map((c) => c.image).join(','), 1),
    col('Selector', (o) => selectorString(rec(o.spec).selector), 1),
  ],
  'apps/replicasets': [
    name,
    col('Desired', (o) => num(rec(o.spec).replicas ?? 1), 0, 'integer'),
    col('Current', (o) => num(rec(o.status).replicas), 0, 'integer'),
    col('Ready', (o) => num(rec(o.status).readyReplicas), 0, 'integer'),
    age,
    col('Containers', (o) => containers(o, 'template').map((c) => c.name).join(','), 1),
    col('Images', (o) => containers(o, 'template').map((c) => c.image).join(','), 1),
    col('Selector', (o) => selectorString(rec(o.spec).selector), 1),
  ],
  'apps/statefulsets': [
    name,
    col('Ready', (o) => `${num(rec(o.status).readyReplicas)}/${num(rec(o.spec).replicas ?? 1)}`),
    age,
    col('Containers', (o) => containers(o, 'template').map((c) => c.name).join(','), 1),
    col('Images', (o) => containers(o, 'template').map((c) => c.image).join(','), 1),
  ],
  'apps/daemonsets': [
    name,
    col('Desired', (o) => num(rec(o.status).desiredNumberScheduled), 0, 'integer'),
    col('Current', (o) => num(rec(o.status).currentNumberScheduled), 0, 'integer'),
    col('Ready', (o) => num(rec(o.status).numberReady), 0, 'integer'),
    col('Up-to-date', (o) => num(rec(o.status).updatedNumberScheduled), 0, 'integer'),
    col('Available', (o) => num(rec(o.status).numberAvailable), 0, 'integer'),
    col('Node Selector', (o) => selectorString(rec(rec(rec(o.spec).template).spec).nodeSelector)),
    age,
  ],
  'batch/jobs': [
    name,
    col('Status', (o) => (arr(rec(o.status).conditions).some((c) => c.type === 'Complete' && c.status === 'True') ? 'Complete' : arr(rec(o.status).conditions).some((c) => c.type === 'Failed' && c.status === 'True') ? 'Failed' : 'Running')),
    col('Completions', (o) => `${num(rec(o.status).succeeded)}/${num(rec(o.spec).completions ?? 1)}`),
    col('Duration', (o) => {
      const st = rec(o.status);
      if (!st.startTime) return '';
      const end = st.completionTime ? Date.parse(String(st.completionTime)) : Date.now();
      return humanDuration(end - Date.parse(String(st.startTime)));
    }),
    age,
  ],
};

function accessModes(v: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return Array.isArray(v) ? (v as string[]).map((m) => short[m] ?? m).join(',') : '';
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(group: string, resource: string, objs: Obj[], opts: { include: IncludeObject; version: 'v1' | 'v1beta1'; resourceVersion?: string; continue?: string; withColumns?: boolean }): unknown {
  const cols = TABLES[`${group}/${resource}`] ?? [name, age];
  const now = Date.now();
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: { resourceVersion: opts.resourceVersion ?? '', ...(opts.continue ? { continue: opts.continue } : {}) },
  };
  if (opts.withColumns !== false) {
    table.columnDefinitions = cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
  }
  table.rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o, now)) };
    if (opts.include === 'Object') row.object = o;
    else if (opts.include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  return table;
}
