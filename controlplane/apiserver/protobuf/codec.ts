/**
 * Schema-driven conversion between protobuf message bytes and the JSON that Go's encoding/json
 * writes for the same Kubernetes object.
 *
 * Design notes
 * - Decode mirrors what the real apiserver does: gogo-generated Unmarshal into the Go struct,
 *   then encoding/json. So a non-pointer struct is always written (`status: {}`, `resources: {}`),
 *   a zero non-pointer metav1.Time is `null` (`creationTimestamp: null`, as kubectl's own JSON
 *   bodies have it), a zero non-pointer IntOrString is `0`, omitempty scalars are dropped when zero,
 *   pointers appear exactly when they were on the wire, and a nil pointer, slice or map whose tag
 *   lacks omitempty is `null` (`"boundObjectRef": null`), just as kubectl's JSON bodies have it.
 *   Unknown field numbers are skipped, as Go does.
 * - Encode mirrors gogo's Marshal, so our bytes equal Go's bytes: fields in number order, every
 *   non-pointer field written even when zero (empty strings, `0`, empty sub-messages, zero Time
 *   as an empty message), pointers only when set, map entries sorted by key, repeated scalars
 *   unpacked. Encode is strict: a JSON key the schema does not know raises UnknownField instead
 *   of being dropped, so a caller can fall back to JSON rather than lose data. `kind` and
 *   `apiVersion` (TypeMeta, never on the protobuf wire) are ignored wherever the schema lacks them.
 * - Int64 values become JS numbers: exact below 2^53, which covers every Kubernetes int64 in practice.
 */
import { ProtobufError } from './errors.js';
import { Reader, WireType, Writer } from './wire.js';
import type { FieldDef, MessageDef, ScalarType, SpecialType, ValueType } from './schema.js';

export type JsonObject = Record<string, unknown>;

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------------------

/** One occurrence of a field on the wire: a varint/fixed value or a length-delimited payload. */
type Occurrence = { readonly wire: number; readonly num: bigint } | { readonly wire: typeof WireType.Len; readonly bytes: Uint8Array };

function scan(def: MessageDef, bytes: Uint8Array): Map<number, Occurrence[]> {
  const r = new Reader(bytes);
  const out = new Map<number, Occurrence[]>();
  while (!r.done) {
    const { field, wire } = r.tag();
    if (!def.byNum.has(field)) {
      r.skip(wire);
      continue;
    }
    let occ: Occurrence;
    switch (wire) {
      case WireType.Varint:
        occ = { wire, num: r.varint() };
        break;
      case WireType.Fixed64:
        occ = { wire, num: r.fixed64() };
        break;
      case WireType.Fixed32:
        occ = { wire, num: BigInt(r.fixed32()) };
        break;
      case WireType.Len:
        occ = { wire: WireType.Len, bytes: r.bytes() };
        break;
      default:
        throw new ProtobufError('BadWireType', `field ${field} of ${def.name} has wire type ${wire}`);
    }
    const list = out.get(field);
    if (list) list.push(occ);
    else out.set(field, [occ]);
  }
  return out;
}

function lenBytes(occ: Occurrence, path: string): Uint8Array {
  if (!('bytes' in occ)) throw new ProtobufError('BadWireType', `expected a length-delimited field, got wire type ${occ.wire}`, path);
  return occ.bytes;
}

function varintOf(occ: Occurrence, path: string): bigint {
  if ('bytes' in occ) throw new ProtobufError('BadWireType', 'expected a varint, got a length-delimited field', path);
  return occ.num;
}

/** Proto semantics: several occurrences of one embedded message merge, which is what concatenation does. */
function concat(occs: readonly Occurrence[], path: string): Uint8Array {
  if (occs.length === 1) return lenBytes(occs[0], path);
  return Buffer.concat(occs.map((o) => lenBytes(o, path)));
}

function narrow(scalar: 'i32' | 'i64' | 'b', v: bigint): number | boolean {
  if (scalar === 'b') return v !== 0n;
  return Number(scalar === 'i32' ? BigInt.asIntN(32, v) : BigInt.asIntN(64, v));
}

