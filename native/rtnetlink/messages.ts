/**
 * rtnetlink message bodies: typed specs → (type, flags, fixed header,
 * attributes) and received messages → typed values. Link references that the
 * kernel accepts by name (IFLA_IFNAME) are passed through; everything that
 * needs an ifindex (routes, neighbours, master, vxlan dev) takes one already
 * resolved by the caller. Pure; unit-tested byte for byte in
 * test/native/rtnetlink/messages.test.ts.
 */
import { afToFamily, bytesToIp, bytesToMac, familyToAf, ipFamily, ipToBytes, macToBytes, parsePrefix, type Family } from './addr.js';
import {
  AF,
  IFA,
  IFADDRMSG_LEN,
  IFF_UP,
  IFINFOMSG_LEN,
  IFLA,
  IFLA_INFO,
  IFLA_VXLAN,
  NDA,
  NDMSG_LEN,
  NLM_F,
  NTF,
  NUD,
  OPERSTATES,
  RTA,
  RT_SCOPE,
  RT_TABLE,
  RTM,
  RTMSG_LEN,
  RTN,
  RTNH_F_ONLINK,
  RTPROT,
  VETH_INFO_PEER,
} from './constants.js';
import type {
  Address,
  AddressSpec,
  FdbEntry,
  FdbSpec,
  Link,
  LinkChange,
  LinkSpec,
  Neigh,
  NeighSpec,
  NeighState,
  NetnsTarget,
  Route,
  RouteScope,
  RouteSpec,
  RouteType,
  RtEvent,
} from './types.js';
import { attr, attrString, attrU32, attrU8, encodeAttrs, parseAttrs, type Attr, type NlMessage } from './wire.js';

/** A request before it gets a sequence number: what to send and how to name it in errors. */
export interface Request {
  readonly type: number;
  readonly flags: number;
  readonly fixed: Buffer;
  readonly attrs: readonly Attr[];
  /** `RTM_NEWLINK flannel.1`: the operation named in errors. */
  readonly op: string;
}

const REQ_ACK = NLM_F.REQUEST | NLM_F.ACK;
const CREATE_EXCL = REQ_ACK | NLM_F.CREATE | NLM_F.EXCL;
const CREATE_REPLACE = REQ_ACK | NLM_F.CREATE | NLM_F.REPLACE;
const DUMP = NLM_F.REQUEST | NLM_F.DUMP;

// ---------- fixed headers ----------

export function ifinfomsg(o: { family?: number; index?: number; flags?: number; change?: number } = {}): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b[0] = o.family ?? AF.UNSPEC;
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt32LE((o.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((o.change ?? 0) >>> 0, 12);
  return b;
}

export function ifaddrmsg(o: { family: number; prefixLen: number; flags?: number; scope?: number; index: number }): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b[0] = o.family;
  b[1] = o.prefixLen;
  b[2] = o.flags ?? 0;
  b[3] = o.scope ?? 0;
  b.writeUInt32LE(o.index >>> 0, 4);
  return b;
}

export function rtmsg(o: {
  family: number;
  dstLen?: number;
  srcLen?: number;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
}): Buffer {
  const b = Buffer.alloc(RTMSG_LEN);
  b[0] = o.family;
  b[1] = o.dstLen ?? 0;
  b[2] = o.srcLen ?? 0;
  b[3] = o.tos ?? 0;
  b[4] = o.table ?? 0;
  b[5] = o.protocol ?? 0;
  b[6] = o.scope ?? 0;
  b[7] = o.type ?? 0;
  b.writeUInt32LE((o.flags ?? 0) >>> 0, 8);
  return b;
}

export function ndmsg(o: { family: number; index?: number; state?: number; flags?: number; type?: number }): Buffer {
  const b = Buffer.alloc(NDMSG_LEN);
  b[0] = o.family;
  b.writeInt32LE(o.index ?? 0, 4);
  b.writeUInt16LE(o.state ?? 0, 8);
  b[10] = o.flags ?? 0;
  b[11] = o.type ?? 0;
  return b;
}

// ---------- links ----------

function refFields(ref: string | number): { index: number; attrs: Attr[] } {
  return typeof ref === 'number' ? { index: ref, attrs: [] } : { index: 0, attrs: [attr.str(IFLA.IFNAME, ref)] };
}

