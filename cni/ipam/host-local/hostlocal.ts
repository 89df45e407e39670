/**
 * The host-local IPAM plugin's three commands. ADD allocates one IP per
 * range set under the store lock (all sets in one critical section, and
 * everything taken is given back if a later set fails); DEL releases by
 * container id + ifname and succeeds when nothing is held; CHECK asks that
 * something is held.
 */
import { CniCode, CniError } from '../../spec/errors.js';
import type { CmdArgs, CniIPConfig, CniResult } from '../../spec/types.js';
import type { PluginFuncs } from '../../spec/skel.js';
import { CURRENT_VERSION } from '../../spec/version.js';
import { cidrIp } from '../../spec/ip.js';
import { allocate } from './allocator.js';
import { parseHostLocalConf } from './config.js';
import { DiskStore } from './store.js';

async function add(args: CmdArgs): Promise<CniResult> {
  const c = parseHostLocalConf(args.conf, args.args);
  const store = new DiskStore(c.dataDir, args.conf.name);
  const ips: CniIPConfig[] = [];
  store.lock();
  try {
    c.ranges.forEach((set, i) => {
      try {
        ips.push(allocate(store, set, i, args.containerId, args.ifName, c.requestedIps));
      } catch (e) {
        // Only what this call took: an earlier ADD's reservation (the duplicate case) stays.
        for (const ip of ips) store.release(cidrIp(ip.address));
        const err = e instanceof CniError ? e : new CniError(CniCode.Internal, String(e));
        throw new CniError(err.code, `failed to allocate for range ${i}: ${err.message}`, err.details);
      }
    });
  } finally {
    store.unlock();
  }
  const result: CniResult = { cniVersion: CURRENT_VERSION, ips, routes: [...c.routes] };
  if (c.dns) result.dns = c.dns;
  return result;
}

async function del(args: CmdArgs): Promise<void> {
  const c = parseHostLocalConf(args.conf, args.args);
  const store = new DiskStore(c.dataDir, args.conf.name);
  store.lock();
  try {
    store.releaseById(args.containerId, args.ifName);
  } finally {
    store.unlock();
  }
}

async function check(args: CmdArgs): Promise<void> {
  const c = parseHostLocalConf(args.conf, args.args);
  const store = new DiskStore(c.dataDir, args.conf.name);
  store.lock();
  try {
    if (store.byId(args.containerId, args.ifName).length === 0) {
      throw new CniError(CniCode.Internal, `host-local: Failed to find address added by container ${args.containerId}`);
    }
  } finally {
    store.unlock();
  }
}

export const hostLocal: PluginFuncs = { add, del, check };
