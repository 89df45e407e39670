/**
 * gen-openapi: builds the OpenAPI component schemas of every served kind from
 * the TypeScript wire types, and writes them to
 * controlplane/apiserver/openapi/schemas.generated.json.
 *
 *   npm run gen:openapi            (node --import=tsx hack/gen-openapi.ts)
 *   node --import=tsx hack/gen-openapi.ts --check   exits 1 if the file is stale
 *
 * Design notes
 * - The wire types (controlplane/api/<group>/v1/types.ts and
 *   controlplane/machinery/meta/types.ts) are the single source: the
 *   TypeScript compiler API reads them, and each interface reachable from a
 *   kind in the scheme becomes one component named like upstream's
 *   (`io.k8s.api.apps.v1.Deployment`). The walk is syntax-directed (type
 *   nodes, resolved through the checker) rather than over checker types,
 *   because primitive aliases such as `Time = string` or `ResourceList` vanish
 *   from checker types and they are exactly what must become
 *   `meta.v1.Time` or a map of Quantity.
 * - The TS types inline small structs (`os?: { name: … }`) that upstream
 *   names (`PodOS`). FIELD_TYPES names them per field, so they become
 *   components too; unnamed inline structs stay inline object schemas.
 * - Facts the TS types cannot carry live in small tables here: upstream names
 *   of inline structs, Quantity/MicroTime fields typed as plain strings,
 *   int64 fields (TS has one `number`), `required` corrections, multi-key list
 *   maps, and descriptions of the standard fields (apiVersion, kind, metadata,
 *   spec, status, items). Descriptions of everything else are the doc
 *   comments of the TS types: improving a comment there improves `kubectl
 *   explain` after a re-generate.
 * - Strategic-merge extensions come from the patchmeta table
 *   (controlplane/apiserver/patch/patchmeta.ts, `PATCH_TYPES`), not from a
 *   second copy: for each kind, the table's struct graph and the schema graph
 *   are walked side by side from the kind's root, so a tag written once for
 *   `Container` lands on every schema reached through it.
 * - Output is deterministic (keys sorted at every level, like upstream's
 *   served JSON) so the committed file can be checked for drift.
 */
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTRA_KINDS, RESOURCE_TABLE, parseApiVersion, type GroupVersionKind } from '../controlplane/api/scheme.js';
import { KINDS, PATCH_TYPES, type PatchMeta } from '../controlplane/apiserver/patch/patchmeta.js';
import { FIELD_DOCS, TYPE_DOCS } from '../controlplane/apiserver/openapi/field-docs.js';
import { REF_PREFIX, refOf, type ListType, type Schema, type SchemaMap } from '../controlplane/apiserver/openapi/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(REPO, 'controlplane/apiserver/openapi/schemas.generated.json');

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const ref = (name: string): Schema => ({ $ref: REF_PREFIX + name });

/** Schemas that have no TS interface: upstream's special-cased apimachinery types. */
const FIXED: SchemaMap = {
  [TIME]: { type: 'string', format: 'date-time', description: 'An RFC 3339 timestamp with seconds precision, e.g. 2024-01-02T03:04:05Z.' },
  [MICRO_TIME]: { type: 'string', format: 'date-time', description: 'An RFC 3339 timestamp with microseconds, e.g. 2024-01-02T03:04:05.123456Z.' },
  // Upstream's v3 shape: a string ("100m", "64Mi") or a bare number.
  [QUANTITY]: {
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description: 'A fixed-point number with an optional SI or binary suffix: 100m, 0.5, 64Mi, 1G.',
  },
  [INT_OR_STRING]: {
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
    description: 'Either an integer (3) or a string (25%, http).',
  },
  [RAW_EXTENSION]: {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    description: 'An embedded object of any kind, stored as given.',
  },
};

/**
 * Type aliases that stand for a fixed schema wherever they are used,
 * whatever file declares them (coordination declares its own MicroTime).
 */
const SPECIAL_ALIASES: Readonly<Record<string, Schema>> = {
  Time: ref(TIME),
  MicroTime: ref(MICRO_TIME),
  Duration: { type: 'string' },
  IntOrString: ref(INT_OR_STRING),
  // upstream's ResourceList is an inline map of Quantity, not a component.
  ResourceList: { type: 'object', additionalProperties: ref(QUANTITY) },
};

/**
 * Per field (`<component>.<field>`, component without its package in each
 * section): the upstream component name of an inline or differently named
 * struct (a string: short in the section's package, or a full name), or a
 * fixed schema for a field whose TS type is only `string`/`unknown`.
 */
