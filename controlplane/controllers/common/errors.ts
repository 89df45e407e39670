/** Error classification shared by the controllers (branch on codes, never on messages where a code exists). */
import { StatusError } from '../../machinery/errors.js';

/**
 * A create refused because the namespace is being deleted: retrying is
 * pointless, the namespace's contents are going away (upstream checks the
 * NamespaceTerminating status cause).
 */
export function isNamespaceTerminating(e: unknown): boolean {
  if (!(e instanceof StatusError) || e.code !== 403) return false;
  if (e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating')) return true;
  return /because it is being terminated/.test(e.message);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
