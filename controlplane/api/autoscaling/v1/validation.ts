/** autoscaling/v1 validation. Pure. */
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { type FieldError, FieldPath, fieldErrors } from '../../validationutil.js';
import type { HorizontalPodAutoscaler, Scale } from './types.js';

const spec = FieldPath.root('spec');

export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  const errs = validateObjectMeta(hpa.metadata, { namespaced: true });
  const s = hpa.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  const ref = s.scaleTargetRef;
  const rp = spec.child('scaleTargetRef');
  if (!ref?.kind) errs.push(fieldErrors.required(rp.child('kind'), ''));
  if (!ref?.name) errs.push(fieldErrors.required(rp.child('name'), ''));
  const min = s.minReplicas ?? 1;
  if (min < 1) errs.push(fieldErrors.invalid(spec.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (!(s.maxReplicas >= 1)) errs.push(fieldErrors.invalid(spec.child('maxReplicas'), s.maxReplicas ?? 0, 'must be greater than 0'));
  else if (s.maxReplicas < min) errs.push(fieldErrors.invalid(spec.child('maxReplicas'), s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  const t = s.targetCPUUtilizationPercentage;
  if (t !== undefined && t !== null && t < 1) errs.push(fieldErrors.invalid(spec.child('targetCPUUtilizationPercentage'), t, 'must be greater than 0'));
  return errs;
}

export function validateHorizontalPodAutoscalerUpdate(hpa: HorizontalPodAutoscaler, old: HorizontalPodAutoscaler): FieldError[] {
  return [...validateObjectMetaUpdate(hpa.metadata, old.metadata), ...validateHorizontalPodAutoscaler(hpa)];
}

/** The body of a `…/scale` PUT: only replicas matter. */
export function validateScale(scale: Scale): FieldError[] {
  const r = scale.spec?.replicas;
  return r !== undefined && r !== null && r < 0 ? [fieldErrors.invalid(spec.child('replicas'), r, 'must be greater than or equal to 0')] : [];
}