const FIELD_TYPES: Readonly<Record<string, Readonly<Record<string, string | Schema>>>> = {
  [META]: {
    'ManagedFieldsEntry.fieldsV1': 'FieldsV1',
  },
  [CORE]: {
    'PodSpec.os': 'PodOS',
    'PodSpec.schedulingGates': 'PodSchedulingGate',
    'Container.volumeDevices': 'VolumeDevice',
    'EphemeralContainer.volumeDevices': 'VolumeDevice',
    'EnvFromSource.configMapRef': 'ConfigMapEnvSource',
    'EnvFromSource.secretRef': 'SecretEnvSource',
    'ResourceRequirements.claims': 'ResourceClaim',
    'ResourceFieldSelector.divisor': ref(QUANTITY),
    'HTTPGetAction.httpHeaders': 'HTTPHeader',
    'LifecycleHandler.sleep': 'SleepAction',
    'PodSecurityContext.sysctls': 'Sysctl',
    'PodDNSConfig.options': 'PodDNSConfigOption',
    'Volume.hostPath': 'HostPathVolumeSource',
    'Volume.emptyDir': 'EmptyDirVolumeSource',
    'Volume.nfs': 'NFSVolumeSource',
    'Volume.persistentVolumeClaim': 'PersistentVolumeClaimVolumeSource',
    'Volume.gitRepo': 'GitRepoVolumeSource',
    'Volume.iscsi': 'ISCSIVolumeSource',
    'Volume.csi': 'CSIVolumeSource',
    'Volume.ephemeral': 'EphemeralVolumeSource',
    'EmptyDirVolumeSource.sizeLimit': ref(QUANTITY),
    'VolumeProjection.secret': 'SecretProjection',
    'VolumeProjection.downwardAPI': 'DownwardAPIProjection',
    'VolumeProjection.configMap': 'ConfigMapProjection',
    'VolumeProjection.serviceAccountToken': 'ServiceAccountTokenProjection',
    'PodStatus.hostIPs': 'HostIP',
    'PodStatus.podIPs': 'PodIP',
    'ReplicationControllerStatus.conditions': 'ReplicationControllerCondition',
    'ServiceSpec.sessionAffinityConfig': 'SessionAffinityConfig',
    'SessionAffinityConfig.clientIP': 'ClientIPConfig',
    'ServiceStatus.loadBalancer': 'LoadBalancerStatus',
    'LoadBalancerIngress.ports': 'PortStatus',
    'NodeSpec.configSource': 'NodeConfigSource',
    'NodeStatus.daemonEndpoints': 'NodeDaemonEndpoints',
    'NodeDaemonEndpoints.kubeletEndpoint': 'DaemonEndpoint',
    'NodeStatus.volumesAttached': 'AttachedVolume',
    'NodeStatus.config': 'NodeConfigStatus',
    'Namespace.spec': 'NamespaceSpec',
    'NamespaceStatus.conditions': 'NamespaceCondition',
    'PersistentVolume.status': 'PersistentVolumeStatus',
    'PersistentVolumeSpec.hostPath': 'HostPathVolumeSource',
    'PersistentVolumeSpec.nfs': 'NFSVolumeSource',
    'PersistentVolumeSpec.local': 'LocalVolumeSource',
    'PersistentVolumeSpec.csi': 'CSIPersistentVolumeSource',
    'PersistentVolumeSpec.nodeAffinity': 'VolumeNodeAffinity',
    'PersistentVolumeClaimSpec.resources': 'VolumeResourceRequirements',
    'PersistentVolumeClaimSpec.dataSourceRef': 'TypedObjectReference',
    'PersistentVolumeClaimStatus.conditions': 'PersistentVolumeClaimCondition',
    'Event.source': 'EventSource',
    'Event.series': 'EventSeries',
    'Event.eventTime': ref(MICRO_TIME),
    'EventSeries.lastObservedTime': ref(MICRO_TIME),
    'LimitRange.spec': 'LimitRangeSpec',
    'ResourceQuota.spec': 'ResourceQuotaSpec',
    'ResourceQuota.status': 'ResourceQuotaStatus',
    'ResourceQuotaSpec.scopeSelector': 'ScopeSelector',
    'ScopeSelector.matchExpressions': 'ScopedResourceSelectorRequirement',
    'ComponentStatus.conditions': 'ComponentCondition',
  },
  'io.k8s.api.apps.v1': {
    'DeploymentStatus.conditions': 'DeploymentCondition',
    'ReplicaSetStatus.conditions': 'ReplicaSetCondition',
    'StatefulSetStatus.conditions': 'StatefulSetCondition',
    'DaemonSetStatus.conditions': 'DaemonSetCondition',
    'StatefulSetUpdateStrategy.rollingUpdate': 'RollingUpdateStatefulSetStrategy',
    'StatefulSetSpec.persistentVolumeClaimRetentionPolicy': 'StatefulSetPersistentVolumeClaimRetentionPolicy',
    'StatefulSetSpec.ordinals': 'StatefulSetOrdinals',
    'DaemonSetUpdateStrategy.rollingUpdate': 'RollingUpdateDaemonSet',
    'ControllerRevision.data': ref(RAW_EXTENSION),
  },
  'io.k8s.api.batch.v1': {
    'JobSpec.podFailurePolicy': 'PodFailurePolicy',
    'JobSpec.successPolicy': 'SuccessPolicy',
    'SuccessPolicy.rules': 'SuccessPolicyRule',
    'PodFailurePolicyRule.onExitCodes': 'PodFailurePolicyOnExitCodesRequirement',
    'PodFailurePolicyRule.onPodConditions': 'PodFailurePolicyOnPodConditionsPattern',
    'JobStatus.uncountedTerminatedPods': 'UncountedTerminatedPods',
  },
  'io.k8s.api.networking.v1': {
    'IngressBackend.service': 'IngressServiceBackend',
    'IngressRule.http': 'HTTPIngressRuleValue',
    'Ingress.status': 'IngressStatus',
    'IngressStatus.loadBalancer': 'IngressLoadBalancerStatus',
    'IngressLoadBalancerStatus.ingress': 'IngressLoadBalancerIngress',
    'IngressLoadBalancerIngress.ports': 'IngressPortStatus',
    'IngressClass.spec': 'IngressClassSpec',
    'IngressClassSpec.parameters': 'IngressClassParametersReference',
  },
  'io.k8s.api.discovery.v1': {
    'Endpoint.hints': 'EndpointHints',
    'EndpointHints.forZones': 'ForZone',
    'EndpointHints.forNodes': 'ForNode',
  },
  'io.k8s.api.policy.v1': {
    // policy/v1 keeps its own copy of metav1.DeleteOptions; on the wire it is the meta type.
    'Eviction.deleteOptions': `${META}.DeleteOptions`,
  },
  'io.k8s.api.storage.v1': {
    'StorageClass.allowedTopologies': `${CORE}.TopologySelectorTerm`,
  },
  'io.k8s.api.autoscaling.v1': {
    'Scale.spec': 'ScaleSpec',
    'Scale.status': 'ScaleStatus',
  },
  'io.k8s.api.authorization.v1': {
    'SelfSubjectAccessReview.spec': 'SelfSubjectAccessReviewSpec',
    'SelfSubjectRulesReview.spec': 'SelfSubjectRulesReviewSpec',
    'SelfSubjectRulesReview.status': 'SubjectRulesReviewStatus',
  },
  'io.k8s.api.authentication.v1': {
    'TokenReview.spec': 'TokenReviewSpec',
    'TokenReview.status': 'TokenReviewStatus',
    'TokenRequest.spec': 'TokenRequestSpec',
    'TokenRequest.status': 'TokenRequestStatus',
    'SelfSubjectReview.status': 'SelfSubjectReviewStatus',
  },
  'io.k8s.api.certificates.v1': {
    'CertificateSigningRequest.status': 'CertificateSigningRequestStatus',
  },
};

