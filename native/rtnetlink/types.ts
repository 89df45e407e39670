/**
 * The rtnetlink vocabulary: what the node daemons and CNI plugins ask of the
 * kernel (links, addresses, routes, neighbours, FDB entries, change events)
 * and the RtNetlink interface they depend on. The real implementation is
 * RtNetlinkClient (client.ts); native/testing/rtnetlink.ts is the in-memory
 * fake for unit tests.
 *
 * Conventions: a link is named by its name or its ifindex (`LinkRef`);
 * prefixes are CIDR text (`10.1.0.0/16`, a bare IP means a host prefix,
 * `default` is 0.0.0.0/0); MACs are lower-case `aa:bb:cc:dd:ee:ff`.
 */
import type { Family } from './addr.js';

export type LinkRef = string | number;

/** A network namespace given to the kernel by an open fd or by a pid (IFLA_NET_NS_FD / _PID). */
export type NetnsTarget = { readonly fd: number } | { readonly pid: number };

export interface VxlanInfo {
  readonly vni: number;
  /** UDP destination port (the Linux default is 8472; IANA's is 4789). */
  readonly port?: number;
  /** Source address of the outer packets. */
  readonly local?: string;
  /** Underlay device (IFLA_VXLAN_LINK). */
  readonly dev?: LinkRef;
  /** MAC learning from received packets; flannel turns it off. Default true (the kernel's default). */
  readonly learning?: boolean;
  /** Group Based Policy extension. */
  readonly gbp?: boolean;
  readonly ttl?: number;
}

interface LinkSpecBase {
  readonly name: string;
  readonly mtu?: number;
  readonly mac?: string;
  readonly up?: boolean;
  readonly master?: LinkRef;
  /** Create the link directly in this namespace. */
  readonly netns?: NetnsTarget;
  readonly txqlen?: number;
}

export type LinkSpec =
  | (LinkSpecBase & { readonly kind: 'bridge' })
  | (LinkSpecBase & { readonly kind: 'dummy' })
  | (LinkSpecBase & {
      readonly kind: 'veth';
      readonly peer: { readonly name: string; readonly netns?: NetnsTarget; readonly mac?: string; readonly mtu?: number };
    })
  | (LinkSpecBase & { readonly kind: 'vxlan'; readonly vxlan: VxlanInfo })
  /**
   * A persistent TUN device (TUNSETIFF + TUNSETPERSIST, like `ip tuntap add
   * mode tun`): the kernel refuses tun creation over rtnetlink. No `netns`
   * here; open the client in the target namespace instead.
   */
  | (LinkSpecBase & { readonly kind: 'tun'; readonly tap?: boolean });

export type LinkKind = LinkSpec['kind'];

export interface LinkChange {
  readonly up?: boolean;
  readonly mtu?: number;
  readonly mac?: string;
  /** A bridge to enslave to; `null` releases the link (nomaster). */
  readonly master?: LinkRef | null;
  /** Moves the link to another network namespace (it disappears from this one). */
  readonly netns?: NetnsTarget;
  readonly txqlen?: number;
}

export interface Link {
  readonly index: number;
  readonly name: string;
  /** IFLA_INFO_KIND: 'veth', 'bridge', 'vxlan', 'tun'…; undefined for plain devices (lo, many NICs). */
  readonly kind: string | undefined;
  readonly flags: number;
  readonly up: boolean;
  readonly mtu: number;
  readonly mac: string | undefined;
  readonly master: number | undefined;
  /** IFLA_LINK: the peer's ifindex for a veth, the lower device for others. */
  readonly parent: number | undefined;
  /** The namespace id of `parent` when it lives in another namespace. */
  readonly linkNetnsId: number | undefined;
  readonly operstate: string;
  readonly txqlen: number | undefined;
  readonly vxlan: (Required<Pick<VxlanInfo, 'vni' | 'learning' | 'gbp'>> & { port: number | undefined; local: string | undefined; dev: number | undefined; ttl: number | undefined }) | undefined;
}

export interface AddressSpec {
  readonly dev: LinkRef;
  /** `10.1.15.0/32`. */
  readonly cidr: string;
  /** Peer for point-to-point links (IFA_ADDRESS ≠ IFA_LOCAL). */
  readonly peer?: string;
  readonly broadcast?: string;
  readonly label?: string;
  readonly scope?: RouteScope;
}

export interface Address {
  readonly index: number;
  readonly family: Family;
  /** `10.1.15.0/32` (the local address with the prefix length). */
  readonly cidr: string;
  readonly peer: string | undefined;
  readonly broadcast: string | undefined;
  readonly label: string | undefined;
  readonly scope: number;
  readonly flags: number;
}

export type RouteScope = 'universe' | 'site' | 'link' | 'host' | 'nowhere' | number;
export type RouteType = 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';

export interface RouteSpec {
  /** Destination prefix, `default` or `default6`. */
  readonly dst: string;
  readonly gateway?: string;
  readonly dev?: LinkRef;
  /** Default 254 (main). Tables above 255 go in RTA_TABLE. */
  readonly table?: number;
  /** Default as `ip route` picks it: link for direct routes, universe with a gateway, host for local. */
  readonly scope?: RouteScope;
  readonly metric?: number;
  /** RTNH_F_ONLINK: the gateway is on the link even without a matching prefix (flannel vxlan). */
  readonly onlink?: boolean;
  /** rtm_protocol; default 3 (boot), as `ip route add`. */
  readonly protocol?: number;
  readonly type?: RouteType;
  /** Preferred source address (RTA_PREFSRC). */
  readonly src?: string;
}

