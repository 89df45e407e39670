/**
 * What the certificate controllers need to know about a
 * CertificateSigningRequest: its conditions, and the subject and requested
 * names of its PKCS#10 request (read with the openssl CLI, which also checks
 * the request's self-signature).
 */
import { execa } from 'execa';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../api/certificates/v1/types.js';
import type { RO } from '../common/types.js';

export const SIGNER_KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
export const SIGNER_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const SIGNER_KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const SIGNER_LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

export function conditionOf(csr: RO<CertificateSigningRequest>, type: string): RO<CertificateSigningRequestCondition> | undefined {
  return csr.status?.conditions?.find((c) => c.type === type && (c.status ?? 'True') === 'True');
}
export const isApproved = (csr: RO<CertificateSigningRequest>): boolean => conditionOf(csr, 'Approved') !== undefined;
export const isDenied = (csr: RO<CertificateSigningRequest>): boolean => conditionOf(csr, 'Denied') !== undefined;
export const isFailed = (csr: RO<CertificateSigningRequest>): boolean => conditionOf(csr, 'Failed') !== undefined;
export const hasCertificate = (csr: RO<CertificateSigningRequest>): boolean => Boolean(csr.status?.certificate);

/** The parts of an X.509 name the controllers look at. */
export interface Subject {
  commonName: string;
  organizations: string[];
}

export interface ParsedRequest {
  subject: Subject;
  dnsNames: string[];
  ipAddresses: string[];
  emails: string[];
}

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** Splits an RFC 2253 name (openssl -nameopt RFC2253) into attribute/value pairs, honouring backslash escapes. */
export function parseRFC2253(name: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let cur = '';
  const parts: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch === '\\' && i + 1 < name.length) {
      cur += ch + name[++i]!;
      continue;
    }
    if (ch === ',' || ch === '+') {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur !== '' || parts.length) parts.push(cur);
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const unescaped = p
      .slice(eq + 1)
      .replace(/\\([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
      .replace(/\\(.)/g, '$1');
    out.push([p.slice(0, eq).trim(), unescaped]);
  }
  return out;
}

export function subjectFromRFC2253(name: string): Subject {
  const attrs = parseRFC2253(name);
  return { commonName: attrs.find(([k]) => k === 'CN')?.[1] ?? '', organizations: attrs.filter(([k]) => k === 'O').map(([, v]) => v) };
}

/** Reads spec.request (base64 of a PEM CERTIFICATE REQUEST). */
export function requestPEM(csr: RO<CertificateSigningRequest>): string {
  const pem = Buffer.from(csr.spec.request ?? '', 'base64').toString('utf8');
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem)) throw new BadRequestError('spec.request is not a PEM CERTIFICATE REQUEST');
  return pem;
}

/** Subject and subjectAltNames of a PEM PKCS#10 request; BadRequestError when openssl cannot read or verify it. */
export async function parseRequest(pem: string): Promise<ParsedRequest> {
  const r = await execa('openssl', ['req', '-noout', '-verify', '-subject', '-nameopt', 'RFC2253', '-text'], { input: pem, reject: false });
  if (r.exitCode !== 0) throw new BadRequestError(`unable to parse the certificate request: ${String(r.stderr).trim().split('\n')[0] ?? ''}`);
  const out = String(r.stdout);
  const subjLine = out.split('\n').find((l) => l.startsWith('subject='));
  const subject = subjectFromRFC2253(subjLine ? subjLine.slice('subject='.length).trim() : '');
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const emails: string[] = [];
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.includes('X509v3 Subject Alternative Name'));
  if (at >= 0 && lines[at + 1]) {
    for (const item of lines[at + 1]!.split(',').map((s) => s.trim())) {
      if (item.startsWith('DNS:')) dnsNames.push(item.slice(4));
      else if (item.startsWith('IP Address:')) ipAddresses.push(item.slice('IP Address:'.length));
      else if (item.startsWith('email:')) emails.push(item.slice(6));
    }
  }
  return { subject, dnsNames, ipAddresses, emails };
}