/** Fields named by a full component name inside another package's struct (after FIELD_TYPES redirects). */
const FIELD_TYPES_FULL: Readonly<Record<string, string | Schema>> = {
  [`${META}.DeleteOptions.preconditions`]: `${META}.Preconditions`,
  [`${CORE}.TopologySelectorTerm.matchLabelExpressions`]: `${CORE}.TopologySelectorLabelRequirement`,
};

interface TypeOptions {
  /** TS fields upstream's type doesn't have (the TS type is shared with a sibling that has them). */
  omit?: readonly string[];
  /** Replaces the required list derived from TS optionality. */
  required?: readonly string[];
  description?: string;
}

/** Corrections per component, where one TS type stands for several upstream types or TS optionality differs from upstream. */
const TYPE_OPTIONS: Readonly<Record<string, TypeOptions>> = {
  'io.k8s.api.apps.v1.ReplicaSetCondition': { omit: ['lastUpdateTime'] },
  'io.k8s.api.apps.v1.StatefulSetCondition': { omit: ['lastUpdateTime'] },
  'io.k8s.api.apps.v1.DaemonSetCondition': { omit: ['lastUpdateTime'] },
  'io.k8s.api.networking.v1.IngressLoadBalancerIngress': { omit: ['ipMode'] },
  // upstream core/v1 Event is the one kind whose metadata is required.
  [`${CORE}.Event`]: { required: ['metadata', 'involvedObject'] },
  [`${META}.FieldsV1`]: { description: 'The set of fields a manager owns, as an opaque JSON trie of field paths.' },
};

const NOT_MODELLED = 'Accepted and stored as given; kubets does not model or act on this field.';
const opaqueObject: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: NOT_MODELLED };
const opaqueList: Schema = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, description: NOT_MODELLED };
const plainString: Schema = { type: 'string', description: NOT_MODELLED };
/** The legacy in-tree volume plugins: kubets mounts none of them, but manifests may carry them. */
const LEGACY_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk',
  'glusterfs', 'photonPersistentDisk', 'portworxVolume', 'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
];

/**
 * Upstream fields (k8s.io/api 1.30–1.33) the TS types do not declare. They
 * are in the schema, opaque, so that `fieldValidation=Strict` does not reject
 * a valid upstream manifest as having unknown fields; `kubectl explain` shows
 * them as not modelled. Field names only: their inner shape is not checked.
 */
