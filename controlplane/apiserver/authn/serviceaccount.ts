/**
 * Service account tokens (upstream pkg/serviceaccount, the legacy tokens of
 * 1.8): JWTs with issuer "kubernetes/serviceaccount", signed by
 * kube-controller-manager's --service-account-private-key-file and verified
 * with --service-account-key-file. With --service-account-lookup the Secret
 * and the ServiceAccount must still exist and match.
 */
import type { KeyObject } from 'node:crypto';
import type { ObjectAccess } from '../admission/objects.js';
import { verifyJWT } from './jwt.js';
import { CLAIM_NAMESPACE, CLAIM_SA_NAME, CLAIM_SA_UID, CLAIM_SECRET_NAME, LEGACY_ISSUER, serviceAccountUsername } from '../../machinery/serviceaccount.js';
import type { AuthnResult, TokenAuthenticator } from './types.js';

export { CLAIM_NAMESPACE, CLAIM_SA_NAME, CLAIM_SA_UID, CLAIM_SECRET_NAME, LEGACY_ISSUER, legacyClaims, serviceAccountUsername } from '../../machinery/serviceaccount.js';

export class ServiceAccountAuthenticator implements TokenAuthenticator {
  readonly name = 'serviceaccount';

  constructor(
    private readonly keys: readonly KeyObject[],
    /** --service-account-lookup: objects must still exist (needs objects). */
    private readonly lookup: ObjectAccess | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticateToken(token: string): Promise<AuthnResult> {
    const checked = verifyJWT(token, this.keys);
    if (!checked) return undefined;
    // Not ours: another token authenticator (or none) may know it.
    if ('claims' in checked && checked.claims.iss !== LEGACY_ISSUER) return undefined;
    if ('error' in checked) return { error: checked.error };
    const c = checked.claims;
    const nowS = Math.floor(this.now() / 1000);
    if (typeof c.exp === 'number' && nowS >= c.exp) return { error: 'Token has expired.' };
    if (typeof c.nbf === 'number' && nowS < c.nbf) return { error: 'Token is not valid yet.' };
    const ns = c[CLAIM_NAMESPACE];
    const name = c[CLAIM_SA_NAME];
    const uid = c[CLAIM_SA_UID];
    const secretName = c[CLAIM_SECRET_NAME];
    for (const [k, v] of [[CLAIM_NAMESPACE, ns], [CLAIM_SA_NAME, name], [CLAIM_SA_UID, uid], [CLAIM_SECRET_NAME, secretName]] as const) {
      if (typeof v !== 'string' || v === '') return { error: `token does not contain the ${k} claim` };
    }
    if (c.sub !== undefined && c.sub !== serviceAccountUsername(ns as string, name as string)) return { error: 'sub claim does not match the service account' };
    if (this.lookup) {
      const secret = await this.lookup.get('', 'secrets', ns as string, secretName as string);
      if (!secret) return { error: `Token has been invalidated (secret ${ns as string}/${secretName as string} not found)` };
      if (secret.metadata?.deletionTimestamp) return { error: 'Token has been invalidated' };
      const stored = (secret.data as Record<string, string> | undefined)?.token;
      if (!stored || Buffer.from(stored, 'base64').toString('utf8') !== token) return { error: "Token does not match server's copy" };
      const sa = await this.lookup.get('', 'serviceaccounts', ns as string, name as string);
      if (!sa || sa.metadata?.deletionTimestamp) return { error: `ServiceAccount ${ns as string}/${name as string} has been deleted` };
      if (sa.metadata?.uid !== uid) return { error: `ServiceAccount UID (${sa.metadata?.uid ?? ''}) does not match claim (${uid as string})` };
    }
    return {
      user: {
        name: serviceAccountUsername(ns as string, name as string),
        uid: uid as string,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${ns as string}`],
      },
    };
  }
}
