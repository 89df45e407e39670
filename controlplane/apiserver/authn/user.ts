/** Who a request is (upstream k8s.io/apiserver/pkg/authentication/user). */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const SYSTEM_MASTERS = 'system:masters';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';

export const ANONYMOUS: UserInfo = { name: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] };

/** The insecure port's identity: no authentication, every permission (as upstream 1.8's insecure port). */
export const UNSECURED: UserInfo = { name: 'system:unsecured', groups: [SYSTEM_MASTERS, ALL_AUTHENTICATED] };

/** Adds system:authenticated to an authenticated user's groups (upstream AuthenticatedGroupAdder). */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  if (u.name === ANONYMOUS_USER || u.groups.includes(ALL_AUTHENTICATED) || u.groups.includes(ALL_UNAUTHENTICATED)) return u;
  return { ...u, groups: [...u.groups, ALL_AUTHENTICATED] };
}