const EXTRA_FIELDS: Readonly<Record<string, Readonly<Record<string, Schema>>>> = {
  [`${CORE}.Container`]: { resizePolicy: opaqueList },
  [`${CORE}.EphemeralContainer`]: { resizePolicy: opaqueList },
  [`${CORE}.Lifecycle`]: { stopSignal: plainString },
  [`${CORE}.PodSpec`]: { resourceClaims: opaqueList, resources: opaqueObject },
  [`${CORE}.SecurityContext`]: { appArmorProfile: opaqueObject, windowsOptions: opaqueObject },
  [`${CORE}.PodSecurityContext`]: {
    appArmorProfile: opaqueObject, windowsOptions: opaqueObject, seLinuxChangePolicy: plainString, supplementalGroupsPolicy: plainString,
  },
  [`${CORE}.VolumeMount`]: { recursiveReadOnly: plainString },
  [`${CORE}.VolumeProjection`]: { clusterTrustBundle: opaqueObject },
  [`${CORE}.Volume`]: { ...Object.fromEntries(LEGACY_VOLUME_SOURCES.map((f) => [f, opaqueObject])), image: opaqueObject },
  [`${CORE}.PersistentVolumeSpec`]: {
    ...Object.fromEntries(LEGACY_VOLUME_SOURCES.map((f) => [f, opaqueObject])), iscsi: opaqueObject, volumeAttributesClassName: plainString,
  },
  [`${CORE}.PersistentVolumeClaimSpec`]: { volumeAttributesClassName: plainString },
  [`${CORE}.PersistentVolumeClaimStatus`]: {
    allocatedResourceStatuses: opaqueObject, allocatedResources: opaqueObject, currentVolumeAttributesClassName: plainString, modifyVolumeStatus: opaqueObject,
  },
  [`${CORE}.ContainerStatus`]: {
    allocatedResources: opaqueObject, resources: opaqueObject, volumeMounts: opaqueList, user: opaqueObject, allocatedResourcesStatus: opaqueList, stopSignal: plainString,
  },
  [`${CORE}.PodStatus`]: { resize: plainString, resourceClaimStatuses: opaqueList, observedGeneration: { type: 'integer', format: 'int64', description: NOT_MODELLED } },
  [`${CORE}.PodCondition`]: { observedGeneration: { type: 'integer', format: 'int64', description: NOT_MODELLED } },
  [`${CORE}.NodeStatus`]: { runtimeHandlers: opaqueList, features: opaqueObject },
  [`${CORE}.NodeSystemInfo`]: { swap: opaqueObject },
};

/**
 * Lists merged by a compound key (upstream's listMapKeys): the patchmeta
 * table knows only the single patchMergeKey.
 */
const LIST_MAP_KEYS: Readonly<Record<string, readonly string[]>> = {
  [`${CORE}.Container.ports`]: ['containerPort', 'protocol'],
  [`${CORE}.EphemeralContainer.ports`]: ['containerPort', 'protocol'],
  [`${CORE}.ServiceSpec.ports`]: ['port', 'protocol'],
  [`${CORE}.PodSpec.topologySpreadConstraints`]: ['topologyKey', 'whenUnsatisfiable'],
};

/** Integer fields upstream declares int64 (everything else is int32), by JSON name. */
const INT64_FIELDS: ReadonlySet<string> = new Set([
  'generation', 'observedGeneration', 'deletionGracePeriodSeconds', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds',
  'runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups', 'remainingItemCount', 'revision', 'sizeBytes', 'tolerationSeconds',
  'startingDeadlineSeconds', 'expirationSeconds', 'seconds', 'sinceSeconds', 'tailLines', 'limitBytes', 'gracePeriodSeconds',
]);
/** …except these, which are int32 upstream although their name is int64 elsewhere. */
const INT32_EXCEPTIONS: ReadonlySet<string> = new Set(['io.k8s.api.certificates.v1.CertificateSigningRequestSpec.expirationSeconds']);

/** Our own wording for the fields every kind shares; the TS types leave them undocumented. */
function standardDescription(component: string, field: string, isList: boolean): string | undefined {
  const kind = shortName(component);
  switch (field) {
    case 'apiVersion':
      return 'The versioned schema of this object, as group/version (apps/v1) or version alone for the core group (v1). Servers may reject values they do not know.';
    case 'kind':
      return 'The REST type of this object, in CamelCase (Pod, Deployment). Servers may infer it from the URL the request is sent to. Cannot be updated.';
    case 'metadata':
      return isList
        ? 'Standard list metadata: resourceVersion and continue token of this list.'
        : "Standard object's metadata: name, namespace, labels, annotations, owner references and the system-populated fields.";
    case 'spec':
      return `The desired state of the ${kind}, written by its owner.`;
    case 'status':
      return `The most recently observed state of the ${kind}. Populated by the system. Read-only.`;
    case 'items':
      return isList ? `The list of ${kind.replace(/List$/, '')} objects.` : undefined;
    default:
      return undefined;
  }
}

/** field-docs.ts keys: the component name without `io.k8s.`; EphemeralContainer shares Container's. */
function docKey(component: string): string {
  const k = component.replace(/^io\.k8s\./, '');
  return k === 'api.core.v1.EphemeralContainer' ? 'api.core.v1.Container' : k;
}
function fieldDoc(component: string, field: string): string | undefined {
  const docs = FIELD_DOCS[docKey(component)];
  return docs && Object.prototype.hasOwnProperty.call(docs, field) ? docs[field] : undefined;
}

