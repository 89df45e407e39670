/**
 * The Kubernetes protobuf wire format (`application/vnd.kubernetes.protobuf`), as kubectl 1.32+
 * typed clients send it and as our daemons will speak it.
 *
 * A body is the 4 magic bytes "k8s\0" followed by a runtime.Unknown message:
 *   1 typeMeta {1 apiVersion, 2 kind}   2 raw (the object, encoded per its generated.proto)
 *   3 contentEncoding                   4 contentType
 * The object inside `raw` carries no TypeMeta: kind and apiVersion come from the envelope.
 *
 * Use: decodeK8sProtobuf(body).object is exactly what JSON.parse would give for the JSON body the
 * same client would have sent; encodeK8sProtobuf(obj) is the inverse, byte-for-byte what Go writes.
 */
import { decodeMessage, encodeMessage, type JsonObject } from './codec.js';
import { ProtobufError } from './errors.js';
import { kindSchema, registry, type KindSchema } from './kinds.js';
import type { FieldDef, MessageDef } from './schema.js';
import { Reader, WireType, Writer } from './wire.js';

export { ProtobufError, type ProtobufErrorCode } from './errors.js';
export { protobufKinds } from './kinds.js';
export type { JsonObject } from './codec.js';

export const K8S_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
/** "k8s\0" */
export const K8S_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedK8sProtobuf {
  apiVersion: string;
  kind: string;
  /** The object as Go's JSON would have it, `kind` and `apiVersion` included. */
  object: JsonObject;
}

const listDefs = new Map<string, MessageDef>();

/** `<Kind>List` is the same shape for every kind: ListMeta metadata = 1, repeated items = 2. */
function listDef(item: string): MessageDef {
  let def = listDefs.get(item);
  if (!def) {
    const itemDef = registry.get(item);
    const fields: FieldDef[] = [
      { json: 'metadata', num: 1, type: { kind: 'message', message: registry.get('meta.ListMeta') }, repeated: false, map: false, pointer: false, always: false, inline: false },
      // `items` has no omitempty; an empty list is [] here (the apiserver never sends null items).
      { json: 'items', num: 2, type: { kind: 'message', message: itemDef }, repeated: true, map: false, pointer: false, always: true, inline: false, emptyArray: true },
    ];
    def = { name: `${item}List`, fields, byNum: new Map(fields.map((f) => [f.num, f])) };
    listDefs.set(item, def);
  }
  return def;
}

function messageFor(schema: KindSchema): MessageDef {
  return schema.list ? listDef(schema.item) : registry.get(schema.message);
}

function schemaOf(apiVersion: string, kind: string): KindSchema {
  const schema = kindSchema(apiVersion, kind);
  if (!schema) throw new ProtobufError('UnknownKind', `no protobuf schema for ${apiVersion}, Kind=${kind}`);
  return schema;
}

/** True when decodeK8sProtobuf/encodeK8sProtobuf handle this apiVersion/kind (lists included). */
export function isProtobufKind(apiVersion: string, kind: string): boolean {
  return kindSchema(apiVersion, kind) !== undefined;
}

const utf8 = new TextDecoder();

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body. Throws ProtobufError: BadMagic, Truncated,
 * BadWireType, InvalidValue (a 400 for the caller), UnknownKind (no schema: 415 or 400), Unsupported.
 * Pure: does not keep or mutate `body`.
 */
export function decodeK8sProtobuf(body: Uint8Array): DecodedK8sProtobuf {
  if (body.length < 4 || !K8S_PROTOBUF_MAGIC.every((b, i) => body[i] === b)) {
    throw new ProtobufError('BadMagic', 'the body does not start with the Kubernetes protobuf prefix "k8s\\0"');
  }
  const r = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  let contentEncoding = '';
  let contentType = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== WireType.Len || field > 4) {
      r.skip(wire);
      continue;
    }
    const bytes = r.bytes();
    if (field === 1) {
      const t = new Reader(bytes);
      while (!t.done) {
        const tag = t.tag();
        if (tag.wire !== WireType.Len) t.skip(tag.wire);
        else if (tag.field === 1) apiVersion = utf8.decode(t.bytes());
        else if (tag.field === 2) kind = utf8.decode(t.bytes());
        else t.skip(tag.wire);
      }
    } else if (field === 2) raw = bytes;
    else if (field === 3) contentEncoding = utf8.decode(bytes);
    else contentType = utf8.decode(bytes);
  }
  if (contentEncoding) throw new ProtobufError('Unsupported', `content encoding "${contentEncoding}" is not supported`);
  if (!kind || !apiVersion) throw new ProtobufError('InvalidValue', 'the envelope has no apiVersion/kind');
  let object: JsonObject;
  if (contentType === 'application/json') {
    // runtime.Unknown may wrap JSON; kubectl never does this, but it is cheap to honour.
    try {
      object = JSON.parse(utf8.decode(raw)) as JsonObject;
    } catch {
      throw new ProtobufError('InvalidValue', 'the envelope says application/json but raw is not JSON');
    }
  } else if (contentType === '' || contentType === K8S_PROTOBUF_MEDIA_TYPE) {
    object = decodeMessage(messageFor(schemaOf(apiVersion, kind)), raw);
  } else {
    throw new ProtobufError('Unsupported', `raw content type "${contentType}" is not supported`);
  }
  // TypeMeta comes first in Go's JSON.
  return { apiVersion, kind, object: { kind, apiVersion, ...object } };
}

/**
 * Encodes an object (Go-JSON form, with `kind` and `apiVersion`) as a Kubernetes protobuf body,
 * byte-for-byte as Go writes it. Throws ProtobufError UnknownKind when there is no schema and
 * UnknownField when the object has a field the schema lacks — answer in JSON then, rather than
 * lose data. Pure: does not mutate `obj`.
 */
export function encodeK8sProtobuf(obj: Readonly<JsonObject>): Buffer {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    throw new ProtobufError('InvalidValue', 'the object needs string apiVersion and kind');
  }
  const raw = encodeMessage(messageFor(schemaOf(apiVersion, kind)), obj);
  const typeMeta = new Writer().tag(1, WireType.Len).string(apiVersion).tag(2, WireType.Len).string(kind).finish();
  // runtime.Unknown as gogo marshals it: typeMeta and the two strings always, raw when non-nil.
  const unknown = new Writer()
    .tag(1, WireType.Len).lenBytes(typeMeta)
    .tag(2, WireType.Len).lenBytes(raw)
    .tag(3, WireType.Len).string('')
    .tag(4, WireType.Len).string('')
    .finish();
  return Buffer.concat([K8S_PROTOBUF_MAGIC, unknown]);
}
