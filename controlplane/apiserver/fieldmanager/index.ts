/**
 * Server-side apply and field ownership (`metadata.managedFields`).
 *
 * - applyOperation: PATCH with Content-Type application/apply-patch+yaml.
 * - updateOperation: managedFields after create / update / json-, merge- or
 *   strategic-merge-patch.
 * - managerName / validateFieldManager: the `?fieldManager=` parameter.
 * - FieldSet, typeForKind, fieldSetOf…: the building blocks, for tests and tools.
 */
export { applyOperation, updateOperation, managerName, validateFieldManager, LAST_APPLIED_ANNOTATION, BEFORE_FIRST_APPLY, FIELD_MANAGER_MAX_LENGTH } from './manager.js';
export type { ApplyInput, UpdateInput, OperationResult } from './manager.js';
export { FieldSet } from './fieldset.js';
export type { FieldsV1 } from './fieldset.js';
export { decodeManagedFields, encodeManagedFields, managerIdentifier, formatTime, capUpdateManagers, MAX_UPDATE_MANAGERS, ManagedFieldsError } from './managedfields.js';
export type { ManagedFieldsEntry, ManagerRecord, Managed, Operation } from './managedfields.js';
export { typeForKind, typeFromPatchMeta, parseAPIVersion, untyped } from './schema.js';
export type { FieldType, FieldInfo, ListType, SchemaSource, GroupVersionKind } from './schema.js';
export { fieldSetOf, compareValues, mergeValues, removeItems, ensureNamedFieldsAreMembers, validateApplied, formatTypedError } from './typed.js';
export type { Comparison, TypedError } from './typed.js';
export { fieldPE, keyPE, valuePE, indexPE, serializePE, parsePE, pathToString } from './pathelement.js';
export type { PathElement, Path, KeyField } from './pathelement.js';
