/**
 * The legacy (1.8) service account token's claims, shared by the signer
 * (kube-controller-manager's token controller) and the verifier
 * (kube-apiserver's service account authenticator).
 */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const CLAIM_NAMESPACE = 'kubernetes.io/serviceaccount/namespace';
export const CLAIM_SECRET_NAME = 'kubernetes.io/serviceaccount/secret.name';
export const CLAIM_SA_NAME = 'kubernetes.io/serviceaccount/service-account.name';
export const CLAIM_SA_UID = 'kubernetes.io/serviceaccount/service-account.uid';

export function serviceAccountUsername(ns: string, name: string): string {
  return `system:serviceaccount:${ns}:${name}`;
}

/** The claims of a legacy token, as the token controller writes them. */
export function legacyClaims(ns: string, saName: string, saUID: string, secretName: string): Record<string, unknown> {
  return {
    iss: LEGACY_ISSUER,
    [CLAIM_NAMESPACE]: ns,
    [CLAIM_SECRET_NAME]: secretName,
    [CLAIM_SA_NAME]: saName,
    [CLAIM_SA_UID]: saUID,
    sub: serviceAccountUsername(ns, saName),
  };
}
