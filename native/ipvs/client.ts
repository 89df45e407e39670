/**
 * The IPVS client over generic netlink. `openIpvs()` resolves the "IPVS"
 * family with CTRL_CMD_GETFAMILY; when the kernel has no ip_vs the lookup
 * answers ENOENT and we throw IpvsUnsupportedError, so kube-proxy can fall
 * back to the iptables proxier with a clear message (moby/ipvs silently
 * returns a nil handle there instead).
 */
import { CmdAttr, IPVS_GENL_NAME, IPVS_GENL_VERSION, IpvsCmd } from './constants.js';
import { decodeDest, decodeService, describeService, encodeDest, encodeService, encodeServiceKey } from './codec.js';
import { CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION, CTRL_CMD_GETFAMILY, GENL_HDRLEN, GENL_ID_CTRL, attr, cstr, genlMessage, parseAttrs } from './netlink.js';
import { GenlSocket, NetlinkErrnoError, type GenlTransport } from './socket.js';
import { IpvsError, IpvsUnsupportedError, type Ipvs, type RealServer, type RealServerKey, type ServiceKey, type VirtualService } from './types.js';

const CMD_NAMES = new Map<number, string>(Object.entries(IpvsCmd).map(([k, v]) => [v, `IPVS_CMD_${k}`]));

export interface GenlFamily {
  readonly id: number;
  readonly version: number;
}

/**
 * Looks a generic-netlink family up by name. Throws NetlinkErrnoError
 * (ENOENT when the family is not registered, i.e. the module is absent).
 */
export async function resolveFamily(t: GenlTransport, name: string): Promise<GenlFamily> {
  const replies = await t.request(
    (seq, flags) => genlMessage({ type: GENL_ID_CTRL, flags, seq, cmd: CTRL_CMD_GETFAMILY, version: 1, attrs: [attr(CTRL_ATTR_FAMILY_NAME, cstr(name))] }),
    { dump: false, what: `CTRL_CMD_GETFAMILY ${name}` },
  );
  for (const m of replies) {
    const a = parseAttrs(m.payload.subarray(GENL_HDRLEN));
    const id = a.get(CTRL_ATTR_FAMILY_ID);
    if (id) return { id: id.readUInt16LE(0), version: a.get(CTRL_ATTR_VERSION)?.readUInt32LE(0) ?? 0 };
  }
  throw new IpvsError('Protocol', `CTRL_CMD_GETFAMILY ${name}: reply without a family id`);
}

export class GenlIpvs implements Ipvs {
  constructor(
    private readonly t: GenlTransport,
    /** The IPVS family id (the nlmsg type of every request); immutable. */
    readonly family: GenlFamily,
  ) {}

  private async call(cmd: number, attrs: readonly Buffer[], what: string, dump = false): Promise<Buffer[]> {
    const name = `${CMD_NAMES.get(cmd) ?? `IPVS_CMD ${cmd}`}${what ? ` ${what}` : ''}`;
    try {
      const replies = await this.t.request((seq, flags) => genlMessage({ type: this.family.id, flags, seq, cmd, version: IPVS_GENL_VERSION, attrs }), { dump, what: name });
      return replies.map((m) => m.payload.subarray(GENL_HDRLEN));
    } catch (e) {
      if (e instanceof NetlinkErrnoError) throw new IpvsError(e.errnoName, e.message);
      if (e instanceof IpvsError) throw e;
      throw new IpvsError(/timed out/.test(String(e)) ? 'Timeout' : 'Protocol', `${name}: ${(e as Error).message}`);
    }
  }

  async addService(s: VirtualService): Promise<void> {
    await this.call(IpvsCmd.NEW_SERVICE, [encodeService(s)], describeService(s));
  }

  async updateService(s: VirtualService): Promise<void> {
    await this.call(IpvsCmd.SET_SERVICE, [encodeService(s)], describeService(s));
  }

  async deleteService(k: ServiceKey): Promise<void> {
    await this.call(IpvsCmd.DEL_SERVICE, [encodeServiceKey(k)], describeService(k));
  }

  async getService(k: ServiceKey): Promise<VirtualService | undefined> {
    try {
      const r = await this.call(IpvsCmd.GET_SERVICE, [encodeServiceKey(k)], describeService(k));
      return r.length > 0 ? decodeService(r[0]) : undefined;
    } catch (e) {
      if (e instanceof IpvsError && e.code === 'ESRCH') return undefined;
      throw e;
    }
  }

  async listServices(): Promise<VirtualService[]> {
    const r = await this.call(IpvsCmd.GET_SERVICE, [], '', true);
    return r.map(decodeService);
  }

  async addDestination(svc: ServiceKey, d: RealServer): Promise<void> {
    await this.call(IpvsCmd.NEW_DEST, [encodeServiceKey(svc), encodeDest(d, svc.family, true)], `${describeService(svc)} -> ${d.address}:${d.port}`);
  }

  async updateDestination(svc: ServiceKey, d: RealServer): Promise<void> {
    await this.call(IpvsCmd.SET_DEST, [encodeServiceKey(svc), encodeDest(d, svc.family, true)], `${describeService(svc)} -> ${d.address}:${d.port}`);
  }

  async deleteDestination(svc: ServiceKey, d: RealServerKey): Promise<void> {
    await this.call(IpvsCmd.DEL_DEST, [encodeServiceKey(svc), encodeDest(d, svc.family, false)], `${describeService(svc)} -> ${d.address}:${d.port}`);
  }

  async listDestinations(svc: ServiceKey): Promise<RealServer[]> {
    const r = await this.call(IpvsCmd.GET_DEST, [encodeServiceKey(svc)], describeService(svc), true);
    return r.map((p) => decodeDest(p, svc.family));
  }

  async flush(): Promise<void> {
    await this.call(IpvsCmd.FLUSH, [], '');
  }

  close(): void {
    this.t.close();
  }
}

/** CmdAttr is re-exported for callers building SET_CONFIG timeouts themselves. */
export { CmdAttr };

/**
 * Opens a generic-netlink socket (in the calling thread's network namespace)
 * and resolves IPVS. Throws IpvsUnsupportedError when the kernel has no IPVS
 * family; closes the socket on any failure.
 */
export async function openIpvs(opts: { transport?: GenlTransport; timeoutMs?: number } = {}): Promise<GenlIpvs> {
  const t = opts.transport ?? GenlSocket.open(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
  try {
    const fam = await resolveFamily(t, IPVS_GENL_NAME);
    return new GenlIpvs(t, fam);
  } catch (e) {
    t.close();
    if (e instanceof NetlinkErrnoError && e.errnoName === 'ENOENT') {
      throw new IpvsUnsupportedError(`generic netlink family ${IPVS_GENL_NAME}: ENOENT`);
    }
    if (e instanceof NetlinkErrnoError) throw new IpvsError(e.errnoName, e.message);
    throw e;
  }
}
