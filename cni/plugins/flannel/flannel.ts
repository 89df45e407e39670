/**
 * The flannel plugin: no networking of its own. It reads flanneld's
 * subnet.env and turns its own configuration into a delegate configuration
 * (bridge + host-local by default), as the reference flannel-cni-plugin does:
 *
 *   delegate.type       default "bridge"
 *   delegate.ipMasq     default !FLANNEL_IPMASQ (flanneld masquerades, or the bridge must)
 *   delegate.mtu        default FLANNEL_MTU
 *   delegate.isGateway  default true for the bridge
 *   delegate.ipam       the flannel conf's `ipam` (if any) with type host-local,
 *                       ranges [[{subnet: FLANNEL_SUBNET}]], routes + {dst: FLANNEL_NETWORK}
 *   name, cniVersion, runtimeConfig copied from the flannel conf
 *
 * The delegate configuration is saved as `<dataDir>/<containerID>` before
 * the delegate runs, because DEL must tear down exactly what ADD set up even
 * if subnet.env has changed or gone since (flanneld restarted with a new
 * lease). DEL reads it back, runs the delegate's DEL, then removes it; no
 * file means nothing to do.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CniCode, CniError, invalidConfig } from '../../spec/errors.js';
import { isObject, optString, type JsonObject } from '../../spec/conf.js';
import { invokeAdd, invokeNoResult } from '../../spec/invoke.js';
import type { PluginFuncs } from '../../spec/skel.js';
import type { CmdArgs, CniResult } from '../../spec/types.js';
import { convertResult } from '../../spec/version.js';
import { DEFAULT_SUBNET_FILE, loadSubnetEnv, type SubnetEnv } from './subnetenv.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/flannel';

function dataDirOf(args: CmdArgs): string {
  return optString(args.conf, 'dataDir') ?? DEFAULT_DATA_DIR;
}

/** The delegate configuration (pure). */
export function delegateConf(conf: CmdArgs['conf'], env: SubnetEnv): JsonObject {
  const given = conf.delegate;
  if (given !== undefined && !isObject(given)) throw invalidConfig('delegate must be an object');
  const d: JsonObject = { ...(given ?? {}) };
  if (d.type === undefined) d.type = 'bridge';
  if (typeof d.type !== 'string') throw invalidConfig('delegate.type must be a string');
  if (d.ipMasq === undefined) d.ipMasq = !env.ipMasq;
  if (d.mtu === undefined) d.mtu = env.mtu;
  if (d.type === 'bridge' && d.isGateway === undefined) d.isGateway = true;
  const ipamIn: JsonObject = isObject(conf.ipam) ? { ...conf.ipam } : {};
  const routes = Array.isArray(ipamIn.routes) ? [...(ipamIn.routes as unknown[])] : [];
  routes.push({ dst: env.network });
  d.ipam = { ...ipamIn, type: typeof ipamIn.type === 'string' && ipamIn.type ? ipamIn.type : 'host-local', ranges: [[{ subnet: env.subnet }]], routes };
  d.name = conf.name;
  d.cniVersion = conf.cniVersion;
  if (conf.runtimeConfig) d.runtimeConfig = conf.runtimeConfig;
  return d;
}

function invokeEnv(args: CmdArgs): { containerId: string; netns: string; ifName: string; args: string; path: readonly string[] } {
  return { containerId: args.containerId, netns: args.netns, ifName: args.ifName, args: args.args, path: args.path };
}

async function add(args: CmdArgs): Promise<CniResult> {
  const env = loadSubnetEnv(optString(args.conf, 'subnetFile') ?? DEFAULT_SUBNET_FILE);
  const d = delegateConf(args.conf, env);
  const dir = dataDirOf(args);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, args.containerId);
  const text = JSON.stringify(d);
  writeFileSync(file, text, { mode: 0o600 });
  try {
    return await invokeAdd(String(d.type), invokeEnv(args), text);
  } catch (e) {
    rmSync(file, { force: true });
    throw e;
  }
}

function readSaved(args: CmdArgs): JsonObject | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDirOf(args), args.containerId), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CniError(CniCode.IoFailure, `failed to read saved delegate config: ${(e as Error).message}`);
  }
  try {
    const v: unknown = JSON.parse(text);
    if (isObject(v) && typeof v.type === 'string') return v;
  } catch {
    // fall through
  }
  throw new CniError(CniCode.DecodingFailure, `saved delegate config ${join(dataDirOf(args), args.containerId)} is not a plugin configuration`);
}

async function del(args: CmdArgs): Promise<void> {
  const saved = readSaved(args);
  if (!saved) return;
  await invokeNoResult(String(saved.type), { ...invokeEnv(args), command: 'DEL' }, JSON.stringify(saved));
  rmSync(join(dataDirOf(args), args.containerId), { force: true });
}

async function check(args: CmdArgs): Promise<void> {
  const saved = readSaved(args);
  if (!saved) throw new CniError(CniCode.Internal, `no saved delegate config for container ${args.containerId}`);
  const withPrev: JsonObject = { ...saved };
  if (args.conf.prevResult) withPrev.prevResult = convertResult(args.conf.prevResult, String(saved.cniVersion ?? args.conf.cniVersion));
  await invokeNoResult(String(saved.type), { ...invokeEnv(args), command: 'CHECK' }, JSON.stringify(withPrev));
}

export const flannelPlugin: PluginFuncs = { add, del, check };
