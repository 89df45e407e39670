/**
 * ObjectMeta validation shared by every resource
 * (k8s.io/apimachinery/pkg/api/validation/objectmeta.go). Pure: returns
 * FieldError[] with upstream's paths (`metadata.name`, `metadata.labels`) and
 * wording, never throws, never mutates.
 */

import { type FieldError, FieldPath, fieldErrors } from '../errors.js';
import { validateLabels } from '../labels.js';
import { byteLength, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation.js';
import { FinalizerDeleteDependents, FinalizerOrphanDependents, type ManagedFieldsEntry, type ObjectMeta, type OwnerReference } from './types.js';

/**
 * Checks a name (or, with `prefix`, a generateName prefix) and returns
 * problems. Registries pick one per resource: most use nameIsDNSSubdomain,
 * namespaces nameIsDNSLabel, services nameIsDNS1035Label.
 */
export type ValidateNameFunc = (name: string, prefix: boolean) => string[];

/** A generateName prefix may end in '-': validate it as if a letter followed. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

export const nameIsDNSSubdomain: ValidateNameFunc = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: ValidateNameFunc = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: ValidateNameFunc = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Names that are only path segments (RBAC roles, CRD-less kinds): no '/', '%', '.' or '..'. */
export const validatePathSegmentName: ValidateNameFunc = (name, prefix) => {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
};

/** The rule for namespace names. */
export const validateNamespaceName = nameIsDNSLabel;

export const FieldImmutableErrorMsg = 'field is immutable';
export const IsNegativeErrorMsg = 'must be greater than or equal to 0';
/** Total bytes of annotation keys and values. */
export const totalAnnotationSizeLimitB = 256 * 1024;
const maxFieldManagerLength = 128;
const maxSubresourceNameLength = 256;

export function validateNonnegativeField(value: number, path: FieldPath): FieldError[] {
  return value < 0 ? [fieldErrors.invalid(path, value, IsNegativeErrorMsg)] : [];
}

/** Annotation keys are qualified names, case-insensitively; the whole map is at most 256 KiB. */
export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, m));
    total += byteLength(k) + byteLength(v);
  }
  if (total > totalAnnotationSizeLimitB) errs.push(fieldErrors.tooLong(path, '', totalAnnotationSizeLimitB));
  return errs;
}

