/**
 * The external interface (upstream main.go LookupExtIface): -iface names an
 * interface or one of its IPs (several -iface values are tried in order),
 * -iface-regex matches names or IPs; with neither, the interface of the
 * default route. Its first IPv4 address is the interface address; the
 * public IP is -public-ip or that address.
 */
import type { RtNetlink } from '../../native/rtnetlink/types.js';
import type { ExternalInterface } from './lease/types.js';

export interface ExtIfaceOptions {
  readonly iface: readonly string[];
  readonly ifaceRegex: readonly string[];
  readonly publicIP: string;
}

export class ExtIfaceError extends Error {
  override readonly name = 'ExtIfaceError';
}

export async function lookupExtIface(nl: RtNetlink, o: ExtIfaceOptions): Promise<ExternalInterface> {
  const links = await nl.links();
  const addrs = (await nl.addresses({ family: 4 })).map((a) => ({ index: a.index, ip: a.cidr.split('/')[0] }));
  const v4Of = (index: number): string | undefined => addrs.find((a) => a.index === index)?.ip;

  let chosen: { index: number; name: string; mtu: number } | undefined;
  for (const want of o.iface) {
    chosen = links.find((l) => l.name === want) ?? links.find((l) => addrs.some((a) => a.index === l.index && a.ip === want));
    if (chosen) break;
  }
  if (!chosen && o.iface.length > 0 && o.ifaceRegex.length === 0) {
    throw new ExtIfaceError(`no interface named or addressed ${o.iface.join(' or ')} (-iface)`);
  }
  if (!chosen) {
    for (const re of o.ifaceRegex) {
      const rx = new RegExp(re);
      chosen = links.find((l) => rx.test(l.name)) ?? links.find((l) => addrs.some((a) => a.index === l.index && rx.test(a.ip)));
      if (chosen) break;
    }
    if (!chosen && o.ifaceRegex.length > 0) throw new ExtIfaceError(`no interface matches ${o.ifaceRegex.join(' or ')} (-iface/-iface-regex)`);
  }
  if (!chosen) {
    const def = (await nl.routes({ family: 4 })).find((r) => r.dst === '0.0.0.0/0' && r.dev !== undefined);
    if (!def) throw new ExtIfaceError('no default route to find the external interface from: give -iface (a name or an address)');
    chosen = links.find((l) => l.index === def.dev);
    if (!chosen) throw new ExtIfaceError(`the default route's interface (index ${def.dev}) is gone`);
  }
  const ifaceAddr = v4Of(chosen.index);
  if (!ifaceAddr) throw new ExtIfaceError(`interface ${chosen.name} has no IPv4 address`);
  return { name: chosen.name, index: chosen.index, ifaceAddr, extAddr: o.publicIP || ifaceAddr, mtu: chosen.mtu };
}
