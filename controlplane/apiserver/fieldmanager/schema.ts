/**
 * The type information server-side apply needs about an object: which nodes
 * are structs (named fields) or maps (free keys), which lists are keyed,
 * sets or atomic, and which maps/structs are owned as one value.
 *
 * Design notes
 * - Upstream builds this from the OpenAPI models (`x-kubernetes-list-type`,
 *   `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`, `+structType`).
 *   kubets serves generated OpenAPI schemas (../openapi/schemas.ts) that carry
 *   the list annotations, so a kind with a schema is typed from it. Two facts
 *   the generated schemas lack are written down here: the structs upstream
 *   tags `+structType=atomic` (LabelSelector, ObjectReference, …) and the
 *   defaults of key fields (`protocol: TCP` on ports, which is why upstream's
 *   key for a port is `k:{"containerPort":80,"protocol":"TCP"}` even when the
 *   applied file names no protocol).
 * - Kinds without a schema (custom resources, anything not generated) get
 *   upstream's "deduced" typing, refined by the strategic-merge tags of
 *   ../patch/patchmeta.ts where there are any: objects are maps whose keys
 *   are all owned individually; lists tagged `merge` with a merge key are
 *   keyed by it, `merge` without a key is a set, all other lists are atomic.
 *   `metadata` is always typed as ObjectMeta, as upstream does for CRDs.
 * - Types are resolved lazily (schemas are recursive) and cached per schema
 *   object, so a lookup costs one Map access after the first use.
 * - Value-struct heuristic (`alwaysPresent`): in Go, a non-pointer struct
 *   field (Deployment `spec`, `spec.template`, `spec.strategy`, a container's
 *   `resources`) always exists, empty if nothing is set. Upstream's Update
 *   comparisons therefore never see such a node "added", and FieldsV1 never
 *   marks it with `.`. We don't know Go pointer-ness, so the common value
 *   struct fields are listed by name (VALUE_STRUCT_FIELDS).
 */
import type { Schema } from '../openapi/types.js';
import { refOf } from '../openapi/types.js';
import { defaultRegistry } from '../openapi/schemas.js';
import { patchMetaFor } from '../patch/strategic.js';
import type { PatchMetaLookup } from '../patch/patchmeta.js';

export type ListType = 'atomic' | 'set' | 'map';

/** What a node's schema says about it. */
export interface FieldType {
  /**
   * 'scalar' leaf, 'map' (struct and/or map), 'list', or 'untyped' when the
   * value decides (object → map of individually owned keys, array → list of
   * `listType`, anything else → leaf).
   */
  readonly shape: 'scalar' | 'map' | 'list' | 'untyped';
  /** A map or list owned, merged and replaced as one value. */
  readonly atomic: boolean;
  /** For lists (and arrays under an untyped node). */
  readonly listType: ListType;
  /** Key fields of a `map` list, in schema order. */
  readonly keys: readonly string[];
  /** The field `name` of a map node. */
  field(name: string): FieldInfo;
  /** The items of a list node. */
  item(): FieldType;
  /** Default of a key field of this list's items, or undefined (the item then must name it). */
  keyDefault(name: string): unknown;
}

export interface FieldInfo {
  readonly type: FieldType;
  /** A named struct field (owned only through its leaves) rather than a free map key (owned itself). */
  readonly declared: boolean;
  /**
   * A Go value struct (or a list Go always serializes): when comparing, an
   * absent value counts as present-but-empty (see design notes).
   */
  readonly alwaysPresent: boolean;
}

/** Where the OpenAPI components come from; `SchemaRegistry` satisfies it. */
export interface SchemaSource {
  readonly schemas: Readonly<Record<string, Schema>>;
  componentForKind(gvk: { group: string; version: string; kind: string }): string | undefined;
}

const UNDECLARED = (type: FieldType): FieldInfo => ({ type, declared: false, alwaysPresent: false });

