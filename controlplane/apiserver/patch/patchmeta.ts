/**
 * Strategic-merge-patch metadata for the built-in kinds: the `patchStrategy`
 * and `patchMergeKey` struct tags of k8s.io/api, written down as data.
 *
 * Design notes
 * - The table mirrors the Go types: `PATCH_TYPES` maps a struct name to its
 *   tagged fields, and each field may name the struct type of its value (for
 *   a list, the type of its items). A lookup walks a field path from a kind's
 *   root struct, so the Container rules are written once and apply under Pod
 *   `spec`, every `spec.template.spec` and CronJob's
 *   `spec.jobTemplate.spec.template.spec`, exactly as reflection would.
 * - Only fields that carry a tag, or lead to one, are listed. A field the
 *   table doesn't know gets `undefined`, which means "no tag": maps merge,
 *   lists are replaced. That is upstream's default, so listing the untagged
 *   lists (tolerations, taints, args…) as `replace` is documentation, not
 *   behaviour.
 * - Kinds of groups we don't know (custom resources) get a lookup that always
 *   answers `undefined`, i.e. JSON merge-patch semantics.
 * Source: staging/src/k8s.io/api/{core,apps,batch,policy,autoscaling}/v1/types.go.
 */

/** The values a `patchStrategy` tag can take. */
export type PatchStrategy = 'merge' | 'replace' | 'merge,retainKeys' | 'retainKeys';

/** One field's struct tag. `mergeKey` is set for lists of maps merged item by item. */
export interface PatchMeta {
  readonly strategy: PatchStrategy;
  readonly mergeKey?: string;
}

/**
 * Answers the tag of the field at `path`: field names from the object root,
 * where list items add no segment (`['spec','containers','env']`).
 * `undefined` means untagged: maps merge recursively, lists are replaced.
 */
export type PatchMetaLookup = (path: readonly string[]) => PatchMeta | undefined;

/** A field of a struct: its tag (if any) and the struct type of its value or list items (if tagged fields lie below). */
export interface FieldSpec {
  readonly tag?: PatchMeta;
  readonly type?: string;
}

export type StructSpec = Readonly<Record<string, FieldSpec>>;

const mergeBy = (mergeKey: string, type?: string): FieldSpec => ({ tag: { strategy: 'merge', mergeKey }, type });
const mergeRetainBy = (mergeKey: string, type?: string): FieldSpec => ({ tag: { strategy: 'merge,retainKeys', mergeKey }, type });
/** `patchStrategy:"merge"` on a list of scalars: merged as a set. */
const primitiveSet: FieldSpec = { tag: { strategy: 'merge' } };
const retainKeys: FieldSpec = { tag: { strategy: 'retainKeys' } };
/** Untagged list, listed so the table documents the choice (kubectl taint relies on it). */
const replace: FieldSpec = { tag: { strategy: 'replace' } };
const struct = (type: string): FieldSpec => ({ type });
const conditionsByType = mergeBy('type');

