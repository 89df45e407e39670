/**
 * flannel's shared vocabulary (upstream pkg/lease + subnet.Config): imported
 * by both subnet/ (who hands out leases) and backend/ (who carries traffic
 * for them), which never import each other.
 */
import type { Ip4Net } from './ip4.js';

export type BackendType = 'udp' | 'vxlan' | 'host-gw';

/** The network configuration of `<prefix>/config`, with defaults applied (config.ts). */
export interface NetworkConfig {
  readonly network: Ip4Net;
  readonly subnetLen: number;
  readonly subnetMin: number;
  readonly subnetMax: number;
  readonly backendType: BackendType;
  /** The Backend object as written (Type, VNI, Port …), for the backend to read. */
  readonly backend: Readonly<Record<string, unknown>>;
}

/** What a host publishes with its lease (the JSON value of the etcd key). */
export interface LeaseAttrs {
  readonly publicIP: string;
  /** Omitted by the udp backend (v0.10 wrote only PublicIP). */
  readonly backendType?: string;
  readonly backendData?: unknown;
}

export interface Lease {
  readonly subnet: Ip4Net;
  readonly attrs: LeaseAttrs;
  /** Epoch ms; undefined for a lease without TTL (a reservation, or kube mode). */
  readonly expiration: number | undefined;
  /** The store's modification index of the lease when read (etcd v2 modifiedIndex). */
  readonly asof?: number;
}

export type LeaseEvent = { readonly type: 'added' | 'removed'; readonly lease: Lease };

/**
 * One step of a lease watch: either a full snapshot (at start, or after
 * the watch fell out of the store's history) or incremental events.
 */
export type LeaseWatchResult = { readonly snapshot: readonly Lease[] } | { readonly events: readonly LeaseEvent[] };

/** Who hands out subnets: etcd (subnet/etcd) or the Kubernetes API (subnet/kube). */
export interface SubnetManager {
  /** The network configuration; throws ConfigMissingError when there is none yet. */
  getNetworkConfig(signal?: AbortSignal): Promise<NetworkConfig>;
  /** Acquires (or reuses) a lease for this host; `previous` is the subnet of the last run (subnet.env). */
  acquireLease(config: NetworkConfig, attrs: LeaseAttrs, previous?: Ip4Net, signal?: AbortSignal): Promise<Lease>;
  /** Extends the lease; returns it with the new expiration. */
  renewLease(lease: Lease, signal?: AbortSignal): Promise<Lease>;
  /** Snapshots and events for every lease, until the signal aborts. Errors end the iteration (callers retry). */
  watchLeases(signal: AbortSignal): AsyncIterable<LeaseWatchResult>;
  /** A short name for logs: `etcd v2 at http://…`. */
  readonly description: string;
  /** Where the network configuration lives (the etcd key, or the net-conf.json path). */
  readonly configKey: string;
  /** Where leases live, for log lines: `etcd`, `the Kubernetes API`. */
  readonly store: string;
  /** What this host published in an earlier run (kube: the node's annotations), for the backend to reuse (the VtepMAC). */
  previousAttrs?(signal?: AbortSignal): Promise<LeaseAttrs | undefined>;
  /** Called once the lease is served (kube: node condition NetworkUnavailable=False). Errors: the caller retries. */
  markReady?(signal?: AbortSignal): Promise<void>;
}

/** The host's interface for inter-host traffic (-iface / -public-ip). */
export interface ExternalInterface {
  readonly name: string;
  readonly index: number;
  /** The interface's own IPv4 address. */
  readonly ifaceAddr: string;
  /** What other hosts send to: -public-ip or ifaceAddr. */
  readonly extAddr: string;
  readonly mtu: number;
}

/** The network a backend runs for our lease. */
export interface BackendNetwork {
  /** FLANNEL_MTU: what pods may send. */
  readonly mtu: number;
  /** Applies other hosts' lease changes (own lease already filtered out). */
  handle(events: readonly LeaseEvent[]): Promise<void>;
  /**
   * After a full snapshot: removes kernel state for subnets of the Network
   * that no current lease holds (left by an earlier run whose peers went
   * away while we were down). `leases` are the remote leases now.
   */
  prune(leases: readonly Lease[]): Promise<void>;
  /** Background work (udp forwarding, route checks) until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Releases what must not outlive the process (the udp TUN fd); kernel state that upstream keeps is kept. */
  close(): Promise<void>;
}

/**
 * A backend, in two steps because the lease carries backend data (the
 * vxlan VTEP MAC) that exists only once the device does: `leaseAttrs`
 * prepares what the lease needs, `register` configures the kernel for the
 * lease we got.
 */
export interface Backend {
  readonly type: BackendType;
  /** `previous`: what this host published before, when the store kept it (vxlan reuses the VtepMAC for a new device). */
  leaseAttrs(config: NetworkConfig, previous?: LeaseAttrs): Promise<LeaseAttrs>;
  register(config: NetworkConfig, lease: Lease): Promise<BackendNetwork>;
}

/** The network configuration key is absent (or empty): the operator has to write it. */
export class ConfigMissingError extends Error {
  override readonly name = 'ConfigMissingError';
  constructor(
    readonly key: string,
    where = 'etcd',
    /** What the operator should do; the etcd hint (etcdctl set …) when absent. */
    readonly hint?: string,
  ) {
    super(`${key} not found in ${where}`);
  }
}

/** The configuration is there but unusable. */
export class ConfigInvalidError extends Error {
  override readonly name = 'ConfigInvalidError';
}
