/**
 * Label selectors (k8s.io/apimachinery/pkg/labels): the `-l` string grammar,
 * the LabelSelector API struct, and label key/value validation.
 *
 * Grammar (upstream's, whitespace-insensitive):
 *   selector    ::= requirement ( ',' requirement )*
 *   requirement ::= [!] KEY [ ('in'|'notin') '(' VALUE (',' VALUE)* ')' | ('='|'=='|'!='|'>'|'<') VALUE ]
 * `in`/`notin` are keywords only in operator position (`in in (in)` is fine).
 * A bare KEY means "exists", `!KEY` "does not exist"; an empty VALUE is legal.
 *
 * Matching against missing labels follows upstream: `in`, `=`, `==`, `>`,
 * `<` and exists need the label; `notin`, `!=` and `!` are satisfied when it
 * is absent.
 *
 * Error messages reproduce upstream's wording (`unable to parse requirement:
 * …`, `found ',', expected: identifier`) because they reach users verbatim in
 * 400 responses to `kubectl get -l`.
 */

import { type FieldError, FieldPath, fieldErrors, formatFieldError } from './errors.js';
import type { LabelSelector, LabelSelectorRequirement } from './meta/types.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

/** selection.Operator values, spelled as upstream spells them. */
export type Operator = '!' | '=' | '==' | 'in' | '!=' | 'notin' | 'exists' | 'gt' | 'lt';

/** Labels of one object; undefined is "no labels". */
export type Labels = Readonly<Record<string, string>> | undefined;

/** A selector that does not parse or a requirement that is not valid. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  constructor(
    message: string,
    /** Field errors behind the message, when the problem was a key or value. */
    readonly causes: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

