/**
 * Webhook authorization (--authorization-webhook-config-file, a kubeconfig
 * naming the remote service): POST a SubjectAccessReview
 * (authorization.k8s.io/v1beta1, as 1.8 sends), read status.allowed /
 * status.denied / status.reason. Answers are cached: allowed ones for
 * --authorization-webhook-cache-authorized-ttl, the others for
 * --authorization-webhook-cache-unauthorized-ttl. A failing webhook gives no
 * opinion (the next authorizer decides), as upstream.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { loadRestConfig, type RestConfig } from '../../client/kubeconfig.js';
import type { Attributes, Authorizer, Verdict } from './types.js';

export interface WebhookOptions {
  authorizedTTLms: number;
  unauthorizedTTLms: number;
  timeoutMs?: number;
  now?: () => number;
}

export function subjectAccessReview(a: Attributes): Record<string, unknown> {
  const spec: Record<string, unknown> = { user: a.user.name, group: a.user.groups };
  if (a.user.uid) spec.uid = a.user.uid;
  if (a.user.extra) spec.extra = a.user.extra;
  if (a.isResourceRequest) {
    spec.resourceAttributes = { namespace: a.namespace, verb: a.verb, group: a.apiGroup, version: a.apiVersion, resource: a.resource, subresource: a.subresource, name: a.name };
  } else {
    spec.nonResourceAttributes = { path: a.path, verb: a.verb };
  }
  return { apiVersion: 'authorization.k8s.io/v1beta1', kind: 'SubjectAccessReview', spec };
}

export class WebhookAuthorizer implements Authorizer {
  readonly name = 'Webhook';
  private readonly cache = new Map<string, { verdict: Verdict; until: number }>();
  private readonly now: () => number;

  constructor(
    private readonly cfg: RestConfig,
    private readonly opts: WebhookOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  static fromFile(path: string, opts: WebhookOptions): WebhookAuthorizer {
    if (!path) throw new Error('--authorization-mode=Webhook needs --authorization-webhook-config-file');
    return new WebhookAuthorizer(loadRestConfig({ kubeconfig: path }), opts);
  }

  async authorize(a: Attributes): Promise<Verdict> {
    const review = subjectAccessReview(a);
    const key = JSON.stringify(review.spec);
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.verdict;
    let body: { status?: { allowed?: boolean; denied?: boolean; reason?: string } };
    try {
      body = (await this.post(review)) as typeof body;
    } catch (e) {
      return { decision: 'NoOpinion', reason: `webhook authorizer failed: ${(e as Error).message}` };
    }
    const st = body.status ?? {};
    const verdict: Verdict = st.allowed ? { decision: 'Allow', reason: st.reason ?? '' } : { decision: st.denied ? 'Deny' : 'NoOpinion', reason: st.reason ?? '' };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { verdict, until: this.now() + (st.allowed ? this.opts.authorizedTTLms : this.opts.unauthorizedTTLms) });
    return verdict;
  }

  private post(review: unknown): Promise<unknown> {
    const url = new URL(this.cfg.server);
    const text = JSON.stringify(review);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
    if (this.cfg.token) headers.Authorization = `Bearer ${this.cfg.token}`;
    if (this.cfg.username !== undefined) headers.Authorization = `Basic ${Buffer.from(`${this.cfg.username}:${this.cfg.password ?? ''}`).toString('base64')}`;
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'POST',
          headers,
          timeout: this.opts.timeoutMs ?? 30_000,
          ...(https ? { ca: this.cfg.ca, cert: this.cfg.cert, key: this.cfg.key, rejectUnauthorized: !this.cfg.insecureSkipTLSVerify, servername: this.cfg.tlsServerName } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return reject(new Error(`the webhook answered ${res.statusCode}`));
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch (e) {
              reject(new Error(`the webhook's answer is not JSON: ${(e as Error).message}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(text);
    });
  }
}