/** Deduced typing: objects are maps of individually owned keys, lists are atomic. */
export const untyped: FieldType = {
  shape: 'untyped',
  atomic: false,
  listType: 'atomic',
  keys: [],
  field: () => UNDECLARED(untyped),
  item: () => untyped,
  keyDefault: () => undefined,
};

const scalar: FieldType = { ...untyped, shape: 'scalar', field: () => UNDECLARED(untyped), item: () => untyped };

/** Structs upstream tags `+structType=atomic` (or `+mapType=atomic`): owned and replaced whole. */
const ATOMIC_COMPONENTS: ReadonlySet<string> = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.NodeSelectorRequirement',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.TopologySelectorTerm',
]);

/** Schema defaults of list-map key fields (upstream's `+default` on them), by item component. */
const KEY_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'io.k8s.api.core.v1.ContainerPort': { protocol: 'TCP' },
  'io.k8s.api.core.v1.ServicePort': { protocol: 'TCP' },
};

/** Field names that are Go value structs wherever they are structs (see design notes). */
const VALUE_STRUCT_FIELDS: ReadonlySet<string> = new Set([
  'metadata',
  'spec',
  'status',
  'template',
  'strategy',
  'updateStrategy',
  'jobTemplate',
  'resources',
  'loadBalancer',
]);

/**
 * List fields Go always serializes (no `omitempty`), as `null` when empty:
 * PodSpec.containers. Upstream's zero object therefore already "has" them.
 */
const VALUE_LIST_FIELDS: ReadonlySet<string> = new Set(['containers']);

/** Types from OpenAPI component schemas, memoized per schema object. */
class OpenAPITypes {
  private readonly cache = new WeakMap<Schema, FieldType>();
  constructor(private readonly source: SchemaSource) {}

  component(name: string): FieldType {
    const s = this.source.schemas[name];
    return s ? this.of(s) : untyped;
  }

  /** Follows `$ref` (plain or a single allOf) to the component; returns it with its name. */
  private deref(s: Schema): { schema: Schema; name?: string } {
    let name: string | undefined;
    for (let i = 0; i < 16; i++) {
      const r = refOf(s);
      if (r === undefined) return { schema: s, name };
      const target = this.source.schemas[r];
      if (!target) return { schema: {}, name: r };
      name = r;
      s = target;
    }
    return { schema: s, name };
  }

  of(raw: Schema): FieldType {
    const hit = this.cache.get(raw);
    if (hit) return hit;
    const { schema: s, name } = this.deref(raw);
    const t = this.build(s, name, raw);
    this.cache.set(raw, t);
    return t;
  }

