/**
 * The OpenAPI schema vocabulary kubets serves: the subset of OpenAPI v3's
 * Schema Object (plus upstream's `x-kubernetes-*` extensions) that the
 * generator emits, the v3 documents embed and the v2 encoder translates.
 *
 * References are written in v3 form (`#/components/schemas/<name>`); the v2
 * encoder rewrites them to `#/definitions/<name>`.
 */

export interface GVKExtension {
  group: string;
  version: string;
  kind: string;
}

export type ListType = 'atomic' | 'set' | 'map';

export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-group-version-kind'?: GVKExtension[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: ListType;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** Component name → schema, e.g. `io.k8s.api.apps.v1.Deployment`. */
export type SchemaMap = Record<string, Schema>;

export const REF_PREFIX = '#/components/schemas/';

/** The component name a `$ref` points at (`#/components/schemas/X` → `X`). */
export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

/**
 * The component a property schema refers to, whether written plainly
 * (`{$ref}`) or, as upstream's v3 does when a description sits beside the
 * reference, wrapped (`{allOf: [{$ref}], description}`).
 */
export function refOf(s: Schema): string | undefined {
  if (s.$ref) return refName(s.$ref);
  if (s.allOf && s.allOf.length === 1 && s.allOf[0].$ref) return refName(s.allOf[0].$ref);
  return undefined;
}