function netnsAttr(ns: NetnsTarget): Attr {
  return 'fd' in ns ? attr.u32(IFLA.NET_NS_FD, ns.fd) : attr.u32(IFLA.NET_NS_PID, ns.pid);
}

export interface LinkIndexes {
  /** ifindex of `spec.master`. */
  readonly master?: number;
  /** ifindex of `spec.vxlan.dev`. */
  readonly vxlanDev?: number;
}

/** RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL (not for 'tun': see types.ts). */
export function newLink(spec: Exclude<LinkSpec, { kind: 'tun' }>, idx: LinkIndexes = {}): Request {
  const attrs: Attr[] = [attr.str(IFLA.IFNAME, spec.name)];
  if (spec.mtu !== undefined) attrs.push(attr.u32(IFLA.MTU, spec.mtu));
  if (spec.mac !== undefined) attrs.push(attr.bytes(IFLA.ADDRESS, macToBytes(spec.mac)));
  if (spec.txqlen !== undefined) attrs.push(attr.u32(IFLA.TXQLEN, spec.txqlen));
  if (idx.master !== undefined) attrs.push(attr.u32(IFLA.MASTER, idx.master));
  if (spec.netns) attrs.push(netnsAttr(spec.netns));
  const info: Attr[] = [attr.str(IFLA_INFO.KIND, spec.kind)];
  if (spec.kind === 'veth') {
    const p = spec.peer;
    const peerAttrs: Attr[] = [attr.str(IFLA.IFNAME, p.name)];
    if (p.mtu !== undefined) peerAttrs.push(attr.u32(IFLA.MTU, p.mtu));
    if (p.mac !== undefined) peerAttrs.push(attr.bytes(IFLA.ADDRESS, macToBytes(p.mac)));
    if (p.netns) peerAttrs.push(netnsAttr(p.netns));
    // VETH_INFO_PEER carries a whole ifinfomsg followed by the peer's attributes.
    info.push(attr.nest(IFLA_INFO.DATA, [attr.bytes(VETH_INFO_PEER, Buffer.concat([ifinfomsg(), encodeAttrs(peerAttrs)]))]));
  } else if (spec.kind === 'vxlan') {
    const v = spec.vxlan;
    const data: Attr[] = [attr.u32(IFLA_VXLAN.ID, v.vni)];
    if (idx.vxlanDev !== undefined) data.push(attr.u32(IFLA_VXLAN.LINK, idx.vxlanDev));
    if (v.local !== undefined) {
      data.push(attr.bytes(ipFamily(v.local) === 4 ? IFLA_VXLAN.LOCAL : IFLA_VXLAN.LOCAL6, ipToBytes(v.local)));
    }
    if (v.ttl !== undefined) data.push(attr.u8(IFLA_VXLAN.TTL, v.ttl));
    if (v.learning !== undefined) data.push(attr.u8(IFLA_VXLAN.LEARNING, v.learning ? 1 : 0));
    if (v.port !== undefined) data.push(attr.be16(IFLA_VXLAN.PORT, v.port));
    if (v.gbp) data.push(attr.flag(IFLA_VXLAN.GBP));
    info.push(attr.nest(IFLA_INFO.DATA, data));
  }
  attrs.push(attr.nest(IFLA.LINKINFO, info));
  const up = spec.up ? IFF_UP : 0;
  return { type: RTM.NEWLINK, flags: CREATE_EXCL, fixed: ifinfomsg({ flags: up, change: up }), attrs, op: `RTM_NEWLINK ${spec.name}` };
}

/** RTM_NEWLINK without create flags: changes an existing link (`ip link set`). */
export function setLink(ref: string | number, change: LinkChange, master?: number): Request {
  const { index, attrs } = refFields(ref);
  if (change.mtu !== undefined) attrs.push(attr.u32(IFLA.MTU, change.mtu));
  if (change.mac !== undefined) attrs.push(attr.bytes(IFLA.ADDRESS, macToBytes(change.mac)));
  if (change.txqlen !== undefined) attrs.push(attr.u32(IFLA.TXQLEN, change.txqlen));
  if (change.master === null) attrs.push(attr.u32(IFLA.MASTER, 0));
  else if (master !== undefined) attrs.push(attr.u32(IFLA.MASTER, master));
  if (change.netns) attrs.push(netnsAttr(change.netns));
  const flags = change.up === true ? IFF_UP : 0;
  const mask = change.up === undefined ? 0 : IFF_UP;
  return { type: RTM.NEWLINK, flags: REQ_ACK, fixed: ifinfomsg({ index, flags, change: mask }), attrs, op: `RTM_NEWLINK ${ref}` };
}