function decodeScalar(scalar: ScalarType, occ: Occurrence, path: string): string | number | boolean {
  switch (scalar) {
    case 's':
      return utf8Decoder.decode(lenBytes(occ, path));
    case 'bytes':
      return Buffer.from(lenBytes(occ, path)).toString('base64');
    default:
      return narrow(scalar, varintOf(occ, path));
  }
}

/** Repeated varint scalars may arrive packed (one length-delimited run) or one per tag; Go accepts both. */
function decodeRepeatedScalar(scalar: ScalarType, occ: Occurrence, path: string): Array<string | number | boolean> {
  if ((scalar === 'i32' || scalar === 'i64' || scalar === 'b') && 'bytes' in occ) {
    const r = new Reader(occ.bytes);
    const out: Array<number | boolean> = [];
    while (!r.done) out.push(narrow(scalar, r.varint()));
    return out;
  }
  return [decodeScalar(scalar, occ, path)];
}

function zeroScalar(scalar: ScalarType): string | number | boolean {
  return scalar === 's' || scalar === 'bytes' ? '' : scalar === 'b' ? false : 0;
}

function formatTime(seconds: bigint, nanos: number, micro: boolean, path: string): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new ProtobufError('InvalidValue', `timestamp ${seconds}s is out of range`, path);
  const base = d.toISOString().slice(0, -5);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** Every field of a small message whose schema lives in code (the special types, map entries). */
function scanAll(bytes: Uint8Array): Map<number, Occurrence[]> {
  const r = new Reader(bytes);
  const fields = new Map<number, Occurrence[]>();
  while (!r.done) {
    const { field, wire } = r.tag();
    let occ: Occurrence;
    if (wire === WireType.Len) occ = { wire: WireType.Len, bytes: r.bytes() };
    else if (wire === WireType.Varint) occ = { wire, num: r.varint() };
    else {
      r.skip(wire);
      continue;
    }
    const list = fields.get(field);
    if (list) list.push(occ);
    else fields.set(field, [occ]);
  }
  return fields;
}

/** The JSON of one apimachinery special type, from its message bytes (empty when absent). */
function decodeSpecial(special: SpecialType, bytes: Uint8Array, path: string): unknown {
  const fields = scanAll(bytes);
  const last = (n: number): Occurrence | undefined => fields.get(n)?.at(-1);
  const str = (n: number): string => {
    const o = last(n);
    return o ? utf8Decoder.decode(lenBytes(o, path)) : '';
  };
  const int = (n: number, bits: 32 | 64): bigint => {
    const o = last(n);
    return o ? (bits === 32 ? BigInt.asIntN(32, varintOf(o, path)) : BigInt.asIntN(64, varintOf(o, path))) : 0n;
  };
  switch (special) {
    case 'Time':
      // Go decodes an empty message as the zero time (JSON null) and drops the nanoseconds,
      // because the JSON form has none (apimachinery time_proto.go).
      return bytes.length === 0 ? null : formatTime(int(1, 64), 0, false, path);
    case 'MicroTime':
      return bytes.length === 0 ? null : formatTime(int(1, 64), Number(int(2, 32)), true, path);
    case 'Quantity':
      return last(1) ? str(1) : '0';
    case 'IntOrString':
      return int(1, 64) === 1n ? str(3) : Number(int(2, 32));
    case 'FieldsV1':
    case 'RawExtension': {
      const o = last(1);
      const raw = o ? lenBytes(o, path) : EMPTY;
      if (raw.length === 0) return null;
      try {
        return JSON.parse(utf8Decoder.decode(raw));
      } catch {
        throw new ProtobufError('InvalidValue', `${special} does not hold JSON`, path);
      }
    }
    case 'StringList':
      return (fields.get(1) ?? []).map((o) => utf8Decoder.decode(lenBytes(o, path)));
  }
}

function decodeValue(type: ValueType, occ: Occurrence | undefined, path: string): unknown {
  switch (type.kind) {
    case 'scalar':
      return occ ? decodeScalar(type.scalar, occ, path) : zeroScalar(type.scalar);
    case 'special':
      return decodeSpecial(type.special, occ ? lenBytes(occ, path) : EMPTY, path);
    case 'message':
      return decodeMessage(type.message, occ ? lenBytes(occ, path) : EMPTY, path);
  }
}

