/**
 * RtNetlinkClient: the RtNetlink interface over a real NETLINK_ROUTE socket.
 *
 * One socket per client, opened in the calling thread's namespace or in
 * `netns` (opened inside with withNetns, then used from here: it keeps
 * configuring that namespace). Link names are resolved to ifindexes only where
 * the kernel needs an index (routes, neighbours, master, vxlan dev); a batch
 * resolves each distinct name once. Listing is one dump each; batched route
 * calls send CHUNK messages per sendmsg (socket.ts).
 */
import { AF, RT_TABLE, RTM, RTMGRP } from './constants.js';
import { familyToAf, type Family } from './addr.js';
import { NetlinkBatchError, NetlinkError, type BatchFailure } from './errors.js';
import * as msg from './messages.js';
import { NetlinkSocket } from './socket.js';
import { readBatches } from './sys/fd-reader.js';
import { parseMessages } from './wire.js';
import type {
  Address,
  AddressSpec,
  BatchOptions,
  EventGroup,
  FdbEntry,
  FdbSpec,
  Link,
  LinkChange,
  LinkRef,
  LinkSpec,
  Neigh,
  NeighSpec,
  Route,
  RouteFilter,
  RouteSpec,
  RtEvent,
  RtNetlink,
} from './types.js';
import { openNetns, withNetns, type NetnsHandle } from '../netns/netns.js';
import { createPersistentTun } from '../tun/tun.js';

export interface RtNetlinkOptions {
  /**
   * Work in this namespace: a name under /run/netns or a path (the client opens
   * and closes it), or an open handle, which the caller owns and must keep open
   * until the client is closed (TUN creation and `watch` enter it again).
   */
  readonly netns?: string | NetnsHandle;
  /** Per-exchange timeout for replies; default 10 s. */
  readonly timeoutMs?: number;
}

const GROUP_BITS: Record<EventGroup, number> = {
  link: RTMGRP.LINK,
  neigh: RTMGRP.NEIGH,
  'ipv4-addr': RTMGRP.IPV4_IFADDR,
  'ipv4-route': RTMGRP.IPV4_ROUTE,
  'ipv6-addr': RTMGRP.IPV6_IFADDR,
  'ipv6-route': RTMGRP.IPV6_ROUTE,
};

export class RtNetlinkClient implements RtNetlink {
  // immutable after construction
  private readonly sock: NetlinkSocket;
  /** The namespace we work in, when not the caller's; owned when `ownsNetns`. */
  private readonly netns: NetnsHandle | undefined;
  private readonly ownsNetns: boolean;

  private constructor(sock: NetlinkSocket, netns: NetnsHandle | undefined, ownsNetns: boolean) {
    this.sock = sock;
    this.netns = netns;
    this.ownsNetns = ownsNetns;
  }

  static open(opts: RtNetlinkOptions = {}): RtNetlinkClient {
    const sockOpts = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
    if (opts.netns === undefined) return new RtNetlinkClient(NetlinkSocket.open(sockOpts), undefined, false);
    const owns = typeof opts.netns === 'string';
    const ns = typeof opts.netns === 'string' ? openNetns(opts.netns) : opts.netns;
    try {
      const sock = withNetns(ns, () => NetlinkSocket.open(sockOpts));
      return new RtNetlinkClient(sock, ns, owns);
    } catch (e) {
      if (owns) ns.close();
      throw e;
    }
  }

  close(): void {
    this.sock.close();
    if (this.ownsNetns) this.netns?.close();
  }

  /** Runs `fn` in this client's namespace (for work that isn't netlink: TUN creation, new sockets). */
  private inNetns<T>(fn: () => T): T {
    return this.netns ? withNetns(this.netns, fn) : fn();
  }

  // ---------- links ----------

  async links(): Promise<Link[]> {
    const replies = await this.sock.dump(msg.dumpLinks());
    return replies.filter((m) => m.type === RTM.NEWLINK && m.payload[0] === AF.UNSPEC).map(msg.decodeLink);
  }