export interface Route {
  readonly family: Family;
  /** `10.1.2.0/24`, or `0.0.0.0/0` / `::/0`. */
  readonly dst: string;
  readonly gateway: string | undefined;
  readonly dev: number | undefined;
  readonly table: number;
  readonly scope: number;
  readonly metric: number | undefined;
  readonly onlink: boolean;
  readonly protocol: number;
  readonly type: RouteType | number;
  readonly src: string | undefined;
}

export interface RouteFilter {
  readonly family?: Family;
  /** Default: main (254). Pass 0 for every table. */
  readonly table?: number;
  readonly dev?: LinkRef;
}

export type NeighState = 'permanent' | 'reachable' | 'stale' | 'noarp' | number;

/** An IP → MAC neighbour (ARP / NDP) entry. */
export interface NeighSpec {
  readonly dev: LinkRef;
  readonly ip: string;
  readonly mac: string;
  /** Default permanent. */
  readonly state?: NeighState;
}

export interface Neigh {
  readonly index: number;
  readonly family: Family;
  readonly ip: string;
  readonly mac: string | undefined;
  readonly state: number;
  readonly flags: number;
}

/** A bridge forwarding-database entry (AF_BRIDGE): for vxlan, MAC → remote VTEP. */
export interface FdbSpec {
  readonly dev: LinkRef;
  readonly mac: string;
  /** Remote VTEP address (NDA_DST). */
  readonly dst?: string;
  /** NTF_SELF (the device's own table, as for vxlan); default true. NTF_MASTER otherwise. */
  readonly self?: boolean;
  readonly vni?: number;
  readonly port?: number;
  readonly vlan?: number;
  /** NLM_F_APPEND (`bridge fdb append`: another dst for the same MAC) instead of replace. */
  readonly append?: boolean;
}

export interface FdbEntry {
  readonly index: number;
  readonly mac: string;
  readonly dst: string | undefined;
  readonly state: number;
  readonly flags: number;
  readonly vlan: number | undefined;
  readonly vni: number | undefined;
  readonly master: number | undefined;
}

export type EventGroup = 'link' | 'neigh' | 'ipv4-addr' | 'ipv4-route' | 'ipv6-addr' | 'ipv6-route';

export type RtEvent =
  | { readonly kind: 'newlink' | 'dellink'; readonly link: Link }
  | { readonly kind: 'newaddr' | 'deladdr'; readonly address: Address }
  | { readonly kind: 'newroute' | 'delroute'; readonly route: Route }
  | { readonly kind: 'newneigh' | 'delneigh'; readonly neigh: Neigh }
  /** Events were lost (the socket's receive queue overflowed): resynchronise by listing. */
  | { readonly kind: 'overrun' };

export interface BatchOptions {
  /** Errno names counted as success for every item (e.g. ['EEXIST'] on add, ['ESRCH'] on delete). */
  readonly ignore?: readonly string[];
}

/**
 * Typed, batched rtnetlink. Every method is one request/acknowledge exchange
 * (or one per item for the batched ones, sent together) with the kernel of
 * the namespace the implementation was opened in. Failures throw NetlinkError
 * (errno name + operation); batches throw NetlinkBatchError listing each
 * failed item after applying the rest. Calls on one instance are serialised.
 */
export interface RtNetlink {
  links(): Promise<Link[]>;
  /** The link, or undefined when there is none by that name/index. */
  link(ref: LinkRef): Promise<Link | undefined>;
  addLink(spec: LinkSpec): Promise<void>;
  setLink(ref: LinkRef, change: LinkChange): Promise<void>;
  delLink(ref: LinkRef): Promise<void>;

  addresses(filter?: { readonly dev?: LinkRef; readonly family?: Family }): Promise<Address[]>;
  addAddress(a: AddressSpec): Promise<void>;
  delAddress(a: AddressSpec): Promise<void>;

  routes(filter?: RouteFilter): Promise<Route[]>;
  /** NLM_F_CREATE|NLM_F_EXCL per route: an existing route fails with EEXIST. */
  addRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void>;
  /** NLM_F_CREATE|NLM_F_REPLACE per route (`ip route replace`). */
  replaceRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void>;
  /** Matches on dst, table and whatever else is given (scope/protocol/type are wildcards). */
  delRoutes(routes: readonly RouteSpec[], opts?: BatchOptions): Promise<void>;

  neighbours(filter?: { readonly dev?: LinkRef; readonly family?: Family }): Promise<Neigh[]>;
  /** Creates or replaces. */
  addNeigh(n: NeighSpec): Promise<void>;
  delNeigh(n: Pick<NeighSpec, 'dev' | 'ip'>): Promise<void>;

  fdb(filter?: { readonly dev?: LinkRef }): Promise<FdbEntry[]>;
  /** Creates or replaces (or appends with `append`). */
  addFdb(f: FdbSpec): Promise<void>;
  delFdb(f: FdbSpec): Promise<void>;

  /**
   * Change notifications from the multicast groups, until `signal` aborts
   * (then the iteration ends without error). Each call opens its own socket.
   */
  watch(groups: readonly EventGroup[], signal: AbortSignal): AsyncIterable<RtEvent>;

  /** Releases the socket; further calls fail with EBADF. */
  close(): void;
}
