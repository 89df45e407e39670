/**
 * JSON Web Tokens as service account tokens use them: compact JWS, RS256
 * (also RS384/RS512 and ES256/384/512), made and checked with node:crypto.
 * Key files are PEM bundles of RSA/ECDSA private or public keys, or
 * certificates (--service-account-key-file, upstream keyutil.ParsePublicKeysPEM).
 */
import { createPublicKey, createSign, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

const HASH: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Every public key in a PEM bundle; throws naming the file when there is none. */
export function publicKeysFromPEM(text: string, where: string): KeyObject[] {
  const out: KeyObject[] = [];
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  for (const b of blocks) {
    const type = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(b)![1];
    try {
      if (type === 'CERTIFICATE') out.push(new X509Certificate(b).publicKey);
      else if (/PRIVATE KEY|PUBLIC KEY/.test(type)) out.push(createPublicKey(b));
    } catch (e) {
      throw new Error(`${where}: cannot read the ${type} block: ${(e as Error).message}`);
    }
  }
  const usable = out.filter((k) => k.asymmetricKeyType === 'rsa' || k.asymmetricKeyType === 'ec');
  if (!usable.length) throw new Error(`${where}: no RSA or ECDSA key (PEM public key, private key or certificate) found`);
  return usable;
}

export function publicKeysFromFiles(paths: readonly string[]): KeyObject[] {
  return paths.flatMap((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      throw new Error(`cannot read service account key file '${p}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return publicKeysFromPEM(text, `service account key file '${p}'`);
  });
}

/** Signs claims as a compact JWS with RS256 (or ES256 for an EC key). */
export function signJWT(claims: Record<string, unknown>, privateKeyPEM: string | Buffer): string {
  const key = createPublicKey(privateKeyPEM); // only to learn the key type
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  const head = b64url(JSON.stringify({ alg, kid: '' , typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const s = createSign(HASH[alg]);
  s.update(`${head}.${body}`);
  const sig = s.sign({ key: privateKeyPEM, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${b64url(sig)}`;
}

export type JWTCheck = { claims: Record<string, unknown> } | { error: string } | undefined;

/**
 * Parses a token. undefined: not a JWT at all (another authenticator may know it).
 * Otherwise the verified claims, or why the signature does not verify.
 */
export function verifyJWT(token: string, keys: readonly KeyObject[]): JWTCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let header: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string };
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!claims || typeof claims !== 'object') return undefined;
  const hash = HASH[header.alg ?? ''];
  if (!hash) return { error: `unsupported signing algorithm ${JSON.stringify(header.alg ?? '')}` };
  const sig = Buffer.from(parts[2], 'base64url');
  for (const key of keys) {
    const isEC = key.asymmetricKeyType === 'ec';
    if (isEC !== header.alg!.startsWith('ES')) continue;
    const v = createVerify(hash);
    v.update(`${parts[0]}.${parts[1]}`);
    try {
      if (v.verify({ key, dsaEncoding: 'ieee-p1363' }, sig)) return { claims };
    } catch {
      // a key of the wrong size: try the next
    }
  }
  return { error: 'crypto/rsa: verification error' };
}
