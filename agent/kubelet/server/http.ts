/**
 * Answers in the shapes kubectl understands: errors are `Status` objects
 * (client-go prints their message as "Error from server (Reason): …"), both
 * on a normal response and on a refused upgrade, where only the raw socket
 * is left to write to.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Reasons by HTTP code, as apimachinery names them. */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  422: 'Invalid',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** An error with the HTTP code to answer it with (the locator may throw it to explain a missing container). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function statusBody(code: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'Unknown', code });
}

export function sendStatus(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = statusBody(code, message);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJSON(res: ServerResponse, code: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendText(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A complete HTTP response on a socket that was handed over for an upgrade, then the socket is closed. */
export function rawResponse(socket: Duplex, code: number, body: string, headers: Record<string, string | string[]> = {}, type = 'application/json'): void {
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}`, `Content-Type: ${type}`, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
}

export function rawStatus(socket: Duplex, code: number, message: string, headers: Record<string, string | string[]> = {}): void {
  rawResponse(socket, code, statusBody(code, message), headers);
}
