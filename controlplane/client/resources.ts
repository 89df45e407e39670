/**
 * Typed handles for resources: a ResourceRef<T> is (group, version, resource)
 * carrying the object type T only at compile time, so
 * `client.resource(pods, 'default').get('web')` is typed Pod without casts.
 * Any scheme resource works through ref<T>(group, version, resource); these
 * are the ones daemons use.
 */
import type * as apps from '../api/apps/v1/types.js';
import type * as autoscaling from '../api/autoscaling/v1/types.js';
import type * as batch from '../api/batch/v1/types.js';
import type * as certificates from '../api/certificates/v1/types.js';
import type * as coordination from '../api/coordination/v1/types.js';
import type * as core from '../api/core/v1/types.js';
import type * as discovery from '../api/discovery/v1/types.js';
import type * as networking from '../api/networking/v1/types.js';
import type * as policy from '../api/policy/v1/types.js';
import type * as rbac from '../api/rbac/v1/types.js';
import type * as storage from '../api/storage/v1/types.js';
import type { KubeObject } from '../machinery/meta/types.js';

export interface ResourceRef<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  /** The plural, as in URLs. */
  readonly resource: string;
  /** Phantom: never set; carries T. */
  readonly __type?: T;
}

export function ref<T extends KubeObject>(group: string, version: string, resource: string): ResourceRef<T> {
  return Object.freeze({ group, version, resource });
}

/** `pods`, `deployments.apps`: a resource's printable name. */
export function refString(r: ResourceRef<KubeObject>): string {
  return r.group ? `${r.resource}.${r.version}.${r.group}` : `${r.resource}.${r.version}`;
}

export const resources = {
  pods: ref<core.Pod>('', 'v1', 'pods'),
  nodes: ref<core.Node>('', 'v1', 'nodes'),
  services: ref<core.Service>('', 'v1', 'services'),
  endpoints: ref<core.Endpoints>('', 'v1', 'endpoints'),
  events: ref<core.Event>('', 'v1', 'events'),
  namespaces: ref<core.Namespace>('', 'v1', 'namespaces'),
  configmaps: ref<core.ConfigMap>('', 'v1', 'configmaps'),
  secrets: ref<core.Secret>('', 'v1', 'secrets'),
  serviceaccounts: ref<core.ServiceAccount>('', 'v1', 'serviceaccounts'),
  persistentvolumes: ref<core.PersistentVolume>('', 'v1', 'persistentvolumes'),
  persistentvolumeclaims: ref<core.PersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims'),
  replicationcontrollers: ref<core.ReplicationController>('', 'v1', 'replicationcontrollers'),
  resourcequotas: ref<core.ResourceQuota>('', 'v1', 'resourcequotas'),
  limitranges: ref<core.LimitRange>('', 'v1', 'limitranges'),
  podtemplates: ref<core.PodTemplate>('', 'v1', 'podtemplates'),
  deployments: ref<apps.Deployment>('apps', 'v1', 'deployments'),
  replicasets: ref<apps.ReplicaSet>('apps', 'v1', 'replicasets'),
  statefulsets: ref<apps.StatefulSet>('apps', 'v1', 'statefulsets'),
  daemonsets: ref<apps.DaemonSet>('apps', 'v1', 'daemonsets'),
  controllerrevisions: ref<apps.ControllerRevision>('apps', 'v1', 'controllerrevisions'),
  jobs: ref<batch.Job>('batch', 'v1', 'jobs'),
  cronjobs: ref<batch.CronJob>('batch', 'v1', 'cronjobs'),
  horizontalpodautoscalers: ref<autoscaling.HorizontalPodAutoscaler>('autoscaling', 'v1', 'horizontalpodautoscalers'),
  leases: ref<coordination.Lease>('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: ref<discovery.EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices'),
  ingresses: ref<networking.Ingress>('networking.k8s.io', 'v1', 'ingresses'),
  networkpolicies: ref<networking.NetworkPolicy>('networking.k8s.io', 'v1', 'networkpolicies'),
  poddisruptionbudgets: ref<policy.PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets'),
  certificatesigningrequests: ref<certificates.CertificateSigningRequest>('certificates.k8s.io', 'v1', 'certificatesigningrequests'),
  storageclasses: ref<storage.StorageClass>('storage.k8s.io', 'v1', 'storageclasses'),
  roles: ref<rbac.Role>('rbac.authorization.k8s.io', 'v1', 'roles'),
  clusterroles: ref<rbac.ClusterRole>('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
  rolebindings: ref<rbac.RoleBinding>('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  clusterrolebindings: ref<rbac.ClusterRoleBinding>('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
} as const;