export function delLink(ref: string | number): Request {
  const { index, attrs } = refFields(ref);
  return { type: RTM.DELLINK, flags: REQ_ACK, fixed: ifinfomsg({ index }), attrs, op: `RTM_DELLINK ${ref}` };
}

export function getLink(ref: string | number): Request {
  const { index, attrs } = refFields(ref);
  return { type: RTM.GETLINK, flags: REQ_ACK, fixed: ifinfomsg({ index }), attrs, op: `RTM_GETLINK ${ref}` };
}

export function dumpLinks(): Request {
  return { type: RTM.GETLINK, flags: DUMP, fixed: ifinfomsg(), attrs: [], op: 'RTM_GETLINK dump' };
}

export function decodeLink(msg: NlMessage): Link {
  const p = msg.payload;
  const flags = p.readUInt32LE(8);
  const a = parseAttrs(p, IFINFOMSG_LEN);
  const info = a.get(IFLA.LINKINFO);
  const infoAttrs = info ? parseAttrs(info) : undefined;
  const kind = attrString(infoAttrs?.get(IFLA_INFO.KIND));
  let vxlan: Link['vxlan'];
  if (kind === 'vxlan') {
    const data = infoAttrs?.get(IFLA_INFO.DATA);
    const d = data ? parseAttrs(data) : new Map<number, Buffer>();
    const port = d.get(IFLA_VXLAN.PORT);
    const local = d.get(IFLA_VXLAN.LOCAL) ?? d.get(IFLA_VXLAN.LOCAL6);
    vxlan = {
      vni: attrU32(d.get(IFLA_VXLAN.ID)) ?? 0,
      port: port && port.length >= 2 ? port.readUInt16BE(0) : undefined,
      local: local ? bytesToIp(local) : undefined,
      dev: attrU32(d.get(IFLA_VXLAN.LINK)),
      learning: (attrU8(d.get(IFLA_VXLAN.LEARNING)) ?? 1) !== 0,
      gbp: d.has(IFLA_VXLAN.GBP),
      ttl: attrU8(d.get(IFLA_VXLAN.TTL)),
    };
  }
  const mac = a.get(IFLA.ADDRESS);
  const oper = attrU8(a.get(IFLA.OPERSTATE)) ?? 0;
  return {
    index: p.readInt32LE(4),
    name: attrString(a.get(IFLA.IFNAME)) ?? '',
    kind,
    flags,
    up: (flags & IFF_UP) !== 0,
    mtu: attrU32(a.get(IFLA.MTU)) ?? 0,
    mac: mac && mac.length === 6 ? bytesToMac(mac) : undefined,
    master: attrU32(a.get(IFLA.MASTER)),
    parent: attrU32(a.get(IFLA.LINK)),
    linkNetnsId: a.has(IFLA.LINK_NETNSID) ? a.get(IFLA.LINK_NETNSID)?.readInt32LE(0) : undefined,
    operstate: OPERSTATES[oper] ?? String(oper),
    txqlen: attrU32(a.get(IFLA.TXQLEN)),
    vxlan,
  };
}

// ---------- addresses ----------

const SCOPES: Record<Exclude<RouteScope, number>, number> = {
  universe: RT_SCOPE.UNIVERSE,
  site: RT_SCOPE.SITE,
  link: RT_SCOPE.LINK,
  host: RT_SCOPE.HOST,
  nowhere: RT_SCOPE.NOWHERE,
};

export function scopeNumber(s: RouteScope): number {
  return typeof s === 'number' ? s : SCOPES[s];
}

