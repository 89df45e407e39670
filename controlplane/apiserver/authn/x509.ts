/**
 * Client certificates (--client-ca-file): the TLS server asks for a
 * certificate (requestCert) without rejecting the handshake, and verifies the
 * chain against the client CA bundle only; OpenSSL's verdict is
 * socket.authorized. User = subject CN, groups = subject O (upstream
 * CommonNameUserConversion).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AuthnResult, RequestAuthenticator } from './types.js';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export class X509Authenticator implements RequestAuthenticator {
  readonly name = 'x509';

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    const socket = req.socket as TLSSocket;
    if (typeof socket.getPeerCertificate !== 'function') return undefined;
    const cert = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) return undefined;
    if (!socket.authorized) return { error: `verifying certificate SN=${cert.serialNumber}, CN=${values(cert.subject?.CN).join(',')} failed: ${String(socket.authorizationError ?? 'x509: certificate signed by unknown authority')}` };
    const cn = values(cert.subject?.CN)[0] ?? '';
    if (!cn) return undefined;
    return { user: { name: cn, groups: values(cert.subject?.O) } };
  }
}
