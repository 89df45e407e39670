/**
 * TLS bootstrapping of the kubelet's client certificate (upstream 1.8
 * pkg/kubelet/certificate/bootstrap): with --bootstrap-kubeconfig, when the
 * --kubeconfig file is missing or holds no valid client certificate, the
 * kubelet
 *   1. makes an ECDSA P-256 key (kept in --cert-dir as kubelet-client.key.tmp
 *      until signed, so a restart keeps waiting on the same request),
 *   2. asks the API server — with the bootstrap kubeconfig's low-privilege
 *      credentials (a bootstrap token) — for a certificate through a
 *      certificates.k8s.io/v1 CertificateSigningRequest for
 *      O=system:nodes/CN=system:node:<node>, signer
 *      kubernetes.io/kube-apiserver-client-kubelet,
 *   3. waits until it is approved (by csrapproving, or
 *      `kubectl certificate approve`) and signed (csrsigning); a Denied or
 *      Failed request is an error and the next attempt uses a fresh key,
 *   4. writes kubelet-client.crt/.key (0600) into --cert-dir and a kubeconfig
 *      at --kubeconfig naming them, with the bootstrap kubeconfig's server and
 *      CA, which the kubelet then starts with.
 * Node's crypto cannot build a PKCS#10 request: the openssl CLI does, as for
 * the self-signed serving certificate (server/tls.ts). Keys, tokens and
 * certificates never reach a log line.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import type { CertificateSigningRequest, KeyUsage } from '../../../controlplane/api/certificates/v1/types.js';
import { isAlreadyExists } from '../../../controlplane/client/errors.js';
import type { ResourceClient } from '../../../controlplane/client/interfaces.js';
import { describeConfig, loadRestConfig, type RestConfig } from '../../../controlplane/client/kubeconfig.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_CLIENT_USAGES: readonly KeyUsage[] = ['digital signature', 'key encipherment', 'client auth'];
export const CLIENT_CERT_FILE = 'kubelet-client.crt';
export const CLIENT_KEY_FILE = 'kubelet-client.key';
/** The key of a request not signed yet. */
const PENDING_KEY_FILE = 'kubelet-client.key.tmp';

export interface BootstrapOptions {
  nodeName: string;
  /** --bootstrap-kubeconfig */
  bootstrapKubeconfig: string;
  /** --kubeconfig: written when bootstrapping. */
  kubeconfig: string;
  /** --cert-dir */
  certDir: string;
  log: Logger;
  /** How often the request is looked at while waiting (1 s). */
  pollMs?: number;
  /** First delay after a failed attempt, doubled up to maxBackoffMs (1 s … 1 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Tests: a client instead of one made from the bootstrap kubeconfig. */
  csrClient?: ResourceClient<CertificateSigningRequest>;
}

export class CSRRejectedError extends Error {
  override readonly name = 'CSRRejectedError';
}

/** Whether the kubeconfig at path exists and carries client certificates that have not expired (upstream verifyBootstrapClientConfig). */
export function hasValidClientCert(path: string, now = new Date()): { ok: boolean; reason: string } {
  if (!existsSync(path)) return { ok: false, reason: `${path} does not exist` };
  let rc: RestConfig;
  try {
    rc = loadRestConfig({ kubeconfig: path });
  } catch (e) {
    return { ok: false, reason: `unable to load ${path}: ${(e as Error).message}` };
  }
  if (!rc.cert) return { ok: false, reason: `${path} has no client certificate` };
  const pems = rc.cert.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (pems.length === 0) return { ok: false, reason: `the client certificate of ${path} holds no certificate` };
  for (const pem of pems) {
    let c: X509Certificate;
    try {
      c = new X509Certificate(pem);
    } catch (e) {
      return { ok: false, reason: `the client certificate of ${path} does not parse: ${(e as Error).message}` };
    }
    if (now > new Date(c.validTo)) return { ok: false, reason: `the client certificate of ${path} expired at ${c.validTo}` };
  }
  return { ok: true, reason: '' };
}

/** The kubeconfig the kubelet writes: the bootstrap server and CA, the new certificate and key by path. */
export function kubeletKubeconfig(server: RestConfig, certFile: string, keyFile: string): string {
  const cluster: Record<string, unknown> = { server: server.server };
  if (server.ca) cluster['certificate-authority-data'] = server.ca.toString('base64');
  if (server.insecureSkipTLSVerify) cluster['insecure-skip-tls-verify'] = true;
  if (server.tlsServerName) cluster['tls-server-name'] = server.tlsServerName;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default-cluster', cluster }],
    users: [{ name: 'default-auth', user: { 'client-certificate': certFile, 'client-key': keyFile } }],
    contexts: [{ name: 'default-context', context: { cluster: 'default-cluster', user: 'default-auth', namespace: 'default' } }],
    'current-context': 'default-context',
    preferences: {},
  };
  return YAML.stringify(doc);
}

/**
 * node-csr-<sha256 of the public key, subject and usages> (upstream
 * digestedName). Upstream encodes the digest base64url; kube-apiserver here
 * checks object names as RFC 1123 subdomains (lower case), so it is hex.
 */
export function csrName(publicKeyDer: Buffer, nodeName: string, usages: readonly string[]): string {
  const h = createHash('sha256');
  const put = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b) : b;
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    h.update(len).update(buf);
  };
  put(publicKeyDer);
  put(`system:node:${nodeName}`);
  put('system:nodes');
  for (const u of usages) put(u);
  return `node-csr-${h.digest('hex')}`;
}

