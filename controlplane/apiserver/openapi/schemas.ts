/**
 * The OpenAPI component schemas of every served kind, as generated from the
 * TS wire types by hack/gen-openapi.ts, and the questions the apiserver asks
 * of them: which components a group-version document needs, which schema a
 * kind has, and which fields of a request body no schema declares
 * (`fieldValidation=Strict|Warn`).
 *
 * Design notes
 * - The schemas live in schemas.generated.json beside this file in the source
 *   tree. It is read with readFileSync rather than imported: a JSON import
 *   would make tsc type the whole 300-schema literal and Node 20 warn that
 *   JSON modules are experimental. `tsc -b` does not copy a JSON file that is
 *   not imported, so from dist/ the file is found by walking up to the
 *   kubets package root and into the source tree (a copy placed next to the
 *   compiled module wins if present).
 * - `SchemaRegistry` is immutable after construction; `defaultRegistry()`
 *   loads the generated file once, on first use.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { refName, refOf, type Schema, type SchemaMap } from './types.js';

export type { Schema, SchemaMap } from './types.js';

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

const GENERATED = 'schemas.generated.json';
const SOURCE_DIR = 'controlplane/apiserver/openapi';

/** Where schemas.generated.json is: next to this module, else in the source tree above dist/. */
export function generatedSchemasPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, GENERATED);
  if (existsSync(beside)) return beside;
  for (let dir = here; ; ) {
    const candidate = join(dir, SOURCE_DIR, GENERATED);
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`openapi: ${GENERATED} not found beside ${here} or in a source tree above it`);
    dir = parent;
  }
}

/** Reads and parses the generated schemas. */
export function loadGeneratedSchemas(path: string = generatedSchemasPath()): SchemaMap {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`openapi: ${path} is not a schema map`);
  return parsed as SchemaMap;
}

function gvkKey(g: GVK): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

/** Every component name a schema refers to, directly. */
function refsIn(s: Schema, out: Set<string>): void {
  if (s.$ref) out.add(refName(s.$ref));
  for (const sub of s.allOf ?? []) refsIn(sub, out);
  for (const sub of s.oneOf ?? []) refsIn(sub, out);
  if (s.items) refsIn(s.items, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') refsIn(s.additionalProperties, out);
  for (const p of Object.values(s.properties ?? {})) refsIn(p, out);
}

export class SchemaRegistry {
  // Immutable after construction.
  private readonly byKind = new Map<string, string>();

  constructor(readonly schemas: Readonly<SchemaMap>) {
    for (const [name, s] of Object.entries(schemas)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) this.byKind.set(gvkKey(g), name);
    }
  }

  /** The component name of a kind (`io.k8s.api.apps.v1.Deployment`), if it has one. */
  componentForKind(gvk: GVK): string | undefined {
    return this.byKind.get(gvkKey(gvk));
  }

  schemaForKind(gvk: GVK): Schema | undefined {
    const name = this.componentForKind(gvk);
    return name === undefined ? undefined : this.schemas[name];
  }

  /**
   * The components one group-version document needs: every kind of that
   * group-version and, transitively, everything they reference (ObjectMeta,
   * PodSpec under apps/v1 …). Keys are sorted, so the document (and its
   * hash) is stable.
   */
  schemasFor(group: string, version: string): SchemaMap {
    const todo: string[] = [];
    for (const [name, s] of Object.entries(this.schemas)) {
      if ((s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version)) todo.push(name);
    }
    const seen = new Set<string>();
    while (todo.length) {
      const name = todo.pop()!;
      if (seen.has(name)) continue;
      const s = this.schemas[name];
      if (!s) continue;
      seen.add(name);
      const refs = new Set<string>();
      refsIn(s, refs);
      for (const r of refs) if (!seen.has(r)) todo.push(r);
    }
    const out: SchemaMap = {};
    for (const name of [...seen].sort()) out[name] = this.schemas[name];
    return out;
  }

  /**
   * The dotted paths of fields in `obj` that the kind's schema does not
   * declare, in document order: `spec.bogus`,
   * `spec.template.spec.containers[0].imagePullPolicyy`, `metadata.bogus`.
   * Maps (`additionalProperties`), opaque objects
   * (`x-kubernetes-preserve-unknown-fields`, or an object schema that lists
   * no properties) and int-or-string/Quantity values are not looked into.
   * Values of the wrong type are not reported: that is validation's job.
   * A kind without a schema yields [] (nothing can be said about it).
   */
  unknownFields(gvk: GVK, obj: unknown): string[] {
    const root = this.schemaForKind(gvk);
    const out: string[] = [];
    if (root) this.walk(root, obj, '', out);
    return out;
  }

  /** Follows `$ref` (plain or wrapped in a single allOf) to the component. */
  private deref(s: Schema): Schema {
    for (let i = 0; i < 16; i++) {
      const r = refOf(s);
      if (r === undefined) return s;
      const target = this.schemas[r];
      if (!target) return {};
      s = target;
    }
    return s;
  }

  private walk(schema: Schema, value: unknown, path: string, out: string[]): void {
    const s = this.deref(schema);
    if (s['x-kubernetes-preserve-unknown-fields'] || s.oneOf) return;
    if (Array.isArray(value)) {
      if (s.type === 'array' && s.items) value.forEach((v, i) => this.walk(s.items!, v, `${path}[${i}]`, out));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const fields = value as Record<string, unknown>;
    if (s.properties) {
      const ap = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      for (const [k, v] of Object.entries(fields)) {
        const p = path ? `${path}.${k}` : k;
        const prop = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
        if (prop) this.walk(prop, v, p, out);
        else if (ap) this.walk(ap, v, p, out);
        else if (s.additionalProperties !== true) out.push(p);
      }
      return;
    }
    if (typeof s.additionalProperties === 'object') {
      const ap = s.additionalProperties;
      for (const [k, v] of Object.entries(fields)) this.walk(ap, v, path ? `${path}.${k}` : k, out);
    }
    // An object schema with neither properties nor additionalProperties is opaque.
  }
}

let loaded: SchemaRegistry | undefined;

/** The registry of the generated schemas, loaded on first use and shared (it is immutable). */
export function defaultRegistry(): SchemaRegistry {
  return (loaded ??= new SchemaRegistry(loadGeneratedSchemas()));
}

/** The components the `/openapi/v3/{api/v1 | apis/<g>/<v>}` document needs. */
export function schemasFor(group: string, version: string): SchemaMap {
  return defaultRegistry().schemasFor(group, version);
}

export function schemaForKind(gvk: GVK): Schema | undefined {
  return defaultRegistry().schemaForKind(gvk);
}

/** See SchemaRegistry.unknownFields. */
export function unknownFields(gvk: GVK, obj: unknown): string[] {
  return defaultRegistry().unknownFields(gvk, obj);
}

/** One unknown field as upstream words it; with Warn, each is one `Warning: 299 - "<this>"` header value. */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path}"`;
}

/**
 * The fieldValidation=Strict error text (upstream's runtime.StrictDecodingError),
 * e.g. `strict decoding error: unknown field "spec.bogus", unknown field "spec.x"`.
 * Upstream's 400 BadRequest Status message is
 * `<Kind> in version "<v>" cannot be handled as a <Kind>: <this>`.
 */
export function strictDecodingError(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}