function shortName(full: string): string {
  return full.slice(full.lastIndexOf('.') + 1);
}
function packageOf(full: string): string {
  return full.slice(0, full.lastIndexOf('.'));
}

// ---------------------------------------------------------------------------
// Sources

interface Source {
  file: string;
  pkg: string;
  /** Directory name under controlplane/api, '' for meta. */
  dir: string;
}

function sources(): Source[] {
  const list: Source[] = [{ file: join(REPO, 'controlplane/machinery/meta/types.ts'), pkg: META, dir: '' }];
  const apiDir = join(REPO, 'controlplane/api');
  for (const dir of readdirSync(apiDir).sort()) {
    const file = join(apiDir, dir, 'v1', 'types.ts');
    if (existsSync(file)) list.push({ file, pkg: `io.k8s.api.${dir}.v1`, dir });
  }
  return list;
}

/** The api directory holding a group's types: '' → core, networking.k8s.io → networking. */
function dirOfGroup(group: string): string {
  return group === '' ? 'core' : group.split('.')[0];
}

// ---------------------------------------------------------------------------
// The generator

type Decl = ts.InterfaceDeclaration | ts.TypeAliasDeclaration;

class Generator {
  private readonly checker: ts.TypeChecker;
  private readonly pkgByFile = new Map<string, string>();
  private readonly declsByPkg = new Map<string, Map<string, Decl>>();
  readonly schemas: SchemaMap = {};
  /** Component names being built (guards recursion) and the TS node each came from (detects two shapes under one name). */
  private readonly origin = new Map<string, string>();
  readonly warnings: string[] = [];

