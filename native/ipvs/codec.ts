/**
 * IPVS attribute encoding and decoding (pure; DATAPLANE.md §2.4, the
 * kernel's ip_vs.h). Tested against hand-written byte fixtures.
 *
 * Layout notes that bite:
 *  - ports are network byte order; every other integer is host order;
 *  - addresses go out as 4 (IPv4) or 16 bytes and come back as a 16-byte
 *    union with IPv4 in the first 4;
 *  - FLAGS is struct { u32 flags; u32 mask }: the kernel keeps the bits of
 *    the old flags outside `mask`, so NEW/SET send mask = all ones;
 *  - NEW/SET_SERVICE need SCHED_NAME, FLAGS, TIMEOUT and NETMASK besides the
 *    identity (else EINVAL); NEW/SET_DEST need FWD_METHOD, WEIGHT, U_THRESH
 *    and L_THRESH; every DEST command also carries the service identity;
 *  - NETMASK is the kernel's `__be32 netmask`: for IPv4 a mask in network
 *    order (0xffffff00 travels as ff ff ff 00), for IPv6 the prefix length
 *    as a plain host-order u32 (ip_vs_ctl.c uses it as a plen there);
 *  - the kernel sets HASHED (0x2) on every service it returns; decoded
 *    services have it stripped so they compare equal to what was written.
 */
import { ipBytes, ipFromBytes } from './addr.js';
import { AF_INET, AF_INET6, CmdAttr, DestAttr, FWD, IPPROTO, StatsAttr, SvcAttr } from './constants.js';
import { attr, cstr, nested, parseAttrs, u16, u16be, u32 } from './netlink.js';
import {
  IpvsError,
  SvcFlags,
  isMarkKey,
  type ForwardMethod,
  type IpvsFamily,
  type IpvsProtocol,
  type IpvsStats,
  type RealServer,
  type RealServerKey,
  type ServiceKey,
  type VirtualService,
} from './types.js';

const afNumber = (f: IpvsFamily): number => (f === 'ipv4' ? AF_INET : AF_INET6);

function afName(n: number): IpvsFamily {
  if (n === AF_INET) return 'ipv4';
  if (n === AF_INET6) return 'ipv6';
  throw new IpvsError('Protocol', `IPVS: unknown address family ${n}`);
}

function protoName(n: number): IpvsProtocol {
  for (const [name, num] of Object.entries(IPPROTO)) if (num === n) return name as IpvsProtocol;
  throw new IpvsError('Protocol', `IPVS: unknown protocol ${n}`);
}

function fwdName(n: number): ForwardMethod {
  for (const [name, num] of Object.entries(FWD)) if (num === (n & 0x7)) return name as ForwardMethod;
  throw new IpvsError('Protocol', `IPVS: unknown forwarding method ${n}`);
}

function checkPort(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new TypeError(`bad port ${p}`);
  return p;
}

/** The identity attributes of a service: AF + (FWMARK, or PROTOCOL + ADDR + PORT). */
function identityAttrs(k: ServiceKey): Buffer[] {
  const out = [attr(SvcAttr.AF, u16(afNumber(k.family)))];
  if (isMarkKey(k)) {
    out.push(attr(SvcAttr.FWMARK, u32(k.fwmark)));
  } else {
    out.push(attr(SvcAttr.PROTOCOL, u16(IPPROTO[k.protocol])), attr(SvcAttr.ADDR, ipBytes(k.family, k.address)), attr(SvcAttr.PORT, u16be(checkPort(k.port))));
  }
  return out;
}

/** CmdAttr.SERVICE with only the identity (DEL/GET_SERVICE, and inside every DEST command). */
export function encodeServiceKey(k: ServiceKey): Buffer {
  return nested(CmdAttr.SERVICE, identityAttrs(k));
}

function encodeNetmask(family: IpvsFamily, mask: number): Buffer {
  const b = Buffer.alloc(4);
  if (family === 'ipv4') b.writeUInt32BE(mask >>> 0);
  else b.writeUInt32LE(mask >>> 0);
  return b;
}

function decodeNetmask(family: IpvsFamily, b: Buffer | undefined): number {
  if (!b || b.length < 4) return 0;
  return family === 'ipv4' ? b.readUInt32BE(0) : b.readUInt32LE(0);
}

/** CmdAttr.SERVICE with everything NEW/SET_SERVICE need. */
export function encodeService(s: VirtualService): Buffer {
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE((s.flags & ~SvcFlags.hashed) >>> 0, 0);
  flags.writeUInt32LE(0xffffffff, 4);
  const attrs = [...identityAttrs(s), attr(SvcAttr.SCHED_NAME, cstr(s.scheduler))];
  if (s.peName) attrs.push(attr(SvcAttr.PE_NAME, cstr(s.peName)));
  attrs.push(attr(SvcAttr.FLAGS, flags), attr(SvcAttr.TIMEOUT, u32(s.timeout)), attr(SvcAttr.NETMASK, encodeNetmask(s.family, s.netmask)));
  return nested(CmdAttr.SERVICE, attrs);
}

/** CmdAttr.DEST: the key only (DEL_DEST), or everything (NEW/SET_DEST). */
export function encodeDest(d: RealServer | RealServerKey, family: IpvsFamily, full: boolean): Buffer {
  const fam = (d as RealServer).family ?? family;
  const attrs = [attr(DestAttr.ADDR, ipBytes(fam, d.address)), attr(DestAttr.PORT, u16be(checkPort(d.port)))];
  if (full) {
    const r = d as RealServer;
    attrs.push(
      attr(DestAttr.FWD_METHOD, u32(FWD[r.forward])),
      attr(DestAttr.WEIGHT, u32(r.weight)),
      attr(DestAttr.U_THRESH, u32(r.upperThreshold)),
      attr(DestAttr.L_THRESH, u32(r.lowerThreshold)),
    );
  }
  // Only when it differs from the service's: older kernels (< 3.18) reject the attribute.
  if ((d as RealServer).family && (d as RealServer).family !== family) attrs.push(attr(DestAttr.ADDR_FAMILY, u16(afNumber(fam))));
  return nested(CmdAttr.DEST, attrs);
}

