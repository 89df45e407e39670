/**
 * udp (DATAPLANE §4.6), the default backend of flannel 0.10 when the config
 * names none (seed 002 writes only {"Network": …}): a TUN device flannel0
 * carries the whole Network; flanneld reads each packet from it, looks up
 * the remote host whose subnet holds the destination, and sends the raw IP
 * packet as the payload of one UDP datagram to <PublicIP>:8285. Datagrams
 * received on 8285 are written back into the TUN. Both directions decrement
 * the TTL (flanneld is a router hop).
 *
 * Upstream does this in C (amd64 only); here it is Node: the TUN is read by
 * native/tun's poll worker in batches, datagrams go out on a dgram socket
 * bound to the external interface address. It is the slow backend, as it
 * was upstream ("only for testing, poor performance" — seed 000).
 *
 * Kernel state: flannel0 with our subnet's .0 as /32, MTU = external MTU − 28
 * (IP 20 + UDP 8), up, and one route for the whole Network via flannel0; no
 * per-host routes — the forwarder's table does that. The TUN disappears
 * when the process exits (its fd closes).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { RtNetlink } from '../../../../native/rtnetlink/types.js';
import { TunDevice } from '../../../../native/tun/tun.js';
import { backendInt } from '../../lease/config.js';
import { contains, formatIp4, formatIp4Net, type Ip4Net } from '../../lease/ip4.js';
import type { Backend, BackendNetwork, ExternalInterface, Lease, LeaseAttrs, LeaseEvent, NetworkConfig } from '../../lease/types.js';
import { ignoring, type BackendLog } from '../log.js';
import { decrementTtl, ipv4Dst } from './packet.js';

export const UDP_OVERHEAD = 28;
export const DEFAULT_UDP_PORT = 8285;

export interface UdpStats {
  tunToUdp: number;
  udpToTun: number;
  noRoute: number;
  ttlExpired: number;
}

/** Remote subnet → PublicIP, longest prefix first; a hit moves to the front (flows are bursty). */
export class ForwardTable {
  private entries: { net: Ip4Net; addr: string }[] = [];

  set(net: Ip4Net, addr: string): void {
    this.remove(net);
    this.entries.push({ net, addr });
    this.entries.sort((a, b) => b.net.prefixLen - a.net.prefixLen);
  }

  remove(net: Ip4Net): void {
    this.entries = this.entries.filter((e) => !(e.net.ip === net.ip && e.net.prefixLen === net.prefixLen));
  }

  lookup(dst: number): string | undefined {
    for (const e of this.entries) if (contains(e.net, dst)) return e.addr;
    return undefined;
  }

  get size(): number {
    return this.entries.length;
  }
}

export class UdpBackend implements Backend {
  readonly type = 'udp' as const;

  constructor(
    private readonly nl: RtNetlink,
    private readonly ext: ExternalInterface,
    private readonly log: BackendLog,
  ) {}

  /** v0.10's udp leases carry only the PublicIP. */
  async leaseAttrs(_config: NetworkConfig): Promise<LeaseAttrs> {
    return { publicIP: this.ext.extAddr };
  }

  async register(config: NetworkConfig, lease: Lease): Promise<BackendNetwork> {
    const port = backendInt(config, 'Port', DEFAULT_UDP_PORT, 1, 65535);
    const mtu = this.ext.mtu - UDP_OVERHEAD;
    const tun = TunDevice.open({ name: 'flannel%d' });
    try {
      await this.nl.setLink(tun.name, { mtu });
      await ignoring(['EEXIST'], () => this.nl.addAddress({ dev: tun.name, cidr: `${formatIp4(lease.subnet.ip)}/32` }));
      await this.nl.setLink(tun.name, { up: true });
      // Added explicitly: a route for the Network may already exist (Docker's), then the kernel would not add ours.
      await this.nl.addRoutes([{ dst: formatIp4Net(config.network), dev: tun.name }], { ignore: ['EEXIST'] });
      const sock = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(port, this.ext.ifaceAddr, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      this.log.info(`UDP backend: ${tun.name} carries ${formatIp4Net(config.network)}, encapsulating to port ${port} from ${this.ext.ifaceAddr}`, { mtu });
      return new UdpNetwork(tun, sock, port, mtu, this.log);
    } catch (e) {
      tun.close();
      throw e;
    }
  }
}

export class UdpNetwork implements BackendNetwork {
  readonly table = new ForwardTable();
  readonly stats: UdpStats = { tunToUdp: 0, udpToTun: 0, noRoute: 0, ttlExpired: 0 };

  constructor(
    readonly tun: TunDevice,
    private readonly sock: Socket,
    private readonly port: number,
    readonly mtu: number,
    private readonly log: BackendLog,
  ) {}

  async handle(events: readonly LeaseEvent[]): Promise<void> {
    for (const ev of events) {
      const sn = formatIp4Net(ev.lease.subnet);
      if (ev.type === 'added') {
        this.log.info(`Subnet added: ${sn} via ${ev.lease.attrs.publicIP}:${this.port}`);
        this.table.set(ev.lease.subnet, ev.lease.attrs.publicIP);
      } else {
        this.log.info(`Subnet removed: ${sn}`);
        this.table.remove(ev.lease.subnet);
      }
    }
  }

  /** The forwarding table lives in this process only: nothing can be stale. */
  async prune(_leases: readonly Lease[]): Promise<void> {}

  async run(signal: AbortSignal): Promise<void> {
    const onMessage = (msg: Buffer) => {
      if (!decrementTtl(msg)) {
        this.stats.ttlExpired++;
        return;
      }
      try {
        if (this.tun.write(msg)) this.stats.udpToTun++;
      } catch (e) {
        if (!signal.aborted) this.log.error(`write to ${this.tun.name}: ${(e as Error).message}`);
      }
    };
    this.sock.on('message', onMessage);
    try {
      for await (const batch of this.tun.batches(signal)) {
        for (const pkt of batch) {
          const dst = ipv4Dst(pkt);
          const to = dst === undefined ? undefined : this.table.lookup(dst);
          if (to === undefined) {
            this.stats.noRoute++;
            continue;
          }
          if (!decrementTtl(pkt)) {
            this.stats.ttlExpired++;
            continue;
          }
          this.sock.send(pkt, this.port, to, (err) => {
            if (err) this.stats.noRoute++;
          });
          this.stats.tunToUdp++;
        }
      }
    } finally {
      this.sock.off('message', onMessage);
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      try {
        this.sock.close(() => r());
      } catch {
        r();
      }
    });
    this.tun.close();
  }
}