function addrRequest(type: number, flags: number, a: AddressSpec, index: number): Request {
  const pfx = parsePrefix(a.cidr);
  const local = ipToBytes(pfx.ip);
  const attrs: Attr[] = [attr.bytes(IFA.LOCAL, local), attr.bytes(IFA.ADDRESS, a.peer ? ipToBytes(a.peer) : local)];
  if (a.broadcast) attrs.push(attr.bytes(IFA.BROADCAST, ipToBytes(a.broadcast)));
  if (a.label) attrs.push(attr.str(IFA.LABEL, a.label));
  const fixed = ifaddrmsg({ family: familyToAf(pfx.family), prefixLen: pfx.len, scope: a.scope === undefined ? 0 : scopeNumber(a.scope), index });
  const name = type === RTM.NEWADDR ? 'RTM_NEWADDR' : 'RTM_DELADDR';
  return { type, flags, fixed, attrs, op: `${name} ${a.cidr} dev ${a.dev}` };
}

export function newAddress(a: AddressSpec, index: number): Request {
  return addrRequest(RTM.NEWADDR, CREATE_EXCL, a, index);
}

export function delAddress(a: AddressSpec, index: number): Request {
  return addrRequest(RTM.DELADDR, REQ_ACK, a, index);
}

export function dumpAddresses(family?: Family): Request {
  const fam = family ? familyToAf(family) : AF.UNSPEC;
  return { type: RTM.GETADDR, flags: DUMP, fixed: ifaddrmsg({ family: fam, prefixLen: 0, index: 0 }), attrs: [], op: 'RTM_GETADDR dump' };
}

export function decodeAddress(msg: NlMessage): Address | undefined {
  const p = msg.payload;
  const family = afToFamily(p[0]);
  if (!family) return undefined;
  const a = parseAttrs(p, IFADDRMSG_LEN);
  const local = a.get(IFA.LOCAL);
  const address = a.get(IFA.ADDRESS);
  const ip = local ?? address;
  if (!ip) return undefined;
  const peer = local && address && !local.equals(address) ? bytesToIp(address) : undefined;
  const brd = a.get(IFA.BROADCAST);
  return {
    index: p.readUInt32LE(4),
    family,
    cidr: `${bytesToIp(ip)}/${p[1]}`,
    peer,
    broadcast: brd ? bytesToIp(brd) : undefined,
    label: attrString(a.get(IFA.LABEL)),
    scope: p[3],
    flags: attrU32(a.get(IFA.FLAGS)) ?? p[2],
  };
}

// ---------- routes ----------

const ROUTE_TYPES: readonly RouteType[] = ['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw'];

function routeTypeNumber(t: RouteType): number {
  return ROUTE_TYPES.indexOf(t) + 1;
}

/** The scope `ip route add` would pick (iproute2 iproute_modify). */
function defaultScope(r: RouteSpec, type: number): number {
  if (type === RTN.LOCAL) return RT_SCOPE.HOST;
  if (type === RTN.BROADCAST || type === RTN.MULTICAST || type === RTN.ANYCAST) return RT_SCOPE.LINK;
  if (type === RTN.UNICAST && r.gateway === undefined) return RT_SCOPE.LINK;
  return RT_SCOPE.UNIVERSE;
}

export type RouteOp = 'add' | 'replace' | 'del';

/**
 * RTM_NEWROUTE (add: CREATE|EXCL, replace: CREATE|REPLACE) or RTM_DELROUTE.
 * A delete leaves scope (RT_SCOPE_NOWHERE), protocol and type (0) as
 * wildcards unless the spec sets them, as `ip route del` does; otherwise the
 * kernel answers ESRCH for routes it did not make with those exact values.
 */