  async link(ref: LinkRef): Promise<Link | undefined> {
    try {
      const replies = await this.sock.request(msg.getLink(ref));
      const m = replies.find((r) => r.type === RTM.NEWLINK);
      return m ? msg.decodeLink(m) : undefined;
    } catch (e) {
      if (e instanceof NetlinkError && e.code === 'ENODEV') return undefined;
      throw e;
    }
  }

  async addLink(spec: LinkSpec): Promise<void> {
    if (spec.kind === 'tun') {
      this.inNetns(() => createPersistentTun({ name: spec.name, tap: spec.tap === true }));
      const change: LinkChange = { mtu: spec.mtu, mac: spec.mac, master: spec.master, up: spec.up, netns: spec.netns, txqlen: spec.txqlen };
      if (Object.values(change).some((v) => v !== undefined)) await this.setLink(spec.name, change);
      return;
    }
    const master = spec.master === undefined ? undefined : await this.index(spec.master);
    const vxlanDev = spec.kind === 'vxlan' && spec.vxlan.dev !== undefined ? await this.index(spec.vxlan.dev) : undefined;
    await this.sock.request(msg.newLink(spec, { master, vxlanDev }));
  }

  async setLink(ref: LinkRef, change: LinkChange): Promise<void> {
    const master = change.master === undefined || change.master === null ? undefined : await this.index(change.master);
    await this.sock.request(msg.setLink(ref, change, master));
  }

  async delLink(ref: LinkRef): Promise<void> {
    await this.sock.request(msg.delLink(ref));
  }

  /** The ifindex of a link reference; NetlinkError ENODEV (`RTM_GETLINK name`) when there is none. */
  async index(ref: LinkRef): Promise<number> {
    if (typeof ref === 'number') return ref;
    const replies = await this.sock.request(msg.getLink(ref));
    const m = replies.find((r) => r.type === RTM.NEWLINK);
    if (!m) throw new NetlinkError(`RTM_GETLINK ${ref}`, 19 /* ENODEV */);
    return m.payload.readInt32LE(4);
  }

  /** Resolves each distinct name once. */
  private async indexes(refs: readonly (LinkRef | undefined)[]): Promise<Map<string, number>> {
    const names = new Set<string>();
    for (const r of refs) if (typeof r === 'string') names.add(r);
    const out = new Map<string, number>();
    for (const n of names) out.set(n, await this.index(n));
    return out;
  }

  // ---------- addresses ----------

  async addresses(filter: { readonly dev?: LinkRef; readonly family?: Family } = {}): Promise<Address[]> {
    const index = filter.dev === undefined ? undefined : await this.index(filter.dev);
    const replies = await this.sock.dump(msg.dumpAddresses(filter.family));
    const out: Address[] = [];
    for (const m of replies) {
      if (m.type !== RTM.NEWADDR) continue;
      const a = msg.decodeAddress(m);
      if (a && (index === undefined || a.index === index)) out.push(a);
    }
    return out;
  }

  async addAddress(a: AddressSpec): Promise<void> {
    await this.sock.request(msg.newAddress(a, await this.index(a.dev)));
  }

  async delAddress(a: AddressSpec): Promise<void> {
    await this.sock.request(msg.delAddress(a, await this.index(a.dev)));
  }

  // ---------- routes ----------

  async routes(filter: RouteFilter = {}): Promise<Route[]> {
    const index = filter.dev === undefined ? undefined : await this.index(filter.dev);
    const table = filter.table ?? RT_TABLE.MAIN;
    const replies = await this.sock.dump(msg.dumpRoutes(filter.family));
    const out: Route[] = [];
    for (const m of replies) {
      if (m.type !== RTM.NEWROUTE) continue;
      const r = msg.decodeRoute(m);
      if (!r) continue;
      if (table !== 0 && r.table !== table) continue;
      if (index !== undefined && r.dev !== index) continue;
      out.push(r);
    }
    return out;
  }

  addRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void> {
    return this.routeBatch('add', routes, opts);
  }

  replaceRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void> {
    return this.routeBatch('replace', routes, opts);
  }

  delRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void> {
    return this.routeBatch('del', routes, opts);
  }

  private async routeBatch(op: msg.RouteOp, routes: readonly RouteSpec[], opts: BatchOptions = {}): Promise<void> {
    if (routes.length === 0) return;
    const idx = await this.indexes(routes.map((r) => r.dev));
    const devIndex = (r: RouteSpec): number | undefined => (r.dev === undefined ? undefined : typeof r.dev === 'number' ? r.dev : idx.get(r.dev));
    const requests = routes.map((r) => msg.routeRequest(op, r, devIndex(r)));
    await this.batch(`${op} ${routes.length} routes`, routes, requests, opts);
  }

  /** Sends requests together; throws NetlinkBatchError listing the failures not in `ignore`. */
  private async batch<T>(what: string, items: readonly T[], requests: readonly msg.Request[], opts: BatchOptions): Promise<void> {
    const results = await this.sock.exchange(requests);
    const ignore = new Set(opts.ignore ?? []);
    const failures: BatchFailure<T>[] = [];
    results.forEach((r, i) => {
      if (r.error && !ignore.has(r.error.code)) failures.push({ index: i, item: items[i], error: r.error });
    });
    if (failures.length > 0) throw new NetlinkBatchError<T>(what, items.length, failures);
  }

  // ---------- neighbours ----------

  async neighbours(filter: { readonly dev?: LinkRef; readonly family?: Family } = {}): Promise<Neigh[]> {
    const index = filter.dev === undefined ? undefined : await this.index(filter.dev);
    const replies = await this.sock.dump(msg.dumpNeighbours(filter.family ? familyToAf(filter.family) : AF.UNSPEC));
    const out: Neigh[] = [];
    for (const m of replies) {
      if (m.type !== RTM.NEWNEIGH) continue;
      const n = msg.decodeNeigh(m);
      if (n && (index === undefined || n.index === index)) out.push(n);
    }
    return out;
  }

  async addNeigh(n: NeighSpec): Promise<void> {
    await this.sock.request(msg.newNeigh(n, await this.index(n.dev)));
  }

  async delNeigh(n: Pick<NeighSpec, 'dev' | 'ip'>): Promise<void> {
    await this.sock.request(msg.delNeigh(n, await this.index(n.dev)));
  }

  async fdb(filter: { readonly dev?: LinkRef } = {}): Promise<FdbEntry[]> {
    const index = filter.dev === undefined ? undefined : await this.index(filter.dev);
    const replies = await this.sock.dump(msg.dumpNeighbours(AF.BRIDGE));
    const out: FdbEntry[] = [];
    for (const m of replies) {
      if (m.type !== RTM.NEWNEIGH) continue;
      const f = msg.decodeFdb(m);
      if (f && (index === undefined || f.index === index)) out.push(f);
    }
    return out;
  }

  async addFdb(f: FdbSpec): Promise<void> {
    await this.sock.request(msg.newFdb(f, await this.index(f.dev)));
  }

  async delFdb(f: FdbSpec): Promise<void> {
    await this.sock.request(msg.delFdb(f, await this.index(f.dev)));
  }

  // ---------- events ----------

  async *watch(groups: readonly EventGroup[], signal: AbortSignal): AsyncGenerator<RtEvent> {
    const bits = groups.reduce((acc, g) => acc | GROUP_BITS[g], 0);
    const sock = this.inNetns(() => NetlinkSocket.open({ groups: bits }));
    try {
      for await (const batch of readBatches({ fd: sock.fd, maxDatagram: 64 * 1024, op: `watch ${groups.join(',')}` }, signal)) {
        if (batch.overrun) yield { kind: 'overrun' };
        for (const d of batch.datagrams) {
          for (const m of parseMessages(d)) {
            const ev = msg.decodeEvent(m);
            if (ev) yield ev;
          }
        }
      }
    } finally {
      sock.close();
    }
  }
}
