/**
 * The server side of the WebSocket opening handshake (RFC 6455 §4.2) on a
 * socket node:http handed over in its 'upgrade' event.
 *
 * kubectl 1.30+ treats an upgrade without a `Sec-WebSocket-Protocol` echo as
 * failed and falls back to SPDY (API-SURFACE.md §(d) 6), so the chosen
 * subprotocol is always written back.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (§4.2.2 step 5.4). */
export function wsAcceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Every value of a header, split on commas, in the order sent (several header lines are joined). */
export function headerList(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  const lower = name.toLowerCase();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i].toLowerCase() !== lower) continue;
    for (const v of req.rawHeaders[i + 1].split(',')) {
      const t = v.trim();
      if (t) out.push(t);
    }
  }
  return out;
}

/** Whether the request asks for a WebSocket (Upgrade: websocket, any case). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return headerList(req, 'upgrade').some((u) => u.toLowerCase() === 'websocket');
}

/** The first protocol the client offers that the server supports (client order, as upstream's wsstream does). */
export function negotiateSubprotocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  return offered.find((p) => supported.includes(p));
}

export type HandshakeCheck = { ok: true; key: string } | { ok: false; code: number; message: string };

/** Validates the opening request (§4.2.1): GET, version 13, a 16-byte key. */
export function checkHandshake(req: IncomingMessage): HandshakeCheck {
  if (req.method !== 'GET') return { ok: false, code: 405, message: 'WebSocket upgrade requires GET' };
  const version = headerList(req, 'sec-websocket-version');
  if (!version.includes('13')) return { ok: false, code: 426, message: 'unsupported Sec-WebSocket-Version (want 13)' };
  const key = (req.headers['sec-websocket-key'] ?? '').trim();
  if (Buffer.from(key, 'base64').length !== 16) return { ok: false, code: 400, message: 'missing or malformed Sec-WebSocket-Key' };
  return { ok: true, key };
}

/** Writes the 101 answer; `protocol` undefined means none was negotiated (no header). */
export function writeWsAccept(socket: Duplex, key: string, protocol: string | undefined): void {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${wsAcceptKey(key)}`];
  if (protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  socket.write(lines.join('\r\n') + '\r\n\r\n');
}
