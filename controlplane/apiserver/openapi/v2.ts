/**
 * The OpenAPI v2 (Swagger 2.0) document, built from the same component
 * schemas as the v3 documents, and its protobuf encoding: the gnostic
 * `openapi.v2.Document` message that `GET /openapi/v2` answers with
 * (Content-Type `application/com.github.proto-openapi.spec.v2.v1.0+protobuf`).
 *
 * Why v2 at all: kubectl 1.27/1.28 download it before every create/apply and
 * read it for `explain --output=plaintext-openapiv2`, the client-side-apply
 * patch metadata fallback, and the fieldValidation query-parameter check
 * when v3 is unavailable (API-SURFACE.md §b.9, §d.2).
 *
 * Design notes
 * - `buildOpenAPIV2` returns the document as plain JSON (what upstream serves
 *   at /openapi/v2 for `Accept: application/json`); `encodeOpenAPIV2` turns that
 *   JSON into protobuf. Field numbers are those of google/gnostic
 *   openapiv2/OpenAPIv2.proto; only the messages kubectl reads are encoded.
 * - v3 → v2 schema translation: `#/components/schemas/X` becomes
 *   `#/definitions/X`, `allOf: [{$ref}]` becomes a plain `$ref` with its
 *   description beside it (upstream's v2 form), and the v3-only `oneOf` of
 *   IntOrString/Quantity becomes `type: string` (+ format), as in upstream's v2.
 * - Vendor extensions (`x-kubernetes-*`) are gnostic `NamedAny`s whose value
 *   is YAML text; kube-openapi parses that text with a YAML decoder, so the
 *   JSON text of the value (valid YAML) is written.
 * - Paths list each resource's item path with PATCH/PUT/GET and its
 *   collection POST, each carrying `x-kubernetes-group-version-kind` and the
 *   `fieldValidation` query parameter, so a client that checks v2 for
 *   server-side field validation finds it and trusts the server.
 */
import type { ResourceInfo, Scheme } from '../../api/scheme.js';
import { refOf, type Schema, type SchemaMap } from './types.js';

export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** A v2 Schema Object as JSON. Vendor extensions are the `x-` keys. */
export interface V2Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  required?: string[];
  items?: V2Schema;
  additionalProperties?: V2Schema | boolean;
  properties?: Record<string, V2Schema>;
  [extension: `x-${string}`]: unknown;
}

export interface V2Parameter {
  name: string;
  in: 'query' | 'path' | 'body';
  description?: string;
  required?: boolean;
  type?: string;
  schema?: V2Schema;
  uniqueItems?: boolean;
}

export interface V2Operation {
  description?: string;
  operationId: string;
  consumes?: string[];
  produces?: string[];
  schemes?: string[];
  parameters: V2Parameter[];
  responses: Record<string, { description: string; schema?: V2Schema }>;
  [extension: `x-${string}`]: unknown;
}

export interface V2PathItem {
  get?: V2Operation;
  put?: V2Operation;
  post?: V2Operation;
  delete?: V2Operation;
  patch?: V2Operation;
  parameters?: V2Parameter[];
}

export interface V2Document {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, V2PathItem>;
  definitions: Record<string, V2Schema>;
}

const DEF_PREFIX = '#/definitions/';
const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** One v3 component schema in v2 form. */
export function toV2Schema(s: Schema): V2Schema {
  const out: V2Schema = {};
  const r = refOf(s);
  if (r !== undefined) out.$ref = DEF_PREFIX + r;
  else if (s.oneOf) out.type = 'string';
  else if (s.type) out.type = s.type;
  if (s.format) out.format = s.format;
  if (s.description) out.description = s.description;
  if (s.required?.length) out.required = [...s.required];
  if (s.items) out.items = toV2Schema(s.items);
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'boolean' ? s.additionalProperties : toV2Schema(s.additionalProperties);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toV2Schema(v)]));
  for (const [k, v] of Object.entries(s)) if (k.startsWith('x-')) out[k as `x-${string}`] = v;
  return out;
}

function gvkOf(r: ResourceInfo): { group: string; kind: string; version: string } {
  return { group: r.group, kind: r.kind, version: r.version };
}

/**
 * The whole v2 document: every component as a definition, and the paths of
 * every resource of `scheme` that has a component.
 */
