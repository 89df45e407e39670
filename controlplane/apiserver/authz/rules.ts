/**
 * RBAC PolicyRule matching (upstream pkg/apis/rbac/v1 evaluation helpers):
 * verbs, apiGroups, resources (`*`, `res/sub`, and `*` + `/sub` for every resource),
 * resourceNames, and nonResourceURLs (exact or a `prefix*`).
 */
import type { Attributes } from './types.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: readonly string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);

export function verbMatches(r: PolicyRule, verb: string): boolean {
  return has(r.verbs, verb);
}

export function apiGroupMatches(r: PolicyRule, group: string): boolean {
  return has(r.apiGroups, group);
}

export function resourceMatches(r: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const x of r.resources ?? []) {
    if (x === '*' || x === combined) return true;
    // `*/scale` matches every resource's scale subresource.
    if (subresource && x === `*/${subresource}`) return true;
  }
  return false;
}

export function resourceNameMatches(r: PolicyRule, name: string): boolean {
  if (!r.resourceNames?.length) return true;
  return r.resourceNames.includes(name);
}

export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.isResourceRequest) {
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, a.resource, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

export function rulesAllow(a: Attributes, rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => ruleAllows(a, r));
}
