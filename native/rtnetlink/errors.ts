/**
 * rtnetlink errors. A NetlinkError names the errno (its stable `code`, e.g.
 * 'EEXIST') and the request (`RTM_NEWLINK flannel.1`), so logs read
 * `RTM_NEWLINK flannel.1: EEXIST` and callers branch on `code`. A batch that
 * partly failed throws NetlinkBatchError listing each failed item; the other
 * items were applied.
 */
import { defineSysError } from './sys/errors.js';

export { errnoName, errnoNumber, SysError } from './sys/errors.js';

export const NetlinkError = defineSysError('NetlinkError');
export type NetlinkError = InstanceType<typeof NetlinkError>;

export interface BatchFailure<T> {
  readonly index: number;
  readonly item: T;
  readonly error: NetlinkError;
}

export class NetlinkBatchError<T = unknown> extends Error {
  readonly code = 'EBATCH';
  readonly failures: readonly BatchFailure<T>[];
  readonly total: number;

  constructor(op: string, total: number, failures: readonly BatchFailure<T>[]) {
    super(`${op}: ${failures.length} of ${total} failed (first: ${failures[0]?.error.message ?? 'none'})`);
    this.name = 'NetlinkBatchError';
    this.failures = failures;
    this.total = total;
  }
}

export function isNetlinkError(e: unknown, code?: string): e is NetlinkError {
  return e instanceof NetlinkError && (code === undefined || e.code === code);
}
