/**
 * The IPVS client over a fake generic-netlink transport (what it sends, how
 * kernel errors become codes), and for real: this kernel has no ip_vs, so
 * the real family lookup must end in IpvsUnsupportedError — while the same
 * socket resolves families that do exist, proving the lookup is real.
 */
import test from 'ava';
import {
  GenlSocket,
  IpvsCmd,
  IpvsError,
  IpvsUnsupportedError,
  NetlinkErrnoError,
  encodeService,
  openIpvs,
  resolveFamily,
  type GenlTransport,
  type VirtualService,
} from '../../../native/ipvs/index.js';
import { CTRL_CMD_GETFAMILY, GENL_ID_CTRL, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, attr, u16, u32, type NlMessage } from '../../../native/ipvs/netlink.js';

interface Sent {
  type: number;
  flags: number;
  cmd: number;
  body: Buffer;
}

/** Replies are chosen per request; `errno` makes the request fail like the kernel's NLMSG_ERROR. */
class FakeTransport implements GenlTransport {
  readonly sent: Sent[] = [];
  closed = false;
  constructor(private readonly reply: (s: Sent) => Buffer[] | { errno: number }) {}
  async request(build: (seq: number, flags: number) => Buffer, opts: { dump: boolean; what: string }): Promise<NlMessage[]> {
    const flags = NLM_F_REQUEST | (opts.dump ? NLM_F_DUMP : NLM_F_ACK);
    const m = build(9, flags);
    const s: Sent = { type: m.readUInt16LE(4), flags: m.readUInt16LE(6), cmd: m[16], body: m.subarray(20) };
    this.sent.push(s);
    const r = this.reply(s);
    if ('errno' in r) throw new NetlinkErrnoError(-r.errno, opts.what);
    return r.map((payload) => ({ type: s.type, flags: 0, seq: 9, pid: 0, payload }));
  }
  close(): void {
    this.closed = true;
  }
}

const IPVS_ID = 0x23;
const familyReply = Buffer.concat([Buffer.from([1, 2, 0, 0]), attr(2, Buffer.from('IPVS\0')), attr(1, u16(IPVS_ID)), attr(3, u32(1))]);
const genl = (cmd: number, ...attrs: Buffer[]): Buffer => Buffer.concat([Buffer.from([cmd, 1, 0, 0]), ...attrs]);

const svc: VirtualService = { family: 'ipv4', protocol: 'tcp', address: '10.96.0.1', port: 443, scheduler: 'rr', flags: 0, timeout: 0, netmask: 0xffffffff };

function ipvsTransport(onIpvs: (s: Sent) => Buffer[] | { errno: number }): FakeTransport {
  return new FakeTransport((s) => (s.type === GENL_ID_CTRL ? [familyReply] : onIpvs(s)));
}

test('openIpvs resolves the family with CTRL_CMD_GETFAMILY("IPVS") and uses its id', async (t) => {
  const tr = ipvsTransport(() => []);
  const ipvs = await openIpvs({ transport: tr });
  t.deepEqual(ipvs.family, { id: IPVS_ID, version: 1 });
  t.is(tr.sent[0].type, GENL_ID_CTRL);
  t.is(tr.sent[0].cmd, CTRL_CMD_GETFAMILY);
  t.deepEqual(tr.sent[0].body, attr(2, Buffer.from('IPVS\0')));
  await ipvs.addService(svc);
  t.is(tr.sent[1].type, IPVS_ID);
  t.is(tr.sent[1].cmd, IpvsCmd.NEW_SERVICE);
  t.is(tr.sent[1].flags, NLM_F_REQUEST | NLM_F_ACK);
  t.deepEqual(tr.sent[1].body, encodeService(svc));
  ipvs.close();
  t.true(tr.closed);
});

test('openIpvs: ENOENT from the lookup is IpvsUnsupportedError and the socket is closed', async (t) => {
  const tr = new FakeTransport(() => ({ errno: 2 }));
  const e = await t.throwsAsync(openIpvs({ transport: tr }), { instanceOf: IpvsUnsupportedError });
  t.is(e?.code, 'Unsupported');
  t.true(tr.closed);
});

test('kernel errnos become IpvsError codes naming the command and service', async (t) => {
  const ipvs = await openIpvs({ transport: ipvsTransport(() => ({ errno: 17 })) });
  const e = await t.throwsAsync(ipvs.addService(svc), { instanceOf: IpvsError });
  t.is(e?.code, 'EEXIST');
  t.is(e?.message, 'IPVS_CMD_NEW_SERVICE tcp/10.96.0.1:443: EEXIST');
  const d = await t.throwsAsync(ipvs.deleteDestination(svc, { address: '10.244.0.5', port: 6443 }), { instanceOf: IpvsError });
  t.is(d?.message, 'IPVS_CMD_DEL_DEST tcp/10.96.0.1:443 -> 10.244.0.5:6443: EEXIST');
});

test('getService: ESRCH means absent; a reply is decoded', async (t) => {
  let exists = false;
  const ipvs = await openIpvs({
    transport: ipvsTransport((s) => {
      t.is(s.cmd, IpvsCmd.GET_SERVICE);
      return exists ? [genl(IpvsCmd.NEW_SERVICE, encodeService(svc))] : { errno: 3 };
    }),
  });
  t.is(await ipvs.getService(svc), undefined);
  exists = true;
  t.deepEqual(await ipvs.getService(svc), svc);
});

test('list operations are dumps; destinations carry the service identity', async (t) => {
  const tr = ipvsTransport((s) => {
    if (s.cmd === IpvsCmd.GET_SERVICE) return [genl(4, encodeService(svc)), genl(4, encodeService({ ...svc, port: 80 }))];
    return [];
  });
  const ipvs = await openIpvs({ transport: tr });
  t.deepEqual((await ipvs.listServices()).map((x) => (x as { port: number }).port), [443, 80]);
  t.is(tr.sent[1].flags, NLM_F_REQUEST | NLM_F_DUMP);
  t.is(tr.sent[1].body.length, 0);
  await ipvs.listDestinations(svc);
  t.is(tr.sent[2].cmd, IpvsCmd.GET_DEST);
  t.is(tr.sent[2].flags, NLM_F_REQUEST | NLM_F_DUMP);
  t.is(tr.sent[2].body.readUInt16LE(2), 0x8001, 'a nested SERVICE attribute');
  await ipvs.addDestination(svc, { address: '10.244.0.5', port: 6443, forward: 'masq', weight: 1, upperThreshold: 0, lowerThreshold: 0 });
  t.is(tr.sent[3].cmd, IpvsCmd.NEW_DEST);
  await ipvs.flush();
  t.is(tr.sent[4].cmd, IpvsCmd.FLUSH);
});

test('real kernel: the IPVS family lookup fails with IpvsUnsupportedError (no ip_vs here)', async (t) => {
  const e = await t.throwsAsync(openIpvs({ timeoutMs: 2000 }), { instanceOf: IpvsUnsupportedError });
  t.is(e?.code, 'Unsupported');
  t.regex(e?.message ?? '', /ENOENT/);
});

test('real kernel: the same lookup path resolves families that exist (nlctrl is always 0x10)', async (t) => {
  const s = GenlSocket.open({ timeoutMs: 2000 });
  try {
    t.deepEqual((await resolveFamily(s, 'nlctrl')).id, GENL_ID_CTRL);
    const err = await t.throwsAsync(resolveFamily(s, 'IPVS'), { instanceOf: NetlinkErrnoError });
    t.is(err?.errnoName, 'ENOENT');
  } finally {
    s.close();
  }
});