  constructor(private readonly srcs: readonly Source[]) {
    const program = ts.createProgram(
      srcs.map((s) => s.file),
      { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true },
    );
    this.checker = program.getTypeChecker();
    for (const s of srcs) {
      const sf = program.getSourceFile(s.file);
      if (!sf) throw new Error(`gen-openapi: cannot read ${s.file}`);
      this.pkgByFile.set(sf.fileName, s.pkg);
      const decls = new Map<string, Decl>();
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) decls.set(st.name.text, st);
      }
      this.declsByPkg.set(s.pkg, decls);
    }
  }

  /** The interface of a kind, if the group's types file declares one. */
  kindDecl(gvk: GroupVersionKind): ts.InterfaceDeclaration | undefined {
    const d = this.declsByPkg.get(`io.k8s.api.${dirOfGroup(gvk.group)}.${gvk.version}`)?.get(gvk.kind);
    return d && ts.isInterfaceDeclaration(d) ? d : undefined;
  }

  /** Builds the component of a kind (and, transitively, everything it references). Returns its name. */
  addKind(gvk: GroupVersionKind): string | undefined {
    const decl = this.kindDecl(gvk);
    if (!decl) return undefined;
    const name = this.componentFor(decl, undefined);
    const s = this.schemas[name];
    const list = (s['x-kubernetes-group-version-kind'] ??= []);
    if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push({ group: gvk.group, version: gvk.version, kind: gvk.kind });
    return name;
  }

  private pkgOf(node: ts.Node): string | undefined {
    return this.pkgByFile.get(node.getSourceFile().fileName);
  }

  /** Builds (once) the named component for a declaration and returns its name. */
  private componentFor(decl: Decl, nameOverride: string | undefined): string {
    const pkg = this.pkgOf(decl);
    if (!pkg) throw new Error(`gen-openapi: ${decl.name.text} is declared outside the api types`);
    const name = nameOverride ?? `${pkg}.${decl.name.text}`;
    const node = ts.isTypeAliasDeclaration(decl) ? decl.type : decl;
    return this.component(name, node);
  }

  /** Builds (once) a component from an object-shaped node: an interface, a type literal or an intersection. */
  private component(name: string, node: ts.Node): string {
    const key = `${node.getSourceFile().fileName}:${node.pos}`;
    const seen = this.origin.get(name);
    if (seen !== undefined) {
      // Two TS shapes under one upstream name (e.g. HostPathVolumeSource inline in
      // Volume and in PersistentVolumeSpec) are fine only if they have the same fields.
      if (seen !== key && this.schemas[name]) {
        const other = this.objectSchema(name, this.checker.getTypeAtLocation(node), node);
        const a = Object.keys(this.schemas[name].properties ?? {}).sort().join(',');
        const b = Object.keys(other.properties ?? {}).sort().join(',');
        if (a !== b) throw new Error(`gen-openapi: ${name} has two different shapes: {${a}} and {${b}}`);
      }
      return name;
    }
    this.origin.set(name, key);
    // Placeholder first, so recursive references terminate.
    this.schemas[name] = {};
    const type = ts.isInterfaceDeclaration(node) ? this.checker.getTypeAtLocation(node.name) : this.checker.getTypeAtLocation(node);
    const schema = this.objectSchema(name, type, node);
    const opts = TYPE_OPTIONS[name];
    const doc = opts?.description ?? TYPE_DOCS[docKey(name)] ?? this.docOfDecl(node);
    if (doc) schema.description = doc;
    this.schemas[name] = schema;
    return name;
  }

  private docOfDecl(node: ts.Node): string | undefined {
    if (!ts.isInterfaceDeclaration(node)) return undefined;
    const sym = this.checker.getSymbolAtLocation(node.name);
    const doc = sym ? ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim() : '';
    return doc || undefined;
  }

  /** An object schema from a checker type: one property per member, from its declaration's type node. */
  private objectSchema(component: string, type: ts.Type, at: ts.Node): Schema {
    const opts = TYPE_OPTIONS[component];
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    const isList = shortName(component).endsWith('List');
    for (const p of this.checker.getPropertiesOfType(type)) {
      if (opts?.omit?.includes(p.name)) continue;
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (!decl || !ts.isPropertySignature(decl) || !decl.type) {
        throw new Error(`gen-openapi: ${component}.${p.name}: not a property with a type (${at.getSourceFile().fileName})`);
      }
      let prop = this.fieldSchema(component, p.name, decl.type);
      const doc = fieldDoc(component, p.name) ?? (ts.displayPartsToString(p.getDocumentationComment(this.checker)).trim() || standardDescription(component, p.name, isList));
      if (doc) prop = withDescription(prop, doc);
      properties[p.name] = prop;
      if (!decl.questionToken && p.name !== 'metadata') required.push(p.name);
    }
    for (const [f, extra] of Object.entries(EXTRA_FIELDS[component] ?? {})) {
      if (properties[f]) throw new Error(`gen-openapi: ${component}.${f} is now in the TS types; drop it from EXTRA_FIELDS`);
      properties[f] = structuredClone(extra);
    }
    const schema: Schema = { type: 'object', properties };
    const req = opts?.required ? [...opts.required] : required;
    if (req.length) schema.required = req;
    return schema;
  }

  /** The schema of one field: table overrides first, then the field's TS type. */
  private fieldSchema(component: string, field: string, node: ts.TypeNode): Schema {
    const pkg = packageOf(component);
    const override = FIELD_TYPES[pkg]?.[`${shortName(component)}.${field}`] ?? FIELD_TYPES_FULL[`${component}.${field}`];
    if (override !== undefined && typeof override !== 'string') return structuredClone(override);
    const named = override === undefined ? undefined : override.includes('.') ? override : `${pkg}.${override}`;
    const s = this.typeSchema(node, { component, field, named });
    if (s.type === 'integer' && !s.format) s.format = intFormat(component, field);
    if (s.type === 'array' && s.items?.type === 'integer' && !s.items.format) s.items.format = intFormat(component, field);
    return s;
  }

  /** A TS type node → schema. `ctx.named` names the struct at this position (for arrays: the items). */
  private typeSchema(node: ts.TypeNode, ctx: { component: string; field: string; named?: string }): Schema {
    node = unwrap(node);
    const where = `${ctx.component}.${ctx.field}`;

    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.itemSchema(this.typeSchema(node.elementType, ctx)) };

    if (ts.isUnionTypeNode(node)) {
      const members = node.types.map(unwrap).filter((t) => !isNullish(t));
      if (members.length === 1) return this.typeSchema(members[0], ctx);
      if (members.every((m) => this.isStringish(m))) return { type: 'string' };
      throw new Error(`gen-openapi: ${where}: unsupported union ${node.getText()}`);
    }

    if (ts.isIntersectionTypeNode(node)) {
      if (node.types.some((t) => unwrap(t).kind === ts.SyntaxKind.StringKeyword)) return { type: 'string' };
      return this.objectAt(node, ctx);
    }

    if (ts.isTypeLiteralNode(node)) return this.objectAt(node, ctx);

    if (ts.isLiteralTypeNode(node)) {
      if (ts.isStringLiteral(node.literal)) return { type: 'string' };
      if (ts.isNumericLiteral(node.literal)) return { type: 'integer' };
      if (node.literal.kind === ts.SyntaxKind.TrueKeyword || node.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'boolean' };
      throw new Error(`gen-openapi: ${where}: unsupported literal ${node.getText()}`);
    }

    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.UnknownKeyword:
        // An embedded document of any shape.
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }

    if (ts.isTypeReferenceNode(node)) {
      const tname = node.typeName.getText();
      const args = node.typeArguments ?? [];
      if (tname === 'Record' && args.length === 2) {
        const value = unwrap(args[1]);
        if (value.kind === ts.SyntaxKind.UnknownKeyword) {
          // An opaque map (a volume source kubets does not model, FieldsV1 …): named if upstream names it.
          const opaque: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
          if (!ctx.named) return opaque;
          if (!this.schemas[ctx.named]) {
            this.origin.set(ctx.named, 'opaque');
            this.schemas[ctx.named] = { ...opaque, description: TYPE_OPTIONS[ctx.named]?.description ?? 'Accepted and stored as given; kubets does not act on its fields.' };
          }
          return ref(ctx.named);
        }
        return { type: 'object', additionalProperties: this.typeSchema(value, { ...ctx }) };
      }
      if (tname === 'Array' && args.length === 1) return { type: 'array', items: this.itemSchema(this.typeSchema(args[0], ctx)) };

      const decl = this.resolve(node.typeName);
      if (!decl) throw new Error(`gen-openapi: ${where}: cannot resolve ${tname}`);
      const special = SPECIAL_ALIASES[decl.name.text];
      if (special && ts.isTypeAliasDeclaration(decl)) return structuredClone(special);
      if (ts.isInterfaceDeclaration(decl)) return ref(this.componentFor(decl, ctx.named));
      // A type alias: an object alias (PodAntiAffinity = PodAffinity) is a component of its own name;
      // any other alias (string unions, ConditionStatus) is transparent.
      if (this.isObjectish(decl.type)) {
        const pkg = this.pkgOf(decl);
        return ref(this.component(ctx.named ?? `${pkg}.${decl.name.text}`, this.objectNodeOf(decl.type)));
      }
      return this.typeSchema(decl.type, ctx);
    }

    throw new Error(`gen-openapi: ${where}: unsupported type ${node.getText()}`);
  }

  /** An inline struct: a component when upstream names it, otherwise an inline object schema. */
  private objectAt(node: ts.TypeLiteralNode | ts.IntersectionTypeNode, ctx: { component: string; field: string; named?: string }): Schema {
    if (ctx.named) return ref(this.component(ctx.named, node));
    return this.objectSchema(`${ctx.component}.${ctx.field}`, this.checker.getTypeAtLocation(node), node);
  }

  /** The node whose properties make up an object alias (for `A = B`, B's interface). */
  private objectNodeOf(node: ts.TypeNode): ts.Node {
    node = unwrap(node);
    if (ts.isTypeReferenceNode(node)) {
      const d = this.resolve(node.typeName);
      if (d && ts.isInterfaceDeclaration(d)) return d;
      if (d) return this.objectNodeOf(d.type);
    }
    return node;
  }

  private itemSchema(s: Schema): Schema {
    // Upstream's v3 wraps item references in allOf.
    return s.$ref ? { allOf: [{ $ref: s.$ref }] } : s;
  }

  private resolve(name: ts.EntityName): Decl | undefined {
    let sym = this.checker.getSymbolAtLocation(name);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const d = sym?.declarations?.find((x): x is Decl => ts.isInterfaceDeclaration(x) || ts.isTypeAliasDeclaration(x));
    return d;
  }

  private isStringish(node: ts.TypeNode): boolean {
    node = unwrap(node);
    if (node.kind === ts.SyntaxKind.StringKeyword) return true;
    if (ts.isLiteralTypeNode(node)) return ts.isStringLiteral(node.literal);
    if (ts.isIntersectionTypeNode(node)) return node.types.some((t) => unwrap(t).kind === ts.SyntaxKind.StringKeyword);
    if (ts.isUnionTypeNode(node)) return node.types.every((t) => isNullish(unwrap(t)) || this.isStringish(t));
    if (ts.isTypeReferenceNode(node)) {
      const d = this.resolve(node.typeName);
      return !!d && ts.isTypeAliasDeclaration(d) && !SPECIAL_ALIASES[d.name.text] && this.isStringish(d.type);
    }
    return false;
  }

  private isObjectish(node: ts.TypeNode): boolean {
    node = unwrap(node);
    if (ts.isTypeLiteralNode(node)) return true;
    if (ts.isIntersectionTypeNode(node)) return !node.types.some((t) => unwrap(t).kind === ts.SyntaxKind.StringKeyword);
    if (ts.isTypeReferenceNode(node)) {
      const d = this.resolve(node.typeName);
      return !!d && (ts.isInterfaceDeclaration(d) || (!SPECIAL_ALIASES[d.name.text] && this.isObjectish(d.type)));
    }
    return false;
  }
}

