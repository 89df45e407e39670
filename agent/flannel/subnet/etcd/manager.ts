/**
 * The etcd subnet manager over the v2 keys API (flannel 0.10's
 * subnet/etcdv2: registry + LocalManager in one class).
 *
 *   <prefix>/config               the network configuration (written by the operator)
 *   <prefix>/subnets/<ip>-<len>   one lease per host, TTL 24 h, value = LeaseAttrs JSON
 *
 * Acquire (up to 10 rounds when another host wins a create race): list the
 * leases; reuse the one carrying our PublicIP if it still fits the config
 * (else delete it); else the previous run's subnet if free; else a random
 * free one — created with prevExist=false so two hosts cannot both get it.
 * Renew = set again with a fresh TTL. Watch = list, then one long-poll per
 * event from the list's index + 1; "index cleared" (401, we fell out of the
 * 1000-event history) means list again.
 */
import { parseNetworkConfig, subnetCompatible } from '../../lease/config.js';
import { formatIp4Net, type Ip4Net } from '../../lease/ip4.js';
import { encodeLeaseAttrs, leaseFromKV, parseSubnetKey, subnetKey } from '../../lease/key.js';
import { ConfigMissingError, type Lease, type LeaseAttrs, type LeaseWatchResult, type NetworkConfig, type SubnetManager } from '../../lease/types.js';
import { allocateSubnet, findLeaseByIP, reusablePrevious } from '../allocate.js';
import { ErrorCode, EtcdV2Error, type EtcdV2Client, type EtcdV2Node, type EtcdV2Response } from './v2client.js';

export const SUBNET_TTL_SECONDS = 24 * 3600;
const RACE_RETRIES = 10;

export interface ManagerLog {
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface EtcdManagerOptions {
  readonly prefix: string;
  /** [0, 1); injected by tests. */
  readonly random?: () => number;
  readonly ttlSeconds?: number;
  readonly log?: ManagerLog;
}

const quiet: ManagerLog = { info: () => undefined, warn: () => undefined };

function expirationOf(n: EtcdV2Node): number | undefined {
  if (!n.expiration) return undefined;
  const t = Date.parse(n.expiration);
  return Number.isFinite(t) ? t : undefined;
}

export class EtcdV2SubnetManager implements SubnetManager {
  // immutable after construction
  private readonly prefix: string;
  private readonly random: () => number;
  private readonly ttl: number;
  private readonly log: ManagerLog;

  constructor(
    private readonly client: EtcdV2Client,
    opts: EtcdManagerOptions,
  ) {
    this.prefix = opts.prefix.replace(/\/+$/, '');
    this.random = opts.random ?? Math.random;
    this.ttl = opts.ttlSeconds ?? SUBNET_TTL_SECONDS;
    this.log = opts.log ?? quiet;
  }

  get description(): string {
    return `etcd v2 keys API at ${this.client.endpointList}, prefix ${this.prefix}`;
  }

  readonly store = 'etcd';

  get configKey(): string {
    return `${this.prefix}/config`;
  }

  private leaseKey(sn: Ip4Net): string {
    return `${this.prefix}/subnets/${subnetKey(sn)}`;
  }

  async getNetworkConfig(signal?: AbortSignal): Promise<NetworkConfig> {
    let r: EtcdV2Response;
    try {
      r = await this.client.get(this.configKey, { quorum: true }, signal);
    } catch (e) {
      if (e instanceof EtcdV2Error && e.errorCode === ErrorCode.KeyNotFound) throw new ConfigMissingError(this.configKey);
      throw e;
    }
    if (r.node.dir || !r.node.value) throw new ConfigMissingError(this.configKey);
    return parseNetworkConfig(r.node.value);
  }

  /** Every lease and the index to watch from. Malformed entries are logged and skipped. */
  async listLeases(signal?: AbortSignal): Promise<{ leases: Lease[]; index: number }> {
    let r: EtcdV2Response;
    try {
      r = await this.client.get(`${this.prefix}/subnets`, { recursive: true, quorum: true }, signal);
    } catch (e) {
      if (e instanceof EtcdV2Error && e.errorCode === ErrorCode.KeyNotFound) return { leases: [], index: e.index };
      throw e;
    }
    const leases: Lease[] = [];
    for (const n of r.node.nodes ?? []) {
      try {
        leases.push(leaseFromKV(n.key, n.value ?? '', expirationOf(n), n.modifiedIndex));
      } catch (e) {
        this.log.warn(`Ignoring bad subnet node: ${(e as Error).message}`, { key: n.key });
      }
    }
    return { leases, index: r.index };
  }

