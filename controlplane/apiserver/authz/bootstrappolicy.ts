/**
 * The ClusterRoles and ClusterRoleBindings upstream's RBAC bootstrap creates
 * at start (plugin/pkg/auth/authorizer/rbac/bootstrappolicy, v1.8 shapes:
 * admin/edit/view carry their rules, not aggregation; system:node is bound to
 * nobody — the Node authorizer serves kubelets). Missing ones are created;
 * existing ones are left alone, so operators' edits survive restarts.
 */
import { StatusError } from '../../machinery/errors.js';
import type { ObjectAccess } from '../admission/objects.js';
import type { Obj } from '../registry/types.js';
import { RBAC_GROUP } from './rbac.js';
import type { PolicyRule } from './rules.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL_RW = [...READ, ...WRITE];

const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const nr = (verbs: string[], urls: string[]): PolicyRule => ({ verbs, nonResourceURLs: urls });

const viewRules: PolicyRule[] = [
  r(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'namespaces']),
  r(READ, ['apps'], ['daemonsets', 'deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  r(READ, ['autoscaling'], ['horizontalpodautoscalers']),
  r(READ, ['batch'], ['cronjobs', 'jobs']),
  r(READ, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
  r(READ, ['policy'], ['poddisruptionbudgets']),
  r(READ, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  r(READ, ['discovery.k8s.io'], ['endpointslices']),
  // metrics-server's system:aggregated-metrics-reader (aggregated into view, edit and admin upstream).
  r(READ, ['metrics.k8s.io'], ['pods', 'nodes']),
];

const editRules: PolicyRule[] = [
  r(ALL_RW, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  r(ALL_RW, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'secrets']),
  r(['create'], [''], ['pods/eviction']),
  r(['impersonate'], [''], ['serviceaccounts']),
  r(ALL_RW, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
  r(ALL_RW, ['autoscaling'], ['horizontalpodautoscalers']),
  r(ALL_RW, ['batch'], ['cronjobs', 'jobs']),
  r(ALL_RW, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
  r(ALL_RW, ['policy'], ['poddisruptionbudgets']),
  r(ALL_RW, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  r(READ, [''], ['secrets']),
  ...viewRules,
];

const adminRules: PolicyRule[] = [
  r(ALL_RW, [RBAC_GROUP], ['roles', 'rolebindings']),
  r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  ...editRules,
];

/** What kubelets may do (also the Node authorizer's static rules). */
export const nodeRules: PolicyRule[] = [
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  r(READ, [''], ['services', 'endpoints']),
  r(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  r(['update', 'patch'], [''], ['nodes/status']),
  r(['update', 'patch', 'delete'], [''], ['nodes']),
  r(['create', 'update', 'patch'], [''], ['events']),
  r(READ, [''], ['pods']),
  r(['create', 'delete'], [''], ['pods']),
  r(['update', 'patch'], [''], ['pods/status']),
  r(['create'], [''], ['pods/eviction']),
  r(['get'], [''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']),
  r(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
  r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  r(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  r(['get'], ['storage.k8s.io'], ['volumeattachments']),
  r(READ, ['storage.k8s.io'], ['csidrivers', 'csinodes', 'storageclasses']),
  r(READ, ['node.k8s.io'], ['runtimeclasses']),
];

const controllerManagerRules: PolicyRule[] = [
  r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  r(['create'], [''], ['endpoints']),
  r(['get', 'update', 'patch', 'delete'], [''], ['endpoints'], ['kube-controller-manager']),
  r(['create'], ['coordination.k8s.io'], ['leases']),
  r(['get', 'update', 'patch'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
  r(['create'], [''], ['secrets', 'serviceaccounts']),
  r(['delete'], [''], ['secrets']),
  r(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
  r(['update'], [''], ['secrets', 'serviceaccounts']),
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  r(['list', 'watch'], ['*'], ['*']),
  r(['create'], [''], ['serviceaccounts/token']),
];

const schedulerRules: PolicyRule[] = [
  r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events']),
  r(['create'], [''], ['endpoints']),
  r(['get', 'update', 'patch', 'delete'], [''], ['endpoints'], ['kube-scheduler']),
  r(['create'], ['coordination.k8s.io'], ['leases']),
  r(['get', 'update', 'patch'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
  r(READ, [''], ['nodes']),
  r(['get', 'list', 'watch', 'delete'], [''], ['pods']),
  r(['create'], [''], ['bindings', 'pods/binding']),
  r(['patch', 'update'], [''], ['pods/status']),
  r(READ, [''], ['replicationcontrollers', 'services', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps']),
  r(READ, ['apps', 'extensions'], ['replicasets', 'statefulsets']),
  r(READ, ['policy'], ['poddisruptionbudgets']),
  r(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
  r(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
];

function role(name: string, rules: PolicyRule[]): Obj {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    rules,
  };
}

function binding(name: string, roleName: string, subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[]): Obj {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects: subjects.map((s) => (s.kind === 'ServiceAccount' ? s : { apiGroup: RBAC_GROUP, ...s })),
  };
}

export function bootstrapClusterRoles(): Obj[] {
  return [
    role('cluster-admin', [r(['*'], ['*'], ['*']), nr(['*'], ['*'])]),
    role('system:discovery', [nr(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/', '/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/swaggerapi', '/swaggerapi/*', '/swagger.json', '/swagger-2.0.0.pb-v1'])]),
    role('system:public-info-viewer', [nr(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    role('system:basic-user', [r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])]),
    role('admin', adminRules),
    role('edit', editRules),
    role('view', viewRules),
    role('system:node', nodeRules),
    role('system:node-proxier', [r(READ, [''], ['endpoints', 'services', 'nodes']), r(READ, ['discovery.k8s.io'], ['endpointslices']), r(['create', 'patch', 'update'], ['', 'events.k8s.io'], ['events'])]),
    role('system:node-bootstrapper', [r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])]),
    role('system:kube-scheduler', schedulerRules),
    role('system:kube-controller-manager', controllerManagerRules),
    role('system:kube-dns', [r(['list', 'watch'], [''], ['endpoints', 'services'])]),
    role('system:auth-delegator', [r(['create'], ['authentication.k8s.io'], ['tokenreviews']), r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])]),
    role('system:heapster', [r(READ, [''], ['events', 'namespaces', 'nodes', 'pods']), r(READ, ['extensions', 'apps'], ['deployments'])]),
    role('system:persistent-volume-provisioner', [r(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']), r(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']), r(READ, ['storage.k8s.io'], ['storageclasses']), r(['watch', 'create', 'update', 'patch'], [''], ['events'])]),
    role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])]),
    role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [r(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])]),
  ];
}

export function bootstrapClusterRoleBindings(): Obj[] {
  const everyone = [{ kind: 'Group' as const, name: 'system:authenticated' }, { kind: 'Group' as const, name: 'system:unauthenticated' }];
  return [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    // 1.8: discovery and basic-user for everyone (1.14 narrowed discovery to authenticated users).
    binding('system:discovery', 'system:discovery', everyone),
    binding('system:basic-user', 'system:basic-user', everyone),
    binding('system:public-info-viewer', 'system:public-info-viewer', everyone),
    binding('system:node', 'system:node', []),
    binding('system:node-proxier', 'system:node-proxier', [{ kind: 'User', name: 'system:kube-proxy' }]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [{ kind: 'User', name: 'system:kube-controller-manager' }]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [{ kind: 'User', name: 'system:kube-scheduler' }]),
    binding('system:kube-dns', 'system:kube-dns', [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }]),
  ];
}

/** Creates the default roles and bindings that are missing; returns the names created. */
export async function ensureBootstrapPolicy(objects: ObjectAccess): Promise<string[]> {
  const created: string[] = [];
  const put = async (resource: string, o: Obj) => {
    if (await objects.get(RBAC_GROUP, resource, '', o.metadata!.name!)) return;
    try {
      await objects.create(RBAC_GROUP, resource, '', o);
      created.push(`${resource}/${o.metadata!.name!}`);
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === 'AlreadyExists')) throw e;
    }
  };
  for (const o of bootstrapClusterRoles()) await put('clusterroles', o);
  for (const o of bootstrapClusterRoleBindings()) await put('clusterrolebindings', o);
  return created;
}
