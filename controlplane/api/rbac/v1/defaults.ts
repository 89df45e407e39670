/** rbac.authorization.k8s.io/v1 defaulting (upstream pkg/apis/rbac/v1/defaults.go). Mutates. */
import { setDefaultString } from '../../defaulting.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from './types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

function defaultSubject(s: Subject): void {
  // Users and groups live in the RBAC group; service accounts in the core group.
  if ((s.apiGroup === undefined || s.apiGroup === '') && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
}

export function defaultBinding(b: RoleBinding | ClusterRoleBinding): void {
  if (b.roleRef) setDefaultString(b.roleRef, 'apiGroup', RBAC_GROUP);
  for (const s of b.subjects ?? []) defaultSubject(s);
}
