/**
 * The two link settings native/rtnetlink's LinkChange does not cover, sent
 * as raw rtnetlink requests over native's socket and codec:
 *
 * - hairpin mode on a bridge port: RTM_SETLINK with family AF_BRIDGE and a
 *   nested IFLA_PROTINFO { IFLA_BRPORT_MODE = 1 } (`bridge link set dev X
 *   hairpin on`). The kernel only treats IFLA_PROTINFO as nested when
 *   NLA_F_NESTED is set; without it the u8 is read as the old STP state.
 *   sysfs (brport/hairpin_mode) would also work, but /sys shows the mount
 *   namespace's network namespace, not ours, when the plugin runs under
 *   `nsenter --net`.
 * - IFF_PROMISC: RTM_NEWLINK with flags/change = IFF_PROMISC.
 */
import { randomBytes } from 'node:crypto';
import { NetlinkSocket } from '../../native/rtnetlink/socket.js';
import { ifinfomsg, type Request } from '../../native/rtnetlink/messages.js';
import { attr } from '../../native/rtnetlink/wire.js';
import { AF, NLM_F, RTM } from '../../native/rtnetlink/constants.js';

const IFLA_PROTINFO = 12;
const IFLA_BRPORT_MODE = 4;
const NLA_F_NESTED = 0x8000;
const IFF_PROMISC = 0x100;

function hairpinRequest(index: number, on: boolean): Request {
  return {
    type: RTM.SETLINK,
    flags: NLM_F.REQUEST | NLM_F.ACK,
    fixed: ifinfomsg({ family: AF.BRIDGE, index }),
    attrs: [attr.nest(IFLA_PROTINFO | NLA_F_NESTED, [attr.u8(IFLA_BRPORT_MODE, on ? 1 : 0)])],
    op: `RTM_SETLINK hairpin ${index}`,
  };
}

function promiscRequest(index: number, on: boolean): Request {
  return {
    type: RTM.NEWLINK,
    flags: NLM_F.REQUEST | NLM_F.ACK,
    fixed: ifinfomsg({ index, flags: on ? IFF_PROMISC : 0, change: IFF_PROMISC }),
    attrs: [],
    op: `RTM_NEWLINK promisc ${index}`,
  };
}

/** Port and link flags in the calling thread's namespace (a socket per call: these are rare). */
export async function setPortFlags(o: { hairpin?: { index: number; on: boolean }; promisc?: { index: number; on: boolean } }): Promise<void> {
  const sock = NetlinkSocket.open();
  try {
    if (o.hairpin) await sock.request(hairpinRequest(o.hairpin.index, o.hairpin.on));
    if (o.promisc) await sock.request(promiscRequest(o.promisc.index, o.promisc.on));
  } finally {
    sock.close();
  }
}

export const IFF_PROMISC_FLAG = IFF_PROMISC;

/** `veth` + 8 random hex digits, the reference plugins' host-side naming. */
export function randomVethName(): string {
  return `veth${randomBytes(4).toString('hex')}`;
}
