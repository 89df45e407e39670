/**
 * vxlan (DATAPLANE §4.7), the v0.9+ scheme without L2/L3 misses:
 *
 * - one kernel vxlan device `flannel.<VNI>` (id VNI, local = our interface
 *   address, dev = external interface, dstport Port or the kernel's 8472,
 *   nolearning), MTU = external MTU − 50, address = our subnet's .0 as /32;
 *   its MAC goes into the lease as BackendData.VtepMAC;
 * - per remote lease, in this order (the route last, so the kernel never
 *   ARPs for the gateway before the neighbour entry exists):
 *     1. neighbour   <remote subnet .0>  lladdr <remote VtepMAC>  dev flannel.1  (permanent)
 *     2. FDB entry   <remote VtepMAC>  dst <remote PublicIP>  dev flannel.1  (self, permanent)
 *     3. route       <remote subnet> via <remote subnet .0> dev flannel.1 onlink
 *   and the reverse on removal. That is 1 route + 1 ARP + 1 FDB entry per host.
 *
 * An existing device with the same settings is reused (its MAC stays, so
 * other hosts' FDB entries stay right across a restart); one with other
 * settings is deleted and recreated.
 */
import type { Link, RtNetlink } from '../../../../native/rtnetlink/types.js';
import { backendInt } from '../../lease/config.js';
import { formatIp4, formatIp4Net } from '../../lease/ip4.js';
import type { Backend, BackendNetwork, ExternalInterface, Lease, LeaseAttrs, LeaseEvent, NetworkConfig } from '../../lease/types.js';
import { ignoring, type BackendLog } from '../log.js';

/** Outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_OVERHEAD = 50;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export interface VxlanSettings {
  readonly vni: number;
  /** 0: the kernel default (8472). */
  readonly port: number;
  readonly gbp: boolean;
}

export function vxlanSettings(config: NetworkConfig): VxlanSettings {
  return {
    vni: backendInt(config, 'VNI', 1, 0, 0xffffff),
    port: backendInt(config, 'Port', 0, 1, 65535),
    gbp: config.backend.GBP === true,
  };
}

export function deviceName(vni: number): string {
  return `flannel.${vni}`;
}

/** The remote VTEP MAC of a vxlan lease, or undefined when the lease carries none. */
export function vtepMac(l: Lease): string | undefined {
  const d = l.attrs.backendData as { VtepMAC?: unknown } | undefined;
  const mac = typeof d?.VtepMAC === 'string' ? d.VtepMAC.toLowerCase() : undefined;
  return mac && MAC.test(mac) ? mac : undefined;
}

function compatible(l: Link, s: VxlanSettings, ext: ExternalInterface): boolean {
  const v = l.vxlan;
  if (l.kind !== 'vxlan' || !v) return false;
  return v.vni === s.vni && v.local === ext.ifaceAddr && (v.dev === undefined || v.dev === ext.index) && (s.port === 0 ? v.port === undefined || v.port === 8472 : v.port === s.port) && v.gbp === s.gbp && !v.learning;
}

export class VxlanBackend implements Backend {
  readonly type = 'vxlan' as const;
  private settings: VxlanSettings | undefined;

  constructor(
    private readonly nl: RtNetlink,
    private readonly ext: ExternalInterface,
    private readonly log: BackendLog,
  ) {}

  /** Creates (or adopts) the device, so the lease can carry its MAC. */
  async leaseAttrs(config: NetworkConfig, previous?: LeaseAttrs): Promise<LeaseAttrs> {
    const s = vxlanSettings(config);
    this.settings = s;
    const name = deviceName(s.vni);
    let dev = await this.nl.link(name);
    if (dev && !compatible(dev, s, this.ext)) {
      this.log.warn(`${name} exists with other settings (vni ${dev.vxlan?.vni}, local ${dev.vxlan?.local}, port ${dev.vxlan?.port}); deleting and recreating it`);
      await this.nl.delLink(name);
      dev = undefined;
    }
    if (!dev) {
      // A new device takes the MAC the store still has for us, so other hosts' FDB and neighbour entries stay right.
      const prevMac = previous?.backendType === 'vxlan' ? vtepMac({ subnet: { ip: 0, prefixLen: 0 }, attrs: previous, expiration: undefined }) : undefined;
      if (prevMac) this.log.info(`Reusing the previous VtepMAC ${prevMac} for ${name}`);
      await this.nl.addLink({
        kind: 'vxlan',
        name,
        ...(prevMac ? { mac: prevMac } : {}),
        mtu: this.ext.mtu - VXLAN_OVERHEAD,
        vxlan: { vni: s.vni, ...(s.port ? { port: s.port } : {}), local: this.ext.ifaceAddr, dev: this.ext.index, learning: false, gbp: s.gbp },
      });
      dev = await this.nl.link(name);
      if (!dev) throw new Error(`${name} vanished right after it was created`);
      this.log.info(`Created VXLAN device ${name}`, { vni: s.vni, local: this.ext.ifaceAddr, dev: this.ext.name, mac: dev.mac });
    } else {
      this.log.info(`Reusing VXLAN device ${name}`, { mac: dev.mac });
    }
    if (!dev.mac) throw new Error(`${name} has no MAC address`);
    return { publicIP: this.ext.extAddr, backendType: 'vxlan', backendData: { VNI: s.vni, VtepMAC: dev.mac } };
  }

