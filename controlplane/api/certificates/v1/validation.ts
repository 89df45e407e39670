/** certificates.k8s.io/v1 validation. Pure. The PEM request itself is checked by the signer. */
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { type FieldError, FieldPath, fieldErrors, immutable } from '../../validationutil.js';
import type { CertificateSigningRequest } from './types.js';

const spec = FieldPath.root('spec');
/** `example.com/my-signer`: a DNS-ish domain, a slash, then a path. */
const SIGNER_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[^/]+(\/[^/]+)*$/;

export function validateCertificateSigningRequest(csr: CertificateSigningRequest): FieldError[] {
  const errs = validateObjectMeta(csr.metadata, { namespaced: false });
  const s = csr.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  if (!s.request) errs.push(fieldErrors.required(spec.child('request'), ''));
  if (!s.signerName) errs.push(fieldErrors.required(spec.child('signerName'), ''));
  else if (!SIGNER_RE.test(s.signerName)) {
    errs.push(fieldErrors.invalid(spec.child('signerName'), s.signerName, 'must be a fully qualified domain and path of the form \'example.com/signer-name\''));
  }
  if (!s.usages || s.usages.length === 0) errs.push(fieldErrors.required(spec.child('usages'), ''));
  if (s.expirationSeconds !== undefined && s.expirationSeconds < 600) {
    errs.push(fieldErrors.invalid(spec.child('expirationSeconds'), s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  const seen = new Set<string>();
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const cp = FieldPath.root('status').child('conditions').index(i);
    if (!c.type) errs.push(fieldErrors.required(cp.child('type'), ''));
    if (seen.has(c.type)) errs.push(fieldErrors.duplicate(cp.child('type'), c.type));
    seen.add(c.type);
  });
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  if (types.has('Approved') && types.has('Denied')) {
    errs.push(fieldErrors.invalid(FieldPath.root('status').child('conditions'), csr.status?.conditions, 'Approved and Denied conditions are mutually exclusive'));
  }
  return errs;
}

export function validateCertificateSigningRequestUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): FieldError[] {
  return [...validateObjectMetaUpdate(csr.metadata, old.metadata), ...validateCertificateSigningRequest(csr), ...immutable(csr.spec, old.spec, spec)];
}
