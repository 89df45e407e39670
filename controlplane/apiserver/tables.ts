/**
 * meta.k8s.io Table conversion: the columns `kubectl get` shows against a real
 * cluster come from the server (API-SURFACE.md §a.2, §b.4).
 *
 * One table of column specs per group/resource (TABLES below) holds what
 * upstream's printers (pkg/printers/internalversion, v1.33) define: the column
 * names, their order, their types, `priority: 1` for the `-o wide`-only ones,
 * and how each cell is worked out from the object. Like kube-apiserver's
 * TableConvertor, every cell of every column is always sent (kubectl drops the
 * priority > 0 ones itself unless `-o wide`). Resources upstream has no
 * printer for (roles, clusterroles, limitranges, the review kinds) get
 * upstream's default table: `Name` and a `Created At` date column.
 *
 * Each row carries the object's metadata (PartialObjectMetadata) or the whole
 * object (includeObject=Object) so NAMESPACE, --show-labels and -L work.
 */
import type { Obj } from './registry/types.js';
import { Quantity } from '../machinery/quantity.js';
import { formatLabels, selectorFromLabelSelector } from '../machinery/labels.js';
import type { LabelSelector } from '../machinery/meta/types.js';

// ---------------------------------------------------------------------------
// Column specs

type Cell = string | number | boolean;
type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

interface Column {
  name: string;
  type: ColumnType;
  format?: 'name';
  description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
  cell: (o: Obj, now: number) => Cell;
}

interface RowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface ResourceTable {
  columns: readonly Column[];
  /** metav1.TableRow conditions (upstream marks finished pods `Completed`). */
  conditions?: (o: Obj) => RowCondition[] | undefined;
}

// ---------------------------------------------------------------------------
// Reading loosely typed objects

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? (v as unknown[]).map(rec) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === 'string') : []);
/** A string field, '' when absent (Go's zero value). */
const s = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
/** An integer field, 0 when absent. */
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
const orNone = (v: string, none = '<none>'): string => (v === '' ? none : v);
const spec = (o: Obj): Rec => rec(o.spec);
const status = (o: Obj): Rec => rec(o.status);
/** Follows a dotted path through nested objects. */
function at(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) cur = rec(cur)[k];
  return cur;
}
const labelMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) out[k] = s(x);
  return out;
};

// ---------------------------------------------------------------------------
// Formatting helpers (upstream's names in comments)