function unwrap(node: ts.TypeNode): ts.TypeNode {
  while (ts.isParenthesizedTypeNode(node)) node = node.type;
  return node;
}
function isNullish(node: ts.TypeNode): boolean {
  return (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword) || node.kind === ts.SyntaxKind.UndefinedKeyword;
}
function intFormat(component: string, field: string): string {
  return INT64_FIELDS.has(field) && !INT32_EXCEPTIONS.has(`${component}.${field}`) ? 'int64' : 'int32';
}

/** A property with a doc: a `$ref` moves into allOf, as upstream's v3 writes it, so the description is not a sibling of `$ref`. */
function withDescription(s: Schema, description: string): Schema {
  if (s.$ref) return { allOf: [{ $ref: s.$ref }], description };
  return { ...s, description };
}

// ---------------------------------------------------------------------------
// Strategic-merge extensions from the patchmeta table

function annotate(prop: Schema, tag: PatchMeta, listKeysName: string): void {
  const isArray = prop.type === 'array';
  if (tag.strategy !== 'replace') prop['x-kubernetes-patch-strategy'] = tag.strategy;
  if (tag.mergeKey) prop['x-kubernetes-patch-merge-key'] = tag.mergeKey;
  if (!isArray) return;
  let listType: ListType;
  if (tag.mergeKey) {
    listType = 'map';
    prop['x-kubernetes-list-map-keys'] = [...(LIST_MAP_KEYS[listKeysName] ?? [tag.mergeKey])];
  } else listType = tag.strategy === 'replace' ? 'atomic' : 'set';
  prop['x-kubernetes-list-type'] = listType;
}

