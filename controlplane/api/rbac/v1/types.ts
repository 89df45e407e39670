/** rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding. */
import type { LabelSelector, ListMeta, ObjectMeta } from '../../../machinery/meta/types.js';
import type { TypedObject } from '../../core/v1/types.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}
export interface RoleRef {
  apiGroup: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface Role extends TypedObject {
  metadata: ObjectMeta;
  rules?: PolicyRule[];
}
export interface RoleList extends TypedObject {
  metadata: ListMeta;
  items: Role[];
}
export interface AggregationRule {
  clusterRoleSelectors?: LabelSelector[];
}
export interface ClusterRole extends TypedObject {
  metadata: ObjectMeta;
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule;
}
export interface ClusterRoleList extends TypedObject {
  metadata: ListMeta;
  items: ClusterRole[];
}
export interface RoleBinding extends TypedObject {
  metadata: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
}
export interface RoleBindingList extends TypedObject {
  metadata: ListMeta;
  items: RoleBinding[];
}
export interface ClusterRoleBinding extends TypedObject {
  metadata: ObjectMeta;
  subjects?: Subject[];
  roleRef: RoleRef;
}
export interface ClusterRoleBindingList extends TypedObject {
  metadata: ListMeta;
  items: ClusterRoleBinding[];
}
