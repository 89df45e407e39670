/**
 * Who may use the kubelet's main port (upstream pkg/kubelet/server/auth.go
 * and the kubelet's authn/authz flags), checked before any route:
 *
 * Authentication, first that answers:
 *   1. a client certificate verified against --client-ca-file (user = CN,
 *      groups = O) — how the API server's kubelet client is known;
 *   2. a bearer token, with --authentication-token-webhook, asked of the API
 *      server with a TokenReview (answers cached for
 *      --authentication-token-webhook-cache-ttl);
 *   3. anonymous (system:anonymous, system:unauthenticated) with
 *      --anonymous-auth, else 401.
 * Authorization: --authorization-mode=AlwaysAllow, or Webhook: a
 * SubjectAccessReview for the node object — verb from the HTTP method,
 * subresource from the path (stats, metrics, log, spec, else proxy), as
 * upstream — cached for --authorization-webhook-cache-authorized-ttl /
 * -unauthorized-ttl. The read-only port is never checked (it is the
 * unauthenticated port by definition).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface KubeletUser {
  name: string;
  uid?: string;
  groups: string[];
}

/** The API server's review endpoints (a RestClient in the daemon, a fake in tests). */
export interface ReviewClient {
  tokenReview(token: string): Promise<{ authenticated: boolean; user?: KubeletUser; error?: string }>;
  subjectAccessReview(user: KubeletUser, attrs: NodeRequestAttributes): Promise<{ allowed: boolean; reason?: string }>;
}

export interface KubeletAuthOptions {
  anonymous: boolean;
  /** --client-ca-file was given: the TLS server requests and verifies client certificates. */
  clientCertificates: boolean;
  /** --authentication-token-webhook */
  tokenWebhook: boolean;
  authorization: 'AlwaysAllow' | 'Webhook';
  nodeName: string;
  reviews?: ReviewClient;
  tokenCacheTtlMs?: number;
  authorizedTtlMs?: number;
  unauthorizedTtlMs?: number;
  now?: () => number;
}

export interface NodeRequestAttributes {
  verb: string;
  resource: 'nodes';
  name: string;
  subresource: string;
}

export type AuthOutcome = { ok: true; user: KubeletUser } | { ok: false; code: 401 | 403; message: string };

const VERBS: Readonly<Record<string, string>> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The SubjectAccessReview attributes of a request to the kubelet (upstream's nodeAuthorizerAttributesGetter). */
export function requestAttributes(method: string, path: string, nodeName: string): NodeRequestAttributes {
  let subresource = 'proxy';
  if (path === '/stats' || path.startsWith('/stats/')) subresource = 'stats';
  else if (path === '/metrics' || path.startsWith('/metrics/')) subresource = 'metrics';
  else if (path === '/logs' || path.startsWith('/logs/')) subresource = 'log';
  else if (path === '/spec' || path.startsWith('/spec/')) subresource = 'spec';
  return { verb: VERBS[method.toUpperCase()] ?? method.toLowerCase(), resource: 'nodes', name: nodeName, subresource };
}

const ANONYMOUS: KubeletUser = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** A small TTL cache of review answers (keyed by a hash: tokens are never kept as keys). */
class TtlCache<V> {
  private readonly m = new Map<string, { v: V; until: number }>();
  constructor(private readonly now: () => number) {}
  get(k: string): V | undefined {
    const e = this.m.get(k);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.m.delete(k);
      return undefined;
    }
    return e.v;
  }
  set(k: string, v: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    if (this.m.size > 4096) this.m.clear();
    this.m.set(k, { v, until: this.now() + ttlMs });
  }
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export class KubeletAuth {
  private readonly now: () => number;
  private readonly tokens: TtlCache<{ authenticated: boolean; user?: KubeletUser }>;
  private readonly decisions: TtlCache<{ allowed: boolean; reason?: string }>;

  constructor(private readonly o: KubeletAuthOptions) {
    this.now = o.now ?? Date.now;
    this.tokens = new TtlCache(this.now);
    this.decisions = new TtlCache(this.now);
    if ((o.tokenWebhook || o.authorization === 'Webhook') && !o.reviews) throw new Error('--authentication-token-webhook and --authorization-mode=Webhook need an API server (--kubeconfig or --api-servers)');
  }

  async authenticate(req: IncomingMessage): Promise<KubeletUser | undefined> {
    if (this.o.clientCertificates) {
      const socket = req.socket as TLSSocket;
      if (socket.authorized) {
        const cert = socket.getPeerCertificate?.();
        const subject = cert?.subject as { CN?: string | string[]; O?: string | string[] } | undefined;
        const cn = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
        if (cn) {
          const o = subject?.O;
          return { name: cn, groups: [...(o === undefined ? [] : Array.isArray(o) ? o : [o]), 'system:authenticated'] };
        }
      }
    }
    const auth = req.headers.authorization;
    const bearer = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
    if (bearer && this.o.tokenWebhook && this.o.reviews) {
      const key = hash(bearer);
      let r = this.tokens.get(key);
      if (!r) {
        r = await this.o.reviews.tokenReview(bearer);
        this.tokens.set(key, r, this.o.tokenCacheTtlMs ?? 120_000);
      }
      // A token that was offered and refused is 401 even with anonymous on (upstream's union authenticator).
      if (!r.authenticated || !r.user) return undefined;
      return r.user;
    }
    if (bearer) return undefined;
    return this.o.anonymous ? ANONYMOUS : undefined;
  }

  async check(req: IncomingMessage): Promise<AuthOutcome> {
    const user = await this.authenticate(req);
    if (!user) return { ok: false, code: 401, message: 'Unauthorized' };
    if (this.o.authorization === 'AlwaysAllow') return { ok: true, user };
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const attrs = requestAttributes(req.method ?? 'GET', url.pathname, this.o.nodeName);
    const key = hash(JSON.stringify([user.name, [...user.groups].sort(), attrs]));
    let d = this.decisions.get(key);
    if (!d) {
      d = await this.o.reviews!.subjectAccessReview(user, attrs);
      this.decisions.set(key, d, d.allowed ? (this.o.authorizedTtlMs ?? 300_000) : (this.o.unauthorizedTtlMs ?? 30_000));
    }
    if (d.allowed) return { ok: true, user };
    return { ok: false, code: 403, message: `Forbidden (user=${user.name}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource})` };
  }
}
