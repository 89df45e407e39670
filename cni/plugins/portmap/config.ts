/**
 * portmap configuration: the runtime's `runtimeConfig.portMappings`
 * (capability `portMappings`), the chain options, and the container's
 * addresses taken from prevResult — the first IPv4 and IPv6 address on the
 * sandbox interface CNI_IFNAME, skipping host-side interfaces.
 */
import { invalidConfig } from '../../spec/errors.js';
import { isObject, optArray, optBool, optInt, optString } from '../../spec/conf.js';
import { parseCidr, parseIp, type Cidr } from '../../spec/ip.js';
import type { CniResult, NetConf } from '../../spec/types.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /** Only traffic to this host address is forwarded; default: any local address. */
  readonly hostIP: string | undefined;
}

export interface PortmapConf {
  readonly mappings: readonly PortMapping[];
  readonly snat: boolean;
  readonly markMasqBit: number;
  readonly externalSetMarkChain: string | undefined;
  readonly conditionsV4: readonly string[];
  readonly conditionsV6: readonly string[];
}

function parseMapping(v: unknown, i: number): PortMapping {
  const path = `runtimeConfig.portMappings[${i}]`;
  if (!isObject(v)) throw invalidConfig(`${path} must be an object`);
  const hostPort = optInt(v, 'hostPort', `${path}.hostPort`, 1, 65535);
  const containerPort = optInt(v, 'containerPort', `${path}.containerPort`, 1, 65535);
  if (hostPort === undefined || containerPort === undefined) throw invalidConfig(`Invalid host port number: ${String(v.hostPort)}`);
  const protocol = (optString(v, 'protocol', `${path}.protocol`) ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') throw invalidConfig(`Invalid protocol ${JSON.stringify(protocol)}`);
  const hostIP = optString(v, 'hostIP', `${path}.hostIP`) || undefined;
  if (hostIP) {
    try {
      parseIp(hostIP);
    } catch {
      throw invalidConfig(`${path}.hostIP: invalid IP ${JSON.stringify(hostIP)}`);
    }
  }
  return { hostPort, containerPort, protocol, hostIP };
}

function conditions(conf: NetConf, key: string): string[] {
  const v = optArray(conf, key) ?? [];
  return v.map((x, i) => {
    if (typeof x !== 'string') throw invalidConfig(`${key}[${i}] must be a string`);
    return x;
  });
}

export function parsePortmapConf(conf: NetConf): PortmapConf {
  const rc = conf.runtimeConfig;
  const list = isObject(rc) && Array.isArray(rc.portMappings) ? rc.portMappings : [];
  const markMasqBit = optInt(conf, 'markMasqBit', 'markMasqBit', 0, 31);
  const externalSetMarkChain = optString(conf, 'externalSetMarkChain');
  if (markMasqBit !== undefined && externalSetMarkChain) throw invalidConfig('Cannot specify externalSetMarkChain and markMasqBit');
  return {
    mappings: list.map(parseMapping),
    snat: optBool(conf, 'snat') ?? true,
    markMasqBit: markMasqBit ?? 13,
    externalSetMarkChain,
    conditionsV4: conditions(conf, 'conditionsV4'),
    conditionsV6: conditions(conf, 'conditionsV6'),
  };
}

/** The container's first IPv4 and IPv6 address (as CIDRs) from prevResult. */
export function containerAddresses(prev: CniResult, ifName: string): { v4: Cidr | undefined; v6: Cidr | undefined } {
  let v4: Cidr | undefined;
  let v6: Cidr | undefined;
  const ifaces = prev.interfaces ?? [];
  for (const ip of prev.ips ?? []) {
    if (ip.interface !== undefined && ip.interface >= 0 && ip.interface < ifaces.length) {
      const i = ifaces[ip.interface];
      if (i.name !== ifName || !i.sandbox) continue;
    }
    const c = parseCidr(ip.address);
    if (c.ip.family === 4) v4 ??= c;
    else v6 ??= c;
  }
  return { v4, v6 };
}
