/**
 * Path elements: one step from a node of an object to one of its children, in
 * the vocabulary of structured-merge-diff (sigs.k8s.io/structured-merge-diff
 * fieldpath). Four kinds exist:
 *   - a field of a map or struct           `f:data`            `.data`
 *   - an item of a list keyed by fields    `k:{"name":"web"}`  `[name="web"]`
 *   - a member of a set of scalars         `v:"a.io/x"`        `[="a.io/x"]`
 *   - a position in a list                 `i:0`               `[0]`
 * The `x:` forms are the keys of a FieldsV1 document; the `.x` / `[..]` forms
 * are what conflict messages print (Path.String upstream).
 *
 * Design notes
 * - Every element has one canonical serialization (key fields sorted by name,
 *   values JSON-encoded as Go's encoder writes them). Sets index their
 *   elements by that string, so two elements are equal exactly when their
 *   serializations are.
 * - Ordering follows upstream's PathElement.Compare (fields before keys before
 *   values before indexes; keys compared field by field), because FieldsV1
 *   documents are written in that order and clients diff them textually.
 */

/** One field of a list item's key: `{"name": "web"}` has one, ports have two. */
export interface KeyField {
  readonly name: string;
  readonly value: unknown;
}

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: readonly KeyField[] }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number };

export const fieldPE = (name: string): PathElement => ({ kind: 'field', name });
export const valuePE = (value: unknown): PathElement => ({ kind: 'value', value });
export const indexPE = (index: number): PathElement => ({ kind: 'index', index });
/** A key element; the fields are sorted by name here, so callers may pass them in schema order. */
export const keyPE = (fields: readonly KeyField[]): PathElement => ({
  kind: 'key',
  fields: [...fields].sort((a, b) => compareStrings(a.name, b.name)),
});

/** A path from the object root: `[f:spec, f:containers, k:{"name":"web"}, f:image]`. */
export type Path = readonly PathElement[];

/** Byte-wise string order, as Go's strings.Compare (JS `<` compares UTF-16 units, equal for the BMP). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Go's encoding/json (and jsoniter in standard-library mode, which upstream
 * serializes path elements with) escapes <, >, & and the two JS line
 * separators; JSON.stringify does not. Matching it keeps keys byte-identical
 * to upstream's.
 */
function goJSONString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** A JSON value written the way Go writes it: compact, map keys sorted, HTML characters escaped. */
export function goJSON(v: unknown): string {
  if (typeof v === 'string') return goJSONString(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(goJSON).join(',') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return '{' + Object.keys(o).sort(compareStrings).map((k) => goJSONString(k) + ':' + goJSON(o[k])).join(',') + '}';
  }
  return 'null';
}

/** The FieldsV1 key of an element: `f:name`, `k:{"containerPort":80,"protocol":"TCP"}`, `v:"x"`, `i:3`. */
export function serializePE(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      // Upstream writes the field name raw; it is escaped only as part of the enclosing JSON document.
      return 'f:' + pe.name;
    case 'key':
      return 'k:{' + pe.fields.map((f) => goJSONString(f.name) + ':' + goJSON(f.value)).join(',') + '}';
    case 'value':
      return 'v:' + goJSON(pe.value);
    case 'index':
      return 'i:' + String(pe.index);
  }
}

/** Thrown for a FieldsV1 key we cannot read; the caller decides whether that is fatal. */
export class PathElementError extends Error {
  override readonly name = 'PathElementError';
  constructor(
    message: string,
    /** True for a well-formed key of a kind we don't know (upstream skips those silently). */
    readonly unknownKind = false,
  ) {
    super(message);
  }
}

/** Parses a FieldsV1 key back into an element (upstream DeserializePathElement). */
export function parsePE(s: string): PathElement {
  if (s.length < 2) throw new PathElementError(`key must be 2 characters long: ${JSON.stringify(s)}`);
  if (s[1] !== ':') throw new PathElementError(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldPE(body);
    case 'v':
      return valuePE(parseJSON(body, s));
    case 'k': {
      const obj = parseJSON(body, s);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new PathElementError(`key element is not a JSON object: ${s}`);
      return keyPE(Object.entries(obj).map(([name, value]) => ({ name, value })));
    }
    case 'i': {
      if (!/^-?\d+$/.test(body)) throw new PathElementError(`index element is not an integer: ${s}`);
      return indexPE(Number(body));
    }
    default:
      throw new PathElementError(`unknown path element type: ${s}`, true);
  }
}

function parseJSON(text: string, whole: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new PathElementError(`invalid JSON in path element ${whole}`);
  }
}

/** Upstream value.ToString: how a key or set value is printed inside `[..]`. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJSONString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(valueToString).join(',') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return '{' + Object.keys(o).sort(compareStrings).map((k) => `${k}=${valueToString(o[k])}`).join(';') + '}';
  }
  return String(v);
}

/** The element as conflict messages print it: `.image`, `[name="nginx"]`, `[="x"]`, `[0]`. */
export function peToString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return '.' + pe.name;
    case 'key':
      return '[' + pe.fields.map((f) => `${f.name}=${valueToString(f.value)}`).join(',') + ']';
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** A whole path as conflict messages print it: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathToString(path: Path): string {
  return path.map(peToString).join('');
}

const KIND_ORDER: Record<PathElement['kind'], number> = { field: 0, key: 1, value: 2, index: 3 };

/** Type rank of a JSON value in upstream's value.Compare: null < float < int < string < bool < list < map. */
function valueRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return Number.isInteger(v) ? 2 : 1;
  if (typeof v === 'string') return 3;
  if (typeof v === 'boolean') return 4;
  if (Array.isArray(v)) return 5;
  return 6;
}

/** Total order on JSON values (upstream value.Compare), used to sort key and set elements. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return compareStrings(a as string, b as string);
    case 4:
      return a === b ? 0 : a === false ? -1 : 1;
    case 5: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    case 6: {
      // Maps: compare sorted entries pairwise, then by size.
      const ea = Object.entries(a as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      const eb = Object.entries(b as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const c = compareStrings(ea[i][0], eb[i][0]) || compareValues(ea[i][1], eb[i][1]);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
    default:
      return 0;
  }
}

/** Upstream PathElement.Compare: kind first, then contents. */
export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const fb = (b as typeof a).fields;
      for (let i = 0; i < Math.min(a.fields.length, fb.length); i++) {
        const c = compareStrings(a.fields[i].name, fb[i].name) || compareValues(a.fields[i].value, fb[i].value);
        if (c !== 0) return c;
      }
      return a.fields.length - fb.length;
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index':
      return a.index - (b as typeof a).index;
  }
}