function num(b: Buffer | undefined): bigint {
  if (!b) return 0n;
  if (b.length >= 8) return b.readBigUInt64LE(0);
  if (b.length >= 4) return BigInt(b.readUInt32LE(0));
  return 0n;
}

/** Stats attributes; u32 (STATS) and u64 (STATS64) both read by length. */
export function decodeStats(b: Buffer): IpvsStats {
  const a = parseAttrs(b);
  return {
    conns: num(a.get(StatsAttr.CONNS)),
    inPackets: num(a.get(StatsAttr.INPKTS)),
    outPackets: num(a.get(StatsAttr.OUTPKTS)),
    inBytes: num(a.get(StatsAttr.INBYTES)),
    outBytes: num(a.get(StatsAttr.OUTBYTES)),
    cps: num(a.get(StatsAttr.CPS)),
    inPps: num(a.get(StatsAttr.INPPS)),
    outPps: num(a.get(StatsAttr.OUTPPS)),
    inBps: num(a.get(StatsAttr.INBPS)),
    outBps: num(a.get(StatsAttr.OUTBPS)),
  };
}

function need(a: Map<number, Buffer>, t: number, what: string): Buffer {
  const b = a.get(t);
  if (!b) throw new IpvsError('Protocol', `IPVS: reply without ${what}`);
  return b;
}

function cstring(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString('utf8');
}

/** A service from the payload of an IPVS reply (after the genl header): CmdAttr.SERVICE nested. */
export function decodeService(genlPayload: Buffer): VirtualService {
  const top = parseAttrs(genlPayload);
  const a = parseAttrs(need(top, CmdAttr.SERVICE, 'a service'));
  const family = afName(need(a, SvcAttr.AF, 'AF').readUInt16LE(0));
  const flagsBuf = a.get(SvcAttr.FLAGS);
  const stats = a.get(SvcAttr.STATS64) ?? a.get(SvcAttr.STATS);
  const fwmark = a.get(SvcAttr.FWMARK)?.readUInt32LE(0) ?? 0;
  const key: ServiceKey =
    fwmark !== 0 || !a.has(SvcAttr.ADDR)
      ? { family, fwmark }
      : {
          family,
          protocol: protoName(need(a, SvcAttr.PROTOCOL, 'PROTOCOL').readUInt16LE(0)),
          address: ipFromBytes(family, need(a, SvcAttr.ADDR, 'ADDR')),
          port: need(a, SvcAttr.PORT, 'PORT').readUInt16BE(0),
        };
  const pe = a.get(SvcAttr.PE_NAME);
  return {
    ...key,
    scheduler: cstring(need(a, SvcAttr.SCHED_NAME, 'SCHED_NAME')),
    flags: flagsBuf ? flagsBuf.readUInt32LE(0) & ~SvcFlags.hashed : 0,
    timeout: a.get(SvcAttr.TIMEOUT)?.readUInt32LE(0) ?? 0,
    netmask: decodeNetmask(family, a.get(SvcAttr.NETMASK)),
    ...(pe ? { peName: cstring(pe) } : {}),
    ...(stats ? { stats: decodeStats(stats) } : {}),
  };
}

/** A destination from the payload of an IPVS GET_DEST reply: CmdAttr.DEST nested. */
export function decodeDest(genlPayload: Buffer, serviceFamily: IpvsFamily): RealServer {
  const top = parseAttrs(genlPayload);
  const a = parseAttrs(need(top, CmdAttr.DEST, 'a destination'));
  const famAttr = a.get(DestAttr.ADDR_FAMILY);
  const family = famAttr ? afName(famAttr.readUInt16LE(0)) : serviceFamily;
  const stats = a.get(DestAttr.STATS64) ?? a.get(DestAttr.STATS);
  const u = (t: number): number | undefined => a.get(t)?.readUInt32LE(0);
  return {
    address: ipFromBytes(family, need(a, DestAttr.ADDR, 'ADDR')),
    port: need(a, DestAttr.PORT, 'PORT').readUInt16BE(0),
    forward: fwdName(u(DestAttr.FWD_METHOD) ?? 0),
    weight: u(DestAttr.WEIGHT) ?? 0,
    upperThreshold: u(DestAttr.U_THRESH) ?? 0,
    lowerThreshold: u(DestAttr.L_THRESH) ?? 0,
    ...(family !== serviceFamily ? { family } : {}),
    ...(a.has(DestAttr.ACTIVE_CONNS) ? { activeConns: u(DestAttr.ACTIVE_CONNS) } : {}),
    ...(a.has(DestAttr.INACT_CONNS) ? { inactiveConns: u(DestAttr.INACT_CONNS) } : {}),
    ...(a.has(DestAttr.PERSIST_CONNS) ? { persistConns: u(DestAttr.PERSIST_CONNS) } : {}),
    ...(stats ? { stats: decodeStats(stats) } : {}),
  };
}

/** `tcp/10.0.0.1:80`, `udp/[fd00::a]:53`, `fwmark 7` — for error messages. */
export function describeService(k: ServiceKey): string {
  if (isMarkKey(k)) return `fwmark ${k.fwmark}`;
  return k.family === 'ipv6' ? `${k.protocol}/[${k.address}]:${k.port}` : `${k.protocol}/${k.address}:${k.port}`;
}
