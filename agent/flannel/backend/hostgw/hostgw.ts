/**
 * host-gw (DATAPLANE §4.8): no encapsulation — each remote subnet is routed
 * via the remote host's PublicIP on the external interface. Works only when
 * hosts share an L2 segment (the kernel refuses an unreachable gateway), and
 * not behind NAT: the PublicIP must be the interface's own address.
 */
import type { RtNetlink } from '../../../../native/rtnetlink/types.js';
import { formatIp4Net } from '../../lease/ip4.js';
import type { Backend, BackendNetwork, ExternalInterface, Lease, LeaseAttrs, NetworkConfig } from '../../lease/types.js';
import type { BackendLog } from '../log.js';
import { RouteNetwork } from '../routenetwork.js';

export class HostGwBackend implements Backend {
  readonly type = 'host-gw' as const;

  constructor(
    private readonly nl: RtNetlink,
    private readonly ext: ExternalInterface,
    private readonly log: BackendLog,
  ) {}

  async leaseAttrs(_config: NetworkConfig): Promise<LeaseAttrs> {
    if (this.ext.extAddr !== this.ext.ifaceAddr) {
      throw new Error(
        `your PublicIP (${this.ext.extAddr}) differs from interface IP (${this.ext.ifaceAddr}), meaning that probably you're on a NAT, which is not supported by host-gw backend`,
      );
    }
    return { publicIP: this.ext.extAddr, backendType: 'host-gw' };
  }

  async register(config: NetworkConfig, _lease: Lease): Promise<BackendNetwork> {
    const dev = this.ext.index;
    return new RouteNetwork(this.nl, 'host-gw', this.ext.mtu, (l) => ({ dst: formatIp4Net(l.subnet), gateway: l.attrs.publicIP, dev }), this.log, { network: config.network, dev });
  }
}
