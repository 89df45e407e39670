/**
 * Field selectors (k8s.io/apimachinery/pkg/fields): `metadata.name=x,
 * status.phase!=Running`, `spec.nodeName=`. Only equality terms exist; a
 * missing field reads as the empty string, so `spec.nodeName=` selects
 * unscheduled pods. In values, `\,` `\=` and `\\` escape the three special
 * characters.
 *
 * Which fields a resource supports is the registry's business (it rejects
 * unknown ones with its own 400); this module only parses and matches.
 */

/** A field selector that does not parse; the message names the bad term. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  readonly value: string;
}

/** A parsed field selector. Immutable. */
export interface FieldSelector {
  /** True when every term holds; absent fields read as "". */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value `field` must equal, when some `=`/`==` term pins it (lets a registry index by node name). */
  requiresExactMatch(field: string): string | undefined;
  isEmpty(): boolean;
  /** Canonical form: `==` prints as `=`, values escaped, terms in parse order (sorted). */
  toString(): string;
  requirements(): readonly FieldRequirement[];
}

/** Escapes `\`, `,` and `=` in a value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** Reverses escapeFieldValue; a bare `,`/`=` or an unknown escape is an error naming `term`. */
export function unescapeFieldValue(s: string, term = s): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const n = s[i + 1];
      if (n === undefined) throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\ (in '${term}')`);
      if (n !== '\\' && n !== ',' && n !== '=') throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${n} (in '${term}')`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: '${c}' (in '${term}')`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** The first operator, scanning left to right; at one position `!=` and `==` win over `=`. */
function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class AndSelector implements FieldSelector {
  constructor(private readonly terms: readonly FieldRequirement[]) {}
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.terms.every((t) => {
      const have = Object.hasOwn(fields, t.field) ? fields[t.field] : '';
      return t.operator === '!=' ? have !== t.value : have === t.value;
    });
  }
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.field === field && t.operator !== '!=')?.value;
  }
  isEmpty(): boolean {
    return this.terms.length === 0;
  }
  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator === '!=' ? '!=' : '='}${escapeFieldValue(t.value)}`).join(',');
  }
  requirements(): readonly FieldRequirement[] {
    return this.terms;
  }
}

const EVERYTHING = new AndSelector([]);

/** The selector that matches every object. */
export function everythingFields(): FieldSelector {
  return EVERYTHING;
}

/**
 * Parses a field selector; throws FieldSelectorError naming the term it could
 * not understand. Terms are sorted (as upstream does), so equal selectors
 * print equally.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    terms.push({ field: t.field, operator: t.operator, value: unescapeFieldValue(t.value, part) });
  }
  return terms.length === 0 ? EVERYTHING : new AndSelector(terms);
}

/** parseFieldSelector() that returns undefined on bad input. */
export function tryParseFieldSelector(s: string): FieldSelector | undefined {
  try {
    return parseFieldSelector(s);
  } catch (e) {
    if (e instanceof FieldSelectorError) return undefined;
    throw e;
  }
}

/** `field=value` for every entry, sorted by field. */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  const keys = Object.keys(set).sort();
  return keys.length === 0 ? EVERYTHING : new AndSelector(keys.map((k) => ({ field: k, operator: '=', value: set[k] })));
}

/** `field=value` (fields.OneTermEqualSelector), e.g. `spec.nodeName=node-1` for a kubelet's pod watch. */
export function oneTermEqualSelector(field: string, value: string): FieldSelector {
  return new AndSelector([{ field, operator: '=', value }]);
}