export function routeRequest(op: RouteOp, r: RouteSpec, oif: number | undefined): Request {
  const dst = parsePrefix(r.dst);
  const table = r.table ?? RT_TABLE.MAIN;
  const del = op === 'del';
  const type = r.type ? routeTypeNumber(r.type) : del ? RTN.UNSPEC : RTN.UNICAST;
  const scope = r.scope !== undefined ? scopeNumber(r.scope) : del ? RT_SCOPE.NOWHERE : defaultScope(r, type);
  const fixed = rtmsg({
    family: familyToAf(dst.family),
    dstLen: dst.len,
    table: table > 255 ? RT_TABLE.UNSPEC : table,
    protocol: r.protocol ?? (del ? RTPROT.UNSPEC : RTPROT.BOOT),
    scope,
    type,
    flags: r.onlink ? RTNH_F_ONLINK : 0,
  });
  const attrs: Attr[] = [];
  if (dst.len > 0) attrs.push(attr.bytes(RTA.DST, ipToBytes(dst.ip)));
  if (r.gateway !== undefined) attrs.push(attr.bytes(RTA.GATEWAY, ipToBytes(r.gateway)));
  if (oif !== undefined) attrs.push(attr.u32(RTA.OIF, oif));
  if (r.metric !== undefined) attrs.push(attr.u32(RTA.PRIORITY, r.metric));
  if (r.src !== undefined) attrs.push(attr.bytes(RTA.PREFSRC, ipToBytes(r.src)));
  attrs.push(attr.u32(RTA.TABLE, table));
  const flags = op === 'add' ? CREATE_EXCL : op === 'replace' ? CREATE_REPLACE : REQ_ACK;
  return { type: del ? RTM.DELROUTE : RTM.NEWROUTE, flags, fixed, attrs, op: `${del ? 'RTM_DELROUTE' : 'RTM_NEWROUTE'} ${r.dst}` };
}

export function dumpRoutes(family?: Family): Request {
  const fam = family ? familyToAf(family) : AF.UNSPEC;
  return { type: RTM.GETROUTE, flags: DUMP, fixed: rtmsg({ family: fam }), attrs: [], op: 'RTM_GETROUTE dump' };
}

export function decodeRoute(msg: NlMessage): Route | undefined {
  const p = msg.payload;
  const family = afToFamily(p[0]);
  if (!family) return undefined;
  const a = parseAttrs(p, RTMSG_LEN);
  const dst = a.get(RTA.DST);
  const gw = a.get(RTA.GATEWAY);
  const src = a.get(RTA.PREFSRC);
  const type = p[7];
  return {
    family,
    dst: `${dst ? bytesToIp(dst) : family === 4 ? '0.0.0.0' : '::'}/${p[1]}`,
    gateway: gw ? bytesToIp(gw) : undefined,
    dev: attrU32(a.get(RTA.OIF)),
    table: attrU32(a.get(RTA.TABLE)) ?? p[4],
    scope: p[6],
    metric: attrU32(a.get(RTA.PRIORITY)),
    onlink: (p.readUInt32LE(8) & RTNH_F_ONLINK) !== 0,
    protocol: p[5],
    type: ROUTE_TYPES[type - 1] ?? type,
    src: src ? bytesToIp(src) : undefined,
  };
}

// ---------- neighbours and FDB ----------

const NEIGH_STATES: Record<Exclude<NeighState, number>, number> = {
  permanent: NUD.PERMANENT,
  reachable: NUD.REACHABLE,
  stale: NUD.STALE,
  noarp: NUD.NOARP,
};

/** RTM_NEWNEIGH with CREATE|REPLACE (`ip neigh replace … nud permanent`). */
export function newNeigh(n: NeighSpec, index: number): Request {
  const state = n.state === undefined ? NUD.PERMANENT : typeof n.state === 'number' ? n.state : NEIGH_STATES[n.state];
  const fixed = ndmsg({ family: familyToAf(ipFamily(n.ip)), index, state });
  const attrs = [attr.bytes(NDA.DST, ipToBytes(n.ip)), attr.bytes(NDA.LLADDR, macToBytes(n.mac))];
  return { type: RTM.NEWNEIGH, flags: CREATE_REPLACE, fixed, attrs, op: `RTM_NEWNEIGH ${n.ip} dev ${n.dev}` };
}

export function delNeigh(n: Pick<NeighSpec, 'dev' | 'ip'>, index: number): Request {
  const fixed = ndmsg({ family: familyToAf(ipFamily(n.ip)), index });
  return { type: RTM.DELNEIGH, flags: REQ_ACK, fixed, attrs: [attr.bytes(NDA.DST, ipToBytes(n.ip))], op: `RTM_DELNEIGH ${n.ip} dev ${n.dev}` };
}

