/**
 * IPVS vocabulary (kernel include/uapi/linux/ip_vs.h; DATAPLANE.md §2.4):
 * virtual services, real servers, and the `Ipvs` seam kube-proxy's IPVS mode
 * programs through.
 */

export type IpvsFamily = 'ipv4' | 'ipv6';
export type IpvsProtocol = 'tcp' | 'udp' | 'sctp';

/** Forwarding methods (IP_VS_CONN_F_*): kube-proxy uses masq, the only one that remaps ports. */
export type ForwardMethod = 'masq' | 'local' | 'tunnel' | 'route' | 'bypass';

/** IP_VS_SVC_F_* flags. */
export const SvcFlags = {
  persistent: 0x1,
  /** Set by the kernel on every service it returns; strip it before comparing. */
  hashed: 0x2,
  onePacket: 0x4,
  sched1: 0x8,
  sched2: 0x10,
  sched3: 0x20,
} as const;

/** A virtual service by address: protocol + address + port. */
export interface ServiceAddrKey {
  readonly family: IpvsFamily;
  readonly protocol: IpvsProtocol;
  readonly address: string;
  readonly port: number;
}

/** A virtual service by firewall mark. */
export interface ServiceMarkKey {
  readonly family: IpvsFamily;
  readonly fwmark: number;
}

export type ServiceKey = ServiceAddrKey | ServiceMarkKey;

export function isMarkKey(k: ServiceKey): k is ServiceMarkKey {
  return (k as ServiceMarkKey).fwmark !== undefined && (k as ServiceAddrKey).address === undefined;
}

export interface IpvsStats {
  readonly conns: bigint;
  readonly inPackets: bigint;
  readonly outPackets: bigint;
  readonly inBytes: bigint;
  readonly outBytes: bigint;
  readonly cps: bigint;
  readonly inPps: bigint;
  readonly outPps: bigint;
  readonly inBps: bigint;
  readonly outBps: bigint;
}

export type VirtualService = ServiceKey & {
  /** Scheduler name: rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh. */
  readonly scheduler: string;
  /** IP_VS_SVC_F_* (SvcFlags); persistence = `persistent` + `timeout`. */
  readonly flags: number;
  /** Persistence timeout in seconds (kube-proxy: sessionAffinity timeout, 10800 by default). */
  readonly timeout: number;
  /**
   * Persistence granularity: an IPv4 mask (0xffffffff = per client address,
   * kube-proxy's value) or an IPv6 prefix length (128).
   */
  readonly netmask: number;
  /** Persistence engine (e.g. sip); rarely set. */
  readonly peName?: string;
  /** Only on services read back from the kernel. */
  readonly stats?: IpvsStats;
};

export interface RealServer {
  readonly address: string;
  readonly port: number;
  readonly forward: ForwardMethod;
  readonly weight: number;
  /** Upper connection threshold; 0 = none. */
  readonly upperThreshold: number;
  /** Lower connection threshold; 0 = none. */
  readonly lowerThreshold: number;
  /** Destination address family when it differs from the service's (kernel ≥ 3.18). */
  readonly family?: IpvsFamily;
  /** Read-only counters, present on destinations read back from the kernel. */
  readonly activeConns?: number;
  readonly inactiveConns?: number;
  readonly persistConns?: number;
  readonly stats?: IpvsStats;
}

/** What identifies a real server within a service. */
export type RealServerKey = Pick<RealServer, 'address' | 'port'>;

export interface Ipvs {
  addService(s: VirtualService): Promise<void>;
  updateService(s: VirtualService): Promise<void>;
  deleteService(k: ServiceKey): Promise<void>;
  /** undefined when there is no such service. */
  getService(k: ServiceKey): Promise<VirtualService | undefined>;
  listServices(): Promise<VirtualService[]>;
  addDestination(svc: ServiceKey, d: RealServer): Promise<void>;
  updateDestination(svc: ServiceKey, d: RealServer): Promise<void>;
  deleteDestination(svc: ServiceKey, d: RealServerKey): Promise<void>;
  listDestinations(svc: ServiceKey): Promise<RealServer[]>;
  /** Removes every virtual service (IPVS_CMD_FLUSH). */
  flush(): Promise<void>;
  close(): void;
}

/**
 * Codes: an errno name the kernel answered with (EEXIST: service or
 * destination exists; ESRCH: no such service; ENOENT: no such destination;
 * EINVAL: missing or invalid attributes), `Unsupported` (no ip_vs in the
 * kernel), `Timeout`, `Protocol` (a reply we could not decode).
 */
export class IpvsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'IpvsError';
  }
}

/** The kernel has no IPVS generic-netlink family (ip_vs not built or loaded): fall back to iptables. */
export class IpvsUnsupportedError extends IpvsError {
  constructor(detail: string) {
    super('Unsupported', `IPVS is not available in this kernel (${detail}); load ip_vs or use the iptables proxier`);
    this.name = 'IpvsUnsupportedError';
  }
}
