/**
 * Source NAT for a container's traffic leaving its network, laid out as the
 * reference bridge plugin's SetupIPMasq does it, per container:
 *
 *   nat POSTROUTING  -s <ip> -m comment --comment C -j CNI-<hash>
 *   nat CNI-<hash>   -d <net> -m comment --comment C -j ACCEPT
 *   nat CNI-<hash>   ! -d 224.0.0.0/4 -m comment --comment C -j MASQUERADE
 *
 * (ff00::/8 for IPv6: multicast on the pod network is left alone.) Built as
 * restore lines (pure) and applied in one transaction: the chain is declared
 * — which flushes it — and rewritten whole, so a repeated ADD does not
 * duplicate; the POSTROUTING jump is added unless present. Teardown removes
 * every POSTROUTING jump to the chain, then the chain, so it also works
 * when the container's addresses can no longer be read.
 */
import type { SavedTable } from '../../native/iptables/save.js';
import { cidrIp, formatNetwork, parseCidr } from '../spec/ip.js';
import { appendLine, jumpTarget, removeChainLines, type NatTable } from './iptables.js';

/** Restore lines for the addresses of one family (pure). */
export function ipMasqLines(current: SavedTable, addresses: readonly string[], chain: string, comment: string): string[] {
  const lines = [`:${chain} - [0:0]`];
  for (const address of addresses) {
    const c = parseCidr(address);
    lines.push(appendLine(chain, ['-d', formatNetwork(c), '-m', 'comment', '--comment', comment, '-j', 'ACCEPT']));
  }
  const multicast = parseCidr(addresses[0]).ip.family === 4 ? '224.0.0.0/4' : 'ff00::/8';
  lines.push(appendLine(chain, ['!', '-d', multicast, '-m', 'comment', '--comment', comment, '-j', 'MASQUERADE']));
  const jumps = current.chains.get('POSTROUTING')?.rules.filter((r) => jumpTarget(r.args) === chain) ?? [];
  for (const address of addresses) {
    const c = parseCidr(address);
    const src = `${cidrIp(address)}/${c.ip.family === 4 ? 32 : 128}`;
    if (jumps.some((r) => r.args[r.args.indexOf('-s') + 1] === src)) continue;
    lines.push(appendLine('POSTROUTING', ['-s', src, '-m', 'comment', '--comment', comment, '-j', chain]));
  }
  return lines;
}

export async function setupIpMasq(nat: NatTable, addresses: readonly string[], chain: string, comment: string): Promise<void> {
  if (addresses.length === 0) return;
  await nat.apply(ipMasqLines(await nat.read(), addresses, chain, comment));
}

export async function teardownIpMasq(nat: NatTable, chain: string): Promise<void> {
  await nat.apply(removeChainLines(await nat.read(), chain, ['POSTROUTING']));
}
