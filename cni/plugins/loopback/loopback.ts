/**
 * The loopback plugin: brings CNI_IFNAME (normally `lo`) up in the
 * container namespace. ADD reports the interface and its loopback addresses
 * — or passes prevResult through unchanged when chained after another
 * plugin, as the reference does. DEL sets it down (a vanished namespace is
 * fine); CHECK wants it up.
 */
import { isNetlinkError } from '../../../native/rtnetlink/index.js';
import { CniCode, CniError } from '../../spec/errors.js';
import { parseCidr } from '../../spec/ip.js';
import type { PluginFuncs } from '../../spec/skel.js';
import type { CmdArgs, CniResult } from '../../spec/types.js';
import { CURRENT_VERSION } from '../../spec/version.js';
import { netnsGone, openContainerNs } from '../../internal/netns.js';

function isLoopback(cidr: string): boolean {
  const c = parseCidr(cidr);
  return c.ip.family === 4 ? c.ip.value >> 24n === 127n : c.ip.value === 1n;
}

async function add(args: CmdArgs): Promise<CniResult> {
  const ns = openContainerNs(args.netns);
  try {
    const link = await ns.nl.link(args.ifName);
    if (!link) throw new CniError(CniCode.Internal, `failed to find link ${JSON.stringify(args.ifName)}`);
    await ns.nl.setLink(link.index, { up: true });
    const addrs = await ns.nl.addresses({ dev: link.index });
    for (const a of addrs) {
      if (!isLoopback(a.cidr)) throw new CniError(CniCode.Internal, `${a.cidr} is not a loopback address`);
    }
    if (args.conf.prevResult) return args.conf.prevResult;
    const v4 = addrs.find((a) => a.family === 4);
    const v6 = addrs.find((a) => a.family === 6);
    const result: CniResult = {
      cniVersion: CURRENT_VERSION,
      interfaces: [{ name: args.ifName, mac: '00:00:00:00:00:00', sandbox: args.netns }],
      ips: [],
    };
    if (v4) result.ips?.push({ interface: 0, address: v4.cidr });
    if (v6) result.ips?.push({ interface: 0, address: v6.cidr });
    return result;
  } finally {
    ns.close();
  }
}

async function del(args: CmdArgs): Promise<void> {
  if (netnsGone(args.netns)) return;
  const ns = openContainerNs(args.netns);
  try {
    await ns.nl.setLink(args.ifName, { up: false });
  } catch (e) {
    if (!isNetlinkError(e, 'ENODEV')) throw e;
  } finally {
    ns.close();
  }
}

async function check(args: CmdArgs): Promise<void> {
  const ns = openContainerNs(args.netns);
  try {
    const link = await ns.nl.link(args.ifName);
    if (!link) throw new CniError(CniCode.Internal, `failed to find link ${JSON.stringify(args.ifName)}`);
    if (!link.up) throw new CniError(CniCode.Internal, 'loopback interface is down');
  } finally {
    ns.close();
  }
}

export const loopbackPlugin: PluginFuncs = { add, del, check };