  async register(config: NetworkConfig, lease: Lease): Promise<BackendNetwork> {
    const s = this.settings ?? vxlanSettings(config);
    const name = deviceName(s.vni);
    const want = `${formatIp4(lease.subnet.ip)}/32`;
    // Only our subnet's .0 belongs on the device: addresses of an older lease would attract its traffic.
    for (const a of await this.nl.addresses({ dev: name, family: 4 })) {
      if (a.cidr !== want) {
        this.log.info(`Removing stale address ${a.cidr} from ${name}`);
        await ignoring(['EADDRNOTAVAIL'], () => this.nl.delAddress({ dev: name, cidr: a.cidr }));
      }
    }
    await ignoring(['EEXIST'], () => this.nl.addAddress({ dev: name, cidr: want }));
    await this.nl.setLink(name, { up: true });
    const dev = await this.nl.link(name);
    return new VxlanNetwork(this.nl, name, dev?.index ?? 0, dev?.mtu ?? this.ext.mtu - VXLAN_OVERHEAD, this.log);
  }
}

export class VxlanNetwork implements BackendNetwork {
  /** The VTEP MAC each remote subnet was programmed with (to undo exactly that); guarded by the event loop. */
  private readonly programmed = new Map<string, { mac: string; publicIP: string }>();

  constructor(
    private readonly nl: RtNetlink,
    readonly dev: string,
    private readonly index: number,
    readonly mtu: number,
    private readonly log: BackendLog,
  ) {}

  async handle(events: readonly LeaseEvent[]): Promise<void> {
    for (const ev of events) {
      const sn = formatIp4Net(ev.lease.subnet);
      const gw = formatIp4(ev.lease.subnet.ip);
      if (ev.type === 'added') {
        if (ev.lease.attrs.backendType !== 'vxlan') {
          this.log.warn(`Ignoring non-vxlan subnet ${sn}: type=${ev.lease.attrs.backendType ?? '(none)'}`);
          continue;
        }
        const mac = vtepMac(ev.lease);
        if (!mac) {
          this.log.error(`Ignoring vxlan subnet ${sn}: its lease has no valid BackendData.VtepMAC`);
          continue;
        }
        const old = this.programmed.get(sn);
        if (old && old.mac !== mac) await ignoring(['ENOENT'], () => this.nl.delFdb({ dev: this.dev, mac: old.mac, ...(old.publicIP ? { dst: old.publicIP } : {}) }));
        this.log.info(`Subnet added: ${sn} via ${ev.lease.attrs.publicIP}`, { vtepMAC: mac });
        await this.nl.addNeigh({ dev: this.dev, ip: gw, mac });
        await this.nl.addFdb({ dev: this.dev, mac, dst: ev.lease.attrs.publicIP });
        await this.nl.replaceRoutes([{ dst: sn, gateway: gw, dev: this.index || this.dev, onlink: true }]);
        this.programmed.set(sn, { mac, publicIP: ev.lease.attrs.publicIP });
      } else {
        const had = this.programmed.get(sn);
        if (!had) continue;
        this.log.info(`Subnet removed: ${sn}`);
        this.programmed.delete(sn);
        // Reverse order: route, then FDB, then neighbour.
        await ignoring(['ESRCH', 'ENOENT'], () => this.nl.delRoutes([{ dst: sn, dev: this.index || this.dev }]));
        await ignoring(['ENOENT'], () => this.nl.delFdb({ dev: this.dev, mac: had.mac, dst: had.publicIP }));
        await ignoring(['ENOENT'], () => this.nl.delNeigh({ dev: this.dev, ip: gw }));
      }
    }
  }

  /**
   * Routes on our device to subnets no lease holds, with their neighbour and
   * FDB entries (an earlier run programmed them; the peer left meanwhile).
   */
  async prune(leases: readonly Lease[]): Promise<void> {
    const live = new Set(leases.map((l) => formatIp4Net(l.subnet)));
    const macs = new Set(leases.map(vtepMac).filter((m): m is string => m !== undefined));
    for (const r of await this.nl.routes({ family: 4, dev: this.index || this.dev })) {
      if (!r.gateway || live.has(r.dst)) continue;
      this.log.info(`Removing stale route to ${r.dst}: no lease holds that subnet any more`);
      await ignoring(['ESRCH', 'ENOENT'], () => this.nl.delRoutes([{ dst: r.dst, dev: this.index || this.dev }]));
      await ignoring(['ENOENT'], () => this.nl.delNeigh({ dev: this.dev, ip: r.gateway! }));
    }
    for (const f of await this.nl.fdb({ dev: this.dev })) {
      if (f.dst === undefined || macs.has(f.mac) || f.mac === '00:00:00:00:00:00') continue;
      this.log.info(`Removing stale FDB entry ${f.mac} dst ${f.dst}`);
      await ignoring(['ENOENT'], () => this.nl.delFdb({ dev: this.dev, mac: f.mac, dst: f.dst! }));
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
  }

  async close(): Promise<void> {}
}
