/**
 * How a pod's scheduling constraints match a node (upstream's v1 helpers:
 * Toleration.ToleratesTaint, MatchNodeSelectorTerms), shared by the
 * scheduler's filters and the DaemonSet controller, which places its pods
 * itself. Parameter types are structural and read-only so cached
 * (DeepReadonly) objects pass as they are.
 */

export interface TolerationLike {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}
export interface TaintLike {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}
export interface RequirementLike {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}
export interface NodeSelectorTermLike {
  readonly matchExpressions?: readonly RequirementLike[];
  readonly matchFields?: readonly RequirementLike[];
}
export interface NodeLike {
  readonly metadata: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
}

/** Empty effect matches every effect; empty key with Exists matches every key. */
export function toleratesTaint(t: TolerationLike, taint: TaintLike): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function toleratesAny(tolerations: readonly TolerationLike[] | undefined, taint: TaintLike): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

function parseIntStrict(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** One requirement against a label (or field) value; undefined = absent. */
export function requirementMatches(r: RequirementLike, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || vals.length !== 1) return false;
      const want = parseIntStrict(vals[0]);
      const have = parseIntStrict(value);
      if (want === undefined || have === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions and fields match; a term with neither matches nothing (upstream). */
export function nodeSelectorTermMatches(term: NodeSelectorTermLike, node: NodeLike): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) return false;
  // metadata.name is the only field upstream supports here.
  for (const r of fields) if (r.key !== 'metadata.name' || !requirementMatches(r, node.metadata.name)) return false;
  return true;
}

/** Terms are ORed; an empty list matches nothing. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTermLike[], node: NodeLike): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}
