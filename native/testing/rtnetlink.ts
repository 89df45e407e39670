/**
 * FakeRtNetlink: an in-memory RtNetlink for unit tests of the code that
 * programs the kernel (flannel backends, CNI plugins, kube-proxy helpers).
 * It keeps links, addresses, routes, neighbours and FDB entries in maps,
 * answers with the kernel's errno codes for the common mistakes (EEXIST on a
 * duplicate add, ENODEV for an unknown link, ESRCH for a missing route,
 * ENOENT for a missing neighbour), records every mutating call in `calls`, and
 * emits the matching events to `watch` subscribers. `failNext(code)` makes
 * the next mutating call fail, for retry paths.
 *
 * Not a model of everything: no route lookup, no scope/type semantics beyond
 * storage, no namespaces (a `netns` move just removes the link).
 */
import { ipFamily, parsePrefix } from '../rtnetlink/addr.js';
import { NetlinkBatchError, NetlinkError, errnoNumber, type BatchFailure } from '../rtnetlink/errors.js';
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
} from '../rtnetlink/types.js';

export interface FakeCall {
  readonly method: string;
  readonly arg: unknown;
}

const SCOPE: Record<string, number> = { universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

function err(op: string, code: string): NetlinkError {
  return new NetlinkError(op, errnoNumber(code) ?? 22);
}

function routeKey(dst: string, table: number, metric: number | undefined): string {
  const p = parsePrefix(dst);
  return `${table}|${p.ip}/${p.len}|${metric ?? 0}`;
}

export class FakeRtNetlink implements RtNetlink {
  readonly calls: FakeCall[] = [];
  // mutable state, event-loop only
  private nextIndex = 2;
  private readonly linksByIndex = new Map<number, Link>();
  private readonly addrs: Address[] = [];
  private readonly routeMap = new Map<string, Route>();
  private readonly neighMap = new Map<string, Neigh>();
  private readonly fdbList: FdbEntry[] = [];
  private readonly subscribers = new Set<{ groups: Set<EventGroup>; push: (e: RtEvent) => void }>();
  private failures: string[] = [];
  private closed = false;

  constructor() {
    this.linksByIndex.set(1, this.makeLink(1, 'lo', { kind: undefined, mtu: 65536, up: false }));
  }

  /** The next mutating call fails with this errno name (e.g. 'EBUSY'); queue several for several calls. */
  failNext(code: string): void {
    this.failures.push(code);
  }

  private makeLink(index: number, name: string, o: Partial<Link>): Link {
    return {
      index,
      name,
      kind: o.kind,
      flags: o.up ? 1 : 0,
      up: o.up ?? false,
      mtu: o.mtu ?? 1500,
      mac: o.mac,
      master: o.master,
      parent: o.parent,
      linkNetnsId: undefined,
      operstate: o.up ? 'up' : 'down',
      txqlen: o.txqlen ?? 1000,
      vxlan: o.vxlan,
    };
  }

  private record(method: string, arg: unknown, op: string): void {
    if (this.closed) throw err(op, 'EBADF');
    this.calls.push({ method, arg });
    const f = this.failures.shift();
    if (f) throw err(op, f);
  }

  private emit(group: EventGroup, e: RtEvent): void {
    for (const s of this.subscribers) if (s.groups.has(group)) s.push(e);
  }

  private find(ref: LinkRef): Link | undefined {
    if (typeof ref === 'number') return this.linksByIndex.get(ref);
    for (const l of this.linksByIndex.values()) if (l.name === ref) return l;
    return undefined;
  }

  private must(ref: LinkRef, op: string): Link {
    const l = this.find(ref);
    if (!l) throw err(op, 'ENODEV');
    return l;
  }

  private randomMac(): string {
    const b = [0x0a, 0x58, (this.nextIndex >> 8) & 0xff, this.nextIndex & 0xff, 0x00, 0x01];
    return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
  }

  async links(): Promise<Link[]> {
    return [...this.linksByIndex.values()].map((l) => ({ ...l }));
  }

  async link(ref: LinkRef): Promise<Link | undefined> {
    const l = this.find(ref);
    return l && { ...l };
  }

  async addLink(spec: LinkSpec): Promise<void> {
    const op = `RTM_NEWLINK ${spec.name}`;
    this.record('addLink', spec, op);
    if (this.find(spec.name)) throw err(op, 'EEXIST');
    if (spec.kind === 'dummy') throw err(op, 'EOPNOTSUPP');
    const master = spec.master === undefined ? undefined : this.must(spec.master, op).index;
    const add = (name: string, o: Partial<Link>): Link => {
      const index = this.nextIndex++;
      const l = this.makeLink(index, name, { mac: this.randomMac(), ...o });
      this.linksByIndex.set(index, l);
      this.emit('link', { kind: 'newlink', link: { ...l } });
      return l;
    };
    const base: { -readonly [K in keyof Link]?: Link[K] } = { kind: spec.kind, mtu: spec.mtu, up: spec.up, master };
    if (spec.mac) base.mac = spec.mac;
    if (spec.kind === 'vxlan') {
      const v = spec.vxlan;
      base.vxlan = {
        vni: v.vni,
        port: v.port,
        local: v.local,
        dev: v.dev === undefined ? undefined : this.must(v.dev, op).index,
        learning: v.learning ?? true,
        gbp: v.gbp ?? false,
        ttl: v.ttl,
      };
    }
    if (spec.kind === 'veth' && this.find(spec.peer.name) && !spec.peer.netns) throw err(op, 'EEXIST');
    const l = spec.netns ? undefined : add(spec.name, base);
    if (spec.kind === 'veth' && !spec.peer.netns) {
      const p = add(spec.peer.name, { kind: 'veth', mtu: spec.peer.mtu, mac: spec.peer.mac, parent: l?.index });
      if (l) this.linksByIndex.set(l.index, { ...l, parent: p.index });
    }
  }

  async setLink(ref: LinkRef, change: LinkChange): Promise<void> {
    const op = `RTM_NEWLINK ${ref}`;
    this.record('setLink', { ref, change }, op);
    const l = this.must(ref, op);
    if (change.netns) {
      this.linksByIndex.delete(l.index);
      this.emit('link', { kind: 'dellink', link: l });
      return;
    }
    const master = change.master === null ? undefined : change.master === undefined ? l.master : this.must(change.master, op).index;
    const up = change.up ?? l.up;
    const next: Link = {
      ...l,
      up,
      flags: up ? l.flags | 1 : l.flags & ~1,
      operstate: up ? 'up' : 'down',
      mtu: change.mtu ?? l.mtu,
      mac: change.mac ?? l.mac,
      txqlen: change.txqlen ?? l.txqlen,
      master,
    };
    this.linksByIndex.set(l.index, next);
    this.emit('link', { kind: 'newlink', link: { ...next } });
  }

  async delLink(ref: LinkRef): Promise<void> {
    const op = `RTM_DELLINK ${ref}`;
    this.record('delLink', ref, op);
    const l = this.must(ref, op);
    const gone = [l.index];
    if (l.kind === 'veth' && l.parent !== undefined) gone.push(l.parent);
    for (const i of gone) {
      const x = this.linksByIndex.get(i);
      if (!x) continue;
      this.linksByIndex.delete(i);
      this.emit('link', { kind: 'dellink', link: x });
      for (const [k, r] of this.routeMap) if (r.dev === i) this.routeMap.delete(k);
      for (const [k, n] of this.neighMap) if (n.index === i) this.neighMap.delete(k);
      for (let j = this.addrs.length - 1; j >= 0; j--) if (this.addrs[j].index === i) this.addrs.splice(j, 1);
      for (let j = this.fdbList.length - 1; j >= 0; j--) if (this.fdbList[j].index === i) this.fdbList.splice(j, 1);
    }
  }

  async addresses(filter: { readonly dev?: LinkRef; readonly family?: 4 | 6 } = {}): Promise<Address[]> {
    const index = filter.dev === undefined ? undefined : this.must(filter.dev, 'RTM_GETLINK').index;
    return this.addrs.filter((a) => (index === undefined || a.index === index) && (!filter.family || a.family === filter.family)).map((a) => ({ ...a }));
  }

  async addAddress(a: AddressSpec): Promise<void> {
    const op = `RTM_NEWADDR ${a.cidr} dev ${a.dev}`;
    this.record('addAddress', a, op);
    const l = this.must(a.dev, op);
    const p = parsePrefix(a.cidr);
    const cidr = `${p.ip}/${p.len}`;
    if (this.addrs.some((x) => x.index === l.index && x.cidr === cidr)) throw err(op, 'EEXIST');
    const addr: Address = {
      index: l.index,
      family: p.family,
      cidr,
      peer: a.peer,
      broadcast: a.broadcast,
      label: a.label ?? l.name,
      scope: typeof a.scope === 'number' ? a.scope : SCOPE[a.scope ?? 'universe'],
      flags: 0x80,
    };
    this.addrs.push(addr);
    this.emit(p.family === 4 ? 'ipv4-addr' : 'ipv6-addr', { kind: 'newaddr', address: addr });
  }

  async delAddress(a: AddressSpec): Promise<void> {
    const op = `RTM_DELADDR ${a.cidr} dev ${a.dev}`;
    this.record('delAddress', a, op);
    const l = this.must(a.dev, op);
    const p = parsePrefix(a.cidr);
    const i = this.addrs.findIndex((x) => x.index === l.index && x.cidr === `${p.ip}/${p.len}`);
    if (i < 0) throw err(op, 'EADDRNOTAVAIL');
    const [gone] = this.addrs.splice(i, 1);
    this.emit(p.family === 4 ? 'ipv4-addr' : 'ipv6-addr', { kind: 'deladdr', address: gone });
  }

  async routes(filter: RouteFilter = {}): Promise<Route[]> {
    const table = filter.table ?? 254;
    const index = filter.dev === undefined ? undefined : this.must(filter.dev, 'RTM_GETLINK').index;
    return [...this.routeMap.values()]
      .filter((r) => (table === 0 || r.table === table) && (index === undefined || r.dev === index) && (!filter.family || r.family === filter.family))
      .map((r) => ({ ...r }));
  }

  private toRoute(r: RouteSpec, op: string): Route {
    const p = parsePrefix(r.dst);
    const dev = r.dev === undefined ? undefined : this.must(r.dev, op).index;
    const scope = r.scope !== undefined ? (typeof r.scope === 'number' ? r.scope : SCOPE[r.scope]) : r.gateway === undefined ? 253 : 0;
    return {
      family: p.family,
      dst: `${p.ip}/${p.len}`,
      gateway: r.gateway,
      dev,
      table: r.table ?? 254,
      scope,
      metric: r.metric,
      onlink: r.onlink ?? false,
      protocol: r.protocol ?? 3,
      type: r.type ?? 'unicast',
      src: r.src,
    };
  }

  private async routeBatch(method: string, routes: readonly RouteSpec[], opts: BatchOptions, apply: (r: RouteSpec, op: string) => void): Promise<void> {
    const failures: BatchFailure<RouteSpec>[] = [];
    const ignore = new Set(opts.ignore ?? []);
    routes.forEach((r, index) => {
      const op = `${method === 'delRoutes' ? 'RTM_DELROUTE' : 'RTM_NEWROUTE'} ${r.dst}`;
      try {
        this.record(method, r, op);
        apply(r, op);
      } catch (e) {
        if (e instanceof NetlinkError && !ignore.has(e.code)) failures.push({ index, item: r, error: e });
        else if (!(e instanceof NetlinkError)) throw e;
      }
    });
    if (failures.length > 0) throw new NetlinkBatchError<RouteSpec>(`${method} ${routes.length} routes`, routes.length, failures);
  }

  addRoutes(routes: readonly RouteSpec[], opts: BatchOptions = {}): Promise<void> {
    return this.routeBatch('addRoutes', routes, opts, (r, op) => {
      const route = this.toRoute(r, op);
      const key = routeKey(r.dst, route.table, r.metric);
      if (this.routeMap.has(key)) throw err(op, 'EEXIST');
      if (route.gateway !== undefined && !r.onlink && route.dev !== undefined && !this.gatewayReachable(route.gateway, route.dev)) {
        throw err(op, 'ENETUNREACH');
      }
      this.routeMap.set(key, route);
      this.emit(route.family === 4 ? 'ipv4-route' : 'ipv6-route', { kind: 'newroute', route });
    });
  }

  replaceRoutes(routes: readonly RouteSpec[], opts: BatchOptions = {}): Promise<void> {
    return this.routeBatch('replaceRoutes', routes, opts, (r, op) => {
      const route = this.toRoute(r, op);
      this.routeMap.set(routeKey(r.dst, route.table, r.metric), route);
      this.emit(route.family === 4 ? 'ipv4-route' : 'ipv6-route', { kind: 'newroute', route });
    });
  }

  delRoutes(routes: readonly RouteSpec[], opts: BatchOptions = {}): Promise<void> {
    return this.routeBatch('delRoutes', routes, opts, (r, op) => {
      const key = routeKey(r.dst, r.table ?? 254, r.metric);
      const route = this.routeMap.get(key);
      if (!route) throw err(op, 'ESRCH');
      this.routeMap.delete(key);
      this.emit(route.family === 4 ? 'ipv4-route' : 'ipv6-route', { kind: 'delroute', route });
    });
  }

  /** True when an address on `dev` covers the gateway (what the kernel checks without onlink). */
  private gatewayReachable(gw: string, dev: number): boolean {
    if (ipFamily(gw) !== 4) return true;
    const n = (ip: string): number => ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
    return this.addrs.some((a) => {
      if (a.index !== dev || a.family !== 4) return false;
      const p = parsePrefix(a.cidr);
      const mask = p.len === 0 ? 0 : (~0 << (32 - p.len)) >>> 0;
      return ((n(p.ip) & mask) >>> 0) === ((n(gw) & mask) >>> 0);
    });
  }

  async neighbours(filter: { readonly dev?: LinkRef; readonly family?: 4 | 6 } = {}): Promise<Neigh[]> {
    const index = filter.dev === undefined ? undefined : this.must(filter.dev, 'RTM_GETLINK').index;
    return [...this.neighMap.values()].filter((n) => (index === undefined || n.index === index) && (!filter.family || n.family === filter.family)).map((n) => ({ ...n }));
  }

  async addNeigh(n: NeighSpec): Promise<void> {
    const op = `RTM_NEWNEIGH ${n.ip} dev ${n.dev}`;
    this.record('addNeigh', n, op);
    const l = this.must(n.dev, op);
    const state = n.state === undefined || n.state === 'permanent' ? 0x80 : typeof n.state === 'number' ? n.state : { reachable: 2, stale: 4, noarp: 0x40 }[n.state];
    const neigh: Neigh = { index: l.index, family: ipFamily(n.ip), ip: n.ip, mac: n.mac, state, flags: 0 };
    this.neighMap.set(`${l.index}|${n.ip}`, neigh);
    this.emit('neigh', { kind: 'newneigh', neigh });
  }

  async delNeigh(n: Pick<NeighSpec, 'dev' | 'ip'>): Promise<void> {
    const op = `RTM_DELNEIGH ${n.ip} dev ${n.dev}`;
    this.record('delNeigh', n, op);
    const l = this.must(n.dev, op);
    const key = `${l.index}|${n.ip}`;
    const neigh = this.neighMap.get(key);
    if (!neigh) throw err(op, 'ENOENT');
    this.neighMap.delete(key);
    this.emit('neigh', { kind: 'delneigh', neigh });
  }

  async fdb(filter: { readonly dev?: LinkRef } = {}): Promise<FdbEntry[]> {
    const index = filter.dev === undefined ? undefined : this.must(filter.dev, 'RTM_GETLINK').index;
    return this.fdbList.filter((f) => index === undefined || f.index === index).map((f) => ({ ...f }));
  }

  async addFdb(f: FdbSpec): Promise<void> {
    const op = `RTM_NEWNEIGH fdb ${f.mac} dev ${f.dev}`;
    this.record('addFdb', f, op);
    const l = this.must(f.dev, op);
    const entry: FdbEntry = { index: l.index, mac: f.mac, dst: f.dst, state: 0x80, flags: f.self === false ? 4 : 2, vlan: f.vlan, vni: f.vni, master: undefined };
    if (!f.append) {
      for (let j = this.fdbList.length - 1; j >= 0; j--) if (this.fdbList[j].index === l.index && this.fdbList[j].mac === f.mac) this.fdbList.splice(j, 1);
    }
    this.fdbList.push(entry);
  }

  async delFdb(f: FdbSpec): Promise<void> {
    const op = `RTM_DELNEIGH fdb ${f.mac} dev ${f.dev}`;
    this.record('delFdb', f, op);
    const l = this.must(f.dev, op);
    const j = this.fdbList.findIndex((x) => x.index === l.index && x.mac === f.mac && (f.dst === undefined || x.dst === f.dst));
    if (j < 0) throw err(op, 'ENOENT');
    this.fdbList.splice(j, 1);
  }

  async *watch(groups: readonly EventGroup[], signal: AbortSignal): AsyncGenerator<RtEvent> {
    const queue: RtEvent[] = [];
    let wake: (() => void) | undefined;
    const sub = {
      groups: new Set(groups),
      push: (e: RtEvent) => {
        queue.push(e);
        wake?.();
      },
    };
    const onAbort = (): void => wake?.();
    this.subscribers.add(sub);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const e = queue.shift();
        if (e) {
          yield e;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.subscribers.delete(sub);
    }
  }

  close(): void {
    this.closed = true;
  }
}
