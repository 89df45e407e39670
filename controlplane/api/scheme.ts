/**
 * The scheme: every resource kubets serves, as one table of data.
 *
 * Each row says what discovery (`/api/v1`, `/apis/<g>/<v>`, aggregated
 * discovery) must publish for the resource — kind, list kind, plural and
 * singular names, short names, scope, verbs, categories, subresources — and
 * the version it is stored in. The facts (short names, verb sets, categories,
 * subresource kinds) are upstream's, as real kubectl 1.27–1.33 see them in
 * `kubectl api-resources -o wide`, because kubectl decides from them whether
 * `get`, `watch`, `patch`, `drain` or `get all` are possible.
 *
 * Lookups mirror kubectl's RESTMapper + shortcut expander: a user-typed
 * resource string (`po`, `Pods`, `deployment.apps`, `deployments.v1.apps`,
 * `Deployment`) resolves case-insensitively through plural, singular, short
 * names and kind, and ties go to the group listed first (core, then apps …),
 * as upstream's group priority does.
 *
 * The Scheme is immutable after construction; `scheme` is the one instance
 * built from RESOURCES. Tests may build their own from a smaller table.
 */
import { createHash } from 'node:crypto';

export interface GroupVersion {
  group: string;
  version: string;
}
export interface GroupVersionKind extends GroupVersion {
  kind: string;
}
export interface GroupVersionResource extends GroupVersion {
  resource: string;
}
export interface GroupResource {
  group: string;
  resource: string;
}

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface SubresourceInfo {
  /** `status`, `scale`, `log` … (without the parent's name). */
  name: string;
  /** The type exchanged on this subresource (may be in another group: pods/eviction → policy/v1 Eviction). */
  kind: GroupVersionKind;
  verbs: readonly Verb[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The plural resource name in URLs: `pods`. */
  resource: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  verbs: readonly Verb[];
  categories: readonly string[];
  subresources: readonly SubresourceInfo[];
  /** The version objects are written to the store in. */
  storageVersion: string;
  /** Upstream's discovery storageVersionHash for the storage GVK (base64 of 8 bytes of sha256). */
  storageVersionHash: string;
}

export interface GroupInfo {
  /** "" for the core group. */
  name: string;
  /** Served versions, preferred first. */
  versions: readonly string[];
  preferredVersion: string;
}

// ---------------------------------------------------------------------------
// The table

const CRUD: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Namespaces cannot be deleted as a collection upstream. */
const CRUD_NO_COLLECTION: readonly Verb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const CREATE_ONLY: readonly Verb[] = ['create'];
const GET_PATCH_UPDATE: readonly Verb[] = ['get', 'patch', 'update'];
const PROXY: readonly Verb[] = ['create', 'delete', 'get', 'patch', 'update'];
const STREAM: readonly Verb[] = ['create', 'get'];
const ALL = ['all'] as const;

/** A subresource row: name, kind (same group/version as the parent unless `gv` says otherwise), verbs. */
export type SubRow = readonly [name: string, kind: string | null, verbs: readonly Verb[], gv?: GroupVersion];
const status: SubRow = ['status', null, GET_PATCH_UPDATE];
const scale: SubRow = ['scale', 'Scale', GET_PATCH_UPDATE, { group: 'autoscaling', version: 'v1' }];

export interface ResourceRow {
  gv: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  verbs?: readonly Verb[];
  short?: readonly string[];
  categories?: readonly string[];
  sub?: readonly SubRow[];
  /** Defaults to kind lower-cased, which is upstream's rule for built-ins. */
  singular?: string;
}

/**
 * Every served resource, grouped by group-version in upstream's group
 * priority order (the order /apis lists groups in). Rows within a group are
 * alphabetical by resource, like `kubectl api-resources`.
 */
export const RESOURCE_TABLE: readonly ResourceRow[] = [
  // core/v1
  { gv: 'v1', kind: 'Binding', resource: 'bindings', namespaced: true, verbs: CREATE_ONLY },
  { gv: 'v1', kind: 'ComponentStatus', resource: 'componentstatuses', namespaced: false, verbs: ['get', 'list'], short: ['cs'] },
  { gv: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, short: ['cm'] },
  { gv: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, short: ['ep'] },
  { gv: 'v1', kind: 'Event', resource: 'events', namespaced: true, short: ['ev'] },
  { gv: 'v1', kind: 'LimitRange', resource: 'limitranges', namespaced: true, short: ['limits'] },
  {
    gv: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, verbs: CRUD_NO_COLLECTION, short: ['ns'],
    sub: [['finalize', null, ['update']], status],
  },
  { gv: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, short: ['no'], sub: [['proxy', 'NodeProxyOptions', PROXY], status] },
  { gv: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, short: ['pvc'], sub: [status] },
  { gv: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, short: ['pv'], sub: [status] },
  {
    gv: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, short: ['po'], categories: ALL,
    sub: [
      ['attach', 'PodAttachOptions', STREAM],
      ['binding', 'Binding', CREATE_ONLY],
      ['ephemeralcontainers', null, GET_PATCH_UPDATE],
      ['eviction', 'Eviction', CREATE_ONLY, { group: 'policy', version: 'v1' }],
      ['exec', 'PodExecOptions', STREAM],
      ['log', null, ['get']],
      ['portforward', 'PodPortForwardOptions', STREAM],
      ['proxy', 'PodProxyOptions', PROXY],
      status,
    ],
  },
  { gv: 'v1', kind: 'PodTemplate', resource: 'podtemplates', namespaced: true },
  { gv: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, short: ['rc'], categories: ALL, sub: [scale, status] },
  { gv: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, short: ['quota'], sub: [status] },
  { gv: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true },
  {
    gv: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, short: ['sa'],
    sub: [['token', 'TokenRequest', CREATE_ONLY, { group: 'authentication.k8s.io', version: 'v1' }]],
  },
  { gv: 'v1', kind: 'Service', resource: 'services', namespaced: true, short: ['svc'], categories: ALL, sub: [['proxy', 'ServiceProxyOptions', PROXY], status] },

  // apps/v1
  { gv: 'apps/v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true },
  { gv: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, short: ['ds'], categories: ALL, sub: [status] },
  { gv: 'apps/v1', kind: 'Deployment', resource: 'deployments', namespaced: true, short: ['deploy'], categories: ALL, sub: [scale, status] },
  { gv: 'apps/v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, short: ['rs'], categories: ALL, sub: [scale, status] },
  { gv: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, short: ['sts'], categories: ALL, sub: [scale, status] },

  // authentication.k8s.io/v1
  { gv: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', namespaced: false, verbs: CREATE_ONLY },
  { gv: 'authentication.k8s.io/v1', kind: 'TokenReview', resource: 'tokenreviews', namespaced: false, verbs: CREATE_ONLY },

  // authorization.k8s.io/v1
  { gv: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', resource: 'localsubjectaccessreviews', namespaced: true, verbs: CREATE_ONLY },
  { gv: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', resource: 'selfsubjectaccessreviews', namespaced: false, verbs: CREATE_ONLY },
  { gv: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', resource: 'selfsubjectrulesreviews', namespaced: false, verbs: CREATE_ONLY },
  { gv: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', resource: 'subjectaccessreviews', namespaced: false, verbs: CREATE_ONLY },

  // autoscaling/v1
  { gv: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, short: ['hpa'], categories: ALL, sub: [status] },

  // batch/v1
  { gv: 'batch/v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, short: ['cj'], categories: ALL, sub: [status] },
  { gv: 'batch/v1', kind: 'Job', resource: 'jobs', namespaced: true, categories: ALL, sub: [status] },

  // certificates.k8s.io/v1
  {
    gv: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', namespaced: false, short: ['csr'],
    sub: [['approval', null, GET_PATCH_UPDATE], status],
  },

  // networking.k8s.io/v1
  { gv: 'networking.k8s.io/v1', kind: 'IngressClass', resource: 'ingressclasses', namespaced: false },
  { gv: 'networking.k8s.io/v1', kind: 'Ingress', resource: 'ingresses', namespaced: true, short: ['ing'], sub: [status] },
  { gv: 'networking.k8s.io/v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, short: ['netpol'] },

  // policy/v1
  { gv: 'policy/v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, short: ['pdb'], sub: [status] },

  // rbac.authorization.k8s.io/v1
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
  { gv: 'rbac.authorization.k8s.io/v1', kind: 'Role', resource: 'roles', namespaced: true },

  // scheduling.k8s.io/v1
  { gv: 'scheduling.k8s.io/v1', kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, short: ['pc'] },

  // storage.k8s.io/v1
  { gv: 'storage.k8s.io/v1', kind: 'StorageClass', resource: 'storageclasses', namespaced: false, short: ['sc'] },

  // coordination.k8s.io/v1
  { gv: 'coordination.k8s.io/v1', kind: 'Lease', resource: 'leases', namespaced: true },

  // discovery.k8s.io/v1
  { gv: 'discovery.k8s.io/v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true },
];

/**
 * Kinds that travel on the wire without being a resource of their own
 * (subresource bodies and options). They need a GVK so `apiVersion`/`kind`
 * can be checked and set, but have no plural, verbs or storage.
 */
export const EXTRA_KINDS: readonly GroupVersionKind[] = [
  { group: '', version: 'v1', kind: 'PodLogOptions' },
  { group: '', version: 'v1', kind: 'PodExecOptions' },
  { group: '', version: 'v1', kind: 'PodAttachOptions' },
  { group: '', version: 'v1', kind: 'PodPortForwardOptions' },
  { group: '', version: 'v1', kind: 'PodProxyOptions' },
  { group: '', version: 'v1', kind: 'NodeProxyOptions' },
  { group: '', version: 'v1', kind: 'ServiceProxyOptions' },
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  { group: 'policy', version: 'v1', kind: 'Eviction' },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
];

// ---------------------------------------------------------------------------
// Helpers on names

/** `apps/v1` → {apps, v1}; `v1` → {"", v1}. */
export function parseApiVersion(apiVersion: string): GroupVersion {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** {apps, v1} → `apps/v1`; {"", v1} → `v1`. */
export function apiVersionOf(gv: GroupVersion): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

/** Upstream's discovery.StorageVersionHash: base64(sha256("group/version/kind")[:8]). */
export function storageVersionHash(gvk: GroupVersionKind): string {
  return createHash('sha256').update(`${gvk.group}/${gvk.version}/${gvk.kind}`).digest().subarray(0, 8).toString('base64');
}

function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}
function grKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

function buildInfo(row: ResourceRow): ResourceInfo {
  const { group, version } = parseApiVersion(row.gv);
  const subresources: SubresourceInfo[] = (row.sub ?? []).map(([name, kind, verbs, gv]) => ({
    name,
    kind: { group: gv?.group ?? group, version: gv?.version ?? version, kind: kind ?? row.kind },
    verbs,
  }));
  return {
    group,
    version,
    kind: row.kind,
    listKind: `${row.kind}List`,
    resource: row.resource,
    singular: row.singular ?? row.kind.toLowerCase(),
    shortNames: row.short ?? [],
    namespaced: row.namespaced,
    verbs: row.verbs ?? CRUD,
    categories: row.categories ?? [],
    subresources,
    storageVersion: version,
    storageVersionHash: storageVersionHash({ group, version, kind: row.kind }),
  };
}

// ---------------------------------------------------------------------------
// The Scheme

/** What a user-typed resource argument resolved to. */
export interface ResolvedResource {
  info: ResourceInfo;
  /** Set when the argument named a subresource, e.g. `pods/status`. */
  subresource?: SubresourceInfo;
}

export class Scheme {
  // All maps are filled in the constructor and never change afterwards.
  private readonly resources: readonly ResourceInfo[];
  private readonly byGVK = new Map<string, ResourceInfo>();
  private readonly byGR = new Map<string, ResourceInfo[]>();
  /** lower-cased plural, singular, short name and kind → resources, in priority order. */
  private readonly byAlias = new Map<string, ResourceInfo[]>();
  private readonly knownKinds = new Set<string>();
  private readonly groupList: GroupInfo[] = [];

  constructor(rows: readonly ResourceRow[] = RESOURCE_TABLE, extraKinds: readonly GroupVersionKind[] = EXTRA_KINDS) {
    this.resources = rows.map(buildInfo);
    const groups = new Map<string, string[]>();
    for (const r of this.resources) {
      this.byGVK.set(gvkKey(r), r);
      this.knownKinds.add(gvkKey(r));
      this.knownKinds.add(gvkKey({ group: r.group, version: r.version, kind: r.listKind }));
      push(this.byGR, grKey(r.group, r.resource), r);
      const aliases = new Set([r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames]);
      for (const a of aliases) push(this.byAlias, a, r);
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    for (const k of extraKinds) this.knownKinds.add(gvkKey(k));
    for (const [name, versions] of groups) this.groupList.push({ name, versions, preferredVersion: versions[0] });
  }

  /** Every resource, in discovery order. */
  all(): readonly ResourceInfo[] {
    return this.resources;
  }

  /** Groups in priority order; the core group is named "". */
  groups(): readonly GroupInfo[] {
    return this.groupList;
  }

  group(name: string): GroupInfo | undefined {
    return this.groupList.find((g) => g.name === name);
  }

  /** Resources served at one group-version (what `/api/v1` or `/apis/apps/v1` lists). */
  resourcesIn(gv: GroupVersion): ResourceInfo[] {
    return this.resources.filter((r) => r.group === gv.group && r.version === gv.version);
  }

  /** The resource whose objects have this kind (exact, case-sensitive: this is the wire `kind`). */
  forKind(gvk: GroupVersionKind): ResourceInfo | undefined {
    return this.byGVK.get(gvkKey(gvk));
  }

  /** Whether the GVK names a type the API knows: a resource, its list, or a subresource body. */
  recognizes(gvk: GroupVersionKind): boolean {
    return this.knownKinds.has(gvkKey(gvk));
  }

  /** A resource by group and plural; version defaults to the group's preferred one. */
  forResource(group: string, resource: string, version?: string): ResourceInfo | undefined {
    const list = this.byGR.get(grKey(group, resource));
    if (!list) return undefined;
    return version === undefined ? list[0] : list.find((r) => r.version === version);
  }

  /** A subresource of a resource, e.g. (pods, eviction). */
  subresource(info: ResourceInfo, name: string): SubresourceInfo | undefined {
    return info.subresources.find((s) => s.name === name);
  }

  /** All resources in a category (`all` → what `kubectl get all` lists). */
  category(name: string): ResourceInfo[] {
    return this.resources.filter((r) => r.categories.includes(name));
  }

  /**
   * Resolves a user-typed resource argument the way kubectl does:
   * case-insensitive; matches plural, singular, short name or kind; accepts
   * `name.group` and `name.version.group` qualifiers and a `/subresource`
   * suffix. When several groups match, the one with the highest priority
   * wins (core first). Returns undefined when nothing matches.
   */
  resolve(arg: string): ResolvedResource | undefined {
    const lowered = arg.trim().toLowerCase();
    const slash = lowered.indexOf('/');
    const base = slash < 0 ? lowered : lowered.slice(0, slash);
    const subName = slash < 0 ? undefined : lowered.slice(slash + 1);
    const info = this.resolveBase(base);
    if (!info) return undefined;
    if (subName === undefined) return { info };
    const subresource = this.subresource(info, subName);
    return subresource ? { info, subresource } : undefined;
  }

  private resolveBase(name: string): ResourceInfo | undefined {
    const direct = this.byAlias.get(name);
    if (direct) return direct[0];
    // `deployments.apps` / `deployments.v1.apps` / `hpa.autoscaling`: the
    // first dot-segment is the resource, the rest a (version and) group.
    const dot = name.indexOf('.');
    if (dot < 0) return undefined;
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const candidates = this.byAlias.get(head);
    if (!candidates) return undefined;
    const byGroup = candidates.find((r) => r.group === rest);
    if (byGroup) return byGroup;
    const dot2 = rest.indexOf('.');
    if (dot2 < 0) return undefined;
    const version = rest.slice(0, dot2);
    const group = rest.slice(dot2 + 1);
    return candidates.find((r) => r.group === group && r.version === version);
  }
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list) {
    if (!list.includes(v)) list.push(v);
  } else m.set(k, [v]);
}

/** The scheme of every resource kubets serves. Immutable. */
export const scheme = new Scheme();
