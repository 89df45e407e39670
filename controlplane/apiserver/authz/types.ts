import type { UserInfo } from '../authn/user.js';

/** What a request asks to do (upstream authorizer.Attributes). */
export interface Attributes {
  user: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export type Decision = 'Allow' | 'Deny' | 'NoOpinion';

export interface Verdict {
  decision: Decision;
  /** Why (shown after the forbidden message when nobody allows). */
  reason: string;
}

export interface Authorizer {
  readonly name: string;
  authorize(a: Attributes): Promise<Verdict>;
}

export const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);

export function resourceAttributes(user: UserInfo, a: Partial<Omit<Attributes, 'user' | 'isResourceRequest' | 'path'>> & { verb: string; resource: string }): Attributes {
  return { user, isResourceRequest: true, path: '', namespace: '', apiGroup: '', apiVersion: '', subresource: '', name: '', ...a };
}

export function nonResourceAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, isResourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}
