/**
 * The kubelet's ReviewClient (auth.ts) over its API client: TokenReview and
 * SubjectAccessReview are create-only resources whose answer is the status
 * the API server fills in.
 */
import type { TokenReview } from '../../../controlplane/api/authentication/v1/types.js';
import type { SubjectAccessReview } from '../../../controlplane/api/authorization/v1/types.js';
import type { RestClient } from '../../../controlplane/client/rest.js';
import { ref } from '../../../controlplane/client/resources.js';
import type { ReviewClient } from './auth.js';

const tokenReviews = ref<TokenReview>('authentication.k8s.io', 'v1', 'tokenreviews');
const accessReviews = ref<SubjectAccessReview>('authorization.k8s.io', 'v1', 'subjectaccessreviews');

export function apiReviews(client: RestClient): ReviewClient {
  return {
    tokenReview: async (token) => {
      const r = await client.resource(tokenReviews).create({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } as TokenReview);
      const u = r.status?.user;
      return { authenticated: r.status?.authenticated === true, user: u?.username ? { name: u.username, uid: u.uid, groups: u.groups ?? [] } : undefined, error: r.status?.error };
    },
    subjectAccessReview: async (user, attrs) => {
      const r = await client.resource(accessReviews).create({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: user.name, uid: user.uid, groups: user.groups, resourceAttributes: { verb: attrs.verb, resource: attrs.resource, name: attrs.name, subresource: attrs.subresource } },
      } as SubjectAccessReview);
      return { allowed: r.status?.allowed === true, reason: r.status?.reason };
    },
  };
}