function fdbRequest(type: number, flags: number, f: FdbSpec, index: number): Request {
  const fixed = ndmsg({ family: AF.BRIDGE, index, state: NUD.PERMANENT, flags: f.self === false ? NTF.MASTER : NTF.SELF });
  const attrs: Attr[] = [attr.bytes(NDA.LLADDR, macToBytes(f.mac))];
  if (f.dst !== undefined) attrs.push(attr.bytes(NDA.DST, ipToBytes(f.dst)));
  if (f.vlan !== undefined) attrs.push(attr.u16(NDA.VLAN, f.vlan));
  if (f.port !== undefined) attrs.push(attr.be16(NDA.PORT, f.port));
  if (f.vni !== undefined) attrs.push(attr.u32(NDA.VNI, f.vni));
  const name = type === RTM.NEWNEIGH ? 'RTM_NEWNEIGH' : 'RTM_DELNEIGH';
  return { type, flags, fixed, attrs, op: `${name} fdb ${f.mac}${f.dst ? ` dst ${f.dst}` : ''} dev ${f.dev}` };
}

/** AF_BRIDGE RTM_NEWNEIGH, NTF_SELF, permanent; CREATE|REPLACE or CREATE|APPEND. */
export function newFdb(f: FdbSpec, index: number): Request {
  return fdbRequest(RTM.NEWNEIGH, REQ_ACK | NLM_F.CREATE | (f.append ? NLM_F.APPEND : NLM_F.REPLACE), f, index);
}

export function delFdb(f: FdbSpec, index: number): Request {
  return fdbRequest(RTM.DELNEIGH, REQ_ACK, f, index);
}

export function dumpNeighbours(af: number): Request {
  return { type: RTM.GETNEIGH, flags: DUMP, fixed: ndmsg({ family: af }), attrs: [], op: 'RTM_GETNEIGH dump' };
}

export function decodeNeigh(msg: NlMessage): Neigh | undefined {
  const p = msg.payload;
  const family = afToFamily(p[0]);
  if (!family) return undefined;
  const a = parseAttrs(p, NDMSG_LEN);
  const dst = a.get(NDA.DST);
  if (!dst) return undefined;
  const ll = a.get(NDA.LLADDR);
  return {
    index: p.readInt32LE(4),
    family,
    ip: bytesToIp(dst),
    mac: ll && ll.length === 6 ? bytesToMac(ll) : undefined,
    state: p.readUInt16LE(8),
    flags: p[10],
  };
}

export function decodeFdb(msg: NlMessage): FdbEntry | undefined {
  const p = msg.payload;
  if (p[0] !== AF.BRIDGE) return undefined;
  const a = parseAttrs(p, NDMSG_LEN);
  const ll = a.get(NDA.LLADDR);
  if (!ll || ll.length !== 6) return undefined;
  const dst = a.get(NDA.DST);
  const vlan = a.get(NDA.VLAN);
  return {
    index: p.readInt32LE(4),
    mac: bytesToMac(ll),
    dst: dst ? bytesToIp(dst) : undefined,
    state: p.readUInt16LE(8),
    flags: p[10],
    vlan: vlan && vlan.length >= 2 ? vlan.readUInt16LE(0) : undefined,
    vni: attrU32(a.get(NDA.VNI)),
    master: attrU32(a.get(NDA.MASTER)),
  };
}

// ---------- events ----------

/** A multicast notification as an event; undefined for messages of no interest (e.g. AF_BRIDGE link events). */
export function decodeEvent(msg: NlMessage): RtEvent | undefined {
  switch (msg.type) {
    case RTM.NEWLINK:
    case RTM.DELLINK: {
      if (msg.payload[0] !== AF.UNSPEC) return undefined;
      return { kind: msg.type === RTM.NEWLINK ? 'newlink' : 'dellink', link: decodeLink(msg) };
    }
    case RTM.NEWADDR:
    case RTM.DELADDR: {
      const address = decodeAddress(msg);
      return address && { kind: msg.type === RTM.NEWADDR ? 'newaddr' : 'deladdr', address };
    }
    case RTM.NEWROUTE:
    case RTM.DELROUTE: {
      const route = decodeRoute(msg);
      return route && { kind: msg.type === RTM.NEWROUTE ? 'newroute' : 'delroute', route };
    }
    case RTM.NEWNEIGH:
    case RTM.DELNEIGH: {
      const neigh = decodeNeigh(msg);
      return neigh && { kind: msg.type === RTM.NEWNEIGH ? 'newneigh' : 'delneigh', neigh };
    }
    default:
      return undefined;
  }
}