/** A PEM PKCS#10 request for O=system:nodes/CN=system:node:<node>, signed with keyFile (openssl CLI). */
export async function makeCSR(keyFile: string, nodeName: string): Promise<string> {
  const r = await execa('openssl', ['req', '-new', '-sha256', '-key', keyFile, '-subj', `/O=system:nodes/CN=system:node:${nodeName}`], { reject: false });
  if (r.exitCode !== 0) throw new Error(`making a certificate signing request with openssl failed: ${String(r.stderr).trim()}`);
  return String(r.stdout).trim() + '\n';
}

function condition(csr: CertificateSigningRequest, type: string) {
  return csr.status?.conditions?.find((c) => c.type === type && (c.status ?? 'True') === 'True');
}

async function writePrivate(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.new`;
  await writeFile(tmp, data, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One attempt: request (or find) the CSR and wait until it carries a certificate. Returns the PEM certificate and key. */
async function requestOnce(o: BootstrapOptions, csrs: ResourceClient<CertificateSigningRequest>, signal: AbortSignal): Promise<{ cert: string; key: string }> {
  await mkdir(o.certDir, { recursive: true, mode: 0o755 });
  const keyFile = join(o.certDir, PENDING_KEY_FILE);
  let keyPem: string;
  try {
    keyPem = await readFile(keyFile, 'utf8');
    createPrivateKey(keyPem);
  } catch {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    keyPem = privateKey.export({ type: 'sec1', format: 'pem' }).toString();
    await writePrivate(keyFile, keyPem);
  }
  const der = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const name = csrName(der, o.nodeName, KUBELET_CLIENT_USAGES);
  const request = await makeCSR(keyFile, o.nodeName);
  const body: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(request).toString('base64'), signerName: KUBELET_CLIENT_SIGNER, usages: [...KUBELET_CLIENT_USAGES] },
  };
  try {
    await csrs.create(body);
    o.log.info('created a certificate signing request for the kubelet client certificate', { csr: name, signer: KUBELET_CLIENT_SIGNER });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    o.log.info('the certificate signing request for this key exists already', { csr: name });
  }
  o.log.info(`waiting for the CSR ${name} to be approved and signed (kubectl certificate approve ${name})`);
  for (;;) {
    if (signal.aborted) throw new Error('stopped while waiting for the client certificate');
    const cur = await csrs.get(name, { signal });
    const rejected = condition(cur, 'Denied') ?? condition(cur, 'Failed');
    if (rejected) {
      // This key will never be signed: the next attempt makes a new one (and a new request).
      await rm(keyFile, { force: true });
      throw new CSRRejectedError(`certificate signing request ${name} is ${rejected.type === 'Denied' ? 'denied' : 'failed'}, reason: ${rejected.reason ?? ''}, message: ${rejected.message ?? ''}`);
    }
    if (cur.status?.certificate) {
      const cert = Buffer.from(cur.status.certificate, 'base64').toString('utf8');
      if (!/-----BEGIN CERTIFICATE-----/.test(cert)) throw new Error(`certificate signing request ${name}: status.certificate is not PEM`);
      const leaf = new X509Certificate(cert);
      if (!leaf.checkPrivateKey(createPrivateKey(keyPem))) throw new Error(`certificate signing request ${name}: the issued certificate is not for our key`);
      return { cert, key: keyPem };
    }
    await sleep(o.pollMs ?? 1000, signal);
  }
}

/**
 * Makes sure --kubeconfig holds a usable client certificate, bootstrapping
 * one when it does not. Returns whether it bootstrapped. Retries (with
 * back-off) until it succeeds or signal aborts.
 */
export async function bootstrapClientCertificate(o: BootstrapOptions, signal: AbortSignal): Promise<boolean> {
  const valid = hasValidClientCert(o.kubeconfig);
  if (valid.ok) {
    o.log.info('the kubeconfig has a valid client certificate: no TLS bootstrap', { kubeconfig: o.kubeconfig });
    return false;
  }
  o.log.info('TLS bootstrap: requesting a client certificate', { reason: valid.reason, bootstrapKubeconfig: o.bootstrapKubeconfig });
  const bootstrap = loadRestConfig({ kubeconfig: o.bootstrapKubeconfig });
  let client: RestClient | undefined;
  let csrs = o.csrClient;
  if (!csrs) {
    o.log.info('using the bootstrap credentials', { config: describeConfig(bootstrap) });
    client = new RestClient(bootstrap, { userAgent: 'kubelet-bootstrap', log: o.log });
    csrs = client.resource(resources.certificatesigningrequests);
  }
  const initial = o.backoffMs ?? 1000;
  let delay = initial;
  try {
    for (;;) {
      try {
        const { cert, key } = await requestOnce(o, csrs, signal);
        const certFile = join(o.certDir, CLIENT_CERT_FILE);
        const keyFile = join(o.certDir, CLIENT_KEY_FILE);
        await writePrivate(keyFile, key);
        await writePrivate(certFile, cert);
        await rm(join(o.certDir, PENDING_KEY_FILE), { force: true });
        await mkdir(dirname(o.kubeconfig), { recursive: true });
        await writePrivate(o.kubeconfig, kubeletKubeconfig(bootstrap, certFile, keyFile));
        o.log.info('TLS bootstrap done: wrote the client certificate and the kubeconfig', { certFile, keyFile, kubeconfig: o.kubeconfig });
        return true;
      } catch (e) {
        if (signal.aborted) throw e;
        o.log.error('TLS bootstrap failed; retrying', { err: (e as Error).message, retryInMs: delay });
        await sleep(delay, signal);
        if (signal.aborted) throw new Error('stopped during the TLS bootstrap', { cause: e });
        delay = Math.min(delay * 2, o.maxBackoffMs ?? 60_000);
      }
    }
  } finally {
    client?.close();
  }
}
