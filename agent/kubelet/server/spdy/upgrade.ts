/**
 * The HTTP side of a SPDY/3.1 upgrade as Kubernetes does it
 * (apimachinery httpstream.Handshake): the client lists the stream
 * protocols it speaks in `X-Stream-Protocol-Version` (one header line each),
 * the server picks the first of the client's that it supports and echoes it
 * in the 101; no common protocol is a 403 listing what the server accepts.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { headerList } from '../websocket/handshake.js';

export const STREAM_PROTOCOL_HEADER = 'X-Stream-Protocol-Version';
export const ACCEPTED_PROTOCOLS_HEADER = 'X-Accepted-Stream-Protocol-Versions';

/** Whether the request asks for SPDY/3.1 (Upgrade: SPDY/3.1). */
export function isSpdyRequest(req: IncomingMessage): boolean {
  return headerList(req, 'upgrade').some((u) => u.toLowerCase() === 'spdy/3.1');
}

export type Negotiated = { ok: true; protocol: string } | { ok: false; code: number; message: string; headers: Record<string, string[]> };

export function negotiateStreamProtocol(req: IncomingMessage, supported: readonly string[]): Negotiated {
  const offered = headerList(req, STREAM_PROTOCOL_HEADER);
  if (offered.length === 0) return { ok: false, code: 400, message: `unable to upgrade: ${STREAM_PROTOCOL_HEADER} is required`, headers: {} };
  const protocol = offered.find((p) => supported.includes(p));
  if (!protocol) {
    return {
      ok: false,
      code: 403,
      message: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`,
      headers: { [ACCEPTED_PROTOCOLS_HEADER]: [...supported] },
    };
  }
  return { ok: true, protocol };
}

export function writeSpdyAccept(socket: Duplex, protocol: string): void {
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `${STREAM_PROTOCOL_HEADER}: ${protocol}`].join('\r\n') + '\r\n\r\n');
}
