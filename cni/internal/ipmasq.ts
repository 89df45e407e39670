/**
 * Source NAT for a container's traffic leaving its network, laid out as the
 * reference bridge plugin's SetupIPMasq does it, per container:
 *
 *   nat POSTROUTING  -s <ip> -m comment --comment C -j CNI-<hash>
 *   nat CNI-<hash>   -d <net> -m comment --comment C -j ACCEPT
 *   nat CNI-<hash>   ! -d 224.0.0.0/4 -m comment --comment C -j MASQUERADE
 *
 * (ff00::/8 for IPv6: multicast on the pod network is left alone.)
 * Teardown removes every POSTROUTING jump to the chain, then the chain, so
 * it also works when the container's addresses are no longer known.
 */
import type { IptablesRunner } from '../../native/iptables/index.js';
import { cidrIp, formatNetwork, parseCidr } from '../spec/ip.js';
import { deleteJumpsTo } from './iptables.js';

export async function setupIpMasq(ipt: IptablesRunner, address: string, chain: string, comment: string): Promise<void> {
  const c = parseCidr(address);
  const multicast = c.ip.family === 4 ? '224.0.0.0/4' : 'ff00::/8';
  const hostLen = c.ip.family === 4 ? 32 : 128;
  await ipt.ensureChain('nat', chain);
  await ipt.ensureRule('append', 'nat', chain, ['-d', formatNetwork(c), '-m', 'comment', '--comment', comment, '-j', 'ACCEPT']);
  await ipt.ensureRule('append', 'nat', chain, ['!', '-d', multicast, '-m', 'comment', '--comment', comment, '-j', 'MASQUERADE']);
  await ipt.ensureRule('append', 'nat', 'POSTROUTING', ['-s', `${cidrIp(address)}/${hostLen}`, '-m', 'comment', '--comment', comment, '-j', chain]);
}

export async function teardownIpMasq(ipt: IptablesRunner, chain: string): Promise<void> {
  if (!(await ipt.chainExists('nat', chain))) return;
  await deleteJumpsTo(ipt, 'nat', 'POSTROUTING', chain);
  await ipt.flushChain('nat', chain);
  await ipt.deleteChain('nat', chain);
}
