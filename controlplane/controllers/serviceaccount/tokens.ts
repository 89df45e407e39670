/**
 * The service account token controller (upstream 1.8
 * pkg/controller/serviceaccount/tokens_controller.go): every ServiceAccount
 * gets a Secret of type kubernetes.io/service-account-token holding a JWT
 * signed with --service-account-private-key-file (issuer
 * "kubernetes/serviceaccount", the claims of machinery/serviceaccount.ts),
 * the cluster CA from --root-ca-file and the namespace, and the account lists
 * it in .secrets. kube-apiserver verifies the token with
 * --service-account-key-file, and its ServiceAccount admission mounts the
 * secret into pods — without this controller that admission refuses pods.
 *
 * Keys are "sa:<ns>/<name>" and "secret:<ns>/<name>" on one queue:
 * - an account without a valid token secret gets one (created first, then
 *   referenced; the secret is removed again if the reference cannot be added);
 * - a token secret whose token is empty (made by hand) is filled in;
 * - a deleted account takes its token secrets with it; a deleted token
 *   secret is dropped from its account, which then gets a new one.
 */
import { createPrivateKey, randomInt } from 'node:crypto';
import type { Secret, ServiceAccount } from '../../api/core/v1/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { signJWT } from '../../machinery/jwt.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import { legacyClaims } from '../../machinery/serviceaccount.js';
import { runLoop } from '../common/loop.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface TokensControllerOptions {
  /** PEM of --service-account-private-key-file. */
  privateKeyPEM: string | Buffer;
  /** Contents of --root-ca-file, put in each secret as ca.crt. */
  rootCA?: Buffer;
  /** --concurrent-serviceaccount-token-syncs (5). */
  workers?: number;
}

/** Upstream's alphabet for generated name suffixes (no vowels, no look-alikes). */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function tokenSecretName(account: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return `${account}-token-${suffix}`;
}

/** Whether secret is a token secret issued for exactly this account (name and uid). */
export function isTokenFor(secret: RO<Secret>, sa: RO<ServiceAccount>): boolean {
  const a = secret.metadata.annotations ?? {};
  return secret.type === SERVICE_ACCOUNT_TOKEN_TYPE && a[SA_NAME_ANNOTATION] === sa.metadata.name && (!a[SA_UID_ANNOTATION] || a[SA_UID_ANNOTATION] === sa.metadata.uid);
}

