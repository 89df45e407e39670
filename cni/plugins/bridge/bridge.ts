/**
 * The bridge plugin: a Linux bridge on the host, one veth pair per
 * container (host end enslaved to the bridge, container end moved into
 * CNI_NETNS as CNI_IFNAME), addresses from the IPAM plugin, optional
 * gateway address on the bridge, default route, masquerading and hairpin.
 *
 * ADD, in order (order matters where noted):
 *  1. ensure the bridge (create or reuse; another ADD may create it between
 *     our lookup and create, so EEXIST means "look again");
 *  2. create the veth with its peer directly in the container namespace,
 *     so CNI_IFNAME never has to be free in the host namespace;
 *  3. enslave + up the host end, hairpin on it (it must be a port first);
 *  4. IPAM ADD; on any later failure, IPAM DEL gives the address back;
 *  5. gateways: computed when IPAM gave none and we are the gateway; the
 *     default route is added to the result before the container is
 *     configured, so it is installed like any other route;
 *  6. addresses, then routes in the container (a route needs its on-link
 *     prefix to exist first);
 *  7. the gateway address on the bridge, then the bridge's MAC pinned to
 *     itself (else it follows the lowest port MAC as ports come and go);
 *  8. ip_forward, masquerading.
 *
 * DEL is idempotent: IPAM DEL, then the container link (its peer dies with
 * it) if the namespace and link still exist, then the masquerade chain by
 * its name — even when the addresses can no longer be read.
 */
import { RtNetlinkClient, isNetlinkError, type Link } from '../../../native/rtnetlink/index.js';
import { writeSysctl } from '../../../native/sysctl/sysctl.js';
import { CniCode, CniError } from '../../spec/errors.js';
import { invokeAdd, invokeNoResult } from '../../spec/invoke.js';
import { addIp, cidrIp, contains, formatIp, lastOf, networkOf, parseCidr, parseIp } from '../../spec/ip.js';
import type { PluginFuncs } from '../../spec/skel.js';
import type { CmdArgs, CniIPConfig, CniResult, CniRoute } from '../../spec/types.js';
import { CURRENT_VERSION } from '../../spec/version.js';
import { formatChainName, formatComment } from '../../internal/chains.js';
import { setupIpMasq, teardownIpMasq } from '../../internal/ipmasq.js';
import { openNat } from '../../internal/iptables.js';
import { randomVethName, setPortFlags } from '../../internal/link.js';
import { netnsGone, openContainerNs, type ContainerNs } from '../../internal/netns.js';
import { parseBridgeConf, type BridgeConf } from './config.js';

const IFF_PROMISC = 0x100;

function fail(msg: string): never {
  throw new CniError(CniCode.Internal, msg);
}

async function ensureBridge(nl: RtNetlinkClient, c: BridgeConf): Promise<Link> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await nl.link(c.bridge);
    if (existing) {
      if (existing.kind !== 'bridge') fail(`${JSON.stringify(c.bridge)} already exists but is not a bridge`);
      if (!existing.up) await nl.setLink(c.bridge, { up: true });
      if (c.promiscMode && (existing.flags & IFF_PROMISC) === 0) await setPortFlags({ promisc: { index: existing.index, on: true } });
      return (await nl.link(c.bridge)) ?? fail(`bridge ${c.bridge} vanished`);
    }
    try {
      await nl.addLink({ kind: 'bridge', name: c.bridge, up: true, ...(c.mtu ? { mtu: c.mtu } : {}) });
    } catch (e) {
      if (!isNetlinkError(e, 'EEXIST')) throw e; // a concurrent ADD made it: use theirs
    }
  }
  return fail(`could not create bridge ${c.bridge}`);
}

