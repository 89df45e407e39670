/**
 * Message schemas as data, and the parser that turns them into field tables.
 *
 * Each message is one string of field specs `json=number:type[flags]`, separated by white space:
 *
 *   type   s | b | i32 | i64 | bytes                     scalars (enums are strings in Kubernetes)
 *          Time | MicroTime | Quantity | IntOrString      apimachinery types with their own JSON form
 *          FieldsV1 | RawExtension | StringList           (StringList is the ExtraValue `[]string` wrapper)
 *          Name | pkg.Name                                another message: own package first, then meta, then core
 *          [T]  repeated,  {T}  map with string keys
 *   flags  ?  Go pointer: on the wire and in JSON only when set (otherwise Go writes non-pointer fields always)
 *          !  no `omitempty` in the Go json tag: when unset, JSON gets the zero value ("", 0, false), or null
 *             for a pointer, a slice, a map or []byte (Go's encoding/json writes nil as null)
 *          ^  embedded struct (`json:",inline"`): its fields live in the parent's JSON object
 *
 * The numbers, pointer-ness and omitempty are facts of upstream's Go types (struct tags in
 * k8s.io/api and k8s.io/apimachinery); the schemas under schema/ transcribe them.
 */
import { ProtobufError } from './errors.js';

export type ScalarType = 's' | 'b' | 'i32' | 'i64' | 'bytes';
export type SpecialType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension' | 'StringList';

export type ValueType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'special'; readonly special: SpecialType }
  | { readonly kind: 'message'; readonly message: MessageDef };

export interface FieldDef {
  readonly json: string;
  readonly num: number;
  readonly type: ValueType;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly pointer: boolean;
  readonly always: boolean;
  readonly inline: boolean;
  /** Repeated only: write [] rather than omitting or nulling an empty list (List `items`). */
  readonly emptyArray?: boolean;
}

export interface MessageDef {
  /** `pkg.Name`, for error messages. */
  readonly name: string;
  /** Ascending field numbers: the order Go's marshaller writes them in. */
  readonly fields: readonly FieldDef[];
  readonly byNum: ReadonlyMap<number, FieldDef>;
}

/** One API package's messages, as written in schema/*.ts. */
export interface PackageSchema {
  readonly name: string;
  readonly messages: Readonly<Record<string, string>>;
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['s', 'b', 'i32', 'i64', 'bytes']);
const SPECIALS: ReadonlySet<string> = new Set<SpecialType>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1', 'RawExtension', 'StringList']);
/** Unqualified message names fall back to these packages, in order, after their own. */
const FALLBACK_PACKAGES = ['meta', 'core'];

const FIELD_RE = /^([A-Za-z][A-Za-z0-9]*)=(\d+):(\[|\{)?([A-Za-z][A-Za-z0-9.]*)(\]|\})?([?!^]*)$/;

interface ParsedField {
  json: string;
  num: number;
  typeName: string;
  repeated: boolean;
  map: boolean;
  pointer: boolean;
  always: boolean;
  inline: boolean;
}

function parseField(spec: string, where: string): ParsedField {
  const m = FIELD_RE.exec(spec);
  if (!m) throw new Error(`protobuf schema ${where}: cannot parse field spec "${spec}"`);
  const [, json, num, open, typeName, close, flags] = m;
  if ((open === '[' && close !== ']') || (open === '{' && close !== '}') || (!open && close)) {
    throw new Error(`protobuf schema ${where}: unbalanced brackets in "${spec}"`);
  }
  return {
    json,
    num: Number(num),
    typeName,
    repeated: open === '[',
    map: open === '{',
    pointer: flags.includes('?'),
    always: flags.includes('!'),
    inline: flags.includes('^'),
  };
}

/**
 * All messages of all packages, resolved once. Construction throws on any mistake in the
 * schema data (unknown type, duplicate number or JSON name), so a typo fails the first test.
 */
export class SchemaRegistry {
  private readonly messages = new Map<string, MessageDef>();

  constructor(packages: readonly PackageSchema[]) {
    const parsed = new Map<string, { pkg: string; fields: ParsedField[] }>();
    for (const p of packages) {
      for (const [name, text] of Object.entries(p.messages)) {
        const key = `${p.name}.${name}`;
        if (parsed.has(key)) throw new Error(`protobuf schema: ${key} is defined twice`);
        const fields = text.split(/\s+/).filter(Boolean).map((s) => parseField(s, key));
        parsed.set(key, { pkg: p.name, fields });
      }
    }
    // Create every (still empty) def first so that recursive references resolve to one object.
    const mutable = new Map<string, { name: string; fields: FieldDef[]; byNum: Map<number, FieldDef> }>();
    for (const key of parsed.keys()) mutable.set(key, { name: key, fields: [], byNum: new Map() });
    const resolve = (pkg: string, typeName: string, where: string): ValueType => {
      if (SCALARS.has(typeName)) return { kind: 'scalar', scalar: typeName as ScalarType };
      if (SPECIALS.has(typeName)) return { kind: 'special', special: typeName as SpecialType };
      const candidates = typeName.includes('.') ? [typeName] : [pkg, ...FALLBACK_PACKAGES].map((p) => `${p}.${typeName}`);
      for (const c of candidates) {
        const def = mutable.get(c);
        if (def) return { kind: 'message', message: def };
      }
      throw new Error(`protobuf schema ${where}: unknown type ${typeName}`);
    };
    for (const [key, { pkg, fields }] of parsed) {
      const def = mutable.get(key)!;
      const jsonNames = new Set<string>();
      for (const f of fields) {
        const where = `${key}.${f.json}`;
        if (def.byNum.has(f.num)) throw new Error(`protobuf schema ${where}: field number ${f.num} used twice`);
        if (jsonNames.has(f.json)) throw new Error(`protobuf schema ${where}: JSON name used twice`);
        const type = resolve(pkg, f.typeName, where);
        if (f.inline && (type.kind !== 'message' || f.repeated || f.map || f.pointer)) {
          throw new Error(`protobuf schema ${where}: only a plain message field can be inline`);
        }
        const field: FieldDef = { json: f.json, num: f.num, type, repeated: f.repeated, map: f.map, pointer: f.pointer, always: f.always, inline: f.inline };
        def.fields.push(field);
        def.byNum.set(f.num, field);
        jsonNames.add(f.json);
      }
      def.fields.sort((a, b) => a.num - b.num);
    }
    for (const [key, def] of mutable) this.messages.set(key, def);
  }

  /** The message `pkg.Name`; throws UnknownKind when absent. */
  get(qualified: string): MessageDef {
    const def = this.messages.get(qualified);
    if (!def) throw new ProtobufError('UnknownKind', `no protobuf schema for ${qualified}`);
    return def;
  }

  has(qualified: string): boolean {
    return this.messages.has(qualified);
  }

  /** Every message, for tests that walk the whole table. */
  all(): IterableIterator<MessageDef> {
    return this.messages.values();
  }
}
