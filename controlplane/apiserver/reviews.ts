/**
 * The review kinds (authentication.k8s.io TokenReview/SelfSubjectReview,
 * authorization.k8s.io *SubjectAccessReview/SelfSubjectRulesReview) are
 * questions, not objects: a create answers in `status` and stores nothing.
 * They are answered by the API server's own authenticator and authorizer
 * (authn/, authz/); without them (the insecure port's view of an ApiServer
 * built without security) everyone is the unsecured user and everything is allowed.
 */
import { apiErrors } from '../machinery/errors.js';
import type { Obj } from './registry/types.js';
import type { Security } from './authz/security.js';
import type { Attributes } from './authz/types.js';
import { SYSTEM_MASTERS, UNSECURED, type UserInfo } from './authn/user.js';

/** Who an unauthenticated request is, as upstream names the insecure port's user. */
export const UNSECURED_USER = { username: UNSECURED.name, groups: UNSECURED.groups };

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

export interface ReviewContext {
  /** Who is asking. */
  user: UserInfo;
  /** The namespace of the URL (LocalSubjectAccessReview). */
  namespace: string;
  security?: Security;
}

function userInfoJSON(u: UserInfo): Rec {
  const out: Rec = { username: u.name, groups: u.groups };
  if (u.uid) out.uid = u.uid;
  if (u.extra) out.extra = u.extra;
  return out;
}

function attributesOf(user: UserInfo, spec: Rec): Attributes {
  const ra = spec.resourceAttributes as Rec | undefined;
  if (ra) {
    const s = (k: string) => (typeof ra[k] === 'string' ? (ra[k] as string) : '');
    return { user, verb: s('verb'), isResourceRequest: true, path: '', namespace: s('namespace'), apiGroup: s('group'), apiVersion: s('version'), resource: s('resource'), subresource: s('subresource'), name: s('name') };
  }
  const na = (spec.nonResourceAttributes ?? {}) as Rec;
  return { user, verb: String(na.verb ?? ''), isResourceRequest: false, path: String(na.path ?? ''), namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

export async function answerReview(group: string, resource: string, version: string, kind: string, body: Obj, ctx: ReviewContext = { user: UNSECURED, namespace: '' }): Promise<Obj> {
  if (!body || typeof body !== 'object') throw apiErrors.badRequest(`the body must be a ${kind}`);
  const out: Obj = { ...body, apiVersion: `${group}/${version}`, kind, metadata: { ...(body.metadata ?? {}), creationTimestamp: null } };
  const spec = (body.spec ?? {}) as Rec;
  const sec = ctx.security;
  switch (resource) {
    case 'selfsubjectreviews':
      out.status = { userInfo: userInfoJSON(ctx.user) };
      break;
    case 'tokenreviews': {
      if (typeof spec.token !== 'string' || spec.token === '') {
        throw apiErrors.invalid(group, kind, '', [{ type: 'FieldValueRequired', field: 'spec.token', detail: 'token must be given' }]);
      }
      const r = sec ? await sec.authenticator.reviewToken(spec.token) : { error: 'token authentication is not configured on this kube-apiserver' };
      out.status = 'user' in r ? { authenticated: true, user: userInfoJSON(r.user) } : { authenticated: false, error: r.error };
      // The token is a credential: it is not echoed back.
      out.spec = { ...spec, token: '' };
      break;
    }
    case 'selfsubjectrulesreviews': {
      const ns = typeof spec.namespace === 'string' ? spec.namespace : '';
      const rbac = sec?.authorizer.rbac();
      if (!sec || ctx.user.groups.includes(SYSTEM_MASTERS)) {
        out.status = { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false };
        break;
      }
      const { rules, errors } = rbac ? await rbac.rulesFor(ctx.user, ns) : { rules: [], errors: [] };
      const onlyRBAC = sec.authorizer.authorizers.every((z) => z.name === 'RBAC' || z.name === 'PrivilegedGroups');
      out.status = {
        resourceRules: rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) })),
        nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        incomplete: !onlyRBAC || errors.length > 0,
        ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
      };
      break;
    }
    default: {
      const hasAttrs = spec.resourceAttributes !== undefined || spec.nonResourceAttributes !== undefined;
      if (!hasAttrs) {
        throw apiErrors.invalid(group, kind, '', [{ type: 'FieldValueInvalid', field: 'spec', value: '', detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
      }
      let who = ctx.user;
      if (resource === 'subjectaccessreviews' || resource === 'localsubjectaccessreviews') {
        if (typeof spec.user !== 'string' && !Array.isArray(spec.groups)) {
          throw apiErrors.invalid(group, kind, '', [{ type: 'FieldValueRequired', field: 'spec.user', detail: 'at least one of user or group must be specified' }]);
        }
        who = { name: typeof spec.user === 'string' ? spec.user : '', uid: typeof spec.uid === 'string' ? spec.uid : undefined, groups: Array.isArray(spec.groups) ? (spec.groups as string[]) : [], extra: spec.extra as Record<string, string[]> | undefined };
      }
      if (!sec) {
        out.status = { allowed: true, reason: 'kubets: AlwaysAllow (no authorizer configured)' };
        break;
      }
      const attrs = attributesOf(who, spec);
      if (resource === 'localsubjectaccessreviews' && ctx.namespace) attrs.namespace = ctx.namespace;
      const v = await sec.authorizer.authorize(attrs);
      out.status = { allowed: v.decision === 'Allow', ...(v.decision === 'Deny' ? { denied: true } : {}), ...(v.reason ? { reason: v.reason } : {}) };
    }
  }
  return out;
}