/** Creates the pair; returns the host end's name. Retries a random-name clash. */
async function createVeth(host: RtNetlinkClient, ns: ContainerNs, ifName: string, mtu: number): Promise<string> {
  if (await ns.nl.link(ifName)) fail(`container veth name provided (${ifName}) already exists`);
  for (let attempt = 0; ; attempt++) {
    const name = randomVethName();
    try {
      await host.addLink({
        kind: 'veth',
        name,
        ...(mtu ? { mtu } : {}),
        peer: { name: ifName, netns: { fd: ns.handle.fd }, ...(mtu ? { mtu } : {}) },
      });
      return name;
    } catch (e) {
      if (!isNetlinkError(e, 'EEXIST') || attempt >= 3) throw e;
    }
  }
}

/** The gateway of each family: IPAM's, or the subnet's first address when we are the gateway. */
function fillGateways(ips: CniIPConfig[], isGateway: boolean): void {
  for (const ip of ips) {
    if (ip.gateway || !isGateway) continue;
    ip.gateway = formatIp(addIp(networkOf(parseCidr(ip.address)), 1n));
  }
}

function addDefaultRoutes(result: CniResult): void {
  const done = new Set<number>();
  for (const ip of result.ips ?? []) {
    const fam = parseCidr(ip.address).ip.family;
    if (done.has(fam) || !ip.gateway) continue;
    done.add(fam);
    const dst = fam === 4 ? '0.0.0.0/0' : '::/0';
    const existing = (result.routes ?? []).find((r) => r.dst === dst);
    if (existing) {
      if (existing.gw && existing.gw !== ip.gateway) fail(`isDefaultGateway ineffective because IPAM sets default route via ${JSON.stringify(existing.gw)}`);
      continue;
    }
    (result.routes ??= []).push({ dst, gw: ip.gateway });
  }
}

function broadcastOf(address: string): string | undefined {
  const c = parseCidr(address);
  return c.ip.family === 4 && c.len < 31 ? formatIp(lastOf(c)) : undefined;
}

/** Gateway per family for routes that name none: the first address of that family's gateway. */
function familyGateway(ips: readonly CniIPConfig[], fam: number): string | undefined {
  return ips.find((ip) => parseCidr(ip.address).ip.family === fam && ip.gateway)?.gateway;
}

async function configureContainer(ns: ContainerNs, ifName: string, result: CniResult): Promise<void> {
  const ips = result.ips ?? [];
  for (const ip of ips) {
    const brd = broadcastOf(ip.address);
    try {
      await ns.nl.addAddress({ dev: ifName, cidr: ip.address, ...(brd ? { broadcast: brd } : {}) });
    } catch (e) {
      if (!isNetlinkError(e, 'EEXIST')) throw e;
    }
  }
  await ns.nl.setLink(ifName, { up: true });
  for (const r of result.routes ?? []) {
    const fam = parseCidr(r.dst).ip.family;
    const gw = r.gw ?? familyGateway(ips, fam);
    // The first route to a destination wins, as in the reference ConfigureIface.
    await ns.nl.addRoutes([{ dst: r.dst, dev: ifName, ...(gw ? { gateway: gw } : {}), ...(r.priority !== undefined ? { metric: r.priority } : {}) }], {
      ignore: ['EEXIST'],
    });
  }
}

/** The gateway address on the bridge, replacing a conflicting one only with forceAddress. */
async function ensureBridgeAddress(nl: RtNetlinkClient, br: Link, gw: string, address: string, force: boolean): Promise<void> {
  const want = `${gw}/${parseCidr(address).len}`;
  const wantC = parseCidr(want);
  for (const a of await nl.addresses({ dev: br.index, family: wantC.ip.family })) {
    if (a.cidr === want) return;
    const have = parseCidr(a.cidr);
    // IPv4 allows one address; IPv6 several as long as the subnets do not overlap (link-local never does).
    if (wantC.ip.family === 4 || contains(have, wantC.ip) || contains(wantC, have.ip)) {
      if (!force) fail(`${JSON.stringify(br.name)} already has an IP address different from ${want}`);
      await nl.delAddress({ dev: br.index, cidr: a.cidr });
    }
  }
  const brd = broadcastOf(want);
  await nl.addAddress({ dev: br.index, cidr: want, ...(brd ? { broadcast: brd } : {}) });
  if (br.mac) await nl.setLink(br.index, { mac: br.mac });
}

