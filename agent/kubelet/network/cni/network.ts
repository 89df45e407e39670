/**
 * One CNI network (a conflist) applied to a sandbox (libcni api.go):
 * - ADD runs the plugins in order; each after the first gets the previous
 *   result as `prevResult`; the last result is the network's result.
 * - CHECK (cniVersion ≥ 0.4.0, unless disableCheck) runs them in order with
 *   the cached ADD result as prevResult.
 * - DEL runs them in reverse order with the cached result (≥ 0.4.0), and
 *   keeps going past failures so nothing is leaked by one bad plugin.
 * Capabilities: a plugin declaring `capabilities.portMappings` gets the pod's
 * host ports in `runtimeConfig.portMappings` (what the portmap plugin reads).
 */
import { execPlugin, type CniCommand, type CniInvocation } from './exec.js';
import type { NetworkConfList, PluginConf } from './conf.js';

export interface RuntimeConf {
  containerId: string;
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs. */
  args: [string, string][];
  capabilityArgs: Record<string, unknown>;
}

function versionAtLeast(v: string, want: string): boolean {
  const a = v.split('.').map(Number);
  const b = want.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function pluginConfig(list: NetworkConfList, p: PluginConf, rt: RuntimeConf, prevResult: unknown): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...p, name: list.name, cniVersion: list.cniVersion };
  if (prevResult !== undefined) conf.prevResult = prevResult;
  const caps = p.capabilities ?? {};
  const runtimeConfig: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rt.capabilityArgs)) if (caps[k]) runtimeConfig[k] = v;
  if (Object.keys(runtimeConfig).length) conf.runtimeConfig = runtimeConfig;
  delete conf.capabilities;
  return conf;
}

export class CniNetwork {
  constructor(
    readonly conf: NetworkConfList,
    private readonly binDirs: readonly string[],
  ) {}

  private inv(command: CniCommand, rt: RuntimeConf): CniInvocation {
    return { command, containerId: rt.containerId, netns: rt.netns, ifName: rt.ifName, args: rt.args.map(([k, v]) => `${k}=${v}`).join(';'), binDirs: this.binDirs };
  }

  async add(rt: RuntimeConf): Promise<unknown> {
    let prev: unknown;
    for (const p of this.conf.plugins) prev = await execPlugin(p.type, this.inv('ADD', rt), pluginConfig(this.conf, p, rt, prev));
    return prev;
  }

  get supportsCheck(): boolean {
    return versionAtLeast(this.conf.cniVersion, '0.4.0') && !this.conf.disableCheck;
  }

  async check(rt: RuntimeConf, cached: unknown): Promise<void> {
    if (!this.supportsCheck) return;
    for (const p of this.conf.plugins) await execPlugin(p.type, this.inv('CHECK', rt), pluginConfig(this.conf, p, rt, cached));
  }

  /** Runs every plugin's DEL; throws the first error after trying them all. */
  async del(rt: RuntimeConf, cached: unknown): Promise<void> {
    const prev = versionAtLeast(this.conf.cniVersion, '0.4.0') ? cached : undefined;
    let first: unknown;
    for (const p of [...this.conf.plugins].reverse()) {
      try {
        await execPlugin(p.type, this.inv('DEL', rt), pluginConfig(this.conf, p, rt, prev));
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }
}
