/**
 * Key-range and continue-token helpers shared by the backends.
 *
 * Keys are compared as byte strings (etcd and SQLite BINARY collation). Kube
 * keys are ASCII paths, for which JS string order equals byte order; callers
 * that pass non-ASCII keys still get consistent results from each backend, but
 * the memory store orders by UTF-16 code units.
 */
import { StoreError, type Revision } from '../types.js';

/**
 * An exclusive upper bound for keys starting with prefix ('' = no upper bound).
 * Exact when the prefix ends in an ASCII character (every kube key prefix ends
 * in '/'); otherwise prefix + U+10FFFF, which bounds all valid UTF-8 keys but
 * that one.
 */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '';
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last < 0x7f) return prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return prefix + '\u{10FFFF}';
}

/** Byte-exact range end for etcd: increment the last byte that is not 0xff; '\0' means "to the end". */
export function prefixEndBytes(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

export function hasPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}

interface ContinueToken {
  v: 1;
  /** The revision every page of this list is served at. */
  rv: Revision;
  /** The last key returned, relative to the list prefix; the next page starts strictly after it. */
  last: string;
}

export function encodeContinue(prefix: string, revision: Revision, lastKey: string): string {
  const tok: ContinueToken = { v: 1, rv: revision, last: lastKey.slice(prefix.length) };
  return Buffer.from(JSON.stringify(tok), 'utf8').toString('base64url');
}

/** Decodes a continue token; returns the revision and the first key of the next page (exclusive bound made inclusive with '\0'). */
export function decodeContinue(prefix: string, token: string): { revision: Revision; startKey: string } {
  let tok: unknown;
  try {
    tok = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new StoreError('InvalidContinue', prefix, 'continue token is not valid base64url JSON');
  }
  if (
    typeof tok !== 'object' || tok === null ||
    (tok as { v?: unknown }).v !== 1 ||
    !Number.isSafeInteger((tok as { rv?: unknown }).rv) || (tok as { rv: number }).rv <= 0 ||
    typeof (tok as { last?: unknown }).last !== 'string'
  ) {
    throw new StoreError('InvalidContinue', prefix, 'continue token has an unknown shape');
  }
  const t = tok as ContinueToken;
  // '\0' is the smallest byte, so prefix+last+'\0' is the first key strictly after the last one returned.
  return { revision: t.rv, startKey: prefix + t.last + '\0' };
}
