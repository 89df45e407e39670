import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './user.js';

/**
 * What one authenticator says about a request: a user, an error (credentials
 * were offered and are wrong: 401), or undefined (no credentials of its kind).
 */
export type AuthnResult = { user: UserInfo } | { error: string } | undefined;

export interface RequestAuthenticator {
  readonly name: string;
  authenticate(req: IncomingMessage): Promise<AuthnResult>;
}

export interface TokenAuthenticator {
  readonly name: string;
  /** undefined when the token is not one of this authenticator's (another may know it). */
  authenticateToken(token: string): Promise<AuthnResult>;
}
