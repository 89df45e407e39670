/**
 * ABAC (--authorization-mode=ABAC --authorization-policy-file): one JSON
 * policy per line, v0 (`{"user":"alice","readonly":true,"resource":"pods"}`)
 * or abac.authorization.kubernetes.io/v1beta1 (`{"apiVersion":…,"kind":"Policy","spec":{…}}`).
 * Blank lines and lines starting with # are skipped. v0 policies are converted
 * as upstream does (empty user+group or `*` → system:authenticated; empty
 * namespace/resource → `*`; any API group; no resource → any non-resource path).
 */
import { readFileSync } from 'node:fs';
import type { Attributes, Authorizer, Verdict } from './types.js';
import { READ_ONLY_VERBS } from './types.js';

export interface PolicySpec {
  user: string;
  group: string;
  readonly: boolean;
  apiGroup: string;
  resource: string;
  namespace: string;
  nonResourcePath: string;
}

const V1BETA1 = 'abac.authorization.kubernetes.io/v1beta1';
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function fromV0(o: Record<string, unknown>): PolicySpec {
  const p: PolicySpec = { user: str(o.user), group: str(o.group), readonly: o.readonly === true, apiGroup: '*', resource: str(o.resource), namespace: str(o.namespace), nonResourcePath: '' };
  if (!p.user && !p.group) p.group = 'system:authenticated';
  if (p.user === '*' || p.group === '*') {
    p.group = 'system:authenticated';
    p.user = '';
  }
  if (!p.namespace) p.namespace = '*';
  if (!p.resource) {
    p.resource = '*';
    p.nonResourcePath = '*';
  }
  return p;
}

function fromV1beta1(spec: Record<string, unknown>): PolicySpec {
  return { user: str(spec.user), group: str(spec.group), readonly: spec.readonly === true, apiGroup: str(spec.apiGroup), resource: str(spec.resource), namespace: str(spec.namespace), nonResourcePath: str(spec.nonResourcePath) };
}

export function parsePolicyFile(path: string, text: string): PolicySpec[] {
  const out: PolicySpec[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    const fail = (why: string) => new Error(`error reading policy file ${path}, line ${n + 1}: ${why}`);
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw fail((e as Error).message);
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw fail('a policy must be a JSON object');
    if (o.apiVersion === undefined && o.kind === undefined) out.push(fromV0(o));
    else if (o.apiVersion === V1BETA1 && o.kind === 'Policy') {
      if (!o.spec || typeof o.spec !== 'object') throw fail('a v1beta1 Policy needs a spec');
      out.push(fromV1beta1(o.spec as Record<string, unknown>));
    } else throw fail(`unknown policy version ${JSON.stringify(o.apiVersion)} kind ${JSON.stringify(o.kind)}: expected ${V1BETA1} Policy or an unversioned v0 policy`);
  }
  return out;
}

export function policyMatches(p: PolicySpec, a: Attributes): boolean {
  // subject
  let matched = false;
  if (p.user) {
    if (p.user === '*') matched = true;
    else if (p.user === a.user.name) matched = true;
    else return false;
  }
  if (p.group) {
    if (p.group === '*') matched = true;
    else if (a.user.groups.includes(p.group)) matched = true;
    else return false;
  }
  if (!matched) return false;
  // verb
  if (p.readonly && !READ_ONLY_VERBS.has(a.verb)) return false;
  if (a.isResourceRequest) {
    return (p.namespace === '*' || p.namespace === a.namespace) && (p.resource === '*' || p.resource === a.resource) && (p.apiGroup === '*' || p.apiGroup === a.apiGroup);
  }
  if (!p.nonResourcePath) return false;
  if (p.nonResourcePath === '*' || p.nonResourcePath === a.path) return true;
  return p.nonResourcePath.endsWith('*') && a.path.startsWith(p.nonResourcePath.slice(0, -1));
}

export class ABACAuthorizer implements Authorizer {
  readonly name = 'ABAC';
  constructor(readonly policies: readonly PolicySpec[]) {}

  static fromFile(path: string): ABACAuthorizer {
    if (!path) throw new Error('--authorization-mode=ABAC needs --authorization-policy-file');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read --authorization-policy-file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return new ABACAuthorizer(parsePolicyFile(path, text));
  }

  async authorize(a: Attributes): Promise<Verdict> {
    if (this.policies.some((p) => policyMatches(p, a))) return { decision: 'Allow', reason: '' };
    return { decision: 'NoOpinion', reason: 'No policy matched.' };
  }
}
