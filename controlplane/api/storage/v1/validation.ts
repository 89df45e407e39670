/** storage.k8s.io/v1 validation. Pure. */
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import { isQualifiedName } from '../../../machinery/validation.js';
import { check, enumField, type FieldError, FieldPath, fieldErrors, immutable } from '../../validationutil.js';
import type { StorageClass } from './types.js';

export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, { namespaced: false });
  const p = FieldPath.root('provisioner');
  if (!sc.provisioner) errs.push(fieldErrors.required(p, ''));
  else errs.push(...check(p, sc.provisioner, isQualifiedName(sc.provisioner.toLowerCase())));
  errs.push(...enumField(sc.reclaimPolicy, ['Delete', 'Retain'], FieldPath.root('reclaimPolicy'), false));
  errs.push(...enumField(sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer'], FieldPath.root('volumeBindingMode'), false));
  return errs;
}

/** Only labels, annotations and allowVolumeExpansion may change after creation. */
export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = [...validateObjectMetaUpdate(sc.metadata, old.metadata), ...validateStorageClass(sc)];
  errs.push(...immutable(sc.parameters, old.parameters, FieldPath.root('parameters')));
  errs.push(...immutable(sc.provisioner, old.provisioner, FieldPath.root('provisioner')));
  errs.push(...immutable(sc.reclaimPolicy, old.reclaimPolicy, FieldPath.root('reclaimPolicy')));
  errs.push(...immutable(sc.volumeBindingMode, old.volumeBindingMode, FieldPath.root('volumeBindingMode')));
  return errs;
}
