/**
 * csrsigning (upstream pkg/controller/certificates/signer): issues the
 * certificate of every CertificateSigningRequest that is Approved, neither
 * Denied nor Failed, has no certificate yet, and names a signer this cluster
 * CA signs for (the kubernetes.io/ signers below). The CA is
 * --cluster-signing-cert-file/--cluster-signing-key-file; the openssl CLI
 * does the signing (`openssl x509 -req -CA … -CAkey …`), with the requested
 * usages as keyUsage/extendedKeyUsage and, for serving certificates, the
 * request's DNS and IP names. The certificate goes into status.certificate
 * through the /status subresource. A request the signer refuses (bad PKCS#10,
 * usages the signer does not allow) gets a Failed condition.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { CertificateSigningRequest, KeyUsage } from '../../api/certificates/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { runLoop } from '../common/loop.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import {
  BadRequestError,
  hasCertificate,
  isApproved,
  isDenied,
  isFailed,
  parseRequest,
  requestPEM,
  SIGNER_APISERVER_CLIENT,
  SIGNER_KUBELET_CLIENT,
  SIGNER_KUBELET_SERVING,
  SIGNER_LEGACY_UNKNOWN,
} from './csr.js';

export const SIGNED_BY_CLUSTER_CA: ReadonlySet<string> = new Set([SIGNER_KUBELET_CLIENT, SIGNER_APISERVER_CLIENT, SIGNER_KUBELET_SERVING, SIGNER_LEGACY_UNKNOWN]);

/** certificates.k8s.io usages → openssl keyUsage names. */
const KEY_USAGE: Readonly<Record<string, string>> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};
/** certificates.k8s.io usages → openssl extendedKeyUsage names. */
const EXT_KEY_USAGE: Readonly<Record<string, string>> = {
  any: 'anyExtendedKeyUsage',
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
  's/mime': 'emailProtection',
  'ipsec end system': 'ipsecEndSystem',
  'ipsec tunnel': 'ipsecTunnel',
  'ipsec user': 'ipsecUser',
  timestamping: 'timeStamping',
  'ocsp signing': 'OCSPSigning',
  'microsoft sgc': 'msSGC',
  'netscape sgc': 'nsSGC',
};

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The openssl extension file (x509v3_config) for the usages and subjectAltNames; UsageError for an unknown usage. */
export function extensionsFor(usages: readonly string[], san: { dnsNames?: readonly string[]; ipAddresses?: readonly string[]; emails?: readonly string[] } = {}): string {
  const ku = new Set<string>();
  const eku = new Set<string>();
  for (const u of usages) {
    if (KEY_USAGE[u]) ku.add(KEY_USAGE[u]);
    else if (EXT_KEY_USAGE[u]) eku.add(EXT_KEY_USAGE[u]);
    else throw new UsageError(`unknown usage ${JSON.stringify(u)}`);
  }
  const lines = ['basicConstraints=critical,CA:FALSE'];
  if (ku.size) lines.push(`keyUsage=critical,${[...ku].join(',')}`);
  if (eku.size) lines.push(`extendedKeyUsage=${[...eku].join(',')}`);
  const names = [...(san.dnsNames ?? []).map((n) => `DNS:${n}`), ...(san.ipAddresses ?? []).map((n) => `IP:${n}`), ...(san.emails ?? []).map((n) => `email:${n}`)];
  if (names.length) lines.push(`subjectAltName=${names.join(',')}`);
  lines.push('subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid');
  return lines.join('\n') + '\n';
}

/** Usages a signer accepts (upstream's per-signer validation); undefined = anything (legacy-unknown). */
const ALLOWED_USAGES: Readonly<Record<string, { allowed: readonly KeyUsage[]; required: readonly KeyUsage[] }>> = {
  [SIGNER_KUBELET_CLIENT]: { allowed: ['digital signature', 'key encipherment', 'client auth'], required: ['client auth'] },
  [SIGNER_APISERVER_CLIENT]: { allowed: ['digital signature', 'key encipherment', 'client auth'], required: ['client auth'] },
  [SIGNER_KUBELET_SERVING]: { allowed: ['digital signature', 'key encipherment', 'server auth'], required: ['server auth'] },
};

/** Why the signer refuses these usages, or '' when it accepts them. */
export function usageProblem(signerName: string, usages: readonly string[]): string {
  const rule = ALLOWED_USAGES[signerName];
  if (!rule) return '';
  const bad = usages.filter((u) => !(rule.allowed as readonly string[]).includes(u));
  if (bad.length) return `usages ${bad.join(', ')} are not allowed for signer ${signerName}`;
  const missing = rule.required.filter((u) => !usages.includes(u));
  if (missing.length) return `signer ${signerName} requires the usages ${missing.join(', ')}`;
  return '';
}

export interface SignerOptions {
  /** --cluster-signing-cert-file, --cluster-signing-key-file */
  certFile: string;
  keyFile: string;
  /** --experimental-cluster-signing-duration (8760h). */
  durationMs?: number;
  workers?: number;
}

