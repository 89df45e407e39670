/**
 * core/v1 validation, after upstream's pkg/apis/core/validation: the same
 * field paths and messages, so `kubectl` prints what users know.
 *
 * Every function is pure: it reads the (already defaulted) object, returns
 * FieldError[] and never throws or mutates. Inputs come straight from request
 * bodies, so code guards against missing or wrong-typed fields rather than
 * trusting the TypeScript types.
 */
import { selectorFromSet, validateLabels } from '../../../machinery/labels.js';
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  validatePathSegmentName,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type ValidateNameFunc,
} from '../../../machinery/meta/validation.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from '../../../machinery/validation.js';
import type { Quantity } from '../../../machinery/quantity.js';
import type { ObjectMeta } from '../../../machinery/meta/types.js';
import {
  asRecord,
  canonical,
  check,
  deepEqual,
  enumField,
  type FieldError,
  FieldPath,
  fieldErrors,
  immutable,
  intOrStringPort,
  localDescendingPath,
  nonNegative,
  quantityAt,
} from '../../validationutil.js';
import type {
  Affinity,
  Binding,
  ConfigMap,
  Container,
  ContainerPort,
  EnvVar,
  Endpoints,
  Event,
  KeyToPath,
  LifecycleHandler,
  LimitRange,
  Namespace,
  Node,
  NodeSelectorTerm,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodAffinityTerm,
  PodSpec,
  PodTemplate,
  PodTemplateSpec,
  Probe,
  ReplicationController,
  ResourceQuota,
  ResourceRequirements,
  Secret,
  Service,
  ServiceAccount,
  Toleration,
  Volume,
} from './types.js';

const metadata = FieldPath.root('metadata');
const specPath = FieldPath.root('spec');

/** Validation knobs for a pod spec that depend on where it sits. */
export interface PodSpecContext {
  /** Pod templates of workloads skip nothing today, but keep the seam for upstream's opts. */
  template?: boolean;
}

// ---------------------------------------------------------------------------
// Containers

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TERMINATION_MESSAGE_POLICIES = ['FallbackToLogsOnError', 'File'];
const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
/** Field paths a fieldRef may name (downward API env vars). */
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateContainerPorts(ports: ContainerPort[] | undefined, path: FieldPath, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const ip = path.index(i);
    if (p.name) {
      errs.push(...check(ip.child('name'), p.name, isValidPortName(p.name)));
      if (names.has(p.name)) errs.push(fieldErrors.duplicate(ip.child('name'), p.name));
      names.add(p.name);
    }
    if (!p.containerPort) errs.push(fieldErrors.required(ip.child('containerPort'), ''));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(fieldErrors.invalid(ip.child('containerPort'), p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(fieldErrors.invalid(ip.child('hostPort'), p.hostPort, m));
    if (hostNetwork && p.hostPort && p.hostPort !== p.containerPort) {
      errs.push(fieldErrors.invalid(ip.child('hostPort'), p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    errs.push(...enumField(p.protocol, PROTOCOLS, ip.child('protocol')));
    if (p.hostIP) errs.push(...check(ip.child('hostIP'), p.hostIP, isValidIP(p.hostIP)));
  });
  return errs;
}

function validateFieldRefPath(fieldPath: string | undefined, path: FieldPath, allowed: readonly string[]): FieldError[] {
  if (!fieldPath) return [fieldErrors.required(path, '')];
  // metadata.labels['k'] / metadata.annotations['k'] select one key.
  const m = /^(metadata\.(?:labels|annotations))\['(.+)'\]$/.exec(fieldPath);
  if (m) return isQualifiedName(m[2]).map((msg) => fieldErrors.invalid(path, fieldPath, msg));
  return allowed.includes(fieldPath) ? [] : [fieldErrors.notSupported(path, fieldPath, [...allowed])];
}

function validateEnv(env: EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const ip = path.index(i);
    if (!e.name) errs.push(fieldErrors.required(ip.child('name'), ''));
    else errs.push(...check(ip.child('name'), e.name, isEnvVarName(e.name)));
    const from = e.valueFrom;
    if (!from) return;
    const fp = ip.child('valueFrom');
    const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((k) => from[k]);
    if (e.value) errs.push(fieldErrors.invalid(fp, '', 'may not be specified when `value` is not empty'));
    if (sources.length === 0) {
      errs.push(fieldErrors.invalid(fp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources.length > 1) {
      errs.push(fieldErrors.invalid(fp, '', 'may not have more than one field specified at a time'));
      return;
    }
    if (from.fieldRef) errs.push(...validateFieldRefPath(from.fieldRef.fieldPath, fp.child('fieldRef', 'fieldPath'), ENV_FIELD_PATHS));
    if (from.resourceFieldRef && !from.resourceFieldRef.resource) errs.push(fieldErrors.required(fp.child('resourceFieldRef', 'resource'), ''));
    for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const ref = from[k];
      if (!ref) continue;
      if (!ref.name) errs.push(fieldErrors.required(fp.child(k, 'name'), ''));
      if (!ref.key) errs.push(fieldErrors.required(fp.child(k, 'key'), ''));
      else errs.push(...check(fp.child(k, 'key'), ref.key, isConfigMapKey(ref.key)));
    }
  });
  return errs;
}

/** ValidateResourceRequirements: valid names, non-negative quantities, request ≤ limit. */
export function validateResources(r: ResourceRequirements | undefined, path: FieldPath): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const parsed = (m: Record<string, unknown> | undefined, p: FieldPath): Map<string, Quantity> => {
    const out = new Map<string, Quantity>();
    for (const [name, v] of Object.entries(asRecord(m))) {
      const kp = p.key(name);
      if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
        errs.push(fieldErrors.invalid(kp, name, 'must be a standard resource for containers'));
      } else if (name.includes('/')) {
        errs.push(...check(kp, name, isQualifiedName(name)));
      }
      const q = quantityAt(v, kp, errs);
      if (!q) continue;
      if (q.sign() < 0) errs.push(fieldErrors.invalid(kp, String(v), 'must be greater than or equal to 0'));
      out.set(name, q);
    }
    return out;
  };
  const limits = parsed(r.limits, path.child('limits'));
  const requests = parsed(r.requests, path.child('requests'));
  for (const [name, req] of requests) {
    const lim = limits.get(name);
    if (lim && req.cmp(lim) > 0) {
      errs.push(fieldErrors.invalid(path.child('requests'), req.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
    }
  }
  return errs;
}

function validateHandler(h: LifecycleHandler & { grpc?: { port: number } }, path: FieldPath, kinds: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const set = kinds.filter((k) => (h as Record<string, unknown>)[k] !== undefined && (h as Record<string, unknown>)[k] !== null);
  if (set.length === 0) return [fieldErrors.required(path, 'must specify a handler type')];
  for (const extra of set.slice(1)) errs.push(fieldErrors.forbidden(path.child(extra), 'may not specify more than 1 handler type'));
  if (h.exec && (!h.exec.command || h.exec.command.length === 0)) errs.push(fieldErrors.required(path.child('exec', 'command'), ''));
  if (h.httpGet) {
    const p = path.child('httpGet');
    if (!h.httpGet.path) errs.push(fieldErrors.required(p.child('path'), ''));
    errs.push(...intOrStringPort(h.httpGet.port, p.child('port')));
    errs.push(...enumField(h.httpGet.scheme, ['HTTP', 'HTTPS'], p.child('scheme')));
  }
  if (h.tcpSocket) errs.push(...intOrStringPort(h.tcpSocket.port, path.child('tcpSocket', 'port')));
  if (h.grpc) for (const m of isValidPortNum(h.grpc.port)) errs.push(fieldErrors.invalid(path.child('grpc', 'port'), h.grpc.port, m));
  if (h.sleep && !(h.sleep.seconds >= 0)) errs.push(fieldErrors.invalid(path.child('sleep', 'seconds'), h.sleep.seconds, 'must be greater than or equal to 0'));
  return errs;
}

function validateProbe(p: Probe | undefined, path: FieldPath, mustSucceedOnce: boolean): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    errs.push(...nonNegative(p[f], path.child(f)));
  }
  if (mustSucceedOnce && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(fieldErrors.invalid(path.child('successThreshold'), p.successThreshold, 'must be 1'));
  }
  return errs;
}