async function ipamAdd(c: BridgeConf, args: CmdArgs): Promise<CniResult | undefined> {
  if (!c.ipamType) return undefined;
  const r = await invokeAdd(c.ipamType, { containerId: args.containerId, netns: args.netns, ifName: args.ifName, args: args.args, path: args.path }, args.stdin);
  if (!r.ips || r.ips.length === 0) fail('IPAM plugin returned missing IP config');
  return r;
}

async function ipamDel(c: BridgeConf, args: CmdArgs): Promise<void> {
  if (!c.ipamType) return;
  await invokeNoResult(c.ipamType, { command: 'DEL', containerId: args.containerId, netns: args.netns, ifName: args.ifName, args: args.args, path: args.path }, args.stdin);
}

async function add(args: CmdArgs): Promise<CniResult> {
  const c = parseBridgeConf(args.conf);
  const host = RtNetlinkClient.open();
  const ns = openContainerNs(args.netns);
  let ipamDone = false;
  let vethMade = false;
  try {
    const br = await ensureBridge(host, c);
    const hostVeth = await createVeth(host, ns, args.ifName, c.mtu);
    vethMade = true;
    await host.setLink(hostVeth, { master: br.index, up: true });
    const hostLink = (await host.link(hostVeth)) ?? fail(`host veth ${hostVeth} vanished`);
    if (c.hairpinMode) await setPortFlags({ hairpin: { index: hostLink.index, on: true } });

    const ipam = await ipamAdd(c, args);
    ipamDone = ipam !== undefined;
    const result: CniResult = { cniVersion: CURRENT_VERSION, interfaces: [], ips: [], routes: [], dns: {} };
    if (ipam) {
      // Key order as the reference prints it (interface first); the container end is interfaces[2].
      result.ips = (ipam.ips ?? []).map(({ interface: _i, ...ip }) => ({ interface: 2, ...ip }));
      result.routes = (ipam.routes ?? []).map((r): CniRoute => ({ ...r }));
      if (ipam.dns) result.dns = ipam.dns;
      fillGateways(result.ips, c.isGateway);
      if (c.isDefaultGateway) addDefaultRoutes(result);
      await configureContainer(ns, args.ifName, result);
      if (c.isGateway) {
        const seen = new Set<number>();
        for (const ip of result.ips) {
          const fam = parseCidr(ip.address).ip.family;
          if (!ip.gateway || seen.has(fam)) continue;
          seen.add(fam);
          await ensureBridgeAddress(host, br, ip.gateway, ip.address, c.forceAddress);
          await writeSysctl(fam === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding', 1);
        }
      }
      if (c.ipMasq) {
        const chain = formatChainName(args.conf.name, args.containerId);
        const comment = formatComment(args.conf.name, args.containerId);
        const nat = await openNat();
        for (const fam of [4, 6] as const) {
          const ofFam = result.ips.filter((ip) => parseIp(cidrIp(ip.address)).family === fam).map((ip) => ip.address);
          await setupIpMasq(nat[fam === 4 ? 'ipv4' : 'ipv6'], ofFam, chain, comment);
        }
      }
    } else {
      await ns.nl.setLink(args.ifName, { up: true });
    }
    if (args.conf.dns && Object.keys(args.conf.dns).length > 0) result.dns = args.conf.dns;
    const brNow = (await host.link(br.index)) ?? br;
    const cont = await ns.nl.link(args.ifName);
    result.interfaces = [
      { name: brNow.name, mac: brNow.mac ?? '' },
      { name: hostVeth, mac: hostLink.mac ?? '' },
      { name: args.ifName, mac: cont?.mac ?? '', sandbox: args.netns },
    ];
    return result;
  } catch (e) {
    // Give back what we took: the address (IPAM) and the veth (deleting our end removes both).
    if (ipamDone) await ipamDel(c, args).catch(() => undefined);
    if (vethMade) await ns.nl.delLink(args.ifName).catch(() => undefined);
    throw e;
  } finally {
    ns.close();
    host.close();
  }
}

async function del(args: CmdArgs): Promise<void> {
  const c = parseBridgeConf(args.conf);
  await ipamDel(c, args);
  if (!netnsGone(args.netns)) {
    const ns = openContainerNs(args.netns);
    try {
      if (await ns.nl.link(args.ifName)) await ns.nl.delLink(args.ifName);
    } catch (e) {
      if (!isNetlinkError(e, 'ENODEV')) throw e;
    } finally {
      ns.close();
    }
  }
  if (c.ipMasq) {
    const chain = formatChainName(args.conf.name, args.containerId);
    const nat = await openNat();
    // Both families: the addresses that said which were used may be gone with the namespace.
    await Promise.all([teardownIpMasq(nat.ipv4, chain), teardownIpMasq(nat.ipv6, chain)]);
  }
}

async function check(args: CmdArgs): Promise<void> {
  const c = parseBridgeConf(args.conf);
  const prev = args.conf.prevResult ?? fail('Required prevResult missing');
  if (c.ipamType) {
    await invokeNoResult(c.ipamType, { command: 'CHECK', containerId: args.containerId, netns: args.netns, ifName: args.ifName, args: args.args, path: args.path }, args.stdin);
  }
  const ifaces = prev.interfaces ?? [];
  const contIdx = ifaces.findIndex((i) => i.name === args.ifName && i.sandbox === args.netns);
  if (contIdx < 0) fail(`Sandbox ${args.ifName} not found in prevResult interfaces`);
  const host = RtNetlinkClient.open();
  const ns = openContainerNs(args.netns);
  try {
    const br = await host.link(c.bridge);
    if (!br || br.kind !== 'bridge') fail(`bridge ${c.bridge} not found`);
    const brIface = ifaces.find((i) => i.name === c.bridge);
    if (brIface?.mac && br.mac !== brIface.mac) fail(`bridge ${c.bridge} has MAC ${br.mac}, expected ${brIface.mac}`);
    const cont = await ns.nl.link(args.ifName);
    if (!cont) fail(`Container interface ${args.ifName} not found`);
    if (cont.kind !== 'veth') fail(`Error: Container interface ${args.ifName} should be of type veth`);
    const want = ifaces[contIdx];
    if (want.mac && cont.mac !== want.mac) fail(`Interface ${args.ifName} MAC ${cont.mac} does not match expected ${want.mac}`);
    // The host end must be our bridge's port: the container end's IFLA_LINK names it.
    const peer = cont.parent === undefined ? undefined : await host.link(cont.parent);
    if (!peer || peer.master !== br.index) fail(`Container interface ${args.ifName}'s peer is not attached to bridge ${c.bridge}`);
    const have = new Set((await ns.nl.addresses({ dev: args.ifName })).map((a) => a.cidr));
    for (const ip of prev.ips ?? []) {
      if (ip.interface !== undefined && ip.interface !== contIdx) continue;
      if (!have.has(ip.address)) fail(`Failed to match addr ${ip.address} on interface ${args.ifName}`);
    }
    const routes = await ns.nl.routes({ dev: args.ifName });
    for (const r of prev.routes ?? []) {
      const dst = parseCidr(r.dst);
      const found = routes.some((x) => {
        const xd = parseCidr(x.dst);
        return xd.len === dst.len && xd.ip.value === networkOf(dst).value && xd.ip.family === dst.ip.family && (!r.gw || x.gateway === r.gw);
      });
      if (!found) fail(`Expected Route ${r.dst}${r.gw ? ` via ${r.gw}` : ''} not found in routing table`);
    }
  } finally {
    ns.close();
    host.close();
  }
}

export const bridgePlugin: PluginFuncs = { add, del, check };
