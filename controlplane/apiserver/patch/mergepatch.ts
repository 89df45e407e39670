/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): what kubectl
 * sends for `label`, `annotate`, `scale` and `patch --type=merge`, and the
 * semantics the strategic engine falls back to for kinds it has no table for.
 *
 * Rules: objects merge key by key, recursively; `null` deletes a key; arrays
 * and scalars replace whatever was there. A null nested inside a value that
 * is being added is dropped (RFC 7386 applies the patch to an empty target).
 */
import { apiErrors } from '../../machinery/errors.js';
import { cloneJson, isJsonObject, jsonKind, type JsonObject } from './json.js';

/**
 * The RFC 7386 MergePatch(target, patch) function on plain JSON values.
 * Pure: returns a new value; neither argument is modified and the result
 * shares no objects with them.
 */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  return mergeOwned(cloneJson(target), patch);
}

/** MergePatch where `target` is already our private copy and may be changed in place. */
function mergeOwned(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeOwned(out[k], v);
  }
  return out;
}

/**
 * Applies a merge patch to a Kubernetes object. A top-level patch that is not
 * a JSON object would replace the whole object with an array or a scalar,
 * which can never decode into a resource, so it is rejected with a 400.
 */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) {
    throw apiErrors.badRequest(`merge patch must be a JSON object, got ${jsonKind(patch)}`);
  }
  return jsonMergePatch(original, patch);
}
