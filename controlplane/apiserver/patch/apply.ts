/**
 * Dispatches a PATCH body to its engine by Content-Type (API-SURFACE.md §b.7).
 * Server-side apply (application/apply-patch+yaml) is served as a strategic
 * merge of the applied configuration onto the live object: fields are set and
 * merged by the real merge keys, but without managedFields a field dropped from
 * a later apply is not removed and there are no ownership conflicts yet.
 */
import type { ResourceInfo } from '../../api/scheme.js';
import type { Obj } from '../registry/types.js';
import type { PatchType } from '../http/negotiate.js';
import { applyJsonPatch } from './jsonpatch.js';
import { mergePatch } from './mergepatch.js';
import { strategicMergePatch, patchMetaFor } from './strategic.js';

export function applyPatch(type: PatchType, current: Obj, patch: unknown, info: ResourceInfo): Obj {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch) as Obj;
    case 'merge':
      return mergePatch(current, patch) as Obj;
    case 'strategic':
    case 'apply':
      return strategicMergePatch(current, patch, patchMetaFor(info.group, info.kind)) as Obj;
  }
}
