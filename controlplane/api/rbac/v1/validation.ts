/**
 * rbac.authorization.k8s.io/v1 validation (upstream pkg/apis/rbac/validation).
 * Role and binding names are path segments, not DNS names. Pure.
 */
import { validateLabelSelector } from '../../../machinery/labels.js';
import { validateObjectMeta, validateObjectMetaUpdate, validatePathSegmentName } from '../../../machinery/meta/validation.js';
import { isDNS1123Subdomain } from '../../../machinery/validation.js';
import { check, type FieldError, FieldPath, fieldErrors } from '../../validationutil.js';
import { RBAC_GROUP } from './defaults.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from './types.js';

export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs || rule.verbs.length === 0) errs.push(fieldErrors.required(path.child('verbs'), 'verbs must contain at least one value'));
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) {
      errs.push(fieldErrors.invalid(path.child('nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    } else if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0 || (rule.resourceNames ?? []).length > 0) {
      errs.push(fieldErrors.invalid(path.child('nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups || rule.apiGroups.length === 0) errs.push(fieldErrors.required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources || rule.resources.length === 0) errs.push(fieldErrors.required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, FieldPath.root('rules').index(i)));
}

export function validateRole(r: Role): FieldError[] {
  return [...validateObjectMeta(r.metadata, { namespaced: true, nameFn: validatePathSegmentName }), ...validateRules(r.rules, true)];
}

export function validateClusterRole(r: ClusterRole): FieldError[] {
  const errs = [...validateObjectMeta(r.metadata, { namespaced: false, nameFn: validatePathSegmentName }), ...validateRules(r.rules, false)];
  (r.aggregationRule?.clusterRoleSelectors ?? []).forEach((s, i) =>
    errs.push(...validateLabelSelector(s, FieldPath.root('aggregationRule').child('clusterRoleSelectors').index(i))),
  );
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(fieldErrors.required(path.child('name'), ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...check(path.child('name'), s.name, isDNS1123Subdomain(s.name)));
      if (s.apiGroup) errs.push(fieldErrors.notSupported(path.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(fieldErrors.required(path.child('namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(path.child('apiGroup'), s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErrors.notSupported(path.child('kind'), s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBindingBody(b: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const rp = FieldPath.root('roleRef');
  const ref = b.roleRef;
  if (!ref) return [fieldErrors.required(rp, '')];
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported(rp.child('apiGroup'), ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fieldErrors.notSupported(rp.child('kind'), ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fieldErrors.required(rp.child('name'), ''));
  else errs.push(...check(rp.child('name'), ref.name, validatePathSegmentName(ref.name, false)));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, FieldPath.root('subjects').index(i))));
  return errs;
}

export function validateRoleBinding(b: RoleBinding): FieldError[] {
  return [...validateObjectMeta(b.metadata, { namespaced: true, nameFn: validatePathSegmentName }), ...validateBindingBody(b, true)];
}

export function validateClusterRoleBinding(b: ClusterRoleBinding): FieldError[] {
  return [...validateObjectMeta(b.metadata, { namespaced: false, nameFn: validatePathSegmentName }), ...validateBindingBody(b, false)];
}

/** A binding's roleRef is fixed for life: delete and recreate to point elsewhere. */
export function validateBindingUpdate<T extends RoleBinding | ClusterRoleBinding>(validate: (b: T) => FieldError[]): (b: T, old: T) => FieldError[] {
  return (b, old) => {
    const errs = [...validateObjectMetaUpdate(b.metadata, old.metadata), ...validate(b)];
    const same = b.roleRef?.apiGroup === old.roleRef?.apiGroup && b.roleRef?.kind === old.roleRef?.kind && b.roleRef?.name === old.roleRef?.name;
    if (!same) errs.push(fieldErrors.invalid(FieldPath.root('roleRef'), b.roleRef, 'cannot change roleRef'));
    return errs;
  };
}
