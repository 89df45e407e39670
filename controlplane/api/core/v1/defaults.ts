/**
 * core/v1 defaulting: upstream's SetDefaults_* (pkg/apis/core/v1/defaults.go)
 * for the fields users see in `kubectl get -o yaml`.
 *
 * Every function MUTATES the object it is given and returns nothing; callers
 * that hold a cached or shared object must clone it first. Defaulting never
 * fails: it runs before validation, so it must tolerate malformed input
 * (missing spec, wrong-typed fields left to validation).
 */
import { isEmptyMap, setDefault, setDefaultString } from '../../defaulting.js';
import type {
  ConfigMap,
  Container,
  ContainerPort,
  EndpointSubset,
  Endpoints,
  HTTPGetAction,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  PodTemplate,
  PodTemplateSpec,
  Probe,
  ReplicationController,
  ResourceList,
  Secret,
  Service,
  Volume,
  LifecycleHandler,
  ObjectFieldSelector,
  ResourceFieldSelector,
} from './types.js';

/** 0644: what upstream puts in defaultMode of configMap, secret, downwardAPI and projected volumes. */
export const DEFAULT_VOLUME_MODE = 0o644;
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
/** The label every namespace carries with its own name (upstream since 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The tag of an image reference, as upstream's parsers.ParseImageName sees it:
 * `latest` when the reference has neither tag nor digest, "" when it has only
 * a digest.
 */
export function imageTag(image: string): string {
  let ref = image;
  const at = ref.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) ref = ref.slice(0, at);
  // A colon after the last slash separates the tag; one before it is a registry port.
  const colon = ref.lastIndexOf(':');
  const tag = colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : '';
  if (tag === '' && !hasDigest) return 'latest';
  return tag;
}

