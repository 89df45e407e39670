/**
 * The container's namespace as the plugins use it: opened once per
 * invocation, with an rtnetlink client bound to it (a socket opened inside
 * keeps talking to that namespace, so no code runs inside it afterwards).
 */
import { existsSync } from 'node:fs';
import { openNetns, type NetnsHandle } from '../../native/netns/index.js';
import { RtNetlinkClient } from '../../native/rtnetlink/index.js';
import { CniCode, CniError } from '../spec/errors.js';

export interface ContainerNs {
  readonly handle: NetnsHandle;
  readonly nl: RtNetlinkClient;
  close(): void;
}

/** Opens CNI_NETNS; a path that is not a namespace is an error naming it. */
export function openContainerNs(path: string): ContainerNs {
  let handle: NetnsHandle;
  try {
    handle = openNetns(path);
  } catch (e) {
    throw new CniError(CniCode.Internal, `failed to open netns ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  let nl: RtNetlinkClient;
  try {
    nl = RtNetlinkClient.open({ netns: handle });
  } catch (e) {
    handle.close();
    throw new CniError(CniCode.Internal, `failed to open netns ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  return {
    handle,
    nl,
    close: () => {
      nl.close();
      handle.close();
    },
  };
}

/** DEL treats a vanished namespace as already cleaned up. */
export function netnsGone(path: string): boolean {
  return path === '' || !existsSync(path);
}
