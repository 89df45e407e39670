/**
 * Throwaway PKI for tests, made with the openssl CLI in a directory the test
 * owns: a CA, and key + certificate pairs it signs for a server (127.0.0.1,
 * localhost) or a client (subject `/O=group/CN=user`). Files are named
 * <name>.key / <name>.crt inside dir.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export async function openssl(dir: string, args: string[]): Promise<void> {
  await execa('openssl', args, { cwd: dir });
}

/** ca.key / ca.crt (or <name>.*), self-signed, valid for `days`. */
export async function makeCA(dir: string, cn: string, name = 'ca', days = 2): Promise<void> {
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days), '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

/** <name>.key / <name>.crt signed by the CA <ca>: a server certificate for 127.0.0.1 and localhost, or a client one. */
export async function issue(dir: string, name: string, subject: string, usage: 'server' | 'client', ca = 'ca'): Promise<void> {
  const ext = `${name}.ext`;
  await writeFile(join(dir, ext), usage === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
  await openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', `${name}.crt`]);
}
