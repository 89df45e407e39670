/**
 * The secure port's authentication, in upstream's order: client certificate,
 * basic auth, then bearer tokens (token file, service account JWTs, bootstrap
 * tokens). The first authenticator that knows the request wins; credentials
 * that were offered and rejected give 401 even with --anonymous-auth (upstream
 * wraps the union with FailOnError before the anonymous authenticator).
 * Every authenticated user gets system:authenticated.
 */
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { apiErrors } from '../../machinery/errors.js';
import type { ObjectAccess } from '../admission/objects.js';
import { BootstrapTokenAuthenticator } from './bootstrap.js';
import { ServiceAccountAuthenticator } from './serviceaccount.js';
import { BasicAuthenticator, TokenFileAuthenticator } from './static.js';
import type { RequestAuthenticator, TokenAuthenticator } from './types.js';
import { ANONYMOUS, withAuthenticatedGroup, type UserInfo } from './user.js';
import { X509Authenticator } from './x509.js';

export type { UserInfo } from './user.js';

/** Bearer tokens in the Authorization header, checked by each token authenticator in turn. */
class BearerAuthenticator implements RequestAuthenticator {
  readonly name = 'bearer';
  constructor(private readonly tokens: readonly TokenAuthenticator[]) {}

  async authenticate(req: IncomingMessage) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const errors: string[] = [];
    for (const t of this.tokens) {
      const r = await t.authenticateToken(m[1]);
      if (r && 'user' in r) return r;
      if (r) errors.push(r.error);
    }
    return { error: errors.length ? errors.join('; ') : 'invalid bearer token' };
  }
}

export class Authenticator {
  constructor(
    private readonly chain: readonly RequestAuthenticator[],
    private readonly anonymous: boolean,
    /** Told why a request got 401 (never the credential itself). */
    private readonly onReject?: (why: string) => void,
    /** The bearer token authenticators, for TokenReview. */
    private readonly tokens: readonly TokenAuthenticator[] = [],
  ) {}

  /** TokenReview: who a bearer token is, or why not. */
  async reviewToken(token: string): Promise<{ user: UserInfo } | { error: string }> {
    if (!this.tokens.length) return { error: 'token authentication is not configured on this kube-apiserver' };
    const r = await new BearerAuthenticator(this.tokens).authenticate({ headers: { authorization: `Bearer ${token}` } } as IncomingMessage);
    if (r && 'user' in r) return { user: withAuthenticatedGroup(r.user) };
    return { error: r?.error ?? 'invalid bearer token' };
  }

  /** The request's user; throws 401 Unauthorized. */
  async authenticate(req: IncomingMessage): Promise<UserInfo> {
    const errors: string[] = [];
    for (const a of this.chain) {
      const r = await a.authenticate(req);
      if (r && 'user' in r) {
        // Nothing behind the API server needs the credential (upstream drops it too).
        if (a.name !== 'x509') delete req.headers.authorization;
        return withAuthenticatedGroup(r.user);
      }
      if (r) errors.push(`[${a.name}] ${r.error}`);
    }
    if (errors.length === 0 && this.anonymous) return ANONYMOUS;
    this.onReject?.(errors.length ? errors.join(', ') : 'no credentials and --anonymous-auth=false');
    throw apiErrors.unauthorized();
  }
}

export interface AuthenticationConfig {
  /** --client-ca-file is set: the TLS server verifies client certificates. */
  clientCertificates?: boolean;
  tokenAuthFile?: string;
  basicAuthFile?: string;
  bootstrapTokens?: boolean;
  serviceAccountKeys?: readonly KeyObject[];
  serviceAccountLookup?: boolean;
  anonymous: boolean;
}

/** Builds the chain; throws (naming the file and line) on a bad credentials file. */
export function newAuthenticator(cfg: AuthenticationConfig, objects: ObjectAccess, onReject?: (why: string) => void): Authenticator {
  const chain: RequestAuthenticator[] = [];
  if (cfg.clientCertificates) chain.push(new X509Authenticator());
  if (cfg.basicAuthFile) chain.push(BasicAuthenticator.fromFile(cfg.basicAuthFile));
  const tokens: TokenAuthenticator[] = [];
  if (cfg.tokenAuthFile) tokens.push(TokenFileAuthenticator.fromFile(cfg.tokenAuthFile));
  if (cfg.serviceAccountKeys?.length) tokens.push(new ServiceAccountAuthenticator(cfg.serviceAccountKeys, cfg.serviceAccountLookup ? objects : undefined));
  if (cfg.bootstrapTokens) tokens.push(new BootstrapTokenAuthenticator(objects));
  if (tokens.length) chain.push(new BearerAuthenticator(tokens));
  return new Authenticator(chain, cfg.anonymous, onReject, tokens);
}