export class TokensController implements Controller {
  readonly name = 'serviceaccount-token';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly accounts: SharedInformer<ServiceAccount>;
  private readonly secrets: SharedInformer<Secret>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: TokensControllerOptions,
  ) {
    try {
      createPrivateKey(opts.privateKeyPEM);
    } catch (e) {
      throw new Error(`--service-account-private-key-file: not a PEM private key (${(e as Error).message})`);
    }
    this.queue = ctx.newQueue('serviceaccount-tokens');
    this.accounts = ctx.informers.informerFor(resources.serviceaccounts);
    this.secrets = ctx.informers.informerFor(resources.secrets);
    const sa = (o: RO<ServiceAccount>) => this.queue.add(`sa:${keyOfMeta(o.metadata)}`);
    this.accounts.onAdd(sa);
    this.accounts.onUpdate((_o, n) => sa(n));
    this.accounts.onDelete((o) => this.queue.add(`gone:${keyOfMeta(o.metadata)}`));
    const secret = (o: RO<Secret>) => o.type === SERVICE_ACCOUNT_TOKEN_TYPE && this.queue.add(`secret:${keyOfMeta(o.metadata)}`);
    this.secrets.onAdd(secret);
    this.secrets.onUpdate((_o, n) => secret(n));
    this.secrets.onDelete((o) => {
      if (o.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return;
      const account = o.metadata.annotations?.[SA_NAME_ANNOTATION];
      if (account) this.queue.add(`sa:${o.metadata.namespace}/${account}`);
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'service account tokens', informers: [this.accounts, this.secrets], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  async sync(key: string): Promise<void> {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (kind === 'sa') return this.syncAccount(rest);
    if (kind === 'secret') return this.syncSecret(rest);
    if (kind === 'gone') return this.removeTokensOf(rest);
  }

  private tokenData(sa: RO<ServiceAccount>, secretName: string): Record<string, string> {
    const ns = sa.metadata.namespace ?? 'default';
    const token = signJWT(legacyClaims(ns, sa.metadata.name ?? '', sa.metadata.uid ?? '', secretName), this.opts.privateKeyPEM);
    const data: Record<string, string> = { token: Buffer.from(token).toString('base64'), namespace: Buffer.from(ns).toString('base64') };
    if (this.opts.rootCA) data['ca.crt'] = this.opts.rootCA.toString('base64');
    return data;
  }

  private async syncAccount(key: string): Promise<void> {
    const sa = this.accounts.lister.get(key);
    if (!sa || sa.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    // Drop references to token secrets that are gone (or were re-made for another account of that name).
    const refs = sa.secrets ?? [];
    const kept = refs.filter((r) => {
      const s = this.secrets.lister.get(`${namespace}/${r.name}`);
      return !s || s.type !== SERVICE_ACCOUNT_TOKEN_TYPE || isTokenFor(s, sa);
    });
    const hasToken = kept.some((r) => {
      const s = this.secrets.lister.get(`${namespace}/${r.name}`);
      return s !== undefined && isTokenFor(s, sa);
    });
    if (kept.length !== refs.length && hasToken) {
      await this.setSecretRefs(namespace, sa.metadata.name ?? '', (cur) => cur.filter((r) => kept.some((k) => k.name === r.name)));
      return;
    }
    if (hasToken) return;
    const name = tokenSecretName(sa.metadata.name ?? '');
    const secret: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: SERVICE_ACCOUNT_TOKEN_TYPE,
      metadata: { name, namespace, annotations: { [SA_NAME_ANNOTATION]: sa.metadata.name ?? '', [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' } },
      data: this.tokenData(sa, name),
    };
    const secrets = this.ctx.client.resource(resources.secrets, namespace);
    await secrets.create(secret);
    try {
      const added = await this.setSecretRefs(namespace, sa.metadata.name ?? '', (cur) => [...cur.filter((r) => kept.some((k) => k.name === r.name)), { name }], sa.metadata.uid);
      if (!added) throw new Error(`service account ${key} changed or went away`);
    } catch (e) {
      // An unreferenced token would be a credential nobody manages: take it back.
      await secrets.delete(name).catch(() => undefined);
      throw e;
    }
    this.ctx.log.info('created a token secret for the service account', { serviceAccount: key, secret: name });
  }

  /** Read-modify-write of .secrets with conflict retries; false when the account is gone (or another uid). */
  private async setSecretRefs(namespace: string, name: string, change: (cur: { name?: string }[]) => { name?: string }[], uid?: string): Promise<boolean> {
    const client = this.ctx.client.resource(resources.serviceaccounts, namespace);
    for (let attempt = 0; ; attempt++) {
      let cur: ServiceAccount;
      try {
        cur = await client.get(name);
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
      if (uid && cur.metadata.uid !== uid) return false;
      const next = mutableCopy<ServiceAccount>(cur);
      next.secrets = change(cur.secrets ?? []) as ServiceAccount['secrets'];
      try {
        await client.update(next);
        return true;
      } catch (e) {
        if (!isConflict(e) || attempt >= 5) throw e;
      }
    }
  }

  /** A token secret made by hand (or emptied): fill in token, ca.crt and namespace. */
  private async syncSecret(key: string): Promise<void> {
    const secret = this.secrets.lister.get(key);
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return;
    const { namespace, name } = splitKey(key);
    const account = secret.metadata.annotations?.[SA_NAME_ANNOTATION];
    const sa = account ? this.accounts.lister.get(`${namespace}/${account}`) : undefined;
    if (!sa || !isTokenFor(secret, sa)) {
      // Its account is gone: the token must not outlive it.
      if (account && !sa) await this.ctx.client.resource(resources.secrets, namespace).delete(name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
      return;
    }
    if (secret.data?.token && (!this.opts.rootCA || secret.data['ca.crt'])) return;
    const next = mutableCopy<Secret>(secret);
    next.data = { ...(next.data ?? {}), ...this.tokenData(sa, name) };
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [SA_UID_ANNOTATION]: sa.metadata.uid ?? '' };
    await this.ctx.client.resource(resources.secrets, namespace).update(next);
  }

  private async removeTokensOf(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    if (this.accounts.lister.get(key)) return;
    for (const s of this.secrets.lister.byIndex(NAMESPACE_INDEX, namespace)) {
      if (s.type !== SERVICE_ACCOUNT_TOKEN_TYPE || s.metadata.annotations?.[SA_NAME_ANNOTATION] !== name) continue;
      await this.ctx.client
        .resource(resources.secrets, namespace)
        .delete(s.metadata.name ?? '')
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    }
  }
}