export function buildOpenAPIV2(schemas: Readonly<SchemaMap>, scheme: Pick<Scheme, 'all'>, info = { title: 'Kubernetes', version: 'v1.33.0-kubets' }): V2Document {
  const definitions: Record<string, V2Schema> = {};
  for (const name of Object.keys(schemas).sort()) definitions[name] = toV2Schema(schemas[name]);
  const componentOf = new Map<string, string>();
  for (const [name, s] of Object.entries(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) componentOf.set(`${g.group}/${g.version}/${g.kind}`, name);
  }

  const paths: Record<string, V2PathItem> = {};
  for (const r of scheme.all()) {
    const component = componentOf.get(`${r.group}/${r.version}/${r.kind}`);
    const body: V2Schema = component ? { $ref: DEF_PREFIX + component } : { type: 'object' };
    const gvk = gvkOf(r);
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const base = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}`;
    const op = (verb: string, action: string, params: V2Parameter[], code: string): V2Operation => ({
      operationId: `${verb}${r.namespaced ? 'Namespaced' : ''}${r.kind}`,
      consumes: verb === 'patch' ? PATCH_MEDIA_TYPES : ['*/*'],
      produces: JSON_TYPES,
      schemes: ['https'],
      parameters: params,
      responses: { [code]: { description: code === '201' ? 'Created' : 'OK', schema: body }, '401': { description: 'Unauthorized' } },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    });
    const query = (name: string, type: string): V2Parameter => ({ name, in: 'query', type, uniqueItems: true });
    const writeParams = (bodySchema: V2Schema): V2Parameter[] => [
      { name: 'body', in: 'body', required: true, schema: bodySchema },
      query('dryRun', 'string'),
      query('fieldManager', 'string'),
      query('fieldValidation', 'string'),
    ];
    const pathParams: V2Parameter[] = [{ name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true }];
    if (r.namespaced) pathParams.push({ name: 'namespace', in: 'path', required: true, type: 'string', uniqueItems: true });

    const item: V2PathItem = {};
    if (r.verbs.includes('get')) item.get = op('read', 'get', [], '200');
    if (r.verbs.includes('update')) item.put = op('replace', 'put', writeParams(body), '200');
    if (r.verbs.includes('patch')) item.patch = op('patch', 'patch', [...writeParams({ type: 'object' }), query('force', 'boolean')], '200');
    if (item.get || item.put || item.patch) paths[`${base}/{name}`] = { ...item, parameters: pathParams };
    if (r.verbs.includes('create')) {
      const collectionParams = r.namespaced ? [pathParams[1]] : [];
      paths[base] = { post: op('create', 'post', writeParams(body), '201'), parameters: collectionParams };
    }
  }
  return { swagger: '2.0', info, paths, definitions };
}

// ---------------------------------------------------------------------------
// Protobuf encoding (proto3 wire format: absent/default scalars are omitted)
//
// Messages are built as trees of chunks whose sizes are summed on the way up
// and copied once, at the end, into one buffer: concatenating at every
// nesting level would copy each byte once per level.

interface Bytes {
  size: number;
  parts: Array<Uint8Array | Bytes>;
}

const EMPTY: Bytes = { size: 0, parts: [] };

function raw(b: Uint8Array): Bytes {
  return { size: b.length, parts: [b] };
}
function varint(n: number): Bytes {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return raw(Uint8Array.from(out));
}
function key(field: number, wire: 0 | 2): Bytes {
  return varint(field * 8 + wire);
}
function cat(...parts: Bytes[]): Bytes {
  let size = 0;
  for (const p of parts) size += p.size;
  return { size, parts };
}
/** A length-delimited field (string, bytes or sub-message). Always written, even when empty, for sub-messages. */
function ld(field: number, payload: Bytes): Bytes {
  return cat(key(field, 2), varint(payload.size), payload);
}
function str(field: number, s: string | undefined): Bytes {
  return s ? ld(field, raw(Buffer.from(s, 'utf8'))) : EMPTY;
}
function strs(field: number, list: readonly string[] | undefined): Bytes {
  return cat(...(list ?? []).map((s) => ld(field, raw(Buffer.from(s, 'utf8')))));
}
function bool(field: number, b: boolean | undefined): Bytes {
  return b ? cat(key(field, 0), varint(1)) : EMPTY;
}
/** Copies a chunk tree into one buffer. */
function flatten(b: Bytes): Uint8Array {
  const out = new Uint8Array(b.size);
  let at = 0;
  const walk = (x: Bytes): void => {
    for (const p of x.parts) {
      if (p instanceof Uint8Array) {
        out.set(p, at);
        at += p.length;
      } else walk(p);
    }
  };
  walk(b);
  return out;
}

/** NamedAny{name=1, value=2: Any{yaml=2}} per `x-` key, in key order. */
function vendorExtensions(field: number, obj: object): Bytes {
  const parts: Bytes[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-') || v === undefined) continue;
    const any = str(2, `${JSON.stringify(v)}\n`);
    parts.push(ld(field, cat(str(1, k), ld(2, any))));
  }
  return cat(...parts);
}

/** openapi.v2.Schema. */
function encodeSchema(s: V2Schema): Bytes {
  const parts: Bytes[] = [str(1, s.$ref), str(2, s.format), str(4, s.description), strs(19, s.required)];
  if (s.additionalProperties !== undefined) {
    // AdditionalPropertiesItem: oneof { Schema schema = 1; bool boolean = 2; }
    const api = typeof s.additionalProperties === 'boolean'
      ? cat(key(2, 0), varint(s.additionalProperties ? 1 : 0))
      : ld(1, encodeSchema(s.additionalProperties));
    parts.push(ld(21, api));
  }
  if (s.type) parts.push(ld(22, strs(1, [s.type]))); // TypeItem{repeated string value = 1}
  if (s.items) parts.push(ld(23, ld(1, encodeSchema(s.items)))); // ItemsItem{repeated Schema schema = 1}
  if (s.properties) parts.push(ld(25, namedSchemas(s.properties))); // Properties{repeated NamedSchema additional_properties = 1}
  parts.push(vendorExtensions(31, s));
  return cat(...parts);
}

/** repeated NamedSchema{name=1, value=2} as field 1 of the enclosing message. */
function namedSchemas(map: Record<string, V2Schema>): Bytes {
  return cat(...Object.entries(map).map(([name, s]) => ld(1, cat(str(1, name), ld(2, encodeSchema(s))))));
}

/** openapi.v2.ParametersItem{parameter=1: Parameter{body_parameter=1 | non_body_parameter=2}}. */
function encodeParameter(p: V2Parameter): Bytes {
  let parameter: Bytes;
  if (p.in === 'body') {
    // BodyParameter{description=1, name=2, in=3, required=4, schema=5}
    parameter = ld(1, cat(str(1, p.description), str(2, p.name), str(3, p.in), bool(4, p.required), p.schema ? ld(5, encodeSchema(p.schema)) : EMPTY));
  } else if (p.in === 'query') {
    // NonBodyParameter{query_parameter_sub_schema=3: {required=1, in=2, description=3, name=4, type=6, unique_items=20}}
    parameter = ld(2, ld(3, cat(bool(1, p.required), str(2, p.in), str(3, p.description), str(4, p.name), str(6, p.type), bool(20, p.uniqueItems))));
  } else {
    // NonBodyParameter{path_parameter_sub_schema=4: {required=1, in=2, description=3, name=4, type=5, unique_items=19}}
    parameter = ld(2, ld(4, cat(bool(1, p.required), str(2, p.in), str(3, p.description), str(4, p.name), str(5, p.type), bool(19, p.uniqueItems))));
  }
  return ld(1, parameter);
}

/** openapi.v2.Operation. */
function encodeOperation(op: V2Operation): Bytes {
  const responses = cat(
    ...Object.entries(op.responses).map(([code, r]) => {
      // NamedResponseValue{name=1, value=2: ResponseValue{response=1: Response{description=1, schema=2: SchemaItem{schema=1}}}}
      const response = cat(str(1, r.description), r.schema ? ld(2, ld(1, encodeSchema(r.schema))) : EMPTY);
      return ld(1, cat(str(1, code), ld(2, ld(1, response))));
    }),
  );
  return cat(
    str(3, op.description),
    str(5, op.operationId),
    strs(6, op.produces),
    strs(7, op.consumes),
    cat(...op.parameters.map((p) => ld(8, encodeParameter(p)))),
    ld(9, responses),
    strs(10, op.schemes),
    vendorExtensions(13, op),
  );
}

/** openapi.v2.PathItem{get=2, put=3, post=4, delete=5, patch=8, parameters=9}. */
function encodePathItem(item: V2PathItem): Bytes {
  const ops: Array<[number, V2Operation | undefined]> = [[2, item.get], [3, item.put], [4, item.post], [5, item.delete], [8, item.patch]];
  return cat(
    ...ops.map(([f, op]) => (op ? ld(f, encodeOperation(op)) : EMPTY)),
    ...(item.parameters ?? []).map((p) => ld(9, encodeParameter(p))),
  );
}

/**
 * openapi.v2.Document{swagger=1, info=2: Info{title=1, version=2},
 * paths=8: Paths{path=2: NamedPathItem{name=1, value=2}},
 * definitions=9: Definitions{additional_properties=1: NamedSchema}}.
 */
export function encodeOpenAPIV2(doc: V2Document): Uint8Array {
  const paths = cat(...Object.entries(doc.paths).map(([p, item]) => ld(2, cat(str(1, p), ld(2, encodePathItem(item))))));
  return flatten(
    cat(
      str(1, doc.swagger),
      ld(2, cat(str(1, doc.info.title), str(2, doc.info.version))),
      ld(8, paths),
      ld(9, namedSchemas(doc.definitions)),
    ),
  );
}
