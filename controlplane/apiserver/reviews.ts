/**
 * The review kinds (authentication.k8s.io TokenReview/SelfSubjectReview,
 * authorization.k8s.io *SubjectAccessReview/SelfSubjectRulesReview) are
 * questions, not objects: a create answers in `status` and stores nothing.
 * Until authentication and authorization land (the security issue), every
 * request is the unsecured local user and every action is allowed — the same
 * as upstream's insecure port with AlwaysAllow.
 */
import { apiErrors } from '../machinery/errors.js';
import type { Obj } from './registry/types.js';

/** Who an unauthenticated request is, as upstream names the insecure port's user. */
export const UNSECURED_USER = { username: 'system:unsecured', groups: ['system:masters', 'system:authenticated'] };

const REVIEWS = new Set([
  'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

export function isReview(group: string, resource: string): boolean {
  return REVIEWS.has(`${group}/${resource}`);
}

type Rec = Record<string, unknown>;

export function answerReview(group: string, resource: string, version: string, kind: string, body: Obj): Obj {
  if (!body || typeof body !== 'object') throw apiErrors.badRequest(`the body must be a ${kind}`);
  const out: Obj = { ...body, apiVersion: `${group}/${version}`, kind, metadata: { ...(body.metadata ?? {}), creationTimestamp: null } };
  const spec = (body.spec ?? {}) as Rec;
  switch (resource) {
    case 'selfsubjectreviews':
      out.status = { userInfo: UNSECURED_USER };
      break;
    case 'tokenreviews':
      if (typeof spec.token !== 'string' || spec.token === '') {
        throw apiErrors.invalid(group, kind, '', [{ type: 'FieldValueRequired', field: 'spec.token', detail: 'token must be given' }]);
      }
      // No token authenticators yet: nothing can be vouched for.
      out.status = { authenticated: false, error: 'token authentication is not configured on this kube-apiserver (kubets: arrives with the security issue)' };
      break;
    case 'selfsubjectrulesreviews':
      out.status = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };
      break;
    default: {
      const hasAttrs = spec.resourceAttributes !== undefined || spec.nonResourceAttributes !== undefined;
      if (!hasAttrs) {
        throw apiErrors.invalid(group, kind, '', [{ type: 'FieldValueInvalid', field: 'spec', value: '', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
      }
      out.status = { allowed: true, reason: 'kubets: AlwaysAllow (no authorizer configured)' };
    }
  }
  return out;
}