/** Struct name → tagged fields. Keep names equal to the Go type names so they can be checked against types.go. */
export const PATCH_TYPES: Readonly<Record<string, StructSpec>> = {
  ObjectMeta: {
    ownerReferences: mergeBy('uid'),
    finalizers: primitiveSet,
  },

  // core/v1
  PodTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('PodSpec') },
  PodSpec: {
    volumes: mergeRetainBy('name'),
    initContainers: mergeBy('name', 'Container'),
    containers: mergeBy('name', 'Container'),
    ephemeralContainers: mergeBy('name', 'Container'),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: mergeBy('topologyKey'),
    schedulingGates: mergeBy('name'),
    resourceClaims: mergeRetainBy('name'),
    tolerations: replace,
    readinessGates: replace,
  },
  // Container and EphemeralContainer(Common) carry the same tags.
  Container: {
    ports: mergeBy('containerPort'),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
    args: replace,
    command: replace,
    envFrom: replace,
    resizePolicy: replace,
  },
  PodStatus: {
    conditions: conditionsByType,
    podIPs: mergeBy('ip'),
    hostIPs: mergeBy('ip'),
  },
  Pod: { metadata: struct('ObjectMeta'), spec: struct('PodSpec'), status: struct('PodStatus') },
  PodTemplate: { metadata: struct('ObjectMeta'), template: struct('PodTemplateSpec') },
  ReplicationController: { metadata: struct('ObjectMeta'), spec: struct('ReplicationControllerSpec'), status: struct('ConditionedStatus') },
  ReplicationControllerSpec: { template: struct('PodTemplateSpec') },
  Service: { metadata: struct('ObjectMeta'), spec: struct('ServiceSpec'), status: struct('ConditionedStatus') },
  ServiceSpec: { ports: mergeBy('port') },
  Node: { metadata: struct('ObjectMeta'), spec: struct('NodeSpec'), status: struct('NodeStatus') },
  NodeSpec: { podCIDRs: primitiveSet, taints: replace },
  NodeStatus: { addresses: mergeBy('type'), conditions: conditionsByType },
  /** Namespace, PersistentVolumeClaim, PodDisruptionBudget, HorizontalPodAutoscaler: metadata plus status.conditions. */
  ConditionedKind: { metadata: struct('ObjectMeta'), status: struct('ConditionedStatus') },
  /** Any status whose only tagged field is `conditions` (merge by type). */
  ConditionedStatus: { conditions: conditionsByType },
  /** Kinds whose only tagged fields are in ObjectMeta (ConfigMap, Secret, RBAC, …). */
  MetaOnly: { metadata: struct('ObjectMeta') },

  // apps/v1
  Deployment: { metadata: struct('ObjectMeta'), spec: struct('DeploymentSpec'), status: struct('ConditionedStatus') },
  DeploymentSpec: { template: struct('PodTemplateSpec'), strategy: retainKeys },
  WorkloadWithTemplate: { metadata: struct('ObjectMeta'), spec: struct('TemplateSpec'), status: struct('ConditionedStatus') },
  /** ReplicaSetSpec, StatefulSetSpec, DaemonSetSpec, JobSpec: only `template` leads to tags. */
  TemplateSpec: { template: struct('PodTemplateSpec') },

  // batch/v1
  CronJob: { metadata: struct('ObjectMeta'), spec: struct('CronJobSpec') },
  CronJobSpec: { jobTemplate: struct('JobTemplateSpec') },
  JobTemplateSpec: { metadata: struct('ObjectMeta'), spec: struct('TemplateSpec') },
};

/** group → kind → root struct in PATCH_TYPES. Exported for the table's self-check test. */
export const KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '': {
    Pod: 'Pod',
    PodTemplate: 'PodTemplate',
    ReplicationController: 'ReplicationController',
    Service: 'Service',
    Node: 'Node',
    Namespace: 'ConditionedKind',
    PersistentVolumeClaim: 'ConditionedKind',
  },
  apps: {
    Deployment: 'Deployment',
    ReplicaSet: 'WorkloadWithTemplate',
    StatefulSet: 'WorkloadWithTemplate',
    DaemonSet: 'WorkloadWithTemplate',
  },
  batch: { Job: 'WorkloadWithTemplate', CronJob: 'CronJob' },
  policy: { PodDisruptionBudget: 'ConditionedKind' },
  autoscaling: { HorizontalPodAutoscaler: 'ConditionedKind' },
};

/**
 * Groups served from compiled-in types. Kinds of these groups that are not in
 * KINDS have tagged fields only in ObjectMeta. Every other group is a custom
 * resource, which gets JSON merge-patch semantics.
 */
const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'policy',
  'autoscaling',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'storage.k8s.io',
  'certificates.k8s.io',
  'scheduling.k8s.io',
  'node.k8s.io',
  'events.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
]);

/** A lookup that walks PATCH_TYPES from `root`. */
export function lookupFromTable(root: string, types: Readonly<Record<string, StructSpec>> = PATCH_TYPES): PatchMetaLookup {
  return (path) => {
    let type: string | undefined = root;
    for (let i = 0; i < path.length; i++) {
      const spec: StructSpec | undefined = type === undefined ? undefined : types[type];
      // Own-property check: a field called "constructor" must not find Object.prototype.
      const field: FieldSpec | undefined = spec && Object.prototype.hasOwnProperty.call(spec, path[i]) ? spec[path[i]] : undefined;
      if (!field) return undefined;
      if (i === path.length - 1) return field.tag;
      type = field.type;
    }
    return undefined;
  };
}

/** JSON merge-patch semantics: nothing is tagged, so maps merge and lists are replaced. */
export const mergePatchSemantics: PatchMetaLookup = () => undefined;

/**
 * The strategic-merge metadata for one kind. Unknown kinds of built-in groups
 * still merge ObjectMeta's ownerReferences/finalizers; kinds of other groups
 * (custom resources) fall back to JSON merge-patch semantics.
 */
export function patchMetaFor(group: string, kind: string): PatchMetaLookup {
  const kinds = Object.prototype.hasOwnProperty.call(KINDS, group) ? KINDS[group] : undefined;
  const root = kinds && Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : undefined;
  if (root) return lookupFromTable(root);
  if (BUILTIN_GROUPS.has(group)) return lookupFromTable('MetaOnly');
  return mergePatchSemantics;
}
