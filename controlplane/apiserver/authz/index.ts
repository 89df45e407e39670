/**
 * The secure port's authorization: --authorization-mode in order, after the
 * system:masters superuser check upstream always puts first. The first Allow
 * wins; a Deny stops; when nobody allows, 403 with upstream's message
 * (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage).
 */
import { StatusError } from '../../machinery/errors.js';
import type { ObjectAccess } from '../admission/objects.js';
import type { RequestInfo } from '../http/requestinfo.js';
import { SYSTEM_MASTERS, type UserInfo } from '../authn/user.js';
import { ABACAuthorizer } from './abac.js';
import { NodeAuthorizer } from './node.js';
import { RBACAuthorizer } from './rbac.js';
import type { Attributes, Authorizer, Verdict } from './types.js';
import { WebhookAuthorizer, type WebhookOptions } from './webhook.js';

export type { Attributes, Authorizer, Verdict } from './types.js';

export const AUTHORIZATION_MODES = ['AlwaysAllow', 'AlwaysDeny', 'ABAC', 'Webhook', 'RBAC', 'Node'] as const;

export const alwaysAllow: Authorizer = { name: 'AlwaysAllow', authorize: async () => ({ decision: 'Allow', reason: '' }) };
export const alwaysDeny: Authorizer = { name: 'AlwaysDeny', authorize: async () => ({ decision: 'NoOpinion', reason: 'Everything is forbidden.' }) };

const privilegedGroups: Authorizer = {
  name: 'PrivilegedGroups',
  authorize: async (a) => ({ decision: a.user.groups.includes(SYSTEM_MASTERS) ? 'Allow' : 'NoOpinion', reason: '' }),
};

/** The authorizers in order; first Allow or Deny decides. */
export class UnionAuthorizer implements Authorizer {
  readonly name = 'Union';
  constructor(readonly authorizers: readonly Authorizer[]) {}

  async authorize(a: Attributes): Promise<Verdict> {
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const v = await z.authorize(a);
      if (v.decision !== 'NoOpinion') return v;
      if (v.reason) reasons.push(v.reason);
    }
    return { decision: 'NoOpinion', reason: reasons.join('\n') };
  }

  /** The RBAC authorizer in the chain, if any (for SelfSubjectRulesReview). */
  rbac(): RBACAuthorizer | undefined {
    return this.authorizers.find((z): z is RBACAuthorizer => z instanceof RBACAuthorizer);
  }
}

export interface AuthorizationConfig {
  modes: readonly string[];
  policyFile?: string;
  rbacSuperUser?: string;
  webhookConfigFile?: string;
  webhook?: WebhookOptions;
}

/** Builds the chain; throws on an unknown mode or an unreadable/invalid file. */
export function newAuthorizer(cfg: AuthorizationConfig, objects: ObjectAccess): UnionAuthorizer {
  const chain: Authorizer[] = [privilegedGroups];
  const seen = new Set<string>();
  for (const mode of cfg.modes.map((m) => m.trim()).filter(Boolean)) {
    if (seen.has(mode)) throw new Error(`--authorization-mode: "${mode}" is given twice`);
    seen.add(mode);
    switch (mode) {
      case 'AlwaysAllow':
        chain.push(alwaysAllow);
        break;
      case 'AlwaysDeny':
        chain.push(alwaysDeny);
        break;
      case 'ABAC':
        chain.push(ABACAuthorizer.fromFile(cfg.policyFile ?? ''));
        break;
      case 'RBAC':
        chain.push(new RBACAuthorizer(objects, cfg.rbacSuperUser ?? ''));
        break;
      case 'Node':
        chain.push(new NodeAuthorizer(objects));
        break;
      case 'Webhook':
        chain.push(WebhookAuthorizer.fromFile(cfg.webhookConfigFile ?? '', cfg.webhook ?? { authorizedTTLms: 300_000, unauthorizedTTLms: 30_000 }));
        break;
      default:
        throw new Error(`--authorization-mode: unknown authorization mode "${mode}" (known: ${AUTHORIZATION_MODES.join(', ')})`);
    }
  }
  if (seen.size === 0) throw new Error('--authorization-mode: at least one authorization mode must be given');
  if (cfg.policyFile && !seen.has('ABAC')) throw new Error('--authorization-policy-file is set but --authorization-mode does not include ABAC');
  if (cfg.webhookConfigFile && !seen.has('Webhook')) throw new Error('--authorization-webhook-config-file is set but --authorization-mode does not include Webhook');
  return new UnionAuthorizer(chain);
}

/**
 * What an HTTP request asks for, as authorizers see it. connect subresources
 * (exec, attach, portforward) are `create`, whatever the method (upstream
 * checks create for WebSocket exec too); proxy subresources use the method's verb.
 */
export function attributesFor(user: UserInfo, method: string, info: RequestInfo): Attributes {
  const m = method.toUpperCase();
  if (!info.isResourceRequest) return { user, verb: m.toLowerCase(), isResourceRequest: false, path: info.path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
  let verb: string = info.verb;
  if (verb === 'connect') verb = 'create';
  if (verb === 'proxy') verb = ({ GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[m] ?? m.toLowerCase();
  return { user, verb, isResourceRequest: true, path: '', namespace: info.namespace, apiGroup: info.group, apiVersion: info.version, resource: info.resource, subresource: info.subresource, name: info.name };
}

/** Upstream's 403: `pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbidden(a: Attributes, reason: string): StatusError {
  let msg: string;
  if (!a.isResourceRequest) msg = `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    msg = a.namespace
      ? `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" in the namespace "${a.namespace}"`
      : `User "${a.user.name}" cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" at the cluster scope`;
  }
  if (reason) msg += `: ${reason}`;
  if (!a.isResourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${msg}`, {});
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const message = a.name ? `${qualified} "${a.name}" is forbidden: ${msg}` : `${qualified} is forbidden: ${msg}`;
  return new StatusError(403, 'Forbidden', message, { name: a.name || undefined, group: a.apiGroup || undefined, kind: a.resource });
}
