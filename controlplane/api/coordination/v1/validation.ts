/** coordination.k8s.io/v1 validation. Pure. */
import { validateObjectMeta } from '../../../machinery/meta/validation.js';
import { type FieldError, FieldPath, fieldErrors, nonNegative } from '../../validationutil.js';
import type { Lease } from './types.js';

export function validateLease(l: Lease): FieldError[] {
  const errs = validateObjectMeta(l.metadata, { namespaced: true });
  const s = l.spec ?? {};
  const sp = FieldPath.root('spec');
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds !== null && s.leaseDurationSeconds <= 0) {
    errs.push(fieldErrors.invalid(sp.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(s.leaseTransitions, sp.child('leaseTransitions')));
  if (s.preferredHolder && !s.strategy) errs.push(fieldErrors.forbidden(sp.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  return errs;
}
