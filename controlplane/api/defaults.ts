/**
 * Defaulting by GVK: the apiserver calls `applyDefaults(gvk, obj)` on every
 * decoded create/update body before validation.
 *
 * applyDefaults MUTATES `obj` in place and returns it; clone first when the
 * object is shared. Kinds without a defaulter are left untouched.
 */
import type { GroupVersionKind } from './scheme.js';
import * as core from './core/v1/defaults.js';
import * as apps from './apps/v1/defaults.js';
import * as batch from './batch/v1/defaults.js';
import * as autoscaling from './autoscaling/v1/defaults.js';
import * as networking from './networking/v1/defaults.js';
import * as rbac from './rbac/v1/defaults.js';
import * as storage from './storage/v1/defaults.js';
import * as scheduling from './scheduling/v1/defaults.js';
import * as discovery from './discovery/v1/defaults.js';

/** A defaulter takes the decoded object of its kind. The registry is keyed by `group/version/kind`. */
// The registry is heterogeneous by construction: each entry is only ever
// called with objects of its own kind, which the GVK key guarantees.
type Defaulter = (obj: never) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/v1/Pod': core.defaultPod,
  '/v1/PodTemplate': core.defaultPodTemplate,
  '/v1/ReplicationController': core.defaultReplicationController,
  '/v1/Service': core.defaultService,
  '/v1/Endpoints': core.defaultEndpoints,
  '/v1/Namespace': core.defaultNamespace,
  '/v1/Node': core.defaultNode,
  '/v1/Secret': core.defaultSecret,
  '/v1/ConfigMap': core.defaultConfigMap,
  '/v1/PersistentVolume': core.defaultPersistentVolume,
  '/v1/PersistentVolumeClaim': core.defaultPersistentVolumeClaim,
  '/v1/LimitRange': core.defaultLimitRange,
  'apps/v1/Deployment': apps.defaultDeployment,
  'apps/v1/ReplicaSet': apps.defaultReplicaSet,
  'apps/v1/StatefulSet': apps.defaultStatefulSet,
  'apps/v1/DaemonSet': apps.defaultDaemonSet,
  'apps/v1/ControllerRevision': apps.defaultControllerRevision,
  'batch/v1/Job': batch.defaultJob,
  'batch/v1/CronJob': batch.defaultCronJob,
  'autoscaling/v1/HorizontalPodAutoscaler': autoscaling.defaultHorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': networking.defaultNetworkPolicy,
  'rbac.authorization.k8s.io/v1/RoleBinding': rbac.defaultBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': rbac.defaultBinding,
  'storage.k8s.io/v1/StorageClass': storage.defaultStorageClass,
  'scheduling.k8s.io/v1/PriorityClass': scheduling.defaultPriorityClass,
  'discovery.k8s.io/v1/EndpointSlice': discovery.defaultEndpointSlice,
};

/** Whether a kind has upstream defaults in kubets. */
export function hasDefaulter(gvk: GroupVersionKind): boolean {
  return `${gvk.group}/${gvk.version}/${gvk.kind}` in DEFAULTERS;
}

/** Applies upstream's defaults for the kind. Mutates and returns obj. */
export function applyDefaults<T>(gvk: GroupVersionKind, obj: T): T {
  const d = DEFAULTERS[`${gvk.group}/${gvk.version}/${gvk.kind}`];
  if (d && obj !== null && typeof obj === 'object') (d as (o: unknown) => void)(obj);
  return obj;
}