function has(labels: Labels, key: string): boolean {
  return labels !== undefined && Object.hasOwn(labels, key);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Errors joined the way Go's field.ErrorList.ToAggregate().Error() joins them. */
function aggregate(errs: readonly FieldError[]): string {
  const msgs = errs.map(formatFieldError);
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}

/** One `key op values` term. Immutable. */
export class Requirement {
  private constructor(
    readonly key: string,
    readonly operator: Operator,
    /** Sorted and de-duplicated. */
    readonly values: readonly string[],
  ) {}

  /**
   * Validates and builds a requirement (labels.NewRequirement): the key must
   * be a qualified name, values valid label values, and the value count must
   * fit the operator. Throws LabelSelectorError listing every problem.
   */
  static create(key: string, operator: Operator, values: readonly string[] = [], path?: FieldPath): Requirement {
    const base = path ?? FieldPath.root();
    const errs: FieldError[] = [];
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) errs.push(fieldErrors.invalid(base.child('key'), key, keyErrs.join('; ')));
    const valuesPath = base.child('values');
    switch (operator) {
      case 'in':
      case 'notin':
        if (values.length === 0) errs.push(fieldErrors.invalid(valuesPath, [...values], "for 'in', 'notin' operators, values set can't be empty"));
        break;
      case '=':
      case '==':
      case '!=':
        if (values.length !== 1) errs.push(fieldErrors.invalid(valuesPath, [...values], 'exact-match compatibility requires one single value'));
        break;
      case 'exists':
      case '!':
        if (values.length !== 0) errs.push(fieldErrors.invalid(valuesPath, [...values], 'values set must be empty for exists and does not exist'));
        break;
      case 'gt':
      case 'lt':
        if (values.length !== 1) errs.push(fieldErrors.invalid(valuesPath, [...values], "for 'Gt', 'Lt' operators, exactly one value is required"));
        values.forEach((v, i) => {
          if (parseInt64(v) === undefined) errs.push(fieldErrors.invalid(valuesPath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        });
        break;
      default: {
        const op: never = operator;
        errs.push(fieldErrors.notSupported(base.child('operator'), op, ['in', 'notin', '=', '==', '!=', 'exists', '!', 'gt', 'lt']));
      }
    }
    values.forEach((v, i) => {
      const vErrs = isValidLabelValue(v);
      if (vErrs.length > 0) errs.push(fieldErrors.invalid(valuesPath.index(i).key(key), v, vErrs.join('; ')));
    });
    if (errs.length > 0) throw new LabelSelectorError(aggregate(errs), errs);
    return new Requirement(key, operator, [...new Set(values)].sort());
  }

  /**
   * Builds a requirement without validation, for maps the caller already
   * trusts (upstream SelectorFromValidatedSet). Prefer create().
   */
  static trusted(key: string, operator: Operator, values: readonly string[]): Requirement {
    return new Requirement(key, operator, [...new Set(values)].sort());
  }

  matches(labels: Labels): boolean {
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return has(labels, this.key) && this.values.includes(labels![this.key]);
      case 'notin':
      case '!=':
        return !has(labels, this.key) || !this.values.includes(labels![this.key]);
      case 'exists':
        return has(labels, this.key);
      case '!':
        return !has(labels, this.key);
      case 'gt':
      case 'lt': {
        if (!has(labels, this.key) || this.values.length !== 1) return false;
        const have = parseInt64(labels![this.key]);
        const want = parseInt64(this.values[0]);
        if (have === undefined || want === undefined) return false;
        return this.operator === 'gt' ? have > want : have < want;
      }
    }
  }

  /** `key=value`, `key in (a,b)`, `!key`… as upstream prints it. */
  toString(): string {
    const ops: Record<Operator, string> = { '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '' };
    if (this.operator === '!') return '!' + this.key;
    if (this.operator === 'exists') return this.key;
    const vals = this.values.join(',');
    const set = this.operator === 'in' || this.operator === 'notin';
    return this.key + ops[this.operator] + (set ? `(${vals})` : vals);
  }
}

/** A parsed selector. Immutable; safe to share. */
export interface Selector {
  /** True when every requirement holds for these labels. */
  matches(labels: Labels): boolean;
  /** True for a selector that selects everything. */
  isEmpty(): boolean;
  /** Canonical form: requirements sorted by key, values sorted. */
  toString(): string;
  requirements(): readonly Requirement[];
  /** A new selector with these requirements added. */
  add(...reqs: Requirement[]): Selector;
  /** The value `label` must equal for this selector to match, when it pins one (`=`, `==`, one-value `in`). */
  requiresExactMatch(label: string): string | undefined;
}

class InternalSelector implements Selector {
  private readonly reqs: readonly Requirement[];
  constructor(reqs: readonly Requirement[]) {
    // Stable sort by key only, like upstream's ByKey, so output is deterministic.
    this.reqs = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  matches(labels: Labels): boolean {
    return this.reqs.every((r) => r.matches(labels));
  }
  isEmpty(): boolean {
    return this.reqs.length === 0;
  }
  toString(): string {
    return this.reqs.map((r) => r.toString()).join(',');
  }
  requirements(): readonly Requirement[] {
    return this.reqs;
  }
  add(...reqs: Requirement[]): Selector {
    return new InternalSelector([...this.reqs, ...reqs]);
  }
  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs) {
      if (r.key !== label) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }
}

class NothingSelector implements Selector {
  matches(): boolean {
    return false;
  }
  isEmpty(): boolean {
    return false;
  }
  toString(): string {
    return '';
  }
  requirements(): readonly Requirement[] {
    return [];
  }
  add(): Selector {
    return this;
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
}

const EVERYTHING: Selector = new InternalSelector([]);
const NOTHING: Selector = new NothingSelector();

/** Selects every object (the empty selector). */
export function everything(): Selector {
  return EVERYTHING;
}

/** Selects no object (a nil LabelSelector). */
export function nothing(): Selector {
  return NOTHING;
}

/** `key=value` for every entry; no validation, as upstream SelectorFromSet. Empty → everything. */
export function selectorFromSet(set: Labels): Selector {
  if (!set) return EVERYTHING;
  return new InternalSelector(Object.entries(set).map(([k, v]) => Requirement.trusted(k, '=', [v])));
}

// ---- the string grammar ----------------------------------------------------------

type Tok = 'end' | 'ident' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';

interface Item {
  tok: Tok;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = new Set<string>([')', ',', '!', '==', '=', '>', '<', '!=', '(']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Splits the selector into tokens. Identifiers are maximal runs of non-special, non-blank characters. */
function lex(s: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i])) i++;
    if (i >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (SPECIAL.has(s[i])) {
      // Longest operator: "!=" and "==" win over "!" and "=".
      const two = s.slice(i, i + 2);
      const sym = SYMBOLS.has(two) ? two : s[i];
      items.push({ tok: sym as Tok, lit: sym });
      i += sym.length;
      continue;
    }
    const start = i;
    while (i < s.length && !SPECIAL.has(s[i]) && !isSpace(s[i])) i++;
    const word = s.slice(start, i);
    items.push({ tok: word === 'in' || word === 'notin' ? word : 'ident', lit: word });
  }
}

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

/** Recursive-descent parser over the token list; `values` context demotes in/notin to identifiers. */
class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  private peek(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'ident', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    // 'end' is sticky so a truncated input can never run past the list.
    if (it.tok !== 'end') this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'end') return reqs;
      if (tok !== 'ident' && tok !== '!') throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof LabelSelectorError) throw new LabelSelectorError(`unable to parse requirement: ${e.message}`, e.causes);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new LabelSelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== 'ident' && following.tok !== '!') throw new LabelSelectorError(`found '${following.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let it = this.next(true);
    if (it.tok === '!') {
      negated = true;
      it = this.next(true);
    }
    if (it.tok !== 'ident') throw new LabelSelectorError(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) {
      // Upstream reports this with a nil field path, which Go prints as "<nil>".
      const fe = fieldErrors.invalid('<nil>', key, keyErrs.join('; '));
      throw new LabelSelectorError(formatFieldError(fe), [fe]);
    }
    // `!key` stands alone: whatever follows it is the caller's "expected ','" error.
    if (negated) return Requirement.create(key, '!');
    const la = this.peek(true).tok;
    if (la === 'end' || la === ',') return Requirement.create(key, 'exists');
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return Requirement.create(key, op, values);
  }

  private operator(): Operator {
    const { tok, lit } = this.next(false);
    switch (tok) {
      case 'in':
        return 'in';
      case 'notin':
        return 'notin';
      case '=':
        return '=';
      case '==':
        return '==';
      case '!=':
        return '!=';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new LabelSelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** `(a,b,,c)`; empty entries are the empty value. */
  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new LabelSelectorError(`found '${open.lit}', expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.next(true);
      return [''];
    }
    if (first.tok !== 'ident' && first.tok !== ',') throw new LabelSelectorError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const vals: string[] = [];
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'ident') {
        vals.push(it.lit);
        const la = this.peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') break;
        throw new LabelSelectorError(`found '${la.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // Empty entries are the empty value: "(,a)", "(a,)", "(a,,b)".
        if (vals.length === 0) vals.push('');
        const la = this.peek(true);
        if (la.tok === ')') {
          vals.push('');
          break;
        }
        if (la.tok === ',') {
          this.next(true);
          vals.push('');
        }
      } else {
        throw new LabelSelectorError(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    const close = this.next(true);
    if (close.tok !== ')') throw new LabelSelectorError(`found '${close.lit}', expected: ')'`);
    return vals;
  }

  /** One value after `=`, `==`, `!=`, `>`, `<`; nothing before ',' or the end is the empty value. */
  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.tok === 'end' || la.tok === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'ident') return [it.lit];
    throw new LabelSelectorError(`found '${it.lit}', expected: identifier`);
  }
}

/** Parses a `-l` style selector; throws LabelSelectorError. `""` selects everything. */
export function parseSelector(s: string): Selector {
  return new InternalSelector(new Parser(lex(s)).parse());
}

/** parseSelector() that returns undefined on bad input. */
export function tryParseSelector(s: string): Selector | undefined {
  try {
    return parseSelector(s);
  } catch (e) {
    if (e instanceof LabelSelectorError) return undefined;
    throw e;
  }
}

const API_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: undefined (or null) selects nothing, `{}`
 * everything. Throws LabelSelectorError for unknown operators and invalid
 * keys/values.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return NOTHING;
  const matchLabels = ls.matchLabels ?? {};
  const exprs: readonly LabelSelectorRequirement[] = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return EVERYTHING;
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(Requirement.create(k, '=', [v]));
  for (const e of exprs) {
    const op = Object.hasOwn(API_OPERATORS, e.operator) ? API_OPERATORS[e.operator] : undefined;
    if (!op) throw new LabelSelectorError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(Requirement.create(e.key, op, e.values ?? []));
  }
  return new InternalSelector(reqs);
}

/** matchLabels of a selector that only has `=` terms, or undefined when it cannot be expressed so. */
export function selectorAsSet(sel: Selector): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const r of sel.requirements()) {
    if ((r.operator !== '=' && r.operator !== '==') || r.values.length !== 1) return undefined;
    out[r.key] = r.values[0];
  }
  return out;
}

/** `a=1,b=2` with keys sorted, as kubectl prints label sets (`<none>` when empty). */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

// ---- validation ----------------------------------------------------------------------

/** Problems with a label key (a qualified name), upstream wording. */
export function validateLabelKey(key: string): string[] {
  return isQualifiedName(key);
}

/** Problems with a label value, upstream wording. */
export function validateLabelValue(value: string): string[] {
  return isValidLabelValue(value);
}

/** metav1 validation.ValidateLabels: every error is reported at `path` itself (e.g. `metadata.labels`). */
export function validateLabels(labels: Labels, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(path, v, m));
  }
  return errs;
}

/** metav1 validation.ValidateLabelSelector. An undefined selector is valid (it selects nothing). */
export function validateLabelSelector(ls: LabelSelector | undefined | null, path: FieldPath): FieldError[] {
  if (!ls) return [];
  const errs = validateLabels(ls.matchLabels, path.child('matchLabels'));
  (ls.matchExpressions ?? []).forEach((e, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErrors.invalid(p.child('operator'), e.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key)) errs.push(fieldErrors.invalid(p.child('key'), e.key, m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(p.child('values').index(j), v, m));
    });
  });
  return errs;
}
