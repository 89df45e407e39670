/** authorization.k8s.io/v1 validation of the review requests (never stored). Pure. */
import { type FieldError, FieldPath, fieldErrors } from '../../validationutil.js';
import type { LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview } from './types.js';

const spec = FieldPath.root('spec');

function exactlyOneAttributes(s: { resourceAttributes?: unknown; nonResourceAttributes?: unknown } | undefined): FieldError[] {
  const r = s?.resourceAttributes !== undefined && s?.resourceAttributes !== null;
  const n = s?.nonResourceAttributes !== undefined && s?.nonResourceAttributes !== null;
  if (r && n) return [fieldErrors.invalid(spec.child('nonResourceAttributes'), s?.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  if (!r && !n) return [fieldErrors.invalid(spec.child('resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  return [];
}

export function validateSubjectAccessReview(r: SubjectAccessReview | LocalSubjectAccessReview): FieldError[] {
  const errs = exactlyOneAttributes(r.spec);
  if (!r.spec?.user && (r.spec?.groups ?? []).length === 0) errs.push(fieldErrors.invalid(spec.child('user'), r.spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

export function validateLocalSubjectAccessReview(r: LocalSubjectAccessReview): FieldError[] {
  const errs = validateSubjectAccessReview(r);
  if (r.spec?.nonResourceAttributes) errs.push(fieldErrors.invalid(spec.child('nonResourceAttributes'), r.spec.nonResourceAttributes, 'disallowed on this kind of request'));
  const ns = r.metadata?.namespace ?? '';
  if (r.spec?.resourceAttributes && (r.spec.resourceAttributes.namespace ?? '') !== ns) {
    errs.push(fieldErrors.invalid(FieldPath.root('metadata').child('namespace'), ns, 'must match spec.resourceAttributes.namespace'));
  }
  return errs;
}

export function validateSelfSubjectAccessReview(r: SelfSubjectAccessReview): FieldError[] {
  return exactlyOneAttributes(r.spec);
}

export function validateSelfSubjectRulesReview(_r: SelfSubjectRulesReview): FieldError[] {
  // An empty namespace asks for cluster-wide rules; nothing else to check.
  return [];
}
