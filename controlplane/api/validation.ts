/**
 * Validation by GVK: the apiserver calls `validate(gvk, obj)` on create and
 * `validate(gvk, obj, old)` on update, after defaulting, and turns a
 * non-empty result into one 422 Invalid Status.
 *
 * Validators are pure: they never throw (even on malformed input) and never
 * mutate. Kinds without an entry get only ObjectMeta checks, chosen from the
 * scheme's scope, so nothing reaches the store unvalidated.
 */
import type { FieldError } from '../machinery/errors.js';
import type { ObjectMeta } from '../machinery/meta/types.js';
import { fieldErrors, FieldPath } from '../machinery/errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../machinery/meta/validation.js';
import { scheme as defaultScheme, type GroupVersionKind, type Scheme } from './scheme.js';
import * as core from './core/v1/validation.js';
import * as apps from './apps/v1/validation.js';
import * as batch from './batch/v1/validation.js';
import * as autoscaling from './autoscaling/v1/validation.js';
import * as networking from './networking/v1/validation.js';
import * as rbac from './rbac/v1/validation.js';
import * as coordination from './coordination/v1/validation.js';
import * as storage from './storage/v1/validation.js';
import * as discovery from './discovery/v1/validation.js';
import * as policy from './policy/v1/validation.js';
import * as certificates from './certificates/v1/validation.js';
import * as authorization from './authorization/v1/validation.js';

/** A kind's validators. `update` defaults to metadata-update rules plus `create`. */
interface KindValidators {
  // Each entry only ever sees objects of its own kind (the GVK key guarantees
  // it), so the registry stores them with an erased parameter type.
  create: (obj: never) => FieldError[];
  update?: (obj: never, old: never) => FieldError[];
}

const V: Record<string, KindValidators> = {
  '/v1/Pod': { create: core.validatePod, update: core.validatePodUpdate },
  '/v1/PodTemplate': { create: core.validatePodTemplate },
  '/v1/Binding': { create: core.validateBinding },
  '/v1/ReplicationController': { create: core.validateReplicationController },
  '/v1/Service': { create: core.validateService, update: core.validateServiceUpdate },
  '/v1/Endpoints': { create: core.validateEndpoints },
  '/v1/Node': { create: core.validateNode, update: core.validateNodeUpdate },
  '/v1/Namespace': { create: core.validateNamespace },
  '/v1/ConfigMap': { create: core.validateConfigMap, update: core.validateConfigMapUpdate },
  '/v1/Secret': { create: core.validateSecret, update: core.validateSecretUpdate },
  '/v1/ServiceAccount': { create: core.validateServiceAccount },
  '/v1/PersistentVolume': { create: core.validatePersistentVolume },
  '/v1/PersistentVolumeClaim': { create: core.validatePersistentVolumeClaim },
  '/v1/LimitRange': { create: core.validateLimitRange },
  '/v1/ResourceQuota': { create: core.validateResourceQuota },
  '/v1/Event': { create: core.validateEvent },
  'apps/v1/Deployment': { create: apps.validateDeployment, update: apps.validateDeploymentUpdate },
  'apps/v1/ReplicaSet': { create: apps.validateReplicaSet, update: apps.validateReplicaSetUpdate },
  'apps/v1/StatefulSet': { create: apps.validateStatefulSet, update: apps.validateStatefulSetUpdate },
  'apps/v1/DaemonSet': { create: apps.validateDaemonSet, update: apps.validateDaemonSetUpdate },
  'apps/v1/ControllerRevision': { create: apps.validateControllerRevision, update: apps.validateControllerRevisionUpdate },
  'batch/v1/Job': { create: batch.validateJob, update: batch.validateJobUpdate },
  'batch/v1/CronJob': { create: batch.validateCronJob, update: batch.validateCronJobUpdate },
  'autoscaling/v1/HorizontalPodAutoscaler': { create: autoscaling.validateHorizontalPodAutoscaler, update: autoscaling.validateHorizontalPodAutoscalerUpdate },
  'autoscaling/v1/Scale': { create: autoscaling.validateScale, update: autoscaling.validateScale },
  'networking.k8s.io/v1/Ingress': { create: networking.validateIngress },
  'networking.k8s.io/v1/IngressClass': { create: networking.validateIngressClass, update: networking.validateIngressClassUpdate },
  'networking.k8s.io/v1/NetworkPolicy': { create: networking.validateNetworkPolicy },
  'rbac.authorization.k8s.io/v1/Role': { create: rbac.validateRole },
  'rbac.authorization.k8s.io/v1/ClusterRole': { create: rbac.validateClusterRole },
  'rbac.authorization.k8s.io/v1/RoleBinding': { create: rbac.validateRoleBinding, update: rbac.validateBindingUpdate(rbac.validateRoleBinding) },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    create: rbac.validateClusterRoleBinding,
    update: rbac.validateBindingUpdate(rbac.validateClusterRoleBinding),
  },
  'coordination.k8s.io/v1/Lease': { create: coordination.validateLease },
  'storage.k8s.io/v1/StorageClass': { create: storage.validateStorageClass, update: storage.validateStorageClassUpdate },
  'discovery.k8s.io/v1/EndpointSlice': { create: discovery.validateEndpointSlice, update: discovery.validateEndpointSliceUpdate },
  'policy/v1/PodDisruptionBudget': { create: policy.validatePodDisruptionBudget, update: policy.validatePodDisruptionBudgetUpdate },
  'policy/v1/Eviction': { create: policy.validateEviction },
  'certificates.k8s.io/v1/CertificateSigningRequest': {
    create: certificates.validateCertificateSigningRequest,
    update: certificates.validateCertificateSigningRequestUpdate,
  },
  'authorization.k8s.io/v1/SubjectAccessReview': { create: authorization.validateSubjectAccessReview },
  'authorization.k8s.io/v1/LocalSubjectAccessReview': { create: authorization.validateLocalSubjectAccessReview },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { create: authorization.validateSelfSubjectAccessReview },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { create: authorization.validateSelfSubjectRulesReview },
};