function validateContainer(c: Container, path: FieldPath, volumes: Set<string>, hostNetwork: boolean, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErrors.required(path.child('name'), ''));
  else errs.push(...check(path.child('name'), c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(fieldErrors.required(path.child('image'), ''));
  else if (c.image.trim() !== c.image) errs.push(fieldErrors.invalid(path.child('image'), c.image, 'must not have leading or trailing whitespace'));
  errs.push(...enumField(c.imagePullPolicy, PULL_POLICIES, path.child('imagePullPolicy')));
  errs.push(...enumField(c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, path.child('terminationMessagePolicy')));
  errs.push(...validateContainerPorts(c.ports, path.child('ports'), hostNetwork));
  errs.push(...validateEnv(c.env, path.child('env')));
  (c.envFrom ?? []).forEach((e, i) => {
    const ep = path.child('envFrom').index(i);
    if (e.prefix) errs.push(...check(ep.child('prefix'), e.prefix, isEnvVarName(e.prefix)));
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) errs.push(fieldErrors.invalid(ep, '', 'must specify one of: `configMapRef` or `secretRef`'));
    if (n > 1) errs.push(fieldErrors.invalid(ep, '', 'may not have more than one field specified at a time'));
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mp = path.child('volumeMounts').index(i);
    if (!m.name) errs.push(fieldErrors.required(mp.child('name'), ''));
    else if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(mp.child('name'), m.name));
    if (!m.mountPath) errs.push(fieldErrors.required(mp.child('mountPath'), ''));
    else {
      if (mountPaths.has(m.mountPath)) errs.push(fieldErrors.invalid(mp.child('mountPath'), m.mountPath, 'must be unique'));
      mountPaths.add(m.mountPath);
    }
    if (m.subPath) errs.push(...localDescendingPath(m.subPath, mp.child('subPath')));
    if (m.mountPropagation) errs.push(...enumField(m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None'], mp.child('mountPropagation')));
  });
  errs.push(...validateResources(c.resources, path.child('resources')));
  if (init && !c.restartPolicy) {
    // Plain init containers run to completion: probes make no sense on them.
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[p]) errs.push(fieldErrors.forbidden(path.child(p), 'may not be set for init containers without restartPolicy=Always'));
    }
    if (c.lifecycle) errs.push(fieldErrors.forbidden(path.child('lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
  } else {
    errs.push(...validateProbe(c.livenessProbe, path.child('livenessProbe'), true));
    errs.push(...validateProbe(c.readinessProbe, path.child('readinessProbe'), false));
    errs.push(...validateProbe(c.startupProbe, path.child('startupProbe'), true));
    for (const h of ['postStart', 'preStop'] as const) {
      const handler = c.lifecycle?.[h];
      if (handler) errs.push(...validateHandler(handler, path.child('lifecycle', h), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
    }
  }
  if (c.restartPolicy !== undefined && (!init || c.restartPolicy !== 'Always')) {
    errs.push(init ? fieldErrors.notSupported(path.child('restartPolicy'), c.restartPolicy, ['Always']) : fieldErrors.forbidden(path.child('restartPolicy'), 'may not be set for non-init containers'));
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Volumes

/** In upstream's checking order, so the second source set is the one reported. */
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'gitRepo', 'secret', 'nfs', 'iscsi', 'persistentVolumeClaim', 'downwardAPI', 'configMap', 'projected', 'csi', 'ephemeral'] as const;
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode !== undefined && (mode < 0 || mode > 0o777) ? [fieldErrors.invalid(path, mode, MODE_MSG)] : [];
}

function validateKeyToPaths(items: KeyToPath[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((it, i) => {
    const ip = path.index(i);
    if (!it.key) errs.push(fieldErrors.required(ip.child('key'), ''));
    if (!it.path) errs.push(fieldErrors.required(ip.child('path'), ''));
    else errs.push(...localDescendingPath(it.path, ip.child('path')));
    errs.push(...validateMode(it.mode, ip.child('mode')));
  });
  return errs;
}

function validateVolume(v: Volume, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!v.name) errs.push(fieldErrors.required(path.child('name'), ''));
  else errs.push(...check(path.child('name'), v.name, isDNS1123Label(v.name)));
  const set = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
  if (set.length === 0) errs.push(fieldErrors.required(path, 'must specify a volume type'));
  for (const extra of set.slice(1)) errs.push(fieldErrors.forbidden(path.child(extra), 'may not specify more than 1 volume type'));
  if (v.hostPath) {
    if (!v.hostPath.path) errs.push(fieldErrors.required(path.child('hostPath', 'path'), ''));
    if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(v.hostPath.type)) {
      errs.push(fieldErrors.notSupported(path.child('hostPath', 'type'), v.hostPath.type, HOST_PATH_TYPES));
    }
  }
  if (v.emptyDir?.medium !== undefined) errs.push(...enumField(v.emptyDir.medium, ['', 'Memory', 'HugePages'], path.child('emptyDir', 'medium'), false));
  if (v.emptyDir?.sizeLimit !== undefined) quantityAt(v.emptyDir.sizeLimit, path.child('emptyDir', 'sizeLimit'), errs);
  if (v.secret) {
    if (!v.secret.secretName) errs.push(fieldErrors.required(path.child('secret', 'secretName'), ''));
    errs.push(...validateMode(v.secret.defaultMode, path.child('secret', 'defaultMode')));
    errs.push(...validateKeyToPaths(v.secret.items, path.child('secret', 'items')));
  }
  if (v.configMap) {
    if (!v.configMap.name) errs.push(fieldErrors.required(path.child('configMap', 'name'), ''));
    errs.push(...validateMode(v.configMap.defaultMode, path.child('configMap', 'defaultMode')));
    errs.push(...validateKeyToPaths(v.configMap.items, path.child('configMap', 'items')));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(fieldErrors.required(path.child('persistentVolumeClaim', 'claimName'), ''));
  if (v.nfs) {
    if (!v.nfs.server) errs.push(fieldErrors.required(path.child('nfs', 'server'), ''));
    if (!v.nfs.path) errs.push(fieldErrors.required(path.child('nfs', 'path'), ''));
    else if (!v.nfs.path.startsWith('/')) errs.push(fieldErrors.invalid(path.child('nfs', 'path'), v.nfs.path, 'must be an absolute path'));
  }
  if (v.downwardAPI) {
    errs.push(...validateMode(v.downwardAPI.defaultMode, path.child('downwardAPI', 'defaultMode')));
    (v.downwardAPI.items ?? []).forEach((it, i) => {
      const ip = path.child('downwardAPI', 'items').index(i);
      if (!it.path) errs.push(fieldErrors.required(ip.child('path'), ''));
      else errs.push(...localDescendingPath(it.path, ip.child('path')));
      if (it.fieldRef) errs.push(...validateFieldRefPath(it.fieldRef.fieldPath, ip.child('fieldRef', 'fieldPath'), VOLUME_FIELD_PATHS));
    });
  }
  if (v.projected) {
    errs.push(...validateMode(v.projected.defaultMode, path.child('projected', 'defaultMode')));
    (v.projected.sources ?? []).forEach((s, i) => {
      const sp = path.child('projected', 'sources').index(i);
      const kinds = (['secret', 'downwardAPI', 'configMap', 'serviceAccountToken'] as const).filter((k) => s[k]);
      if (kinds.length > 1) errs.push(fieldErrors.forbidden(sp, 'may not specify more than 1 volume type per source'));
      if (s.secret) errs.push(...validateKeyToPaths(s.secret.items, sp.child('secret', 'items')));
      if (s.configMap) errs.push(...validateKeyToPaths(s.configMap.items, sp.child('configMap', 'items')));
      const tok = s.serviceAccountToken;
      if (tok) {
        if (!tok.path) errs.push(fieldErrors.required(sp.child('serviceAccountToken', 'path'), ''));
        if (tok.expirationSeconds !== undefined && tok.expirationSeconds < 600) {
          errs.push(fieldErrors.invalid(sp.child('serviceAccountToken', 'expirationSeconds'), tok.expirationSeconds, 'may not specify a duration less than 10 minutes'));
        }
      }
    });
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Scheduling constraints

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [field, isFields] of [['matchExpressions', false], ['matchFields', true]] as const) {
    (term[field] ?? []).forEach((r, i) => {
      const rp = path.child(field).index(i);
      const values = r.values ?? [];
      switch (r.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) errs.push(fieldErrors.required(rp.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
          break;
        case 'Exists':
        case 'DoesNotExist':
          if (values.length > 0) errs.push(fieldErrors.forbidden(rp.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
          break;
        case 'Gt':
        case 'Lt':
          if (values.length !== 1) errs.push(fieldErrors.required(rp.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
          break;
        default:
          errs.push(fieldErrors.invalid(rp.child('operator'), r.operator, 'not a valid selector operator'));
      }
      if (isFields) {
        if (r.key !== 'metadata.name') errs.push(fieldErrors.invalid(rp.child('key'), r.key, 'not a valid field selector key'));
      } else errs.push(...check(rp.child('key'), r.key, isQualifiedName(r.key ?? '')));
    });
  }
  return errs;
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!t.topologyKey) errs.push(fieldErrors.required(path.child('topologyKey'), 'can not be empty'));
  else errs.push(...check(path.child('topologyKey'), t.topologyKey, isQualifiedName(t.topologyKey)));
  (t.namespaces ?? []).forEach((ns, i) => errs.push(...check(path.child('namespaces').index(i), ns, isDNS1123Label(ns))));
  return errs;
}

function validateAffinity(a: Affinity | undefined, path: FieldPath): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const weight = (w: number, p: FieldPath) => (w >= 1 && w <= 100 ? [] : [fieldErrors.invalid(p, w, 'must be in the range 1-100')]);
  const na = a.nodeAffinity;
  if (na) {
    const np = path.child('nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const rp = np.child('requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms');
      if (!req.nodeSelectorTerms || req.nodeSelectorTerms.length === 0) errs.push(fieldErrors.required(rp, 'must have at least one node selector term'));
      (req.nodeSelectorTerms ?? []).forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, rp.index(i))));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = np.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...weight(t.weight, tp.child('weight')));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, tp.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[kind];
    if (!pa) continue;
    const pp = path.child(kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, pp.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = pp.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...weight(t.weight, tp.child('weight')));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? { topologyKey: '' }, tp.child('podAffinityTerm')));
    });
  }
  return errs;
}

