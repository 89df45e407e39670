/**
 * The scheme's defaulting and validation, as the generic registry's KindHooks.
 * Per-kind validators come from controlplane/api; until a kind has one, its
 * metadata is still validated (names, labels, annotations, owners, finalizers).
 */
import { applyDefaults } from '../api/defaults.js';
import { scheme } from '../api/scheme.js';
import { validatePod, validatePodUpdate } from '../api/core/v1/validation.js';
import type { Pod } from '../api/core/v1/types.js';
import { validateObjectMeta, validateObjectMetaUpdate, nameIsDNSLabel, nameIsDNSSubdomain, validatePathSegmentName, type ValidateNameFunc } from '../machinery/meta/validation.js';
import type { ObjectMeta } from '../machinery/meta/types.js';
import type { FieldError } from '../machinery/errors.js';
import type { HookLookup, KindHooks, Obj } from './registry/types.js';

/** Kinds whose names are DNS-1123 labels or path segments rather than subdomains (upstream's ValidateXName). */
const NAME_RULES: Record<string, ValidateNameFunc> = {
  '/Namespace': nameIsDNSLabel,
  '/Service': nameIsDNSLabel,
  'rbac.authorization.k8s.io/Role': validatePathSegmentName,
  'rbac.authorization.k8s.io/ClusterRole': validatePathSegmentName,
  'rbac.authorization.k8s.io/RoleBinding': validatePathSegmentName,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validatePathSegmentName,
};

type Validator = (obj: Obj, old?: Obj) => FieldError[];

const KIND_VALIDATORS: Record<string, Validator> = {
  '/Pod': (o, old) => (old ? validatePodUpdate(o as unknown as Pod, old as unknown as Pod) : validatePod(o as unknown as Pod)),
};

function hooksFor(group: string, version: string, kind: string): KindHooks {
  const info = scheme.forKind({ group, version, kind });
  const namespaced = info?.namespaced ?? true;
  const nameFn = NAME_RULES[`${group}/${kind}`] ?? nameIsDNSSubdomain;
  const kindValidator = KIND_VALIDATORS[`${group}/${kind}`];
  return {
    setDefaults: (obj) => {
      applyDefaults({ group, version, kind }, obj);
    },
    validate: (obj, old) => {
      if (kindValidator) return kindValidator(obj, old);
      const meta = obj.metadata as ObjectMeta | undefined;
      return old ? validateObjectMetaUpdate(meta, old.metadata as ObjectMeta | undefined) : validateObjectMeta(meta, { namespaced, nameFn });
    },
  };
}

const cache = new Map<string, KindHooks>();

export const apiHooks: HookLookup = {
  hooksFor(group, version, kind) {
    const k = `${group}/${version}/${kind}`;
    let h = cache.get(k);
    if (!h) cache.set(k, (h = hooksFor(group, version, kind)));
    return h;
  },
};