/** Kinds that are requests, not stored objects: no ObjectMeta rules apply. */
const METALESS = new Set(['TokenReview', 'TokenRequest', 'SelfSubjectReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'Scale', 'Eviction', 'Binding']);

function key(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

export function hasValidator(gvk: GroupVersionKind): boolean {
  return key(gvk) in V;
}

/**
 * Validates obj (create) or the obj/old pair (update). Never throws: a bug or
 * a body far from its type becomes an InternalError field error instead.
 */
export function validate(gvk: GroupVersionKind, obj: unknown, old?: unknown, sch: Scheme = defaultScheme): FieldError[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [fieldErrors.invalid(FieldPath.root(''), obj ?? null, 'must be an object')];
  try {
    const v = V[key(gvk)];
    if (v) {
      if (old === undefined) return (v.create as (o: unknown) => FieldError[])(obj);
      if (v.update) return (v.update as (o: unknown, p: unknown) => FieldError[])(obj, old);
      const meta = (o: unknown) => (o as { metadata?: ObjectMeta }).metadata;
      const errs = METALESS.has(gvk.kind) ? [] : validateObjectMetaUpdate(meta(obj), meta(old));
      return [...errs, ...(v.create as (o: unknown) => FieldError[])(obj)];
    }
    if (METALESS.has(gvk.kind)) return [];
    const info = sch.forKind(gvk);
    const meta = (obj as { metadata?: ObjectMeta }).metadata;
    const errs = validateObjectMeta(meta, { namespaced: info?.namespaced ?? true });
    if (old !== undefined) errs.push(...validateObjectMetaUpdate(meta, (old as { metadata?: ObjectMeta }).metadata));
    return errs;
  } catch (e) {
    return [fieldErrors.internal(FieldPath.root(''), e instanceof Error ? e : new Error(String(e)))];
  }
}
