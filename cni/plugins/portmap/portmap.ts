/**
 * The portmap plugin: host ports forwarded to a container (hostPort DNAT),
 * chained after the plugin that gave the container its address (prevResult).
 *
 * ADD per family with an address: shared chains and their jumps are ensured
 * (created once, rules added only if missing); the container's CNI-DN chain
 * is written whole in one `iptables-restore --noflush` (declaring it
 * flushes it, so a repeated ADD rewrites rather than duplicates), and only
 * then jumped to from CNI-HOSTPORT-DNAT — the jump last, so no packet is
 * sent into a half-written chain. IPv4 also gets route_localnet on the host
 * interface that routes to the container, so 127.0.0.1:hostPort works.
 *
 * DEL removes the CNI-DN chain and every jump to it (both families; a
 * missing chain is fine). CHECK wants the chain with one DNAT per mapping.
 */
import { RtNetlinkClient } from '../../../native/rtnetlink/index.js';
import { writeSysctl } from '../../../native/sysctl/sysctl.js';
import { joinArgs } from '../../../native/iptables/tokens.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import { CniCode, CniError } from '../../spec/errors.js';
import { contains, parseCidr, type Cidr } from '../../spec/ip.js';
import type { PluginFuncs } from '../../spec/skel.js';
import type { CmdArgs, CniResult } from '../../spec/types.js';
import { deleteJumpsTo, openRunner } from '../../internal/iptables.js';
import { containerAddresses, parsePortmapConf, type PortmapConf } from './config.js';
import { MASQ, MASQ_ENTRY, SETMARK, TOPLEVEL_DNAT, dnatChainName, dnatEntryRules, dnatRules, masqRules, setMarkRules, toplevelEntry } from './chains.js';

async function ensureChainWithRules(ipt: IptablesRunner, chain: string, rules: readonly string[][]): Promise<void> {
  await ipt.ensureChain('nat', chain);
  for (const r of rules) await ipt.ensureRule('append', 'nat', chain, r);
}

async function forward(ipt: IptablesRunner, c: PortmapConf, args: CmdArgs, container: Cidr): Promise<void> {
  const v6 = container.ip.family === 6;
  if (c.snat) {
    if (!c.externalSetMarkChain) await ensureChainWithRules(ipt, SETMARK, setMarkRules(c));
    await ensureChainWithRules(ipt, MASQ, masqRules(c));
    await ipt.ensureRule('append', 'nat', 'POSTROUTING', [...MASQ_ENTRY]);
  }
  await ipt.ensureChain('nat', TOPLEVEL_DNAT);
  const entry = toplevelEntry(v6 ? c.conditionsV6 : c.conditionsV4);
  for (const builtin of ['PREROUTING', 'OUTPUT']) await ipt.ensureRule('append', 'nat', builtin, entry);

  const chain = dnatChainName(args.conf.name, args.containerId);
  const lines = ['*nat', `:${chain} - [0:0]`, ...dnatRules(c, container).map((r) => `-A ${chain} ${joinArgs(r)}`), 'COMMIT', ''];
  await ipt.restore(lines.join('\n'), { noflush: true });
  for (const r of dnatEntryRules(c.mappings, args.conf.name, args.containerId, chain, v6)) await ipt.ensureRule('append', 'nat', TOPLEVEL_DNAT, r);
}

/** route_localnet=1 on the host interface with the most specific route to the container. */
async function enableLocalnet(container: Cidr): Promise<void> {
  const nl = RtNetlinkClient.open();
  try {
    let best: { len: number; dev: number } | undefined;
    for (const r of await nl.routes({ family: 4 })) {
      if (r.dev === undefined) continue;
      const d = parseCidr(r.dst);
      if (contains(d, container.ip) && (!best || d.len > best.len)) best = { len: d.len, dev: r.dev };
    }
    if (!best) return;
    const link = await nl.link(best.dev);
    if (link) await writeSysctl(`net/ipv4/conf/${link.name}/route_localnet`, 1);
  } finally {
    nl.close();
  }
}

async function add(args: CmdArgs): Promise<CniResult> {
  const prev = args.conf.prevResult;
  if (!prev) throw new CniError(CniCode.InvalidNetworkConfig, 'must be called as chained plugin');
  const c = parsePortmapConf(args.conf);
  if (c.mappings.length === 0) return prev;
  const { v4, v6 } = containerAddresses(prev, args.ifName);
  if (!v4 && !v6) throw new CniError(CniCode.Internal, 'no IP addresses available in prevResult for portmap');
  if (v4) {
    await forward(await openRunner('ipv4'), c, args, v4);
    await enableLocalnet(v4);
  }
  if (v6) await forward(await openRunner('ipv6'), c, args, v6);
  return prev;
}

async function unforward(ipt: IptablesRunner, chain: string): Promise<void> {
  if (!(await ipt.chainExists('nat', chain))) return;
  await deleteJumpsTo(ipt, 'nat', TOPLEVEL_DNAT, chain);
  await ipt.flushChain('nat', chain);
  await ipt.deleteChain('nat', chain);
}

async function del(args: CmdArgs): Promise<void> {
  const c = parsePortmapConf(args.conf);
  // Nothing was forwarded without mappings; the reference skips DEL the same way.
  if (c.mappings.length === 0) return;
  const chain = dnatChainName(args.conf.name, args.containerId);
  await unforward(await openRunner('ipv4'), chain);
  const ip6 = await openRunner('ipv6').catch(() => undefined); // no ip6tables: nothing of ours there
  if (ip6) await unforward(ip6, chain);
}

async function check(args: CmdArgs): Promise<void> {
  const prev = args.conf.prevResult;
  if (!prev) throw new CniError(CniCode.InvalidNetworkConfig, 'must be called as chained plugin');
  const c = parsePortmapConf(args.conf);
  if (c.mappings.length === 0) return;
  const { v4, v6 } = containerAddresses(prev, args.ifName);
  const chain = dnatChainName(args.conf.name, args.containerId);
  for (const [fam, cidr] of [['ipv4', v4], ['ipv6', v6]] as const) {
    if (!cidr) continue;
    const ipt = await openRunner(fam);
    if (!(await ipt.chainExists('nat', chain))) throw new CniError(CniCode.Internal, `chain ${chain} not found in iptables table nat (${fam})`);
    const saved = await ipt.save('nat');
    for (const r of dnatRules(c, cidr).filter((x) => x.includes('DNAT'))) {
      const dest = r[r.length - 1];
      const port = r[r.indexOf('--dport') + 1];
      const ok = saved.split('\n').some((l) => l.startsWith(`-A ${chain} `) && l.includes(`--dport ${port} `) && l.endsWith(`--to-destination ${dest}`));
      if (!ok) throw new CniError(CniCode.Internal, `chain ${chain}: no DNAT of port ${port} to ${dest}`);
    }
  }
}

export const portmapPlugin: PluginFuncs = { add, del, check };
