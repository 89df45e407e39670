/**
 * rbac.authorization.k8s.io/v1 messages. Field syntax: see ../schema.ts.
 */
import type { PackageSchema } from '../schema.js';

export const rbac: PackageSchema = {
  name: 'rbac',
  messages: {
    PolicyRule: 'verbs=1:[s]! apiGroups=2:[s] resources=3:[s] resourceNames=4:[s] nonResourceURLs=5:[s]',
    Subject: 'kind=1:s! apiGroup=2:s name=3:s! namespace=4:s',
    RoleRef: 'apiGroup=1:s! kind=2:s! name=3:s!',
    Role: 'metadata=1:ObjectMeta rules=2:[PolicyRule]!',
    RoleBinding: 'metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef',
    ClusterRole: 'metadata=1:ObjectMeta rules=2:[PolicyRule]! aggregationRule=3:AggregationRule?',
    AggregationRule: 'clusterRoleSelectors=1:[LabelSelector]',
    ClusterRoleBinding: 'metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef',
  },
};
