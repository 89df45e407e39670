/**
 * Small helpers over ObjectMeta: ids, timestamps, generated names, owner
 * references, cache keys, labels/annotations/finalizers.
 *
 * Mutation contract: functions named set*, remove*, add* mutate the object
 * they are given (callers clone cached objects first); everything else is
 * pure.
 */

import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta, OwnerReference } from './types.js';

/** A random (v4) UID, as the apiserver assigns on create. */
export function newUID(): string {
  return randomUUID();
}

/** metav1.Time: RFC 3339 UTC with seconds precision, `2026-11-22T03:49:26Z`. */
export function formatRFC3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nowRFC3339(now: Date = new Date()): string {
  return formatRFC3339(now);
}

/**
 * metav1.MicroTime: RFC 3339 UTC with six fractional digits. `epochMicros`
 * defaults to the wall clock; Date alone has only milliseconds, so the
 * sub-millisecond digits come from the high-resolution clock.
 */
export function formatMicro(epochMicros: bigint): string {
  const ms = Number(epochMicros / 1000n);
  const micros = epochMicros % 1_000_000n;
  const secs = new Date(ms).toISOString().slice(0, 19);
  return `${secs}.${micros.toString().padStart(6, '0')}Z`;
}

export function nowMicro(): string {
  return formatMicro(BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000)));
}

/** Parses metav1.Time / MicroTime; undefined for anything else. */
export function parseTime(s: string | null | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Upstream's alphabet: no vowels (no accidental words) and no 0/1/3 (confusable with o/l/e). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
/** 63 (DNS label) minus the random suffix. */
export const MaxGeneratedNameLength = 63 - RANDOM_LENGTH;

/** `base` (cut to 58 chars) plus five random characters: `web-` → `web-x7kqz`. */
export function generateName(base: string): string {
  let out = base.length > MaxGeneratedNameLength ? base.slice(0, MaxGeneratedNameLength) : base;
  for (let i = 0; i < RANDOM_LENGTH; i++) out += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return out;
}

/**
 * An OwnerReference pointing at `owner`. With controller=true (the default)
 * it is a controller reference that also blocks the owner's foreground
 * deletion (metav1.NewControllerRef). Needs apiVersion, kind, name and uid.
 */
export function ownerRefFor(owner: KubeObject, controller = true): OwnerReference {
  const ref: OwnerReference = {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
  };
  if (controller) {
    ref.controller = true;
    ref.blockOwnerDeletion = true;
  }
  return ref;
}

/** The owner reference with controller=true, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** True when `owner` (matched by uid) is obj's controller. */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid !== '' && ref.uid === owner.metadata?.uid;
}

/** The cache/workqueue key: `namespace/name`, or `name` for cluster-scoped objects. */
export function namespacedKey(obj: KubeObject | ObjectMeta): string {
  const meta: ObjectMeta | undefined = 'metadata' in obj ? obj.metadata : (obj as ObjectMeta);
  const name = meta?.name ?? '';
  return meta?.namespace ? `${meta.namespace}/${name}` : name;
}

/** Inverse of namespacedKey; throws on a key with more than one '/'. */
export function splitKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: parts[0] };
  if (parts.length === 2) return { namespace: parts[0], name: parts[1] };
  throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
}

function metaOf(obj: KubeObject): ObjectMeta {
  obj.metadata ??= {};
  return obj.metadata;
}

// ---- labels and annotations ----------------------------------------------------------

export function getLabel(obj: KubeObject, key: string): string | undefined {
  const labels = obj.metadata?.labels;
  return labels && Object.hasOwn(labels, key) ? labels[key] : undefined;
}

/** Mutates obj. */
export function setLabel(obj: KubeObject, key: string, value: string): void {
  const m = metaOf(obj);
  (m.labels ??= {})[key] = value;
}

/** Mutates obj; returns whether the label was there. */
export function removeLabel(obj: KubeObject, key: string): boolean {
  const labels = obj.metadata?.labels;
  if (!labels || !Object.hasOwn(labels, key)) return false;
  delete labels[key];
  return true;
}

export function getAnnotation(obj: KubeObject, key: string): string | undefined {
  const a = obj.metadata?.annotations;
  return a && Object.hasOwn(a, key) ? a[key] : undefined;
}

/** Mutates obj. */
export function setAnnotation(obj: KubeObject, key: string, value: string): void {
  const m = metaOf(obj);
  (m.annotations ??= {})[key] = value;
}

/** Mutates obj; returns whether the annotation was there. */
export function removeAnnotation(obj: KubeObject, key: string): boolean {
  const a = obj.metadata?.annotations;
  if (!a || !Object.hasOwn(a, key)) return false;
  delete a[key];
  return true;
}

// ---- finalizers --------------------------------------------------------------------------

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** Mutates obj; returns true when the finalizer was added (false if already present). */
export function addFinalizer(obj: KubeObject, finalizer: string): boolean {
  if (hasFinalizer(obj, finalizer)) return false;
  (metaOf(obj).finalizers ??= []).push(finalizer);
  return true;
}

/** Mutates obj; returns true when the finalizer was there. Drops the field when it empties. */
export function removeFinalizer(obj: KubeObject, finalizer: string): boolean {
  const list = obj.metadata?.finalizers;
  if (!list?.includes(finalizer)) return false;
  const rest = list.filter((f) => f !== finalizer);
  if (rest.length === 0) delete obj.metadata!.finalizers;
  else obj.metadata!.finalizers = rest;
  return true;
}

/** True once deletion has been requested (deletionTimestamp set). */
export function isBeingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}
