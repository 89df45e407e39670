/**
 * Bootstrap tokens (--enable-bootstrap-token-auth): `<id>.<secret>` matched
 * against the Secret bootstrap-token-<id> of type bootstrap.kubernetes.io/token
 * in kube-system (upstream plugin/pkg/auth/authenticator/token/bootstrap).
 * Any mismatch is "not mine": the caller ends with 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ObjectAccess } from '../admission/objects.js';
import type { AuthnResult, TokenAuthenticator } from './types.js';

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  readonly name = 'bootstrap-token';

  constructor(
    private readonly objects: ObjectAccess,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticateToken(token: string): Promise<AuthnResult> {
    const m = TOKEN_RE.exec(token);
    if (!m) return undefined;
    const [, id, secret] = m;
    const s = await this.objects.get('', 'secrets', 'kube-system', `bootstrap-token-${id}`);
    if (!s || s.type !== 'bootstrap.kubernetes.io/token' || s.metadata?.deletionTimestamp) return undefined;
    const data = (s.data ?? {}) as Record<string, string>;
    const field = (k: string) => (data[k] === undefined ? undefined : Buffer.from(data[k], 'base64').toString('utf8'));
    const storedSecret = field('token-secret') ?? '';
    if (field('token-id') !== id || storedSecret.length !== secret.length || !timingSafeEqual(Buffer.from(storedSecret), Buffer.from(secret))) return undefined;
    const exp = field('expiration');
    if (exp && !(Date.parse(exp) > this.now())) return undefined;
    if (field('usage-bootstrap-authentication') !== 'true') return undefined;
    const extra = (field('auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    if (extra.some((g) => !EXTRA_GROUP_RE.test(g))) return undefined;
    return { user: { name: `system:bootstrap:${id}`, groups: ['system:bootstrappers', ...extra] } };
  }
}
