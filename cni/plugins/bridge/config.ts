/** The bridge plugin's configuration fields, parsed and checked (code 7 on error). */
import { invalidConfig } from '../../spec/errors.js';
import { optBool, optInt, optString } from '../../spec/conf.js';
import type { NetConf } from '../../spec/types.js';

export interface BridgeConf {
  readonly bridge: string;
  /** Gives the bridge the gateway address (implied by isDefaultGateway). */
  readonly isGateway: boolean;
  readonly isDefaultGateway: boolean;
  /** Replace a different address already on the bridge instead of failing. */
  readonly forceAddress: boolean;
  readonly ipMasq: boolean;
  /** 0: the kernel's default. */
  readonly mtu: number;
  readonly hairpinMode: boolean;
  readonly promiscMode: boolean;
  /** The IPAM plugin's type, or undefined for an L2-only network. */
  readonly ipamType: string | undefined;
}

export const DEFAULT_BRIDGE = 'cni0';

export function parseBridgeConf(conf: NetConf): BridgeConf {
  const bridge = optString(conf, 'bridge') ?? DEFAULT_BRIDGE;
  if (bridge.length > 15 || !/^[A-Za-z0-9._-]+$/.test(bridge)) throw invalidConfig(`invalid bridge name ${JSON.stringify(bridge)}`);
  const isDefaultGateway = optBool(conf, 'isDefaultGateway') ?? false;
  const hairpinMode = optBool(conf, 'hairpinMode') ?? false;
  const promiscMode = optBool(conf, 'promiscMode') ?? false;
  // A hairpin port reflects frames back to their sender; a promiscuous bridge would then see each one twice.
  if (hairpinMode && promiscMode) throw invalidConfig('cannot set hairpin mode and promiscuous mode at the same time.');
  const ipamType = conf.ipam && typeof conf.ipam.type === 'string' && conf.ipam.type !== '' ? conf.ipam.type : undefined;
  return {
    bridge,
    isGateway: (optBool(conf, 'isGateway') ?? false) || isDefaultGateway,
    isDefaultGateway,
    forceAddress: optBool(conf, 'forceAddress') ?? false,
    ipMasq: optBool(conf, 'ipMasq') ?? false,
    mtu: optInt(conf, 'mtu', 'mtu', 0, 65535) ?? 0,
    hairpinMode,
    promiscMode,
    ipamType,
  };
}
