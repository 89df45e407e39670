/**
 * The client's errors. Server answers are StatusError (machinery) with the
 * server's code and reason, decoded once here; a 410 becomes GoneError so
 * informers can branch on the type. Transport failures are ConnectionError.
 * Callers branch on `code`/`reason`, never on messages (STYLE.md rule 5).
 */
import { StatusError, type Status, type StatusReason } from '../machinery/errors.js';

/** 410: the resourceVersion (or continue token) is older than the store's compaction. */
export class GoneError extends StatusError {
  constructor(message: string, reason: StatusReason = 'Expired') {
    super(410, reason, message);
  }
}

/** The request never got an HTTP answer (refused, reset, DNS, TLS). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly code = 'ConnectionFailed';
  constructor(
    message: string,
    /** The errno-style code of the cause: ECONNREFUSED, ECONNRESET … */
    readonly causeCode?: string,
  ) {
    super(message);
  }
}

const REASON_FOR_CODE: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** A StatusError from an HTTP error answer: the body's Status when it is one, else one made from the code. */
export function statusErrorFrom(code: number, body: unknown, rawText = ''): StatusError {
  if (isStatus(body)) {
    const c = typeof body.code === 'number' && body.code > 0 ? body.code : code;
    const reason = (body.reason || REASON_FOR_CODE[c] || 'InternalError') as StatusReason;
    const msg = body.message ?? `the server responded with status ${c}`;
    if (c === 410) return new GoneError(msg, reason);
    return new StatusError(c, reason, msg, body.details);
  }
  const reason = REASON_FOR_CODE[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
  const text = rawText.trim().slice(0, 200);
  const msg = `the server responded with status ${code}${text ? `: ${text}` : ''}`;
  return code === 410 ? new GoneError(msg, reason) : new StatusError(code, reason, msg);
}

export const isNotFound = (e: unknown): boolean => e instanceof StatusError && e.code === 404;
export const isAlreadyExists = (e: unknown): boolean => e instanceof StatusError && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean => e instanceof StatusError && e.reason === 'Conflict';
export const isGone = (e: unknown): boolean => e instanceof GoneError || (e instanceof StatusError && e.code === 410);
export const isTooManyRequests = (e: unknown): boolean => e instanceof StatusError && e.code === 429;
