/**
 * The kubelet's serving certificate: --tls-cert-file/--tls-private-key-file
 * when given, otherwise a self-signed pair kept in --cert-dir as
 * kubelet.crt/kubelet.key (upstream's names), made once with the openssl
 * CLI and reused on later starts.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ServingCertOptions {
  certFile?: string;
  keyFile?: string;
  certDir: string;
  /** Names and addresses the self-signed certificate is valid for (the node's hostname and IPs). */
  hostname: string;
  addresses?: readonly string[];
}

export interface ServingCert {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
  /** Whether this start generated it. */
  generated: boolean;
}

export async function servingCertificate(o: ServingCertOptions): Promise<ServingCert> {
  if (o.certFile && o.keyFile) {
    return { cert: await readFile(o.certFile), key: await readFile(o.keyFile), certFile: o.certFile, keyFile: o.keyFile, generated: false };
  }
  if (o.certFile || o.keyFile) throw new Error('--tls-cert-file and --tls-private-key-file must be given together');
  const certFile = join(o.certDir, 'kubelet.crt');
  const keyFile = join(o.certDir, 'kubelet.key');
  let generated = false;
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    await mkdir(o.certDir, { recursive: true, mode: 0o755 });
    const names = new Set(['localhost', o.hostname]);
    const ips = new Set(['127.0.0.1', ...(o.addresses ?? []).filter((a) => isIP(a))]);
    const san = [...[...names].filter((n) => n && !isIP(n)).map((n) => `DNS:${n}`), ...[...ips].map((ip) => `IP:${ip}`)].join(',');
    const r = await execa(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365', '-keyout', keyFile, '-out', certFile, '-subj', `/CN=${o.hostname}@${Math.floor(Date.now() / 1000)}`, '-addext', `subjectAltName=${san}`],
      { reject: false },
    );
    if (r.exitCode !== 0) throw new Error(`generating a self-signed serving certificate in ${o.certDir} with openssl failed: ${String(r.stderr).trim()}`);
    await chmod(keyFile, 0o600);
    generated = true;
  }
  return { cert: await readFile(certFile), key: await readFile(keyFile), certFile, keyFile, generated };
}