/** Always for `:latest` or an untagged, undigested image; IfNotPresent otherwise. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  return image && imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  setDefaultString(h, 'path', '/');
  setDefaultString(h, 'scheme', 'HTTP');
}

function defaultHandler(h: LifecycleHandler | undefined): void {
  if (h) defaultHTTPGet(h.httpGet);
}

export function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHTTPGet(p.httpGet);
}

function defaultPorts(ports: ContainerPort[] | undefined): void {
  for (const p of ports ?? []) setDefaultString(p, 'protocol', 'TCP');
}

function defaultFieldRef(f: ObjectFieldSelector | undefined): void {
  if (f) setDefaultString(f, 'apiVersion', 'v1');
}

function defaultResourceFieldRef(f: ResourceFieldSelector | undefined): void {
  if (f) setDefaultString(f, 'divisor', '0');
}

/** SetDefaults_Container (also used for init and ephemeral containers). */
export function defaultContainer(c: Container): void {
  setDefaultString(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefaultString(c, 'terminationMessagePath', DEFAULT_TERMINATION_MESSAGE_PATH);
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  defaultPorts(c.ports);
  for (const e of c.env ?? []) {
    defaultFieldRef(e.valueFrom?.fieldRef);
    defaultResourceFieldRef(e.valueFrom?.resourceFieldRef);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

/** SetDefaults_Volume and the per-source defaults (modes, token expiry). */
export function defaultVolume(v: Volume): void {
  const sources = ['hostPath', 'emptyDir', 'secret', 'nfs', 'persistentVolumeClaim', 'downwardAPI', 'configMap', 'projected', 'gitRepo', 'iscsi', 'csi', 'ephemeral'] as const;
  // A volume with no source at all is an emptyDir, upstream's rule.
  if (!sources.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  if (v.hostPath) setDefault(v.hostPath, 'type', '');
  if (v.secret) setDefault(v.secret, 'defaultMode', DEFAULT_VOLUME_MODE);
  if (v.configMap) setDefault(v.configMap, 'defaultMode', DEFAULT_VOLUME_MODE);
  if (v.downwardAPI) {
    setDefault(v.downwardAPI, 'defaultMode', DEFAULT_VOLUME_MODE);
    for (const i of v.downwardAPI.items ?? []) {
      defaultFieldRef(i.fieldRef);
      defaultResourceFieldRef(i.resourceFieldRef);
    }
  }
  if (v.projected) {
    setDefault(v.projected, 'defaultMode', DEFAULT_VOLUME_MODE);
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) setDefault(s.serviceAccountToken, 'expirationSeconds', 3600);
      for (const i of s.downwardAPI?.items ?? []) {
        defaultFieldRef(i.fieldRef);
        defaultResourceFieldRef(i.resourceFieldRef);
      }
    }
  }
}

/**
 * SetDefaults_PodSpec: applies to pods and to every pod template (workloads,
 * PodTemplate). Pod-only defaults live in defaultPod.
 */
export function defaultPodSpec(spec: PodSpec | undefined): void {
  if (!spec) return;
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  setDefault(spec, 'securityContext', {});
  setDefaultString(spec, 'schedulerName', DEFAULT_SCHEDULER_NAME);
  // The deprecated alias and the real field mirror each other (upstream does
  // this in conversion), so old clients reading serviceAccount still work.
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  else if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  if (spec.hostNetwork) {
    // With the host's network a container port *is* a host port.
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

/** Requests default to limits for every resource that has a limit but no request. */
function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!c.resources || isEmptyMap(limits)) return;
  const requests: ResourceList = c.resources.requests ?? {};
  for (const [name, q] of Object.entries(limits ?? {})) if (!(name in requests)) requests[name] = q;
  c.resources.requests = requests;
}

/**
 * SetDefaults_Pod plus the pod fields upstream fills in admission that users
 * always see: `priority: 0` when no priorityClassName is given (the Priority
 * plugin resolves named classes) and `preemptionPolicy: PreemptLowerPriority`.
 */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) requestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  if (!spec.priorityClassName) setDefault(spec, 'priority', 0);
  setDefaultString(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultPodTemplateSpec(t: PodTemplateSpec | undefined): void {
  if (t) defaultPodSpec(t.spec);
}

export function defaultPodTemplate(t: PodTemplate): void {
  defaultPodTemplateSpec(t.template);
}

/** SetDefaults_ReplicationController: selector and labels from the template, replicas 1. */
export function defaultReplicationController(rc: ReplicationController): void {
  const spec = rc.spec;
  if (!spec) return;
  const templateLabels = spec.template?.metadata?.labels;
  if (templateLabels && !isEmptyMap(templateLabels)) {
    if (isEmptyMap(spec.selector)) spec.selector = { ...templateLabels };
    if (rc.metadata && isEmptyMap(rc.metadata.labels)) rc.metadata.labels = { ...templateLabels };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(spec.template);
}

/**
 * SetDefaults_Service. ipFamilyPolicy/ipFamilies are the apiserver's
 * allocator's job upstream; kubets is single-stack IPv4, so they are settled
 * here (headless services without a selector get RequireDualStack, as
 * upstream reports them) and the allocator only fills clusterIP(s).
 */
export function defaultService(svc: Service): void {
  const spec = svc.spec;
  if (!spec) return;
  setDefaultString(spec, 'sessionAffinity', 'None');
  setDefaultString(spec, 'type', 'ClusterIP');
  for (const p of spec.ports ?? []) {
    setDefaultString(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    setDefault(spec.sessionAffinityConfig.clientIP, 'timeoutSeconds', 10800);
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.type !== 'ExternalName') {
    setDefaultString(spec, 'internalTrafficPolicy', 'Cluster');
    const headlessNoSelector = spec.clusterIP === 'None' && isEmptyMap(spec.selector);
    setDefaultString(spec, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

export function defaultEndpoints(ep: Endpoints): void {
  for (const s of ep.subsets ?? ([] as EndpointSubset[])) for (const p of s.ports ?? []) setDefaultString(p, 'protocol', 'TCP');
}

/** SetDefaults_Namespace + SetDefaults_NamespaceStatus: the name label and phase Active. */
export function defaultNamespace(ns: Namespace): void {
  if (ns.metadata?.name) {
    ns.metadata.labels ??= {};
    ns.metadata.labels[NAMESPACE_NAME_LABEL] = ns.metadata.name;
  }
  ns.status ??= {};
  setDefaultString(ns.status, 'phase', 'Active');
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
export function defaultNode(node: Node): void {
  const st = node.status;
  if (st && st.capacity && isEmptyMap(st.allocatable)) st.allocatable = { ...st.capacity };
}

export function defaultSecret(s: Secret): void {
  setDefaultString(s, 'type', 'Opaque');
}

export function defaultConfigMap(_cm: ConfigMap): void {
  // Nothing upstream defaults; kept so every kind has a defaulter.
}

export function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.status ??= {};
  setDefaultString(pv.status, 'phase', 'Pending');
  if (pv.spec) {
    setDefaultString(pv.spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefaultString(pv.spec, 'volumeMode', 'Filesystem');
  }
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.status ??= {};
  setDefaultString(pvc.status, 'phase', 'Pending');
  if (pvc.spec) setDefaultString(pvc.spec, 'volumeMode', 'Filesystem');
}

/**
 * SetDefaults_LimitRangeItem: for Container items a missing default limit
 * comes from max, and a missing default request from the default limit, then
 * from min.
 */
export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def: ResourceList = { ...(item.default ?? {}) };
    for (const [k, q] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = q;
    const req: ResourceList = { ...(item.defaultRequest ?? {}) };
    for (const [k, q] of Object.entries(def)) if (!(k in req)) req[k] = q;
    for (const [k, q] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = q;
    if (!isEmptyMap(def)) item.default = def;
    if (!isEmptyMap(req)) item.defaultRequest = req;
  }
}