/**
 * Walks PATCH_TYPES from `struct` alongside the schema graph from
 * `component`, tagging each property the table tags. `seen` holds
 * component|struct pairs already walked.
 */
function applyPatchMeta(schemas: SchemaMap, component: string, struct: string, seen: Set<string>, warnings: string[]): void {
  const key = `${component}|${struct}`;
  if (seen.has(key)) return;
  seen.add(key);
  const spec = PATCH_TYPES[struct];
  const props = schemas[component]?.properties;
  if (!spec || !props) return;
  for (const [field, fs] of Object.entries(spec)) {
    const prop = props[field];
    if (!prop) {
      warnings.push(`patchmeta ${struct}.${field}: ${component} has no such field`);
      continue;
    }
    if (fs.tag) annotate(prop, fs.tag, `${component}.${field}`);
    if (fs.type) {
      const target = prop.type === 'array' && prop.items ? refOf(prop.items) : refOf(prop);
      if (target) applyPatchMeta(schemas, target, fs.type, seen, warnings);
    }
  }
}

/**
 * A property that is a `$ref` plus anything else (a patch strategy added by
 * the table) moves the reference into allOf, as upstream's v3 does: siblings
 * of `$ref` are ignored by OpenAPI 3.0 readers.
 */
function wrapRef(p: Schema): void {
  if (!p.$ref || Object.keys(p).length === 1) return;
  p.allOf = [{ $ref: p.$ref }];
  delete p.$ref;
}

// ---------------------------------------------------------------------------
// Entry points

/** Every kind the API serves or exchanges (resources, their lists, subresource bodies), with the GVK to annotate. */
function servedKinds(): GroupVersionKind[] {
  const out: GroupVersionKind[] = [];
  for (const row of RESOURCE_TABLE) {
    const gv = parseApiVersion(row.gv);
    out.push({ ...gv, kind: row.kind });
    // Create-only resources (reviews, Binding) have no list type upstream.
    if (!row.verbs || row.verbs.includes('list')) out.push({ ...gv, kind: `${row.kind}List` });
  }
  out.push(...EXTRA_KINDS);
  return out;
}

export interface GenerateResult {
  schemas: SchemaMap;
  /** Kinds with no TS interface (no component) and table entries that matched no field: printed, not fatal. */
  warnings: string[];
}

/** Builds every component from the TS sources. Pure apart from reading the source files. */
export function generateSchemas(): GenerateResult {
  const gen = new Generator(sources());
  const roots: Array<{ gvk: GroupVersionKind; name: string }> = [];
  for (const gvk of servedKinds()) {
    const name = gen.addKind(gvk);
    if (name) roots.push({ gvk, name });
    else gen.warnings.push(`no TS interface for ${gvk.group || 'core'}/${gvk.version} ${gvk.kind}`);
  }
  const schemas: SchemaMap = { ...gen.schemas };
  for (const [name, s] of Object.entries(FIXED)) schemas[name] = structuredClone(s);

  const seen = new Set<string>();
  for (const { gvk, name } of roots) {
    // Lists and option bodies (no metadata) carry no tags of their own.
    if (gvk.kind.endsWith('List') || !schemas[name].properties?.metadata) continue;
    const struct = KINDS[gvk.group]?.[gvk.kind] ?? 'MetaOnly';
    applyPatchMeta(schemas, name, struct, seen, gen.warnings);
  }
  for (const s of Object.values(schemas)) for (const p of Object.values(s.properties ?? {})) wrapRef(p);
  for (const [k, fields] of Object.entries(FIELD_DOCS)) {
    const props = schemas[`io.k8s.${k}`]?.properties;
    for (const f of Object.keys(fields)) if (!props?.[f]) gen.warnings.push(`field-docs: io.k8s.${k} has no field ${f}`);
  }
  for (const k of Object.keys(TYPE_DOCS)) if (!schemas[`io.k8s.${k}`]) gen.warnings.push(`field-docs: no component io.k8s.${k}`);
  return { schemas: sortKeys(schemas), warnings: [...new Set(gen.warnings)] };
}

/** Recursively sorts object keys, so the output does not depend on walk order. */
function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return v;
}

/** The exact text written to OUTPUT. */
export function renderSchemas(schemas: SchemaMap): string {
  return `${JSON.stringify(schemas, null, 2)}\n`;
}

function main(argv: readonly string[]): number {
  const { schemas, warnings } = generateSchemas();
  for (const w of warnings) process.stderr.write(`gen-openapi: note: ${w}\n`);
  const text = renderSchemas(schemas);
  const rel = relative(process.cwd(), OUTPUT);
  if (argv.includes('--check')) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`gen-openapi: ${rel} is stale; run npm run gen:openapi\n`);
      return 1;
    }
    return 0;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`gen-openapi: wrote ${Object.keys(schemas).length} schemas to ${rel}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