export function validateTolerations(tols: Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tols ?? []).forEach((t, i) => {
    const tp = path.index(i);
    if (t.key) errs.push(...check(tp.child('key'), t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fieldErrors.invalid(tp.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(tp.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch ((t.operator as string | undefined) || 'Equal') {
      case 'Equal':
        errs.push(...check(tp.child('value'), t.value ?? '', isValidLabelValue(t.value ?? '')));
        break;
      case 'Exists':
        if (t.value) errs.push(fieldErrors.invalid(tp.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(tp.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...enumField(t.effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], tp.child('effect'), false));
  });
  return errs;
}

// ---------------------------------------------------------------------------
// PodSpec

export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): FieldError[] {
  if (!spec || typeof spec !== 'object') return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const vp = path.child('volumes').index(i);
    errs.push(...validateVolume(v, vp));
    if (v.name) {
      if (volumes.has(v.name)) errs.push(fieldErrors.duplicate(vp.child('name'), v.name));
      volumes.add(v.name);
    }
  });
  const hostNetwork = spec.hostNetwork === true;
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) errs.push(fieldErrors.required(path.child('containers'), ''));
  // Container names are unique across init and regular containers.
  const names = new Set<string>();
  const visit = (list: Container[] | undefined, field: string, init: boolean) => {
    (list ?? []).forEach((c, i) => {
      const cp = path.child(field).index(i);
      errs.push(...validateContainer(c, cp, volumes, hostNetwork, init));
      if (c.name) {
        if (names.has(c.name)) errs.push(fieldErrors.duplicate(cp.child('name'), c.name));
        names.add(c.name);
      }
    });
  };
  visit(spec.initContainers, 'initContainers', true);
  visit(containers, 'containers', false);
  errs.push(...enumField(spec.restartPolicy, RESTART_POLICIES, path.child('restartPolicy')));
  errs.push(...enumField(spec.dnsPolicy, DNS_POLICIES, path.child('dnsPolicy')));
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) errs.push(fieldErrors.required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  (spec.dnsConfig?.nameservers ?? []).forEach((ns, i) => errs.push(...check(path.child('dnsConfig', 'nameservers').index(i), ns, isValidIP(ns))));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  if (spec.serviceAccountName) errs.push(...check(path.child('serviceAccountName'), spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  if (spec.nodeName) errs.push(...check(path.child('nodeName'), spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  if (spec.hostname) errs.push(...check(path.child('hostname'), spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain) errs.push(...check(path.child('subdomain'), spec.subdomain, isDNS1123Label(spec.subdomain)));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && !(spec.activeDeadlineSeconds >= 1 && spec.activeDeadlineSeconds <= 2147483647)) {
    errs.push(fieldErrors.invalid(path.child('activeDeadlineSeconds'), spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  const spread = new Set<string>();
  (spec.topologySpreadConstraints ?? []).forEach((c, i) => {
    const cp = path.child('topologySpreadConstraints').index(i);
    if (!(c.maxSkew > 0)) errs.push(fieldErrors.invalid(cp.child('maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(fieldErrors.required(cp.child('topologyKey'), 'can not be empty'));
    else errs.push(...check(cp.child('topologyKey'), c.topologyKey, isQualifiedName(c.topologyKey)));
    errs.push(...enumField(c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway'], cp.child('whenUnsatisfiable')));
    const key = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
    if (spread.has(key)) errs.push(fieldErrors.duplicate(cp, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    spread.add(key);
  });
  (spec.hostAliases ?? []).forEach((h, i) => {
    const hp = path.child('hostAliases').index(i);
    errs.push(...check(hp.child('ip'), h.ip ?? '', isValidIP(h.ip ?? '')));
    (h.hostnames ?? []).forEach((n, j) => errs.push(...check(hp.child('hostnames').index(j), n, isDNS1123Subdomain(n))));
  });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(fieldErrors.required(path.child('imagePullSecrets').index(i).child('name'), ''));
  });
  const sc = spec.securityContext;
  if (sc) {
    for (const f of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
      const v = sc[f];
      if (v !== undefined && (v < 0 || v > 2147483647)) errs.push(fieldErrors.invalid(path.child('securityContext', f), v, 'must be between 0 and 2147483647, inclusive'));
    }
  }
  if (spec.priorityClassName) errs.push(...check(path.child('priorityClassName'), spec.priorityClassName, isDNS1123Subdomain(spec.priorityClassName)));
  return errs;
}

export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: FieldPath): FieldError[] {
  if (!t) return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, path.child('metadata', 'labels')));
  errs.push(...validatePodSpec(t.spec, path.child('spec')));
  return errs;
}

const podName: ValidateNameFunc = nameIsDNSSubdomain;

export function validatePod(pod: Pod): FieldError[] {
  return [...validateObjectMeta(pod.metadata, { namespaced: true, nameFn: podName }), ...validatePodSpec(pod.spec, specPath)];
}

const POD_UPDATE_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * ValidatePodUpdate: only images, activeDeadlineSeconds (tighter),
 * added tolerations and a negative→1 grace period may change. Everything else
 * in spec is compared after blanking what may change, as upstream does.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodSpec(pod.spec, specPath)];
  const ns = pod.spec;
  const os = old.spec;
  if (!ns || !os) return errs;
  const newAds = ns.activeDeadlineSeconds;
  const oldAds = os.activeDeadlineSeconds;
  if (oldAds !== undefined && oldAds !== null) {
    if (newAds === undefined || newAds === null) {
      errs.push(fieldErrors.invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
    } else if (newAds > oldAds) {
      errs.push(fieldErrors.invalid(specPath.child('activeDeadlineSeconds'), newAds, 'must be less than or equal to previous value'));
    }
  }
  // Every old toleration must still be there (tolerationSeconds may shrink).
  const newTols = ns.tolerations ?? [];
  for (const ot of os.tolerations ?? []) {
    const kept = newTols.some(
      (nt) => nt.key === ot.key && (nt.operator ?? 'Equal') === (ot.operator ?? 'Equal') && nt.value === ot.value && nt.effect === ot.effect &&
        (ot.tolerationSeconds === undefined ? nt.tolerationSeconds === undefined : nt.tolerationSeconds !== undefined && nt.tolerationSeconds <= ot.tolerationSeconds),
    );
    if (!kept) {
      errs.push(fieldErrors.forbidden(specPath.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  const munge = (s: PodSpec, images: PodSpec): unknown => ({
    ...s,
    containers: (s.containers ?? []).map((c, i) => ({ ...c, image: images.containers?.[i]?.image })),
    initContainers: s.initContainers?.map((c, i) => ({ ...c, image: images.initContainers?.[i]?.image })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds:
      (os.terminationGracePeriodSeconds ?? 0) < 0 && s.terminationGracePeriodSeconds === 1 ? os.terminationGracePeriodSeconds : s.terminationGracePeriodSeconds,
    // Ephemeral containers change only through their own subresource.
    ephemeralContainers: undefined,
  });
  if (canonical(munge(ns, os)) !== canonical(munge(os, os))) errs.push(fieldErrors.forbidden(specPath, POD_UPDATE_MSG));
  return errs;
}

export function validatePodTemplate(t: PodTemplate): FieldError[] {
  return [...validateObjectMeta(t.metadata, { namespaced: true }), ...validatePodTemplateSpec(t.template, FieldPath.root('template'))];
}

export function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const target = FieldPath.root('target');
  if (!b.target?.name) errs.push(fieldErrors.required(target.child('name'), ''));
  if (b.target?.kind && b.target.kind !== 'Node') errs.push(fieldErrors.notSupported(target.child('kind'), b.target.kind, ['Node', '<empty>']));
  return errs;
}

// ---------------------------------------------------------------------------
// ReplicationController

/** ValidatePodTemplateSpecForRC: template required, labels must match the selector, restartPolicy Always. */
export function validateRCTemplate(template: PodTemplateSpec | undefined, selector: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  if (!template) return [fieldErrors.required(path, '')];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels ?? {};
  if (selector && Object.keys(selector).length > 0 && !selectorFromSet(selector).matches(labels)) {
    errs.push(fieldErrors.invalid(path.child('metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  if (template.spec?.restartPolicy !== 'Always') errs.push(fieldErrors.notSupported(path.child('spec', 'restartPolicy'), template.spec?.restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined) errs.push(fieldErrors.forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return errs;
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, { namespaced: true });
  const spec = rc.spec;
  if (!spec) return [...errs, fieldErrors.required(specPath, '')];
  errs.push(...nonNegative(spec.replicas, specPath.child('replicas')));
  errs.push(...nonNegative(spec.minReadySeconds, specPath.child('minReadySeconds')));
  if (!spec.selector || Object.keys(spec.selector).length === 0) errs.push(fieldErrors.required(specPath.child('selector'), ''));
  else errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  errs.push(...validateRCTemplate(spec.template, spec.selector, specPath.child('template')));
  return errs;
}

// ---------------------------------------------------------------------------
// Service

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function serviceClusterIPs(svc: Service): string[] {
  const spec = svc.spec ?? {};
  if (spec.clusterIPs && spec.clusterIPs.length > 0) return spec.clusterIPs;
  return spec.clusterIP ? [spec.clusterIP] : [];
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label });
  const spec = svc.spec;
  if (!spec) return [...errs, fieldErrors.required(specPath, '')];
  const type = spec.type ?? '';
  const headless = spec.clusterIP === 'None';
  const ports = spec.ports ?? [];
  errs.push(...enumField(type, SERVICE_TYPES, specPath.child('type')));
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(fieldErrors.required(specPath.child('ports'), ''));

  if (type === 'ExternalName') {
    if (serviceClusterIPs(svc).length > 0) errs.push(fieldErrors.forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
    if (spec.ipFamilies && spec.ipFamilies.length > 0) errs.push(fieldErrors.forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) errs.push(fieldErrors.forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    // A trailing dot marks a fully-qualified CNAME.
    const cname = (spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) errs.push(fieldErrors.required(specPath.child('externalName'), ''));
    else errs.push(...check(specPath.child('externalName'), cname, isDNS1123Subdomain(cname)));
  } else {
    serviceClusterIPs(svc).forEach((ip, i) => {
      const p = specPath.child('clusterIPs').index(i);
      if (ip === 'None') {
        if (i > 0) errs.push(fieldErrors.invalid(p, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        else if (type !== 'ClusterIP') errs.push(fieldErrors.invalid(p, ip, `may not be set to 'None' for ${type} services`));
        return;
      }
      errs.push(...check(p, ip, isValidIP(ip)));
    });
    if (spec.clusterIP && spec.clusterIPs && spec.clusterIPs.length > 0 && spec.clusterIPs[0] !== spec.clusterIP) {
      errs.push(fieldErrors.invalid(specPath.child('clusterIPs').index(0), spec.clusterIPs[0], 'must be equal to spec.clusterIP'));
    }
    if (spec.ipFamilyPolicy) errs.push(...enumField(spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack'], specPath.child('ipFamilyPolicy')));
    (spec.ipFamilies ?? []).forEach((f, i) => errs.push(...enumField(f, ['IPv4', 'IPv6'], specPath.child('ipFamilies').index(i))));
    if (spec.ipFamilies && spec.ipFamilies.length === 2 && spec.ipFamilies[0] === spec.ipFamilies[1]) {
      errs.push(fieldErrors.duplicate(specPath.child('ipFamilies').index(1), spec.ipFamilies[1]));
    }
  }

  const requireName = ports.length > 1;
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const pp = specPath.child('ports').index(i);
    if (requireName && !p.name) errs.push(fieldErrors.required(pp.child('name'), ''));
    else if (p.name) {
      errs.push(...check(pp.child('name'), p.name, isDNS1123Label(p.name)));
      if (names.has(p.name)) errs.push(fieldErrors.duplicate(pp.child('name'), p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p.port)) errs.push(fieldErrors.invalid(pp.child('port'), p.port, m));
    errs.push(...enumField(p.protocol, PROTOCOLS, pp.child('protocol')));
    if (p.targetPort !== undefined) errs.push(...intOrStringPort(p.targetPort, pp.child('targetPort')));
    const key = `${p.protocol}/${p.port}`;
    if (keys.has(key)) errs.push(fieldErrors.duplicate(pp, { port: p.port, protocol: p.protocol }));
    keys.add(key);
    if (p.nodePort) {
      if (type === 'ClusterIP' || type === 'ExternalName') {
        errs.push(fieldErrors.forbidden(pp.child('nodePort'), `may not be used when \`type\` is '${type}'`));
      } else {
        for (const m of isValidPortNum(p.nodePort)) errs.push(fieldErrors.invalid(pp.child('nodePort'), p.nodePort, m));
        const nk = `${p.protocol}/${p.nodePort}`;
        if (nodePorts.has(nk)) errs.push(fieldErrors.duplicate(pp.child('nodePort'), p.nodePort));
        nodePorts.add(nk);
      }
    }
  });

  errs.push(...enumField(spec.sessionAffinity, ['ClientIP', 'None'], specPath.child('sessionAffinity')));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t !== undefined && !(t > 0 && t <= 86400)) {
      errs.push(fieldErrors.invalid(specPath.child('sessionAffinityConfig', 'clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinityConfig) {
    errs.push(fieldErrors.forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }
  errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  (spec.externalIPs ?? []).forEach((ip, i) => errs.push(...check(specPath.child('externalIPs').index(i), ip, isValidIP(ip))));
  if (spec.loadBalancerSourceRanges && spec.loadBalancerSourceRanges.length > 0) {
    if (type !== 'LoadBalancer') errs.push(fieldErrors.forbidden(specPath.child('loadBalancerSourceRanges'), "may only be used when `type` is 'LoadBalancer'"));
    spec.loadBalancerSourceRanges.forEach((c, i) => errs.push(...check(specPath.child('loadBalancerSourceRanges').index(i), c, isValidCIDR(c.trim()))));
  }
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (spec.externalTrafficPolicy) {
    if (!external) errs.push(fieldErrors.invalid(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else errs.push(...enumField(spec.externalTrafficPolicy, ['Cluster', 'Local'], specPath.child('externalTrafficPolicy')));
  } else if (external) errs.push(fieldErrors.required(specPath.child('externalTrafficPolicy'), ''));
  if (type !== 'ExternalName') errs.push(...enumField(spec.internalTrafficPolicy, ['Cluster', 'Local'], specPath.child('internalTrafficPolicy')));
  if (spec.healthCheckNodePort && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    errs.push(fieldErrors.invalid(specPath.child('healthCheckNodePort'), spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && type !== 'LoadBalancer') {
    errs.push(fieldErrors.forbidden(specPath.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

/** ValidateServiceUpdate: allocated cluster IPs may not change (except when switching to/from ExternalName). */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = [...validateObjectMetaUpdate(svc.metadata, old.metadata), ...validateService(svc)];
  const oldIPs = serviceClusterIPs(old);
  const newIPs = serviceClusterIPs(svc);
  const toOrFromExternal = svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName';
  if (!toOrFromExternal && oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(fieldErrors.invalid(specPath.child('clusterIPs').index(0), newIPs, 'may not change once set'));
  }
  return errs;
}

// ---------------------------------------------------------------------------
// Endpoints

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true });
  (ep.subsets ?? []).forEach((s, i) => {
    const sp = FieldPath.root('subsets').index(i);
    if ((s.addresses ?? []).length === 0 && (s.notReadyAddresses ?? []).length === 0) {
      errs.push(fieldErrors.required(sp, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const field of ['addresses', 'notReadyAddresses'] as const) {
      (s[field] ?? []).forEach((a, j) => {
        const ap = sp.child(field).index(j);
        errs.push(...check(ap.child('ip'), a.ip ?? '', isValidIP(a.ip ?? '')));
        if (a.hostname) errs.push(...check(ap.child('hostname'), a.hostname, isDNS1123Label(a.hostname)));
        if (a.nodeName) errs.push(...check(ap.child('nodeName'), a.nodeName, isDNS1123Subdomain(a.nodeName)));
      });
    }
    const requireName = (s.ports ?? []).length > 1;
    (s.ports ?? []).forEach((p, j) => {
      const pp = sp.child('ports').index(j);
      if (requireName && !p.name) errs.push(fieldErrors.required(pp.child('name'), ''));
      else if (p.name) errs.push(...check(pp.child('name'), p.name, isDNS1123Label(p.name)));
      for (const m of isValidPortNum(p.port)) errs.push(fieldErrors.invalid(pp.child('port'), p.port, m));
      errs.push(...enumField(p.protocol, PROTOCOLS, pp.child('protocol')));
    });
  });
  return errs;
}

// ---------------------------------------------------------------------------
// Node, Namespace

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false });
  const spec = node.spec ?? {};
  const cidrs = spec.podCIDRs ?? [];
  cidrs.forEach((c, i) => errs.push(...check(specPath.child('podCIDRs').index(i), c, isValidCIDR(c))));
  if (cidrs.length > 2) errs.push(fieldErrors.invalid(specPath.child('podCIDRs'), cidrs, 'may specify no more than one CIDR for each IP family'));
  if (spec.podCIDR && cidrs.length > 0 && spec.podCIDR !== cidrs[0]) {
    errs.push(fieldErrors.invalid(specPath.child('podCIDR'), spec.podCIDR, 'must be equal to the first entry of spec.podCIDRs'));
  } else if (spec.podCIDR && cidrs.length === 0) errs.push(...check(specPath.child('podCIDR'), spec.podCIDR, isValidCIDR(spec.podCIDR)));
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const tp = specPath.child('taints').index(i);
    if (!t.key) errs.push(fieldErrors.required(tp.child('key'), ''));
    else errs.push(...check(tp.child('key'), t.key, isQualifiedName(t.key)));
    if (t.value) errs.push(...check(tp.child('value'), t.value, isValidLabelValue(t.value)));
    errs.push(...enumField(t.effect, ['NoExecute', 'NoSchedule', 'PreferNoSchedule'], tp.child('effect')));
    const k = `${t.key}\u0000${t.effect}`;
    if (seen.has(k)) errs.push(fieldErrors.duplicate(tp, 'taints must be unique by key and effect pair'));
    seen.add(k);
  });
  return errs;
}

/** ValidateNodeUpdate: podCIDRs may go from empty to set, never change afterwards. */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = [...validateObjectMetaUpdate(node.metadata, old.metadata), ...validateNode(node)];
  const oldCIDRs = old.spec?.podCIDRs ?? (old.spec?.podCIDR ? [old.spec.podCIDR] : []);
  const newCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  if (oldCIDRs.length > 0 && !deepEqual(oldCIDRs, newCIDRs)) {
    errs.push(fieldErrors.forbidden(specPath.child('podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  }
  return errs;
}

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    const fp = specPath.child('finalizers').index(i);
    errs.push(...check(fp, f, isQualifiedName(f)));
  });
  return errs;
}

// ---------------------------------------------------------------------------
// ConfigMap, Secret, ServiceAccount

/** 1 MiB: upstream's MaxSecretSize, also the ConfigMap limit. */
export const MAX_SECRET_SIZE = 1024 * 1024;

function base64Length(s: string): number {
  return Buffer.from(s, 'base64').length;
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true });
  let total = 0;
  const data = asRecord(cm.data);
  const binary = asRecord(cm.binaryData);
  for (const [k, v] of Object.entries(data)) {
    errs.push(...check(FieldPath.root('data').key(k), k, isConfigMapKey(k)));
    if (k in binary) errs.push(fieldErrors.invalid(FieldPath.root('data').key(k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...check(FieldPath.root('binaryData').key(k), k, isConfigMapKey(k)));
    total += base64Length(String(v));
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong(FieldPath.root(''), '', MAX_SECRET_SIZE));
  return errs;
}

/** Immutable ConfigMaps/Secrets: data may not change and `immutable` may not be unset. */
function validateImmutableData(obj: { immutable?: boolean; data?: unknown; binaryData?: unknown }, old: { immutable?: boolean; data?: unknown; binaryData?: unknown }, fields: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(fieldErrors.forbidden(FieldPath.root('immutable'), 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!deepEqual((obj as Record<string, unknown>)[f], (old as Record<string, unknown>)[f])) {
      errs.push(fieldErrors.forbidden(FieldPath.root(f), 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  return [...validateObjectMetaUpdate(cm.metadata, old.metadata), ...validateImmutableData(cm, old, ['data', 'binaryData']), ...validateConfigMap(cm)];
}

/** Keys each well-known secret type requires in `data`. */
const SECRET_REQUIRED_KEYS: Record<string, readonly string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(s: Secret): FieldError[] {
  const errs = validateObjectMeta(s.metadata, { namespaced: true });
  const dataPath = FieldPath.root('data');
  const data = asRecord(s.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...check(dataPath.key(k), k, isConfigMapKey(k)));
    total += base64Length(String(v));
  }
  for (const [k, v] of Object.entries(asRecord(s.stringData))) {
    errs.push(...check(FieldPath.root('stringData').key(k), k, isConfigMapKey(k)));
    total += Buffer.byteLength(String(v));
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldErrors.tooLong(dataPath, '', MAX_SECRET_SIZE));
  const has = (k: string) => k in data || k in asRecord(s.stringData);
  const type = s.type ?? 'Opaque';
  if (type === 'kubernetes.io/service-account-token') {
    const ann = 'kubernetes.io/service-account.name';
    if (!s.metadata?.annotations?.[ann]) errs.push(fieldErrors.required(metadata.child('annotations').key(ann), ''));
  } else if (type === 'kubernetes.io/basic-auth') {
    if (!has('username') && !has('password')) errs.push(fieldErrors.required(dataPath.key('username'), ''), fieldErrors.required(dataPath.key('password'), ''));
  } else if (type === 'bootstrap.kubernetes.io/token') {
    // Token secrets are free-form beyond their keys; the bootstrap authenticator checks them.
  }
  for (const k of SECRET_REQUIRED_KEYS[type] ?? []) if (!has(k)) errs.push(fieldErrors.required(dataPath.key(k), ''));
  if (type === 'kubernetes.io/dockerconfigjson' && data['.dockerconfigjson']) {
    try {
      JSON.parse(Buffer.from(data['.dockerconfigjson'], 'base64').toString('utf8'));
    } catch (e) {
      errs.push(fieldErrors.invalid(dataPath.key('.dockerconfigjson'), '<secret contents redacted>', (e as Error).message));
    }
  }
  return errs;
}

export function validateSecretUpdate(s: Secret, old: Secret): FieldError[] {
  const errs = [...validateObjectMetaUpdate(s.metadata, old.metadata), ...validateSecret(s)];
  errs.push(...immutable(s.type ?? 'Opaque', old.type ?? 'Opaque', FieldPath.root('type')));
  errs.push(...validateImmutableData(s, old, ['data']));
  return errs;
}

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, { namespaced: true });
}

// ---------------------------------------------------------------------------
// PersistentVolume(Claim), LimitRange, ResourceQuota, Event

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, { namespaced: false, nameFn: validatePathSegmentName });
  const spec = pv.spec;
  if (!spec) return [...errs, fieldErrors.required(specPath, '')];
  if (!spec.accessModes || spec.accessModes.length === 0) errs.push(fieldErrors.required(specPath.child('accessModes'), ''));
  (spec.accessModes ?? []).forEach((m) => {
    if (!ACCESS_MODES.includes(m)) errs.push(fieldErrors.notSupported(specPath.child('accessModes'), m, ACCESS_MODES));
  });
  const cap = asRecord(spec.capacity);
  if (Object.keys(cap).length === 0) errs.push(fieldErrors.required(specPath.child('capacity'), ''));
  else if (!('storage' in cap)) errs.push(fieldErrors.notSupported(specPath.child('capacity'), Object.keys(cap), ['storage']));
  for (const [k, v] of Object.entries(cap)) quantityAt(v, specPath.child('capacity').key(k), errs);
  const sources = (['hostPath', 'nfs', 'local', 'csi'] as const).filter((k) => spec[k]);
  if (sources.length === 0) errs.push(fieldErrors.required(specPath, 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(fieldErrors.forbidden(specPath.child(extra), 'may not specify more than 1 volume type'));
  if (spec.persistentVolumeReclaimPolicy) errs.push(...enumField(spec.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain'], specPath.child('persistentVolumeReclaimPolicy')));
  if (spec.storageClassName) errs.push(...check(specPath.child('storageClassName'), spec.storageClassName, isDNS1123Subdomain(spec.storageClassName)));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, { namespaced: true });
  const spec = pvc.spec;
  if (!spec) return [...errs, fieldErrors.required(specPath, '')];
  if (!spec.accessModes || spec.accessModes.length === 0) errs.push(fieldErrors.required(specPath.child('accessModes'), 'at least 1 access mode is required'));
  (spec.accessModes ?? []).forEach((m) => {
    if (!ACCESS_MODES.includes(m)) errs.push(fieldErrors.notSupported(specPath.child('accessModes'), m, ACCESS_MODES));
  });
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) errs.push(fieldErrors.required(specPath.child('resources').key('storage'), ''));
  else {
    const q = quantityAt(storage, specPath.child('resources', 'requests').key('storage'), errs);
    if (q && q.sign() <= 0) errs.push(fieldErrors.invalid(specPath.child('resources', 'requests').key('storage'), storage, 'must be greater than zero'));
  }
  if (spec.storageClassName) errs.push(...check(specPath.child('storageClassName'), spec.storageClassName, isDNS1123Subdomain(spec.storageClassName)));
  return errs;
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, { namespaced: true });
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const ip = specPath.child('limits').index(i);
    errs.push(...enumField(item.type, ['Container', 'PersistentVolumeClaim', 'Pod'], ip.child('type')));
    if (seen.has(item.type)) errs.push(fieldErrors.duplicate(ip.child('type'), item.type));
    seen.add(item.type);
    const parse = (m: Record<string, string> | undefined, f: string): Map<string, Quantity> => {
      const out = new Map<string, Quantity>();
      for (const [k, v] of Object.entries(asRecord(m))) {
        const q = quantityAt(v, ip.child(f).key(k), errs);
        if (q) out.set(k, q);
      }
      return out;
    };
    const min = parse(item.min, 'min');
    const max = parse(item.max, 'max');
    const def = parse(item.default, 'default');
    const defReq = parse(item.defaultRequest, 'defaultRequest');
    for (const [k, lo] of min) {
      const hi = max.get(k);
      if (hi && lo.cmp(hi) > 0) errs.push(fieldErrors.invalid(ip.child('min').key(k), lo.toString(), `min value ${lo.toString()} is greater than max value ${hi.toString()}`));
    }
    for (const [k, d] of defReq) {
      const dl = def.get(k);
      if (dl && d.cmp(dl) > 0) errs.push(fieldErrors.invalid(ip.child('defaultRequest').key(k), d.toString(), `default request value ${d.toString()} is greater than default limit value ${dl.toString()}`));
    }
  });
  return errs;
}

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, { namespaced: true });
  for (const [k, v] of Object.entries(asRecord(rq.spec?.hard))) {
    const p = specPath.child('hard').key(k);
    const q = quantityAt(v, p, errs);
    if (q && q.sign() < 0) errs.push(fieldErrors.invalid(p, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateEvent(ev: Event): FieldError[] {
  // Event names are generated (`pod.17a3…`) and follow the subdomain rule.
  const errs = validateObjectMeta(ev.metadata, { namespaced: true });
  const io = ev.involvedObject;
  const ns = ev.metadata?.namespace;
  if (!io) errs.push(fieldErrors.required(FieldPath.root('involvedObject'), ''));
  else if (io.namespace && ns && io.namespace !== ns) {
    errs.push(fieldErrors.invalid(FieldPath.root('involvedObject').child('namespace'), io.namespace, 'does not match event.namespace'));
  }
  if (ev.type && !['Normal', 'Warning'].includes(ev.type)) errs.push(fieldErrors.notSupported(FieldPath.root('type'), ev.type, ['Normal', 'Warning']));
  if (ev.reason && ev.reason.length > 128) errs.push(fieldErrors.tooLong(FieldPath.root('reason'), ev.reason, 128));
  return errs;
}

/** Generic update: metadata rules plus the create rules. */
export function withMetaUpdate<T extends { metadata?: ObjectMeta }>(validate: (o: T) => FieldError[]): (o: T, old: T) => FieldError[] {
  return (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validate(o)];
}
