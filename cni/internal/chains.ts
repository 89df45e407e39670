/**
 * iptables chain names and comments in the reference plugins' format, so a
 * node can switch between the two plugin sets and each cleans up after the
 * other: `CNI-` + optional prefix + hex sha512(name + id), cut to 28
 * characters (the iptables chain name limit), and the comment
 * `name: "<net>" id: "<container>"`.
 */
import { createHash } from 'node:crypto';

const MAX_CHAIN = 28;

export function formatChainName(name: string, id: string, prefix = ''): string {
  const hex = createHash('sha512').update(name + id).digest('hex');
  return `CNI-${prefix}${hex}`.slice(0, MAX_CHAIN);
}

/** Go's %q of a plain string, which is what the reference writes. */
function quote(s: string): string {
  return JSON.stringify(s);
}

export function formatComment(name: string, id: string): string {
  return `name: ${quote(name)} id: ${quote(id)}`;
}