function decodeMapEntry(field: FieldDef, bytes: Uint8Array, path: string): [string, unknown] {
  const fields = scanAll(bytes);
  const k = fields.get(1)?.at(-1);
  const key = k ? utf8Decoder.decode(lenBytes(k, path)) : '';
  return [key, decodeValue(field.type, fields.get(2)?.at(-1), `${path}[${key}]`)];
}

function decodeField(out: JsonObject, field: FieldDef, occs: readonly Occurrence[], path: string): void {
  const here = path ? `${path}.${field.json}` : field.json;
  if (field.map) {
    // A nil map without omitempty is null in Go's JSON.
    if (occs.length === 0) {
      if (field.always) out[field.json] = null;
      return;
    }
    const obj: JsonObject = {};
    for (const o of occs) {
      const [k, v] = decodeMapEntry(field, lenBytes(o, here), here);
      obj[k] = v;
    }
    out[field.json] = obj;
    return;
  }
  if (field.repeated) {
    const items: unknown[] = [];
    occs.forEach((o, i) => {
      if (field.type.kind === 'scalar') items.push(...decodeRepeatedScalar(field.type.scalar, o, `${here}[${i}]`));
      else items.push(decodeValue(field.type, o, `${here}[${i}]`));
    });
    if (items.length > 0) out[field.json] = items;
    else if (field.emptyArray) out[field.json] = [];
    else if (field.always) out[field.json] = null; // a nil slice without omitempty
    return;
  }
  const present = occs.length > 0;
  switch (field.type.kind) {
    case 'scalar': {
      if (!present) {
        // Without omitempty Go writes a nil pointer or nil []byte as null, any other scalar as its zero value.
        if (field.always) out[field.json] = field.pointer || field.type.scalar === 'bytes' ? null : zeroScalar(field.type.scalar);
        return;
      }
      const v = decodeScalar(field.type.scalar, occs[occs.length - 1], here);
      if (field.pointer || field.always || v !== zeroScalar(field.type.scalar)) out[field.json] = v;
      return;
    }
    case 'special':
      if (!present && field.pointer) {
        if (field.always) out[field.json] = null;
        return;
      }
      out[field.json] = decodeSpecial(field.type.special, present ? concat(occs, here) : EMPTY, here);
      return;
    case 'message': {
      if (!present && field.pointer) {
        if (field.always) out[field.json] = null;
        return;
      }
      const sub = decodeMessage(field.type.message, present ? concat(occs, here) : EMPTY, field.inline ? path : here);
      if (field.inline) Object.assign(out, sub);
      else out[field.json] = sub;
    }
  }
}

/** The Go-JSON form of one message. Unknown field numbers are skipped. */
export function decodeMessage(def: MessageDef, bytes: Uint8Array, path = ''): JsonObject {
  const occs = scan(def, bytes);
  const out: JsonObject = {};
  for (const field of def.fields) decodeField(out, field, occs.get(field.num) ?? [], path);
  return out;
}

// ---------------------------------------------------------------------------------------------
// encode
// ---------------------------------------------------------------------------------------------

/** TypeMeta is JSON-only: these keys never have a protobuf field of their own unless the message says so. */
const TYPE_META_KEYS: ReadonlySet<string> = new Set(['kind', 'apiVersion']);

const knownKeysCache = new WeakMap<MessageDef, ReadonlySet<string>>();

