/**
 * csrapproving (upstream 1.8 pkg/controller/certificates/approver,
 * sarApprover): approves kubelet client certificate requests when the
 * requester may ask for them. A request for signer
 * kubernetes.io/kube-apiserver-client-kubelet whose subject is exactly
 * O=system:nodes, CN=system:node:<name> and whose usages are exactly
 * {digital signature, key encipherment, client auth} is recognised as
 *   - "selfnodeclient" when CN equals the requester (a node renewing its own
 *     certificate), then as
 *   - "nodeclient" (a bootstrap identity asking for a node's first one);
 * for each, a SubjectAccessReview as the CSR's spec.username/groups/extra
 * asks whether `create certificatesigningrequests/<that subresource>` in
 * certificates.k8s.io is allowed (RBAC: the ClusterRoles
 * system:certificates.k8s.io:certificatesigningrequests:{self,}nodeclient).
 * The first allowed one approves through /approval (condition Approved,
 * reason AutoApproved). Nothing else is touched: those requests wait for
 * `kubectl certificate approve`.
 */
import type { CertificateSigningRequest } from '../../api/certificates/v1/types.js';
import type { SubjectAccessReview } from '../../api/authorization/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { ref, resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { runLoop } from '../common/loop.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { BadRequestError, hasCertificate, isApproved, isDenied, isFailed, parseRequest, requestPEM, SIGNER_KUBELET_CLIENT, type Subject } from './csr.js';

const subjectAccessReviews = ref<SubjectAccessReview & { metadata: { name?: string } }>('authorization.k8s.io', 'v1', 'subjectaccessreviews');

export const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'] as const;

export interface Recognizer {
  /** The subresource of certificatesigningrequests the SubjectAccessReview asks about. */
  subresource: 'selfnodeclient' | 'nodeclient';
  message: string;
  recognize(csr: RO<CertificateSigningRequest>, subject: Subject): boolean;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** upstream isNodeClientCert: one organization system:nodes, CN system:node:<something>, exactly the client usages, the kubelet client signer. */
export function isNodeClientCert(csr: RO<CertificateSigningRequest>, subject: Subject): boolean {
  if (csr.spec.signerName !== SIGNER_KUBELET_CLIENT) return false;
  if (subject.organizations.length !== 1 || subject.organizations[0] !== 'system:nodes') return false;
  if (!subject.commonName.startsWith('system:node:') || subject.commonName.length === 'system:node:'.length) return false;
  return sameSet(csr.spec.usages ?? [], KUBELET_CLIENT_USAGES);
}

/** upstream isSelfNodeClientCert: a node client certificate for the requester itself. */
export function isSelfNodeClientCert(csr: RO<CertificateSigningRequest>, subject: Subject): boolean {
  return isNodeClientCert(csr, subject) && csr.spec.username === subject.commonName;
}

export const RECOGNIZERS: readonly Recognizer[] = [
  { subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.', recognize: isSelfNodeClientCert },
  { subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.', recognize: isNodeClientCert },
];

export class CSRApprovingController implements Controller {
  readonly name = 'csrapproving';
  readonly queue: WorkQueue;
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: { workers?: number } = {},
  ) {
    this.queue = ctx.newQueue('csrapproving');
    this.csrs = ctx.informers.informerFor(resources.certificatesigningrequests);
    const add = (o: RO<CertificateSigningRequest>) => this.queue.add(o.metadata.name ?? '');
    this.csrs.onAdd(add);
    this.csrs.onUpdate((_o, n) => add(n));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'certificate approving', informers: [this.csrs], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(name);
    if (!csr || isApproved(csr) || isDenied(csr) || isFailed(csr) || hasCertificate(csr)) return;
    if (csr.spec.signerName !== SIGNER_KUBELET_CLIENT) return;
    let subject: Subject;
    try {
      subject = (await parseRequest(requestPEM(csr))).subject;
    } catch (e) {
      if (e instanceof BadRequestError) {
        this.ctx.log.info('not auto-approving an unreadable certificate signing request', { csr: name, reason: e.message });
        return;
      }
      throw e;
    }
    for (const r of RECOGNIZERS) {
      if (!r.recognize(csr, subject)) continue;
      if (!(await this.authorized(csr, r.subresource))) continue;
      await this.approve(name, r.message);
      return;
    }
  }

  /** Asks the API server whether the requester may create certificatesigningrequests/<subresource>. */
  private async authorized(csr: RO<CertificateSigningRequest>, subresource: string): Promise<boolean> {
    const sar: SubjectAccessReview & { metadata: { name?: string } } = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: csr.spec.username,
        uid: csr.spec.uid,
        groups: csr.spec.groups ? [...csr.spec.groups] : undefined,
        extra: csr.spec.extra ? Object.fromEntries(Object.entries(csr.spec.extra).map(([k, v]) => [k, [...v]])) : undefined,
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
      },
    };
    const out = await this.ctx.client.resource(subjectAccessReviews).create(sar);
    return out.status?.allowed === true;
  }

  private async approve(name: string, message: string): Promise<void> {
    const client = this.ctx.client.resource(resources.certificatesigningrequests);
    let cur: CertificateSigningRequest;
    try {
      cur = await client.get(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (isApproved(cur) || isDenied(cur) || isFailed(cur)) return;
    const next = mutableCopy<CertificateSigningRequest>(cur);
    const now = new Date().toISOString();
    next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now }] };
    await client.patch(name, 'merge', { metadata: { resourceVersion: cur.metadata.resourceVersion }, status: { conditions: next.status.conditions } }, { subresource: 'approval' });
    this.ctx.log.info('approved the certificate signing request', { csr: name, reason: 'AutoApproved' });
  }
}
