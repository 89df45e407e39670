/**
 * Which message carries which apiVersion/kind, and the registry of all schemas.
 * `<Kind>List` of every kind here is understood too (ListMeta 1, items 2, as upstream's lists are),
 * and DeleteOptions in any group version (it is registered in all of them).
 */
import { SchemaRegistry } from './schema.js';
import { meta } from './schema/meta.js';
import { core } from './schema/core.js';
import { apps } from './schema/apps.js';
import { batch } from './schema/batch.js';
import { autoscalingV1, autoscalingV2 } from './schema/autoscaling.js';
import { rbac } from './schema/rbac.js';
import { networking } from './schema/networking.js';
import { authentication, authorization, certificates, coordination, discovery, policy, scheduling } from './schema/small.js';

/** apiVersion → package name in the registry → the kinds it serves. */
const KINDS: Readonly<Record<string, { pkg: string; kinds: readonly string[] }>> = {
  v1: {
    pkg: 'core',
    kinds: [
      'ConfigMap', 'Secret', 'Namespace', 'ServiceAccount', 'Service', 'Endpoints', 'Pod', 'PodTemplate', 'Node', 'Event',
      'Binding', 'ResourceQuota', 'LimitRange', 'PersistentVolumeClaim', 'ReplicationController',
    ],
  },
  'apps/v1': { pkg: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'ControllerRevision'] },
  'batch/v1': { pkg: 'batch', kinds: ['Job', 'CronJob'] },
  'autoscaling/v1': { pkg: 'autoscalingv1', kinds: ['HorizontalPodAutoscaler', 'Scale'] },
  'autoscaling/v2': { pkg: 'autoscalingv2', kinds: ['HorizontalPodAutoscaler'] },
  'rbac.authorization.k8s.io/v1': { pkg: 'rbac', kinds: ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'] },
  'networking.k8s.io/v1': { pkg: 'networking', kinds: ['Ingress', 'IngressClass'] },
  'policy/v1': { pkg: 'policy', kinds: ['PodDisruptionBudget', 'Eviction'] },
  'scheduling.k8s.io/v1': { pkg: 'scheduling', kinds: ['PriorityClass'] },
  'certificates.k8s.io/v1': { pkg: 'certificates', kinds: ['CertificateSigningRequest'] },
  'authorization.k8s.io/v1': {
    pkg: 'authorization',
    kinds: ['SelfSubjectAccessReview', 'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'],
  },
  'authentication.k8s.io/v1': { pkg: 'authentication', kinds: ['SelfSubjectReview', 'TokenRequest', 'TokenReview'] },
  'coordination.k8s.io/v1': { pkg: 'coordination', kinds: ['Lease'] },
  'discovery.k8s.io/v1': { pkg: 'discovery', kinds: ['EndpointSlice'] },
};

/** Kinds that exist in every group version and live in meta. Status is served as `v1` only, but is harmless elsewhere. */
const META_KINDS: readonly string[] = ['Status', 'DeleteOptions'];

export const registry = new SchemaRegistry([
  meta, core, apps, batch, autoscalingV1, autoscalingV2, rbac, networking, policy, scheduling, certificates, authorization,
  authentication, coordination, discovery,
]);

/** What to decode or encode for one apiVersion/kind: a plain message, or a list of one. */
export type KindSchema = { readonly list: false; readonly message: string } | { readonly list: true; readonly item: string };

export function kindSchema(apiVersion: string, kind: string): KindSchema | undefined {
  if (META_KINDS.includes(kind)) return { list: false, message: `meta.${kind}` };
  const group = KINDS[apiVersion];
  if (!group) return undefined;
  if (group.kinds.includes(kind)) return { list: false, message: `${group.pkg}.${kind}` };
  if (kind.endsWith('List') && group.kinds.includes(kind.slice(0, -4))) return { list: true, item: `${group.pkg}.${kind.slice(0, -4)}` };
  return undefined;
}

/** Every apiVersion/kind with a schema (lists not included), for discovery and tests. */
export function protobufKinds(): Array<{ apiVersion: string; kind: string }> {
  return Object.entries(KINDS).flatMap(([apiVersion, { kinds }]) => kinds.map((kind) => ({ apiVersion, kind })));
}
