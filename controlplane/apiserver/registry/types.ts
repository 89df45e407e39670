/**
 * What the API server needs to know about each resource it serves, and the
 * hooks (defaulting, validation) the scheme provides. The generic store does
 * everything else the same way for every resource (STYLE.md §1d).
 */
import type { FieldError } from '../../machinery/errors.js';

export type { ResourceInfo as ResourceDef, SubresourceInfo as SubresourceDef } from '../../api/scheme.js';

/** A decoded API object. Loose on purpose: the generic store works on any kind. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  [field: string]: unknown;
}

export interface Meta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  finalizers?: string[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Defaulting and validation for one kind, supplied by controlplane/api. */
export interface KindHooks {
  /** Mutates obj: fills defaults. */
  setDefaults(obj: Obj): void;
  /** Never mutates; [] when valid. `old` is set on update. */
  validate(obj: Obj, old?: Obj): FieldError[];
}

export interface HookLookup {
  hooksFor(group: string, version: string, kind: string): KindHooks;
}

export const noHooks: KindHooks = { setDefaults: () => undefined, validate: () => [] };
