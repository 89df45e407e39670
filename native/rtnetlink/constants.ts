/**
 * Numbers from the kernel's uapi headers (linux/netlink.h, rtnetlink.h,
 * if_link.h, if_addr.h, neighbour.h, veth.h) that the rtnetlink codec uses.
 * Values were checked against /usr/include/linux on the build machine.
 * Grouped by the header struct or enum they belong to; nothing here is
 * mutable.
 */

export const AF = { UNSPEC: 0, INET: 2, BRIDGE: 7, INET6: 10, NETLINK: 16 } as const;

/** Netlink protocols for socket(AF_NETLINK, SOCK_RAW, proto). */
export const NETLINK = { ROUTE: 0, GENERIC: 16 } as const;

/** Socket options at SOL_NETLINK. */
export const SOL_NETLINK = 270;
export const NETLINK_OPT = { ADD_MEMBERSHIP: 1, DROP_MEMBERSHIP: 2, NO_ENOBUFS: 5, CAP_ACK: 10, EXT_ACK: 11, GET_STRICT_CHK: 12 } as const;

/** nlmsghdr.nlmsg_type values below NLMSG_MIN_TYPE (0x10). */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/** nlmsghdr.nlmsg_flags. */
export const NLM_F = {
  REQUEST: 0x1,
  MULTI: 0x2,
  ACK: 0x4,
  ECHO: 0x8,
  DUMP_INTR: 0x10,
  // GET requests
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  // NEW requests
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // acknowledgements
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

export const NLMSGERR_ATTR = { MSG: 1, OFFS: 2, COOKIE: 3 } as const;

export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
} as const;

/** Names for error messages (`RTM_NEWLINK flannel.1: EEXIST`). */
export const RTM_NAME: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(RTM).map(([k, v]) => [v, `RTM_${k}`]),
);

/** Multicast groups as a bitmask for sockaddr_nl.nl_groups (RTMGRP_*). */
export const RTMGRP = {
  LINK: 0x1,
  NEIGH: 0x4,
  IPV4_IFADDR: 0x10,
  IPV4_ROUTE: 0x40,
  IPV6_IFADDR: 0x100,
  IPV6_ROUTE: 0x400,
} as const;

/** struct ifinfomsg is 16 bytes: family u8, pad u8, type u16, index s32, flags u32, change u32. */
export const IFINFOMSG_LEN = 16;
/** struct ifaddrmsg is 8 bytes: family, prefixlen, flags, scope (u8 each), index u32. */
export const IFADDRMSG_LEN = 8;
/** struct rtmsg is 12 bytes: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32. */
export const RTMSG_LEN = 12;
/** struct ndmsg is 12 bytes: family u8, pad u8, pad u16, ifindex s32, state u16, flags u8, type u8. */
export const NDMSG_LEN = 12;
export const NLMSGHDR_LEN = 16;

export const IFF_UP = 0x1;
export const IFF_LOWER_UP = 0x10000;

export const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  MASTER: 10,
  TXQLEN: 13,
  OPERSTATE: 16,
  LINKINFO: 18,
  NET_NS_PID: 19,
  NET_NS_FD: 28,
  LINK_NETNSID: 37,
} as const;

export const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4 } as const;
export const VETH_INFO_PEER = 1;

export const IFLA_VXLAN = {
  ID: 1,
  GROUP: 2,
  LINK: 3,
  LOCAL: 4,
  TTL: 5,
  LEARNING: 7,
  PORT: 15,
  GROUP6: 16,
  LOCAL6: 17,
  GBP: 23,
} as const;

/** RFC 2863 operational states (IFLA_OPERSTATE), indexed by value. */
export const OPERSTATES = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'] as const;

export const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, CACHEINFO: 6, FLAGS: 8 } as const;
export const IFA_F_PERMANENT = 0x80;

export const RTA = { DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15 } as const;

export const RTN = {
  UNSPEC: 0,
  UNICAST: 1,
  LOCAL: 2,
  BROADCAST: 3,
  ANYCAST: 4,
  MULTICAST: 5,
  BLACKHOLE: 6,
  UNREACHABLE: 7,
  PROHIBIT: 8,
  THROW: 9,
} as const;

export const RTPROT = { UNSPEC: 0, REDIRECT: 1, KERNEL: 2, BOOT: 3, STATIC: 4 } as const;

export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

export const RT_TABLE = { UNSPEC: 0, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

export const RTNH_F_ONLINK = 0x4;

export const NDA = { DST: 1, LLADDR: 2, VLAN: 5, PORT: 6, VNI: 7, IFINDEX: 8, MASTER: 9 } as const;

export const NUD = {
  INCOMPLETE: 0x1,
  REACHABLE: 0x2,
  STALE: 0x4,
  DELAY: 0x8,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const;

export const NTF = { USE: 0x1, SELF: 0x2, MASTER: 0x4, PROXY: 0x8, EXT_LEARNED: 0x10, ROUTER: 0x80 } as const;

/** Set on rtattr.rta_type of nested attributes by some producers; masked off when decoding. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