export const DEFAULT_SIGNING_DURATION_MS = 8760 * 3600_000;

export class CSRSigningController implements Controller {
  readonly name = 'csrsigning';
  readonly queue: WorkQueue;
  private readonly csrs: SharedInformer<CertificateSigningRequest>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: SignerOptions,
  ) {
    try {
      new X509Certificate(readFileSync(opts.certFile));
    } catch (e) {
      throw new Error(`--cluster-signing-cert-file=${opts.certFile}: not a PEM certificate (${(e as Error).message})`);
    }
    try {
      createPrivateKey(readFileSync(opts.keyFile));
    } catch (e) {
      throw new Error(`--cluster-signing-key-file=${opts.keyFile}: not a PEM private key (${(e as Error).message})`);
    }
    this.queue = ctx.newQueue('certificate');
    this.csrs = ctx.informers.informerFor(resources.certificatesigningrequests);
    const add = (o: RO<CertificateSigningRequest>) => this.queue.add(o.metadata.name ?? '');
    this.csrs.onAdd(add);
    this.csrs.onUpdate((_o, n) => add(n));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'certificate signing', informers: [this.csrs], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  /** Whether this controller acts on the request. */
  static wants(csr: RO<CertificateSigningRequest>): boolean {
    return isApproved(csr) && !isDenied(csr) && !isFailed(csr) && !hasCertificate(csr) && SIGNED_BY_CLUSTER_CA.has(csr.spec.signerName);
  }

  async sync(name: string): Promise<void> {
    const csr = this.csrs.lister.get(name);
    if (!csr || !CSRSigningController.wants(csr)) return;
    let certificate: string;
    try {
      const problem = usageProblem(csr.spec.signerName, csr.spec.usages ?? []);
      if (problem) throw new UsageError(problem);
      certificate = await this.sign(csr);
    } catch (e) {
      if (!(e instanceof BadRequestError || e instanceof UsageError)) throw e;
      this.ctx.log.info('refusing to sign the certificate signing request', { csr: name, reason: e.message });
      await this.writeStatus(name, (next) => {
        next.status = { ...(next.status ?? {}), conditions: [...(next.status?.conditions ?? []), { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: e.message, lastUpdateTime: new Date().toISOString() }] };
      });
      return;
    }
    await this.writeStatus(name, (next) => {
      next.status = { ...(next.status ?? {}), certificate: Buffer.from(certificate).toString('base64') };
    });
    this.ctx.log.info('signed the certificate signing request', { csr: name, signer: csr.spec.signerName });
  }

  private async writeStatus(name: string, change: (next: CertificateSigningRequest) => void): Promise<void> {
    const client = this.ctx.client.resource(resources.certificatesigningrequests);
    let cur: CertificateSigningRequest;
    try {
      cur = await client.get(name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!CSRSigningController.wants(cur)) return;
    const next = mutableCopy<CertificateSigningRequest>(cur);
    change(next);
    // A conflict is returned to the loop, which retries with the newer object.
    await client.updateStatus(next);
  }

  /** The PEM certificate for the request, signed by the cluster CA. */
  async sign(csr: RO<CertificateSigningRequest>): Promise<string> {
    const pem = requestPEM(csr);
    const parsed = await parseRequest(pem);
    const usages = csr.spec.usages ?? [];
    const serving = csr.spec.signerName === SIGNER_KUBELET_SERVING || csr.spec.signerName === SIGNER_LEGACY_UNKNOWN;
    const ext = extensionsFor(usages, serving ? parsed : {});
    let ms = this.opts.durationMs ?? DEFAULT_SIGNING_DURATION_MS;
    if (csr.spec.expirationSeconds) ms = Math.min(ms, Math.max(600, csr.spec.expirationSeconds) * 1000);
    const dir = await mkdtemp(join(tmpdir(), 'kubets-csrsigning-'));
    try {
      await writeFile(join(dir, 'req.pem'), pem);
      await writeFile(join(dir, 'ext.cnf'), ext);
      // `openssl x509 -req` counts whole days (--experimental-cluster-signing-duration 8760h = 365 days).
      const days = Math.max(1, Math.round(ms / 86_400_000));
      const serial = '0x' + (randomBytes(1)[0]! & 0x7f).toString(16).padStart(2, '0') + randomBytes(15).toString('hex');
      const r = await execa(
        'openssl',
        ['x509', '-req', '-in', join(dir, 'req.pem'), '-CA', this.opts.certFile, '-CAkey', this.opts.keyFile, '-set_serial', serial, '-days', String(days), '-sha256', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'cert.pem')],
        { reject: false },
      );
      if (r.exitCode !== 0) throw new Error(`signing with openssl failed: ${String(r.stderr).trim().split('\n').slice(0, 2).join('; ')}`);
      const cert = await readFile(join(dir, 'cert.pem'), 'utf8');
      new X509Certificate(cert);
      return cert;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