  private build(s: Schema, name: string | undefined, raw: Schema): FieldType {
    if (s['x-kubernetes-preserve-unknown-fields']) return untyped;
    if (s.oneOf || s['x-kubernetes-int-or-string']) return scalar; // Quantity, IntOrString
    if (s.type === 'array') {
      // The list annotations sit on the property (raw), not on the referenced item component.
      const lt = raw['x-kubernetes-list-type'] ?? s['x-kubernetes-list-type'];
      const keys = raw['x-kubernetes-list-map-keys'] ?? s['x-kubernetes-list-map-keys'] ?? [];
      const listType: ListType = lt === 'map' && keys.length > 0 ? 'map' : lt === 'set' ? 'set' : 'atomic';
      const itemSchema = s.items;
      const itemName = itemSchema ? refOf(itemSchema) : undefined;
      const defaults = itemName ? KEY_DEFAULTS[itemName] : undefined;
      let item: FieldType | undefined;
      return {
        shape: 'list',
        atomic: listType === 'atomic',
        listType,
        keys: listType === 'map' ? keys : [],
        field: () => UNDECLARED(untyped),
        item: () => (item ??= itemSchema ? this.of(itemSchema) : untyped),
        keyDefault: (k) => (defaults && Object.prototype.hasOwnProperty.call(defaults, k) ? defaults[k] : undefined),
      };
    }
    const props = s.properties;
    const ap = s.additionalProperties;
    if (s.type === 'object' || props) {
      if (!props && ap === undefined) return untyped; // an opaque object
      const atomic = (name !== undefined && ATOMIC_COMPONENTS.has(name)) || raw['x-kubernetes-map-type'] === 'atomic' || s['x-kubernetes-map-type'] === 'atomic';
      const fields = new Map<string, FieldInfo>();
      let elem: FieldInfo | undefined;
      const elemInfo = (): FieldInfo => (elem ??= UNDECLARED(typeof ap === 'object' ? this.of(ap) : untyped));
      return {
        shape: 'map',
        atomic,
        listType: 'atomic',
        keys: [],
        field: (k) => {
          if (props && Object.prototype.hasOwnProperty.call(props, k)) {
            let info = fields.get(k);
            if (!info) {
              const type = this.of(props[k]);
              const valueStruct = VALUE_STRUCT_FIELDS.has(k) && type.shape === 'map' && !type.atomic;
              const valueList = VALUE_LIST_FIELDS.has(k) && type.shape === 'list' && !type.atomic;
              info = { type, declared: true, alwaysPresent: valueStruct || valueList };
              fields.set(k, info);
            }
            return info;
          }
          // Free keys of a map, or a field a struct's schema doesn't declare (owned as deduced).
          return elemInfo();
        },
        item: () => untyped,
        keyDefault: () => undefined,
      };
    }
    if (s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean') return scalar;
    return untyped;
  }
}

/**
 * Deduced typing refined by strategic-merge tags: every object key is owned
 * individually; arrays follow their `patchStrategy`/`patchMergeKey` tag.
 * `path` is the field path from the root (list items add no segment), the
 * form PatchMetaLookup takes.
 */
function patchMetaType(lookup: PatchMetaLookup, path: readonly string[], metadata: FieldType | undefined): FieldType {
  const tag = path.length > 0 ? lookup(path) : undefined;
  const merging = tag?.strategy === 'merge' || tag?.strategy === 'merge,retainKeys';
  const listType: ListType = merging ? (tag?.mergeKey ? 'map' : 'set') : 'atomic';
  return {
    shape: 'untyped',
    atomic: false,
    listType,
    keys: listType === 'map' && tag?.mergeKey ? [tag.mergeKey] : [],
    field: (name) => {
      // ObjectMeta is typed even for kinds we have no schema for, as upstream types it for CRDs.
      if (path.length === 0 && name === 'metadata' && metadata) return { type: metadata, declared: true, alwaysPresent: true };
      return UNDECLARED(patchMetaType(lookup, [...path, name], metadata));
    },
    item: () => patchMetaType(lookup, path, metadata),
    keyDefault: () => undefined,
  };
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Memo of OpenAPITypes per source, so every request shares the resolved types. */
const typesBySource = new WeakMap<SchemaSource, OpenAPITypes>();

function typesOf(source: SchemaSource): OpenAPITypes {
  let t = typesBySource.get(source);
  if (!t) {
    t = new OpenAPITypes(source);
    typesBySource.set(source, t);
  }
  return t;
}

/**
 * The root type of a kind's objects: from its OpenAPI schema when it has one,
 * otherwise deduced plus its strategic-merge tags (`patchMetaFor`).
 * `source` defaults to the generated schemas the apiserver serves.
 */
export function typeForKind(gvk: GroupVersionKind, source: SchemaSource = defaultRegistry()): FieldType {
  const types = typesOf(source);
  const component = source.componentForKind(gvk);
  if (component) return types.component(component);
  const meta = source.schemas[OBJECT_META] ? types.component(OBJECT_META) : undefined;
  return patchMetaType(patchMetaFor(gvk.group, gvk.kind), [], meta);
}

/** A type built only from strategic-merge tags (tests, and kinds served without schemas). */
export function typeFromPatchMeta(lookup: PatchMetaLookup): FieldType {
  return patchMetaType(lookup, [], undefined);
}

/** Splits `apps/v1` into group and version (`v1` → core group). */
export function parseAPIVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}