/** `apps/v1` → group apps, version v1; `v1` → core group. */
function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  if (i < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

function validateOwnerReference(ref: OwnerReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const { group, version } = splitAPIVersion(ref.apiVersion ?? '');
  if (!version) errs.push(fieldErrors.invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
  if (!ref.kind) errs.push(fieldErrors.invalid(path.child('kind'), ref.kind ?? '', 'must not be empty'));
  if (!ref.name) errs.push(fieldErrors.invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
  if (!ref.uid) errs.push(fieldErrors.invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
  // Events are garbage-collected by TTL; letting them own objects would leak those objects.
  if (group === '' && version === 'v1' && ref.kind === 'Event') {
    errs.push(fieldErrors.invalid(path, ref, `/v1, Kind=Event is disallowed from being an owner`));
  }
  return errs;
}

/** Each reference is complete, and at most one is the controller. */
export function validateOwnerReferences(refs: readonly OwnerReference[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(
          fieldErrors.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      } else {
        firstController = cur;
      }
    }
  }
  return errs;
}

export function validateFinalizerName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => fieldErrors.invalid(path, name, m));
}

/** Qualified names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const list = finalizers ?? [];
  const errs = list.flatMap((f) => validateFinalizerName(f, path));
  if (list.includes(FinalizerOrphanDependents) && list.includes(FinalizerDeleteDependents)) {
    errs.push(fieldErrors.invalid(path, [...list], `finalizer ${FinalizerOrphanDependents} and ${FinalizerDeleteDependents} cannot be both set`));
  }
  return errs;
}

/** A deleting object may drop finalizers but never gain new ones. */
export function validateNoNewFinalizers(newF: readonly string[] | undefined, oldF: readonly string[] | undefined, path: FieldPath): FieldError[] {
  const old = new Set(oldF ?? []);
  const extra = [...new Set((newF ?? []).filter((f) => !old.has(f)))].sort();
  if (extra.length === 0) return [];
  return [fieldErrors.forbidden(path, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`)];
}

export function validateManagedFields(entries: readonly ManagedFieldsEntry[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const p = path.index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(fieldErrors.invalid(p.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(fieldErrors.invalid(p.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    const manager = e.manager ?? '';
    if (byteLength(manager) > maxFieldManagerLength) errs.push(fieldErrors.tooLong(p.child('manager'), manager, maxFieldManagerLength));
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(manager)) errs.push(fieldErrors.invalid(p.child('manager'), manager, 'must only contain printable characters'));
    if (e.subresource && byteLength(e.subresource) > maxSubresourceNameLength) {
      errs.push(fieldErrors.tooLong(p.child('subresource'), e.subresource, maxSubresourceNameLength));
    }
  });
  return errs;
}

/** JSON deep equality, enough for metadata values (strings, numbers, null). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function validateImmutableField(newVal: unknown, oldVal: unknown, path: FieldPath): FieldError[] {
  return same(newVal, oldVal) ? [] : [fieldErrors.invalid(path, newVal, FieldImmutableErrorMsg)];
}

export interface ObjectMetaOptions {
  /** The kind lives in a namespace (namespace required) or is cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** Name rule; defaults to nameIsDNSSubdomain. */
  nameFn?: ValidateNameFunc;
  /** Defaults to `metadata`. */
  path?: FieldPath;
}

/**
 * Validates metadata on create (ValidateObjectMeta). Expects name generation
 * to have happened already, so a missing name means neither name nor
 * generateName was given.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: ObjectMetaOptions): FieldError[] {
  const m = meta ?? {};
  const path = opts.path ?? FieldPath.root('metadata');
  const nameFn = opts.nameFn ?? nameIsDNSSubdomain;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErrors.invalid(path.child('generateName'), m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldErrors.required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(fieldErrors.invalid(path.child('name'), m.name, msg));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required(path.child('namespace')));
    else for (const msg of validateNamespaceName(m.namespace, false)) errs.push(fieldErrors.invalid(path.child('namespace'), m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegativeField(m.generation ?? 0, path.child('generation')));
  if (m.deletionGracePeriodSeconds !== undefined) {
    errs.push(...validateNonnegativeField(m.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));
  }
  errs.push(...validateLabels(m.labels, path.child('labels')));
  errs.push(...validateAnnotations(m.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, path.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, path.child('managedFields')));
  return errs;
}

/**
 * Validates metadata on update (ValidateObjectMetaUpdate): identity fields
 * are immutable, resourceVersion must be given, generation never goes back,
 * and a deleting object gains no finalizers.
 */
export function validateObjectMetaUpdate(newMeta: ObjectMeta | undefined, oldMeta: ObjectMeta | undefined, path: FieldPath = FieldPath.root('metadata')): FieldError[] {
  const n = newMeta ?? {};
  const o = oldMeta ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) errs.push(...validateNoNewFinalizers(n.finalizers, o.finalizers, path.child('finalizers')));
  if (!n.resourceVersion) errs.push(fieldErrors.invalid(path.child('resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(fieldErrors.invalid(path.child('generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(n.name, o.name, path.child('name')));
  errs.push(...validateImmutableField(n.namespace, o.namespace, path.child('namespace')));
  errs.push(...validateImmutableField(n.uid, o.uid, path.child('uid')));
  errs.push(...validateImmutableField(n.creationTimestamp, o.creationTimestamp, path.child('creationTimestamp')));
  errs.push(...validateImmutableField(n.deletionTimestamp, o.deletionTimestamp, path.child('deletionTimestamp')));
  errs.push(...validateImmutableField(n.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, path.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, path.child('managedFields')));
  return errs;
}
