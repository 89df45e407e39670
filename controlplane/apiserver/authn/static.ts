/**
 * --token-auth-file (bearer tokens) and --basic-auth-file (HTTP basic), the
 * static CSV authenticators. Secrets are compared in constant time.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readCredentialCSV, type CredentialRecord } from './csvfile.js';
import type { AuthnResult, RequestAuthenticator, TokenAuthenticator } from './types.js';
import type { UserInfo } from './user.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export class TokenFileAuthenticator implements TokenAuthenticator {
  readonly name = 'token-file';
  // Immutable after construction; keyed by the token's hash so no token sits in a Map key.
  private readonly byHash = new Map<string, UserInfo>();

  constructor(records: CredentialRecord[]) {
    for (const r of records) this.byHash.set(digest(r.secret).toString('hex'), r.user);
  }

  static fromFile(path: string): TokenFileAuthenticator {
    return new TokenFileAuthenticator(readCredentialCSV(path, 'token'));
  }

  get size(): number {
    return this.byHash.size;
  }

  async authenticateToken(token: string): Promise<AuthnResult> {
    const u = this.byHash.get(digest(token).toString('hex'));
    return u ? { user: { ...u, groups: [...u.groups] } } : undefined;
  }
}

export class BasicAuthenticator implements RequestAuthenticator {
  readonly name = 'basic-auth-file';
  private readonly users = new Map<string, { hash: Buffer; user: UserInfo }>();

  constructor(records: CredentialRecord[]) {
    for (const r of records) this.users.set(r.user.name, { hash: digest(r.secret), user: r.user });
  }

  static fromFile(path: string): BasicAuthenticator {
    return new BasicAuthenticator(readCredentialCSV(path, 'password'));
  }

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(\S+)$/i.exec(h);
    if (!m) return undefined;
    const text = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return { error: 'invalid basic auth header' };
    const entry = this.users.get(text.slice(0, colon));
    const given = digest(text.slice(colon + 1));
    if (!entry || !timingSafeEqual(entry.hash, given)) return { error: 'invalid username/password combination' };
    return { user: { ...entry.user, groups: [...entry.user.groups] } };
  }
}
