/** policy/v1 validation: PodDisruptionBudget and the Eviction body. Pure. */
import { validateLabelSelector } from '../../../machinery/labels.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { enumField, type FieldError, FieldPath, fieldErrors, intOrPercent, notMoreThan100Percent } from '../../validationutil.js';
import type { Eviction, PodDisruptionBudget } from './types.js';

const spec = FieldPath.root('spec');

export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const errs = validateObjectMeta(pdb.metadata, { namespaced: true });
  const s = pdb.spec ?? {};
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
    errs.push(fieldErrors.invalid(spec, s, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercent(s.minAvailable, spec.child('minAvailable')), ...notMoreThan100Percent(s.minAvailable, spec.child('minAvailable')));
  errs.push(...intOrPercent(s.maxUnavailable, spec.child('maxUnavailable')), ...notMoreThan100Percent(s.maxUnavailable, spec.child('maxUnavailable')));
  errs.push(...validateLabelSelector(s.selector, spec.child('selector')));
  if (s.unhealthyPodEvictionPolicy) errs.push(...enumField(s.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget'], spec.child('unhealthyPodEvictionPolicy')));
  return errs;
}

export function validatePodDisruptionBudgetUpdate(pdb: PodDisruptionBudget, old: PodDisruptionBudget): FieldError[] {
  return [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validatePodDisruptionBudget(pdb)];
}

/** An Eviction names its pod in metadata.name (the apiserver checks it equals the URL's pod). */
export function validateEviction(ev: Eviction): FieldError[] {
  const errs: FieldError[] = [];
  if (!ev.metadata?.name) errs.push(fieldErrors.required(FieldPath.root('metadata').child('name'), ''));
  const g = ev.deleteOptions?.gracePeriodSeconds;
  if (g !== undefined && g !== null && g < 0) errs.push(fieldErrors.invalid(FieldPath.root('deleteOptions').child('gracePeriodSeconds'), g, 'must be greater than or equal to 0'));
  return errs;
}