/** duration.HumanDuration, which every AGE-like cell uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const sec = seconds % 60;
    return sec === 0 ? `${minutes}m` : `${minutes}m${sec}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const parseTime = (v: unknown): number | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
};

/** translateTimestampSince: `<unknown>` for a zero (absent) time. */
function since(v: unknown, now: number): string {
  const t = parseTime(v);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** A canonical Quantity string (`1.5Gi` → `1536Mi`); upstream prints a zero Quantity as `0`. */
function quantity(v: unknown): string {
  const str = s(v);
  if (str === '') return '0';
  return Quantity.tryParse(str)?.toString() ?? str;
}

/** metav1.FormatLabelSelector: `<none>` for nothing/everything, `<error>` when invalid. */
function formatLabelSelector(v: unknown): string {
  try {
    const out = selectorFromLabelSelector(v === undefined || v === null ? undefined : (rec(v) as LabelSelector)).toString();
    return out === '' ? '<none>' : out;
  } catch {
    return '<error>';
  }
}

/** LabelSelectorAsSelector(...).String() as printDeployment uses it (no `<none>`). */
function selectorString(v: unknown): string {
  try {
    return selectorFromLabelSelector(v === undefined || v === null ? undefined : (rec(v) as LabelSelector)).toString();
  } catch {
    return '<invalid>';
  }
}

/** helper.GetAccessModesAsString: fixed order, duplicates dropped. */
function accessModes(v: unknown): string {
  const modes = new Set(strs(v));
  const out: string[] = [];
  for (const [mode, short] of [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ] as const) {
    if (modes.has(mode)) out.push(short);
  }
  return out.join(',');
}

/** `a + N more...` lists (formatEndpoints, formatDiscoveryEndpoints …). */
function listWithMore(list: string[], count: number, max: number, empty: string): string {
  const ret = list.join(',');
  if (count > max) return `${ret} + ${count - max} more...`;
  return ret === '' ? empty : ret;
}

const joinHostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** layoutContainerCells: names and images, comma-separated. */
const containerNames = (path: string) => (o: Obj): string => arr(at(o, path)).map((c) => s(c.name)).join(',');
const containerImages = (path: string) => (o: Obj): string => arr(at(o, path)).map((c) => s(c.image)).join(',');

/** The set of load-balancer ingress points, sorted, IP before hostname. */
function loadBalancerIngress(lb: unknown): string {
  const set = new Set<string>();
  for (const i of arr(rec(lb).ingress)) {
    const v = s(i.ip) || s(i.hostname);
    if (v) set.add(v);
  }
  return [...set].sort().join(',');
}

const printBool = (v: unknown): string => (v === true ? 'True' : v === false ? 'False' : '<unset>');
const intOrString = (v: unknown): string => (typeof v === 'number' ? String(v) : s(v));

// ---------------------------------------------------------------------------
// Cells that need more than one field

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** Memo so the three pod cells share one computation per row (keyed by `now`). */
const podSummaries = new WeakMap<Obj, { now: number; summary: PodSummary }>();

/** printPod: READY, STATUS and RESTARTS. */
function podSummary(o: Obj, now: number): PodSummary {
  const cached = podSummaries.get(o);
  if (cached && cached.now === now) return cached.summary;
  const sp = spec(o);
  const st = status(o);
  const phase = s(st.phase);
  let reason = s(st.reason) || phase;
  for (const c of arr(st.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = arr(sp.initContainers);
  const restartable = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => s(c.name)));
  const total = arr(sp.containers).length + restartable.size;
  let ready = 0;
  let restarts = 0;
  let restartableRestarts = 0;
  let lastRestart: number | undefined;
  let lastRestartableRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined) => (b !== undefined && (a === undefined || b > a) ? b : a);
  const finishedAt = (c: Rec) => parseTime(rec(rec(c.lastState).terminated).finishedAt);

  let initializing = false;
  const initStatuses = arr(st.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const state = rec(c.state);
    const terminated = state.terminated === undefined ? undefined : rec(state.terminated);
    const waiting = state.waiting === undefined ? undefined : rec(state.waiting);
    const isRestartable = restartable.has(s(c.name));
    restarts += n(c.restartCount);
    lastRestart = later(lastRestart, finishedAt(c));
    if (isRestartable) {
      restartableRestarts += n(c.restartCount);
      lastRestartableRestart = later(lastRestartableRestart, finishedAt(c));
    }
    if (terminated && n(terminated.exitCode) === 0) continue;
    if (isRestartable && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated) {
      const r = s(terminated.reason);
      reason = r ? `Init:${r}` : n(terminated.signal) !== 0 ? `Init:Signal:${n(terminated.signal)}` : `Init:ExitCode:${n(terminated.exitCode)}`;
    } else if (waiting && s(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${s(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = arr(st.conditions).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = arr(st.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      const state = rec(c.state);
      const terminated = state.terminated === undefined ? undefined : rec(state.terminated);
      const waiting = state.waiting === undefined ? undefined : rec(state.waiting);
      restarts += n(c.restartCount);
      lastRestart = later(lastRestart, finishedAt(c));
      if (waiting && s(waiting.reason) !== '') reason = s(waiting.reason);
      else if (terminated && s(terminated.reason) !== '') reason = s(terminated.reason);
      else if (terminated) reason = n(terminated.signal) !== 0 ? `Signal:${n(terminated.signal)}` : `ExitCode:${n(terminated.exitCode)}`;
      else if (c.ready === true && state.running !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = arr(st.conditions).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }

  if (o.metadata?.deletionTimestamp) {
    if (st.reason === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  const restartsStr = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  const out = { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
  podSummaries.set(o, { now, summary: out });
  return out;
}

function podIP(o: Obj): string {
  const st = status(o);
  const ips = arr(st.podIPs);
  return orNone(ips.length ? s(ips[0].ip) : s(st.podIP));
}

function readinessGates(o: Obj): string {
  const gates = arr(spec(o).readinessGates);
  if (gates.length === 0) return '<none>';
  const conds = arr(status(o).conditions);
  let ok = 0;
  for (const g of gates) {
    const c = conds.find((x) => x.type === g.conditionType);
    if (c?.status === 'True') ok++;
  }
  return `${ok}/${gates.length}`;
}

/** formatEndpoints(endpoints, nil). */
function formatEndpoints(o: Obj): string {
  const subsets = arr(o.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = arr(ss.addresses);
    const ports = arr(ss.ports);
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) break;
        list.push(s(a.ip));
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) break;
        list.push(joinHostPort(s(a.ip), n(p.port)));
      }
    }
  }
  const ret = list.join(',');
  return count > max ? `${ret} + ${count - max} more...` : ret;
}

/** getServiceExternalIP (wide: the apiserver never clips). */
function serviceExternalIP(o: Obj): string {
  const sp = spec(o);
  const ext = strs(sp.externalIPs);
  switch (s(sp.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(rec(status(o)).loadBalancer);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return s(sp.externalName);
    default:
      return '<unknown>';
  }
}

/** makePortString. */
function servicePorts(o: Obj): string {
  const out = arr(spec(o).ports).map((p) => {
    const proto = s(p.protocol) || 'TCP';
    return n(p.nodePort) > 0 ? `${n(p.port)}:${n(p.nodePort)}/${proto}` : `${n(p.port)}/${proto}`;
  });
  return out.length ? out.join(',') : '<none>';
}

function serviceClusterIP(o: Obj): string {
  const sp = spec(o);
  const ips = strs(sp.clusterIPs);
  return orNone(ips.length ? ips[0] : s(sp.clusterIP));
}

/** printNode STATUS: Ready/NotReady/Unknown, then SchedulingDisabled. */
function nodeStatus(o: Obj): string {
  const conds = arr(status(o).conditions);
  let ready: Rec | undefined;
  for (const c of conds) if (c.type === 'Ready') ready = c;
  const out = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (spec(o).unschedulable === true) out.push('SchedulingDisabled');
  return out.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value. */
function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

const nodeAddress = (type: string) => (o: Obj): string => orNone(s(arr(status(o).addresses).find((a) => a.type === type)?.address));
const nodeInfo = (field: string) => (o: Obj): string => orNone(s(rec(status(o).nodeInfo)[field]), '<unknown>');

const hasCondition = (o: Obj, type: string): boolean => {
  const c = arr(status(o).conditions).find((x) => x.type === type);
  return c?.status === 'True';
};

function jobStatus(o: Obj): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: Obj): string {
  const sp = spec(o);
  const succeeded = n(status(o).succeeded);
  if (typeof sp.completions === 'number') return `${succeeded}/${n(sp.completions)}`;
  const parallelism = n(sp.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: Obj, now: number): string {
  const st = status(o);
  const start = parseTime(st.startTime);
  if (start === undefined) return '';
  const end = parseTime(st.completionTime);
  return humanDuration((end ?? now) - start);
}

/** formatHPAMetrics, for autoscaling/v1 (targetCPUUtilizationPercentage) and v2 (metrics) shapes. */
function hpaTargets(o: Obj): string {
  const sp = spec(o);
  const st = status(o);
  const metrics = arr(sp.metrics);
  if (metrics.length === 0) {
    // v1: the stored v2 object is defaulted to 80% CPU when it names no metric.
    const target = typeof sp.targetCPUUtilizationPercentage === 'number' ? sp.targetCPUUtilizationPercentage : 80;
    const current = typeof st.currentCPUUtilizationPercentage === 'number' ? `${st.currentCPUUtilizationPercentage}%` : '<unknown>';
    return `cpu: ${current}/${target}%`;
  }
  const statuses = arr(st.currentMetrics);
  const list = metrics.map((m, i) => {
    const cur = rec(statuses[i]);
    const type = s(m.type);
    const key = type === 'ContainerResource' ? 'containerResource' : type.charAt(0).toLowerCase() + type.slice(1);
    const src = rec(m[key]);
    const target = rec(src.target);
    const current = rec(rec(cur[key]).current);
    const has = cur[key] !== undefined;
    switch (type) {
      case 'External':
      case 'Object':
        if (target.averageValue !== undefined) return `${has && current.averageValue !== undefined ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)} (avg)`;
        return `${has ? quantity(current.value) : '<unknown>'}/${quantity(target.value)}`;
      case 'Pods':
        return `${has ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
      case 'Resource':
      case 'ContainerResource': {
        const name = s(src.name);
        if (target.averageValue !== undefined) return `${name}: ${has ? quantity(current.averageValue) : '<unknown>'}/${quantity(target.averageValue)}`;
        const c = has && typeof current.averageUtilization === 'number' ? `${current.averageUtilization}%` : '<unknown>';
        const t = typeof target.averageUtilization === 'number' ? `${target.averageUtilization}%` : '<auto>';
        return `${name}: ${c}/${t}`;
      }
      default:
        return '<unknown type>';
    }
  });
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

/** formatHosts. */
function ingressHosts(o: Obj): string {
  const rules = arr(spec(o).rules);
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    if (!more && s(r.host) !== '') list.push(s(r.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

function ingressClassParameters(o: Obj): string {
  const p = spec(o).parameters;
  if (p === undefined || p === null) return '<none>';
  const r = rec(p);
  return `${s(r.kind)}${s(r.apiGroup) ? `.${s(r.apiGroup)}` : ''}/${s(r.name)}`;
}

/** rbac.SubjectsStrings, joined the way printRoleBinding does. */
const subjects = (kind: 'User' | 'Group' | 'ServiceAccount') => (o: Obj): string =>
  arr(o.subjects)
    .filter((x) => x.kind === kind)
    .map((x) => (kind === 'ServiceAccount' ? `${s(x.namespace)}/${s(x.name)}` : s(x.name)))
    .join(', ');

function csrCondition(o: Obj): string {
  const types = new Set(arr(status(o).conditions).map((c) => s(c.type)));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (s(status(o).certificate) !== '') out += ',Issued';
  return out;
}

function eventTimes(o: Obj, now: number): { first: string; last: string; count: number } {
  const first = parseTime(o.firstTimestamp) !== undefined ? since(o.firstTimestamp, now) : since(o.eventTime, now);
  let last = parseTime(o.lastTimestamp) !== undefined ? since(o.lastTimestamp, now) : first;
  let count = n(o.count);
  const series = o.series;
  if (series !== undefined && series !== null) {
    last = since(rec(series).lastObservedTime, now);
    count = n(rec(series).count);
  } else if (count === 0) count = 1;
  return { first, last, count };
}

function eventObject(o: Obj): string {
  const io = rec(o.involvedObject);
  const kind = s(io.kind).toLowerCase();
  return s(io.name) ? `${kind}/${s(io.name)}` : kind;
}

function eventSource(o: Obj): string {
  const src = rec(o.source);
  const component = s(src.component) || s(o.reportingComponent);
  const host = s(src.host) || s(o.reportingInstance);
  return host ? `${component}, ${host}` : component;
}

function controllerOf(o: Obj): string {
  const ref = (o.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
  const gk = group ? `${ref.kind}.${group}` : ref.kind;
  return `${gk.toLowerCase()}/${ref.name}`;
}

/** printResourceQuota: `resource: used/hard` for each hard limit, limits.* in LIMIT. */
function quotaColumn(which: 'request' | 'limit') {
  return (o: Obj): string => {
    const hard = rec(status(o).hard);
    const used = rec(status(o).used);
    const out: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const pieces = r.split('.');
      const isLimit = pieces.length > 1 && pieces[0] === 'limits';
      if (isLimit !== (which === 'limit')) continue;
      out.push(`${r}: ${quantity(used[r])}/${quantity(hard[r])}`);
    }
    return out.join(', ');
  };
}

function endpointSlicePorts(o: Obj): string {
  const ports = arr(o.ports);
  const list = ports.slice(0, 3).map((p) => (typeof p.port === 'number' ? String(p.port) : s(p.name) || '*'));
  return listWithMore(list, ports.length, 3, '<unset>');
}

function endpointSliceEndpoints(o: Obj): string {
  const all = arr(o.endpoints).flatMap((e) => strs(e.addresses));
  return listWithMore(all.slice(0, 3), all.length, 3, '<unset>');
}

function componentCondition(o: Obj): Rec | undefined {
  return arr(o.conditions).find((c) => c.type === 'Healthy');
}

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** helper.GetPersistentVolumeClass / GetPersistentVolumeClaimClass. */
function storageClassOf(o: Obj): string {
  const ann = o.metadata?.annotations ?? {};
  if (Object.hasOwn(ann, BETA_STORAGE_CLASS)) return ann[BETA_STORAGE_CLASS];
  return s(spec(o).storageClassName);
}

function storageClassName(o: Obj): string {
  const ann = o.metadata?.annotations ?? {};
  const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  return `${o.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`;
}

const terminatingPhase = (o: Obj, phase: string): string => (o.metadata?.deletionTimestamp ? 'Terminating' : phase);

// ---------------------------------------------------------------------------
// Column builders

const DESC_NAME =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.';
const DESC_AGE =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value.';

const col = (name: string, type: ColumnType, description: string, cell: Column['cell'], priority: 0 | 1 = 0): Column => ({ name, type, description, priority, cell });
const wide = (name: string, type: ColumnType, description: string, cell: Column['cell']): Column => col(name, type, description, cell, 1);

const nameCol: Column = { name: 'Name', type: 'string', format: 'name', description: DESC_NAME, priority: 0, cell: (o) => o.metadata?.name ?? '' };
const ageCol: Column = col('Age', 'string', DESC_AGE, (o, now) => since(o.metadata?.creationTimestamp, now));
const containersCol = (templateSpec: string): Column => wide('Containers', 'string', 'Names of each container in the template.', containerNames(`${templateSpec}.containers`));
const imagesCol = (templateSpec: string): Column => wide('Images', 'string', 'Images referenced by each container in the template.', containerImages(`${templateSpec}.containers`));
const labelSelectorCol = (path: string): Column => wide('Selector', 'string', 'Label selector over the pods this object manages.', (o) => formatLabelSelector(at(o, path)));

/** Upstream's default TableConvertor, for resources without a printer. */
const DEFAULT_TABLE: ResourceTable = {
  columns: [
    nameCol,
    col('Created At', 'date', DESC_AGE, (o) => {
      const t = parseTime(o.metadata?.creationTimestamp);
      return t === undefined ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }),
  ],
};

const POD_TEMPLATE_SPEC = 'spec.template.spec';

// ---------------------------------------------------------------------------
// The tables, keyed `<group>/<resource>` (core group: `/pods`)

const TABLES: Record<string, ResourceTable> = {
  // ---- core/v1
  '/pods': {
    columns: [
      nameCol,
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.', (o, now) => podSummary(o, now).ready),
      col('Status', 'string', 'The aggregate status of the containers in this pod.', (o, now) => podSummary(o, now).status),
      col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.', (o, now) => podSummary(o, now).restarts),
      ageCol,
      wide('IP', 'string', 'IP address allocated to the pod.', podIP),
      wide('Node', 'string', 'The node the pod is bound to.', (o) => orNone(s(spec(o).nodeName))),
      wide('Nominated Node', 'string', 'The node a preempting pod is nominated to run on.', (o) => orNone(s(status(o).nominatedNodeName))),
      wide('Readiness Gates', 'string', 'Pod readiness gates that are true, of all.', readinessGates),
    ],
    conditions: (o) => {
      const phase = s(status(o).phase);
      if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
      if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
      return undefined;
    },
  },
  '/podtemplates': {
    columns: [
      nameCol,
      col('Containers', 'string', 'Names of each container in the template.', containerNames('template.spec.containers')),
      col('Images', 'string', 'Images referenced by each container in the template.', containerImages('template.spec.containers')),
      col('Pod Labels', 'string', 'The labels for the pod template.', (o) => formatLabels(labelMap(at(o, 'template.metadata.labels')))),
    ],
  },
  '/replicationcontrollers': {
    columns: [
      nameCol,
      col('Desired', 'integer', 'Number of desired replicas.', (o) => (typeof spec(o).replicas === 'number' ? n(spec(o).replicas) : 1)),
      col('Current', 'integer', 'The most recently observed number of replicas.', (o) => n(status(o).replicas)),
      col('Ready', 'integer', 'The number of ready replicas.', (o) => n(status(o).readyReplicas)),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
      wide('Selector', 'string', 'Label keys and values that pods must match to be controlled.', (o) => formatLabels(labelMap(spec(o).selector))),
    ],
  },
  '/services': {
    columns: [
      nameCol,
      col('Type', 'string', 'How the Service is exposed.', (o) => s(spec(o).type) || 'ClusterIP'),
      col('Cluster-IP', 'string', 'The IP address of the service.', serviceClusterIP),
      col('External-IP', 'string', 'IP addresses for which nodes in the cluster also accept traffic for this service.', serviceExternalIP),
      col('Port(s)', 'string', 'The ports that are exposed by this service.', servicePorts),
      ageCol,
      wide('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', (o) => formatLabels(labelMap(spec(o).selector))),
    ],
  },
  '/endpoints': {
    columns: [nameCol, col('Endpoints', 'string', 'The set of all endpoints.', formatEndpoints), ageCol],
  },
  '/nodes': {
    columns: [
      nameCol,
      col('Status', 'string', 'The status of the node', nodeStatus),
      col('Roles', 'string', 'The roles of the node', nodeRoles),
      ageCol,
      col('Version', 'string', 'Kubelet Version reported by the node.', (o) => s(rec(status(o).nodeInfo).kubeletVersion)),
      wide('Internal-IP', 'string', 'The first InternalIP address of the node.', nodeAddress('InternalIP')),
      wide('External-IP', 'string', 'The first ExternalIP address of the node.', nodeAddress('ExternalIP')),
      wide('OS-Image', 'string', 'OS Image reported by the node.', nodeInfo('osImage')),
      wide('Kernel-Version', 'string', 'Kernel Version reported by the node.', nodeInfo('kernelVersion')),
      wide('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node.', nodeInfo('containerRuntimeVersion')),
    ],
  },
  '/events': {
    columns: [
      col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.', (o, now) => eventTimes(o, now).last),
      col('Type', 'string', 'Type of this event (Normal, Warning).', (o) => s(o.type)),
      col('Reason', 'string', 'A short, machine understandable string that gives the reason for the transition into the object\'s current status.', (o) => s(o.reason)),
      col('Object', 'string', 'The object that this event is about.', eventObject),
      wide('Subobject', 'string', 'The field of the object the event is about.', (o) => s(rec(o.involvedObject).fieldPath)),
      wide('Source', 'string', 'The component reporting this event.', eventSource),
      col('Message', 'string', 'A human-readable description of the status of this operation.', (o) => s(o.message).trim()),
      wide('First Seen', 'string', 'The time at which the event was first recorded.', (o, now) => eventTimes(o, now).first),
      wide('Count', 'string', 'The number of times this event has occurred.', (o, now) => eventTimes(o, now).count),
      { ...nameCol, priority: 1 },
    ],
  },
  '/namespaces': {
    columns: [nameCol, col('Status', 'string', 'The status of the namespace', (o) => s(status(o).phase)), ageCol],
  },
  '/secrets': {
    columns: [
      nameCol,
      col('Type', 'string', 'Used to facilitate programmatic handling of secret data.', (o) => s(o.type)),
      col('Data', 'string', 'The number of keys in the secret.', (o) => Object.keys(rec(o.data)).length),
      ageCol,
    ],
  },
  '/serviceaccounts': {
    columns: [nameCol, col('Secrets', 'string', 'The number of secrets the service account may use.', (o) => arr(o.secrets).length), ageCol],
  },
  '/persistentvolumes': {
    columns: [
      nameCol,
      col('Capacity', 'string', 'The capacity of the persistent volume.', (o) => quantity(rec(spec(o).capacity).storage)),
      col('Access Modes', 'string', 'All ways the volume can be mounted.', (o) => accessModes(spec(o).accessModes)),
      col('Reclaim Policy', 'string', 'What happens to a persistent volume when released from its claim.', (o) => s(spec(o).persistentVolumeReclaimPolicy)),
      col('Status', 'string', 'The phase of the persistent volume.', (o) => terminatingPhase(o, s(status(o).phase))),
      col('Claim', 'string', 'The claim bound to this persistent volume.', (o) => {
        const ref = spec(o).claimRef;
        return ref === undefined || ref === null ? '' : `${s(rec(ref).namespace)}/${s(rec(ref).name)}`;
      }),
      col('StorageClass', 'string', 'StorageClass of the pv', storageClassOf),
      col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv', (o) => orNone(s(spec(o).volumeAttributesClassName), '<unset>')),
      col('Reason', 'string', 'A human-readable reason for a failed persistent volume.', (o) => s(status(o).reason)),
      ageCol,
      wide('VolumeMode', 'string', 'Whether the volume is a formatted filesystem or a raw block device.', (o) => orNone(s(spec(o).volumeMode), '<unset>')),
    ],
  },
  '/persistentvolumeclaims': {
    columns: [
      nameCol,
      col('Status', 'string', 'The phase of the claim.', (o) => terminatingPhase(o, s(status(o).phase))),
      col('Volume', 'string', 'The volume bound to this claim.', (o) => s(spec(o).volumeName)),
      col('Capacity', 'string', 'The actual resources of the underlying volume.', (o) => (s(spec(o).volumeName) ? quantity(rec(status(o).capacity).storage) : '')),
      col('Access Modes', 'string', 'The access modes the volume backing the claim has.', (o) => (s(spec(o).volumeName) ? accessModes(status(o).accessModes) : '')),
      col('StorageClass', 'string', 'StorageClass of the pvc', storageClassOf),
      col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc', (o) => orNone(s(spec(o).volumeAttributesClassName), '<unset>')),
      ageCol,
      wide('VolumeMode', 'string', 'Whether the volume is a formatted filesystem or a raw block device.', (o) => orNone(s(spec(o).volumeMode), '<unset>')),
    ],
  },
  '/componentstatuses': {
    columns: [
      nameCol,
      col('Status', 'string', 'Status of the component conditions', (o) => {
        const c = componentCondition(o);
        return c ? (c.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
      }),
      col('Message', 'string', 'Message of the component conditions', (o) => s(componentCondition(o)?.message)),
      col('Error', 'string', 'Error of the component conditions', (o) => s(componentCondition(o)?.error)),
    ],
  },
  '/configmaps': {
    columns: [nameCol, col('Data', 'string', 'The number of keys in the config map.', (o) => Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length), ageCol],
  },
  '/resourcequotas': {
    columns: [
      nameCol,
      col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.', quotaColumn('request')),
      col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', quotaColumn('limit')),
      ageCol,
    ],
  },

  // ---- apps/v1
  'apps/deployments': {
    columns: [
      nameCol,
      col('Ready', 'string', 'Number of the pod with ready state', (o) => `${n(status(o).readyReplicas)}/${typeof spec(o).replicas === 'number' ? n(spec(o).replicas) : 1}`),
      col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', (o) => n(status(o).updatedReplicas)),
      col('Available', 'string', 'Total number of available pods targeted by this deployment.', (o) => n(status(o).availableReplicas)),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
      wide('Selector', 'string', 'Label selector for pods.', (o) => selectorString(spec(o).selector)),
    ],
  },
  'apps/replicasets': {
    columns: [
      nameCol,
      col('Desired', 'integer', 'Number of desired pods.', (o) => (typeof spec(o).replicas === 'number' ? n(spec(o).replicas) : 1)),
      col('Current', 'integer', 'The most recently observed number of replicas.', (o) => n(status(o).replicas)),
      col('Ready', 'integer', 'The number of ready replicas.', (o) => n(status(o).readyReplicas)),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
      labelSelectorCol('spec.selector'),
    ],
  },
  'apps/statefulsets': {
    columns: [
      nameCol,
      col('Ready', 'string', 'Number of the pod with ready state', (o) => `${n(status(o).readyReplicas)}/${typeof spec(o).replicas === 'number' ? n(spec(o).replicas) : 1}`),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
    ],
  },
  'apps/daemonsets': {
    columns: [
      nameCol,
      col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.', (o) => n(status(o).desiredNumberScheduled)),
      col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod.', (o) => n(status(o).currentNumberScheduled)),
      col('Ready', 'integer', 'The number of nodes running the daemon pod with a Ready condition.', (o) => n(status(o).numberReady)),
      col('Up-to-date', 'integer', 'The total number of nodes running the updated daemon pod.', (o) => n(status(o).updatedNumberScheduled)),
      col('Available', 'integer', 'The number of nodes running the daemon pod available.', (o) => n(status(o).numberAvailable)),
      col('Node Selector', 'string', 'Selector which must match a node\'s labels for the pod to be scheduled on that node.', (o) => formatLabels(labelMap(at(o, 'spec.template.spec.nodeSelector')))),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
      labelSelectorCol('spec.selector'),
    ],
  },
  'apps/controllerrevisions': {
    columns: [
      nameCol,
      col('Controller', 'string', 'Controller of the object', controllerOf),
      col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.', (o) => n(o.revision)),
      ageCol,
    ],
  },

  // ---- autoscaling/v1
  'autoscaling/horizontalpodautoscalers': {
    columns: [
      nameCol,
      col('Reference', 'string', 'The target resource to scale.', (o) => `${s(rec(spec(o).scaleTargetRef).kind)}/${s(rec(spec(o).scaleTargetRef).name)}`),
      col('Targets', 'string', 'The metrics used to compute the desired replica count.', hpaTargets),
      col('MinPods', 'string', 'The lower limit for the number of replicas.', (o) => (typeof spec(o).minReplicas === 'number' ? String(spec(o).minReplicas) : '<unset>')),
      col('MaxPods', 'string', 'The upper limit for the number of replicas.', (o) => n(spec(o).maxReplicas)),
      col('Replicas', 'string', 'Current number of replicas of pods managed by this autoscaler.', (o) => n(status(o).currentReplicas)),
      ageCol,
    ],
  },

  // ---- batch/v1
  'batch/jobs': {
    columns: [
      nameCol,
      col('Status', 'string', 'Status of the job.', jobStatus),
      col('Completions', 'string', 'The number of pods which reached phase Succeeded.', jobCompletions),
      col('Duration', 'string', 'Time required to complete the job.', jobDuration),
      ageCol,
      containersCol(POD_TEMPLATE_SPEC),
      imagesCol(POD_TEMPLATE_SPEC),
      labelSelectorCol('spec.selector'),
    ],
  },
  'batch/cronjobs': {
    columns: [
      nameCol,
      col('Schedule', 'string', 'The schedule in Cron format.', (o) => s(spec(o).schedule)),
      col('Timezone', 'string', 'The time zone name for the given schedule.', (o) => orNone(s(spec(o).timeZone))),
      col('Suspend', 'boolean', 'Whether subsequent executions are suspended.', (o) => printBool(spec(o).suspend)),
      col('Active', 'integer', 'The number of currently running jobs.', (o) => arr(status(o).active).length),
      col('Last Schedule', 'string', 'When the job was last successfully scheduled.', (o, now) => (parseTime(status(o).lastScheduleTime) === undefined ? '<none>' : since(status(o).lastScheduleTime, now))),
      ageCol,
      containersCol('spec.jobTemplate.spec.template.spec'),
      imagesCol('spec.jobTemplate.spec.template.spec'),
      labelSelectorCol('spec.jobTemplate.spec.selector'),
    ],
  },

  // ---- certificates.k8s.io/v1
  'certificates.k8s.io/certificatesigningrequests': {
    columns: [
      nameCol,
      ageCol,
      col('SignerName', 'string', 'The requested signer.', (o) => orNone(s(spec(o).signerName))),
      col('Requestor', 'string', 'The user that created the request.', (o) => s(spec(o).username)),
      col('RequestedDuration', 'string', 'The requested duration of validity of the issued certificate.', (o) => (typeof spec(o).expirationSeconds === 'number' ? humanDuration(n(spec(o).expirationSeconds) * 1000) : '<none>')),
      col('Condition', 'string', 'Approved, Denied, Failed and Issued.', csrCondition),
    ],
  },

  // ---- coordination.k8s.io/v1
  'coordination.k8s.io/leases': {
    columns: [nameCol, col('Holder', 'string', 'The identity of the holder of the current lease.', (o) => s(spec(o).holderIdentity)), ageCol],
  },

  // ---- discovery.k8s.io/v1
  'discovery.k8s.io/endpointslices': {
    columns: [
      nameCol,
      col('AddressType', 'string', 'The type of address carried by this EndpointSlice.', (o) => s(o.addressType)),
      col('Ports', 'string', 'The network ports exposed by each endpoint.', endpointSlicePorts),
      col('Endpoints', 'string', 'The unique endpoints in this slice.', endpointSliceEndpoints),
      ageCol,
    ],
  },

  // ---- networking.k8s.io/v1
  'networking.k8s.io/ingresses': {
    columns: [
      nameCol,
      col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration', (o) => orNone(s(spec(o).ingressClassName))),
      col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule', ingressHosts),
      col('Address', 'string', 'Address is a list containing ingress points for the load-balancer', (o) => loadBalancerIngress(status(o).loadBalancer)),
      col('Ports', 'string', 'Ports of TLS configurations that open', (o) => (arr(spec(o).tls).length ? '80, 443' : '80')),
      ageCol,
    ],
  },
  'networking.k8s.io/ingressclasses': {
    columns: [
      nameCol,
      col('Controller', 'string', 'Controller that is responsible for handling this class', (o) => s(spec(o).controller)),
      col('Parameters', 'string', 'A reference to a resource with additional parameters', ingressClassParameters),
      ageCol,
    ],
  },
  'networking.k8s.io/networkpolicies': {
    columns: [nameCol, col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.', (o) => formatLabelSelector(spec(o).podSelector ?? {})), ageCol],
  },

  // ---- policy/v1
  'policy/poddisruptionbudgets': {
    columns: [
      nameCol,
      col('Min Available', 'string', 'The minimum number of pods that must be available.', (o) => (spec(o).minAvailable === undefined || spec(o).minAvailable === null ? 'N/A' : intOrString(spec(o).minAvailable))),
      col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.', (o) => (spec(o).maxUnavailable === undefined || spec(o).maxUnavailable === null ? 'N/A' : intOrString(spec(o).maxUnavailable))),
      col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.', (o) => n(status(o).disruptionsAllowed)),
      ageCol,
    ],
  },

  // ---- rbac.authorization.k8s.io/v1 (roles and clusterroles have no printer upstream: default table)
  'rbac.authorization.k8s.io/rolebindings': {
    columns: [
      nameCol,
      col('Role', 'string', 'The role this binding grants.', (o) => `${s(rec(o.roleRef).kind)}/${s(rec(o.roleRef).name)}`),
      ageCol,
      wide('Users', 'string', 'Users in the roleBinding', subjects('User')),
      wide('Groups', 'string', 'Groups in the roleBinding', subjects('Group')),
      wide('ServiceAccounts', 'string', 'ServiceAccounts in the roleBinding', subjects('ServiceAccount')),
    ],
  },
  'rbac.authorization.k8s.io/clusterrolebindings': {
    columns: [
      nameCol,
      col('Role', 'string', 'The cluster role this binding grants.', (o) => `${s(rec(o.roleRef).kind)}/${s(rec(o.roleRef).name)}`),
      ageCol,
      wide('Users', 'string', 'Users in the clusterRoleBinding', subjects('User')),
      wide('Groups', 'string', 'Groups in the clusterRoleBinding', subjects('Group')),
      wide('ServiceAccounts', 'string', 'ServiceAccounts in the clusterRoleBinding', subjects('ServiceAccount')),
    ],
  },

  // ---- scheduling.k8s.io/v1 (served only if the scheme gains it)
  'scheduling.k8s.io/priorityclasses': {
    columns: [
      nameCol,
      col('Value', 'integer', 'The integer value of this priority class.', (o) => n(o.value)),
      col('Global-Default', 'boolean', 'Whether this is the default priority for pods without a priorityClassName.', (o) => o.globalDefault === true),
      ageCol,
      wide('PreemptionPolicy', 'string', 'The policy for preempting pods with lower priority.', (o) => s(o.preemptionPolicy)),
    ],
  },

  // ---- storage.k8s.io/v1
  'storage.k8s.io/storageclasses': {
    columns: [
      { ...nameCol, cell: storageClassName },
      col('Provisioner', 'string', 'The type of the provisioner.', (o) => s(o.provisioner)),
      col('ReclaimPolicy', 'string', 'The reclaim policy of dynamically provisioned volumes.', (o) => s(o.reclaimPolicy) || 'Delete'),
      col('VolumeBindingMode', 'string', 'How PersistentVolumeClaims are provisioned and bound.', (o) => s(o.volumeBindingMode) || 'Immediate'),
      col('AllowVolumeExpansion', 'string', 'Whether the storage class allows volume expand.', (o) => o.allowVolumeExpansion === true),
      ageCol,
    ],
  },
};

/** The columns served for a resource (upstream's default table when it has no printer). */
export function tableFor(group: string, resource: string): ResourceTable {
  return Object.hasOwn(TABLES, `${group}/${resource}`) ? TABLES[`${group}/${resource}`] : DEFAULT_TABLE;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function toTable(
  group: string,
  resource: string,
  objs: Obj[],
  opts: { include: IncludeObject; version: 'v1' | 'v1beta1'; resourceVersion?: string; continue?: string; withColumns?: boolean; now?: number },
): unknown {
  const { columns, conditions } = tableFor(group, resource);
  const now = opts.now ?? Date.now();
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: { resourceVersion: opts.resourceVersion ?? '', ...(opts.continue ? { continue: opts.continue } : {}) },
  };
  if (opts.withColumns !== false) {
    table.columnDefinitions = columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
  }
  table.rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(o, now)) };
    const conds = conditions?.(o);
    if (conds) row.conditions = conds;
    if (opts.include === 'Object') row.object = o;
    else if (opts.include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    return row;
  });
  return table;
}
