/**
 * The node's primary IPv4 address as seen from this process's network
 * namespace (v1.8 utilnet.ChooseHostInterface): the address of the
 * interface holding the default route, else the first global address of an
 * up interface. /proc/net/route and os.networkInterfaces() both describe the
 * namespace the process runs in, which is what the userspace portals need.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

/** The interface of the IPv4 default route, from /proc/net/route text. */
export function defaultRouteInterface(routeTable: string): string | undefined {
  for (const line of routeTable.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 7 && f[1] === '00000000' && f[7] === '00000000') return f[0];
  }
  return undefined;
}

export function chooseHostIP(): string | undefined {
  const ifaces = networkInterfaces();
  const v4 = (name: string) => (ifaces[name] ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address;
  let dflt: string | undefined;
  try {
    dflt = defaultRouteInterface(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    dflt = undefined;
  }
  if (dflt && v4(dflt)) return v4(dflt);
  for (const name of Object.keys(ifaces).sort()) {
    const a = v4(name);
    if (a) return a;
  }
  return undefined;
}