  async acquireLease(config: NetworkConfig, attrs: LeaseAttrs, previous?: Ip4Net, signal?: AbortSignal): Promise<Lease> {
    for (let i = 0; i < RACE_RETRIES; i++) {
      const got = await this.tryAcquire(config, attrs, previous, signal);
      if (got) return got;
    }
    throw new Error(`max retries reached trying to acquire a subnet (${RACE_RETRIES} create races lost)`);
  }

  /** One round; undefined when another host took the subnet first (try again). */
  private async tryAcquire(config: NetworkConfig, attrs: LeaseAttrs, previous: Ip4Net | undefined, signal?: AbortSignal): Promise<Lease | undefined> {
    const { leases } = await this.listLeases(signal);
    const mine = findLeaseByIP(leases, attrs.publicIP);
    if (mine) {
      if (subnetCompatible(config, mine.subnet)) {
        this.log.info(`Found lease (${formatIp4Net(mine.subnet)}) for current IP (${attrs.publicIP}), reusing`);
        // A lease without TTL is a reservation: keep it one.
        const r = await this.client.set(this.leaseKey(mine.subnet), encodeLeaseAttrs(attrs), { ttl: mine.expiration === undefined ? 0 : this.ttl }, signal);
        return { subnet: mine.subnet, attrs, expiration: expirationOf(r.node), asof: r.node.modifiedIndex };
      }
      this.log.info(`Found lease (${formatIp4Net(mine.subnet)}) for current IP (${attrs.publicIP}) but not compatible with current config, deleting`);
      await this.deleteLease(mine.subnet, signal);
    }
    const others = leases.filter((l) => l !== mine);
    let sn = reusablePrevious(config, others, previous);
    if (sn) this.log.info(`Reusing the previous subnet ${formatIp4Net(sn)} from the subnet file`);
    else {
      this.log.info(`Picking subnet in range ${formatIp4Net({ ip: config.subnetMin, prefixLen: config.subnetLen })} ... ${formatIp4Net({ ip: config.subnetMax, prefixLen: config.subnetLen })}`);
      sn = allocateSubnet(config, others, this.random);
    }
    if (!sn) throw new Error(`out of subnets: every /${config.subnetLen} of ${formatIp4Net(config.network)} between SubnetMin and SubnetMax is leased`);
    try {
      const r = await this.client.set(this.leaseKey(sn), encodeLeaseAttrs(attrs), { ttl: this.ttl, prevExist: false }, signal);
      this.log.info(`Allocated lease (${formatIp4Net(sn)}) to current node (${attrs.publicIP})`);
      return { subnet: sn, attrs, expiration: expirationOf(r.node), asof: r.node.modifiedIndex };
    } catch (e) {
      if (e instanceof EtcdV2Error && e.errorCode === ErrorCode.NodeExist) return undefined;
      throw e;
    }
  }

  async renewLease(lease: Lease, signal?: AbortSignal): Promise<Lease> {
    const r = await this.client.set(this.leaseKey(lease.subnet), encodeLeaseAttrs(lease.attrs), { ttl: this.ttl }, signal);
    return { ...lease, expiration: expirationOf(r.node), asof: r.node.modifiedIndex };
  }

  async deleteLease(sn: Ip4Net, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.delete(this.leaseKey(sn), signal);
    } catch (e) {
      if (e instanceof EtcdV2Error && e.errorCode === ErrorCode.KeyNotFound) return;
      throw e;
    }
  }

  async *watchLeases(signal: AbortSignal): AsyncGenerator<LeaseWatchResult> {
    let next: number | undefined;
    while (!signal.aborted) {
      if (next === undefined) {
        const { leases, index } = await this.listLeases(signal);
        yield { snapshot: leases };
        next = index + 1;
        continue;
      }
      let r: EtcdV2Response;
      try {
        r = await this.client.watch(`${this.prefix}/subnets`, { recursive: true, waitIndex: next }, signal);
      } catch (e) {
        if (e instanceof EtcdV2Error && e.errorCode === ErrorCode.EventIndexCleared) {
          this.log.warn('Watch of subnet leases failed because etcd index outside history window; listing again');
          next = undefined;
          continue;
        }
        throw e;
      }
      next = r.node.modifiedIndex + 1;
      const sn = parseSubnetKey(r.node.key);
      if (!sn || r.node.dir) continue;
      if (r.action === 'delete' || r.action === 'expire' || r.action === 'compareAndDelete') {
        yield { events: [{ type: 'removed', lease: { subnet: sn, attrs: { publicIP: '' }, expiration: undefined } }] };
        continue;
      }
      try {
        yield { events: [{ type: 'added', lease: leaseFromKV(r.node.key, r.node.value ?? '', expirationOf(r.node), r.node.modifiedIndex) }] };
      } catch (e) {
        this.log.warn(`${r.action} ${r.node.key}: not a lease, skipping: ${(e as Error).message}`);
      }
    }
  }
}
