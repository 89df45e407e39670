/**
 * The portmap plugin: host ports forwarded to a container (hostPort DNAT),
 * chained after the plugin that gave the container its address (prevResult).
 *
 * ADD per family with an address: one save, then one `iptables-restore
 * --noflush` transaction holding everything — shared chains and their jumps
 * when missing, the container's CNI-DN chain written whole (declaring it
 * flushes it, so a repeated ADD rewrites rather than duplicates) and the
 * jumps to it from CNI-HOSTPORT-DNAT; the kernel sees it all at once, so no
 * packet meets a half-written chain. IPv4 also gets route_localnet on the host
 * interface that routes to the container, so 127.0.0.1:hostPort works.
 *
 * DEL removes the CNI-DN chain and every jump to it (both families; a
 * missing chain is fine). CHECK wants the chain with one DNAT per mapping.
 */
import { RtNetlinkClient } from '../../../native/rtnetlink/index.js';
import { writeSysctl } from '../../../native/sysctl/sysctl.js';
import type { SavedTable } from '../../../native/iptables/save.js';
import { CniCode, CniError } from '../../spec/errors.js';
import { contains, parseCidr, type Cidr } from '../../spec/ip.js';
import type { PluginFuncs } from '../../spec/skel.js';
import type { CmdArgs, CniResult } from '../../spec/types.js';
import { appendLine, deleteJumpLines, hasJump, openNat, removeChainLines, type NatTable } from '../../internal/iptables.js';
import { containerAddresses, parsePortmapConf, type PortmapConf } from './config.js';
import { MASQ, MASQ_ENTRY, SETMARK, TOPLEVEL_DNAT, dnatChainName, dnatEntryRules, dnatRules, masqRules, setMarkRules, toplevelEntry } from './chains.js';

/** A shared chain with its rules, declared only when missing (declaring an existing chain would flush it under others' feet). */
function sharedChain(t: SavedTable, chain: string, rules: readonly string[][]): string[] {
  if (t.chains.has(chain)) return [];
  return [`:${chain} - [0:0]`, ...rules.map((r) => appendLine(chain, r))];
}

/** Every line of one family's ADD, from the current table (pure). */
export function forwardLines(t: SavedTable, c: PortmapConf, network: string, containerId: string, container: Cidr): string[] {
  const v6 = container.ip.family === 6;
  const lines: string[] = [];
  if (c.snat) {
    if (!c.externalSetMarkChain) lines.push(...sharedChain(t, SETMARK, setMarkRules(c)));
    lines.push(...sharedChain(t, MASQ, masqRules(c)));
    if (!hasJump(t, 'POSTROUTING', MASQ)) lines.push(appendLine('POSTROUTING', MASQ_ENTRY));
  }
  lines.push(...sharedChain(t, TOPLEVEL_DNAT, []));
  const entry = toplevelEntry(v6 ? c.conditionsV6 : c.conditionsV4);
  for (const builtin of ['PREROUTING', 'OUTPUT']) if (!hasJump(t, builtin, TOPLEVEL_DNAT)) lines.push(appendLine(builtin, entry));
  const chain = dnatChainName(network, containerId);
  // The container chain is rewritten whole (declaring it flushes it) and its jumps replaced, so a repeated ADD converges.
  lines.push(...deleteJumpLines(t, TOPLEVEL_DNAT, chain));
  lines.push(`:${chain} - [0:0]`, ...dnatRules(c, container).map((r) => appendLine(chain, r)));
  lines.push(...dnatEntryRules(c.mappings, network, containerId, chain, v6).map((r) => appendLine(TOPLEVEL_DNAT, r)));
  return lines;
}

async function forward(nat: NatTable, c: PortmapConf, args: CmdArgs, container: Cidr): Promise<void> {
  await nat.apply(forwardLines(await nat.read(), c, args.conf.name, args.containerId, container));
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
  const nat = await openNat();
  if (v4) {
    await forward(nat.ipv4, c, args, v4);
    await enableLocalnet(v4);
  }
  if (v6) await forward(nat.ipv6, c, args, v6);
  return prev;
}

async function del(args: CmdArgs): Promise<void> {
  const c = parsePortmapConf(args.conf);
  // Nothing was forwarded without mappings; the reference skips DEL the same way.
  if (c.mappings.length === 0) return;
  const chain = dnatChainName(args.conf.name, args.containerId);
  const nat = await openNat();
  for (const t of [nat.ipv4, nat.ipv6]) await t.apply(removeChainLines(await t.read(), chain, [TOPLEVEL_DNAT]));
}

async function check(args: CmdArgs): Promise<void> {
  const prev = args.conf.prevResult;
  if (!prev) throw new CniError(CniCode.InvalidNetworkConfig, 'must be called as chained plugin');
  const c = parsePortmapConf(args.conf);
  if (c.mappings.length === 0) return;
  const { v4, v6 } = containerAddresses(prev, args.ifName);
  const chain = dnatChainName(args.conf.name, args.containerId);
  const nat = await openNat();
  for (const [t, cidr] of [[nat.ipv4, v4], [nat.ipv6, v6]] as const) {
    if (!cidr) continue;
    const saved = (await t.read()).chains.get(chain);
    if (!saved) throw new CniError(CniCode.Internal, `chain ${chain} not found in iptables table nat (${t.family})`);
    for (const r of dnatRules(c, cidr).filter((x) => x.includes('DNAT'))) {
      const dest = r[r.length - 1];
      const port = r[r.indexOf('--dport') + 1];
      const ok = saved.rules.some((x) => x.args[x.args.indexOf('--dport') + 1] === port && x.args.at(-1) === dest);
      if (!ok) throw new CniError(CniCode.Internal, `chain ${chain}: no DNAT of port ${port} to ${dest}`);
    }
  }
}

export const portmapPlugin: PluginFuncs = { add, del, check };
