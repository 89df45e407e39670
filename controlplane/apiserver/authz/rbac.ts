/**
 * RBAC (upstream plugin/pkg/auth/authorizer/rbac): the rules of every
 * ClusterRoleBinding, and of every RoleBinding in the request's namespace,
 * whose subjects name the user, one of its groups or its service account.
 * Objects come from the API server's registries (the watch cache when on);
 * aggregation (1.9+) is not done. Only Allow or NoOpinion, as upstream.
 */
import type { ObjectAccess } from '../admission/objects.js';
import type { UserInfo } from '../authn/user.js';
import type { Obj } from '../registry/types.js';
import { rulesAllow, type PolicyRule } from './rules.js';
import type { Attributes, Authorizer, Verdict } from './types.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

/** Does a binding's subject (in the binding's namespace, '' for cluster bindings) name this user? */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return ns !== '' && user.name === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

const rulesOf = (o: Obj | undefined): PolicyRule[] => ((o?.rules as PolicyRule[] | undefined) ?? []).filter((r) => r && Array.isArray(r.verbs));

export class RBACAuthorizer implements Authorizer {
  readonly name = 'RBAC';

  constructor(
    private readonly objects: ObjectAccess,
    /** --authorization-rbac-super-user. */
    private readonly superUser = '',
  ) {}

  /**
   * Visits the rules that apply to user in ns; the visitor returns true to stop.
   * Missing roles are reported as errors (upstream's reason text).
   */
  private async visit(user: UserInfo, ns: string, visitor: (rules: PolicyRule[]) => boolean): Promise<{ stopped: boolean; errors: string[] }> {
    const errors: string[] = [];
    const clusterRoles = new Map((await this.objects.list(RBAC_GROUP, 'clusterroles', '')).map((r) => [r.metadata?.name ?? '', r]));
    const roleRules = async (ref: RoleRef, bindingNs: string): Promise<PolicyRule[] | undefined> => {
      if (ref.kind === 'ClusterRole') {
        const r = clusterRoles.get(ref.name);
        if (!r) errors.push(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
        return r ? rulesOf(r) : undefined;
      }
      if (ref.kind === 'Role' && bindingNs) {
        const r = await this.objects.get(RBAC_GROUP, 'roles', bindingNs, ref.name);
        if (!r) errors.push(`role.rbac.authorization.k8s.io "${ref.name}" not found`);
        return r ? rulesOf(r) : undefined;
      }
      return undefined;
    };
    for (const b of await this.objects.list(RBAC_GROUP, 'clusterrolebindings', '')) {
      const subjects = (b.subjects as Subject[] | undefined) ?? [];
      if (!subjects.some((s) => subjectMatches(user, s, ''))) continue;
      const rules = await roleRules(b.roleRef as RoleRef, '');
      if (rules && visitor(rules)) return { stopped: true, errors };
    }
    if (ns) {
      for (const b of await this.objects.list(RBAC_GROUP, 'rolebindings', ns)) {
        const subjects = (b.subjects as Subject[] | undefined) ?? [];
        if (!subjects.some((s) => subjectMatches(user, s, ns))) continue;
        const rules = await roleRules(b.roleRef as RoleRef, ns);
        if (rules && visitor(rules)) return { stopped: true, errors };
      }
    }
    return { stopped: false, errors };
  }

  async authorize(a: Attributes): Promise<Verdict> {
    if (this.superUser && a.user.name === this.superUser) return { decision: 'Allow', reason: '' };
    const { stopped, errors } = await this.visit(a.user, a.namespace, (rules) => rulesAllow(a, rules));
    if (stopped) return { decision: 'Allow', reason: '' };
    const reason = errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
    return { decision: 'NoOpinion', reason };
  }

  /** Every rule that applies to user in ns (SelfSubjectRulesReview). */
  async rulesFor(user: UserInfo, ns: string): Promise<{ rules: PolicyRule[]; errors: string[] }> {
    const rules: PolicyRule[] = [];
    if (this.superUser && user.name === this.superUser) return { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], errors: [] };
    const { errors } = await this.visit(user, ns, (r) => (rules.push(...r), false));
    return { rules, errors };
  }
}