/** The JSON keys a message accepts, its inline members' keys included. */
function knownKeys(def: MessageDef): ReadonlySet<string> {
  let keys = knownKeysCache.get(def);
  if (!keys) {
    const set = new Set<string>();
    for (const f of def.fields) {
      if (f.inline && f.type.kind === 'message') for (const k of knownKeys(f.type.message)) set.add(k);
      else set.add(f.json);
    }
    keys = set;
    knownKeysCache.set(def, keys);
  }
  return keys;
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(path: string, want: string, got: unknown): ProtobufError {
  const shown = Array.isArray(got) ? 'an array' : got === null ? 'null' : typeof got;
  return new ProtobufError('InvalidValue', `expected ${want}, got ${shown}`, path);
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function scalarBytes(scalar: 's' | 'bytes', v: unknown, path: string): Uint8Array {
  if (typeof v !== 'string') throw invalid(path, scalar === 's' ? 'a string' : 'a base64 string', v);
  if (scalar === 's') return utf8Encoder.encode(v);
  // Go's encoding/json decodes []byte with strict standard base64.
  if (!BASE64_RE.test(v)) throw new ProtobufError('InvalidValue', 'invalid base64 data', path);
  return Buffer.from(v, 'base64');
}

function scalarVarint(scalar: 'b' | 'i32' | 'i64', v: unknown, path: string): number {
  if (scalar === 'b') {
    if (typeof v !== 'boolean') throw invalid(path, 'a boolean', v);
    return v ? 1 : 0;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(path, 'an integer', v);
  if (scalar === 'i32' && (v < -(2 ** 31) || v >= 2 ** 31)) throw new ProtobufError('InvalidValue', `${v} does not fit in int32`, path);
  return v;
}

/** Writes one scalar value under `num`: strings and bytes length-delimited, the rest as varints. */
function writeScalar(w: Writer, num: number, scalar: ScalarType, v: unknown, path: string): void {
  if (scalar === 's' || scalar === 'bytes') w.tag(num, WireType.Len).lenBytes(scalarBytes(scalar, v, path));
  else w.tag(num, WireType.Varint).varint(scalarVarint(scalar, v, path));
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 → (seconds, nanos), as Go's time.Parse(time.RFC3339, …) reads it. */
function parseTime(v: unknown, path: string): { seconds: number; nanos: number } {
  if (typeof v !== 'string') throw invalid(path, 'an RFC 3339 time string', v);
  const m = TIME_RE.exec(v);
  if (!m) throw new ProtobufError('InvalidValue', `"${v}" is not an RFC 3339 time`, path);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  // setUTCFullYear, not Date.UTC, because Date.UTC maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  let seconds = date.getTime() / 1000;
  if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  return { seconds, nanos: frac ? Number(frac.padEnd(9, '0')) : 0 };
}

/** The message bytes of one special type; `v` undefined means Go's zero value. */
function encodeSpecial(special: SpecialType, v: unknown, path: string): Uint8Array {
  const w = new Writer();
  switch (special) {
    case 'Time':
    case 'MicroTime': {
      if (v === undefined || v === null) return EMPTY; // the zero time is an empty message
      // Timestamp{seconds, nanos}, both always written. metav1.Time's ProtoTime() fills seconds only
      // (its JSON has no fraction either); MicroTime keeps the nanoseconds.
      const { seconds, nanos } = parseTime(v, path);
      return w.tag(1, WireType.Varint).varint(seconds).tag(2, WireType.Varint).varint(special === 'Time' ? 0 : nanos).finish();
    }
    case 'Quantity': {
      // Go's zero Quantity marshals as "0"; JSON numbers are accepted as Go's Quantity does.
      const s = v === undefined || v === null ? '0' : typeof v === 'number' ? String(v) : v;
      if (typeof s !== 'string') throw invalid(path, 'a quantity string', v);
      return w.tag(1, WireType.Len).string(s).finish();
    }
    case 'IntOrString': {
      // All three fields are non-pointers in Go, so all three are always written.
      const isStr = typeof v === 'string';
      if (v !== undefined && v !== null && !isStr && typeof v !== 'number') throw invalid(path, 'an integer or a string', v);
      const intVal = typeof v === 'number' ? scalarVarint('i32', v, path) : 0;
      return w.tag(1, WireType.Varint).varint(isStr ? 1 : 0).tag(2, WireType.Varint).varint(intVal).tag(3, WireType.Len).string(isStr ? v : '').finish();
    }
    case 'FieldsV1':
    case 'RawExtension':
      if (v === undefined || v === null) return EMPTY;
      return w.tag(1, WireType.Len).string(JSON.stringify(v)).finish();
    case 'StringList':
      if (v === undefined || v === null) return EMPTY;
      if (!Array.isArray(v)) throw invalid(path, 'a list of strings', v);
      v.forEach((s, i) => writeScalar(w, 1, 's', s, `${path}[${i}]`));
      return w.finish();
  }
}

/** Writes one element of a repeated field, or a singular value that must be written. */
function writeValue(w: Writer, field: FieldDef, v: unknown, path: string): void {
  switch (field.type.kind) {
    case 'scalar':
      writeScalar(w, field.num, field.type.scalar, v, path);
      return;
    case 'special':
      w.tag(field.num, WireType.Len).lenBytes(encodeSpecial(field.type.special, v ?? undefined, path));
      return;
    case 'message':
      w.tag(field.num, WireType.Len).lenBytes(encodeMessage(field.type.message, v ?? undefined, path));
  }
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function writeMap(w: Writer, field: FieldDef, v: unknown, path: string): void {
  if (!isPlainObject(v)) throw invalid(path, 'an object', v);
  // gogo sorts map keys (sort.Strings: byte order) so that equal maps marshal to equal bytes.
  for (const key of Object.keys(v).sort(compareUtf8)) {
    const here = `${path}[${key}]`;
    const entry = new Writer().tag(1, WireType.Len).string(key);
    const value = v[key];
    if (field.type.kind === 'scalar') {
      // JSON null decodes to Go's zero value: "" for a string, a nil []byte (which gogo leaves out).
      if (value !== null) writeScalar(entry, 2, field.type.scalar, value, here);
      else if (field.type.scalar !== 'bytes') writeScalar(entry, 2, field.type.scalar, zeroScalar(field.type.scalar), here);
    } else {
      const bytes = field.type.kind === 'special' ? encodeSpecial(field.type.special, value ?? undefined, here) : encodeMessage(field.type.message, value ?? undefined, here);
      entry.tag(2, WireType.Len).lenBytes(bytes);
    }
    w.tag(field.num, WireType.Len).lenBytes(entry.finish());
  }
}

/**
 * The protobuf bytes of one message from its Go-JSON form. `obj` undefined encodes Go's zero value.
 * Throws UnknownField for keys the schema lacks and InvalidValue for values of the wrong type.
 */
export function encodeMessage(def: MessageDef, obj: unknown, path = '', checkKeys = true): Uint8Array {
  if (obj !== undefined && !isPlainObject(obj)) throw invalid(path || '(object)', 'an object', obj);
  const known = knownKeys(def);
  if (obj && checkKeys) {
    for (const key of Object.keys(obj)) {
      if (!known.has(key) && !TYPE_META_KEYS.has(key)) {
        throw new ProtobufError('UnknownField', `field not in the protobuf schema of ${def.name}`, path ? `${path}.${key}` : key);
      }
    }
  }
  const w = new Writer();
  for (const field of def.fields) {
    const here = path ? `${path}.${field.json}` : field.json;
    // An inline member reads its keys from this same object.
    const v = field.inline ? obj : obj?.[field.json];
    if (field.map) {
      if (v !== undefined && v !== null) writeMap(w, field, v, here);
      continue;
    }
    if (field.repeated) {
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) throw invalid(here, 'a list', v);
      v.forEach((item, i) => writeValue(w, field, item, `${here}[${i}]`));
      continue;
    }
    const unset = v === undefined || v === null;
    // Go writes a pointer only when it is set, a []byte only when non-nil, everything else always.
    if (unset && (field.pointer || (field.type.kind === 'scalar' && field.type.scalar === 'bytes'))) continue;
    if (unset && field.type.kind === 'scalar') writeScalar(w, field.num, field.type.scalar, zeroScalar(field.type.scalar), here);
    else if (field.inline && field.type.kind === 'message') {
      // The parent already checked this object's keys against its own and its inline members' names.
      w.tag(field.num, WireType.Len).lenBytes(encodeMessage(field.type.message, obj, path, false));
    } else writeValue(w, field, v, here);
  }
  return w.finish();
}
