/**
 * The runtime side of a configuration list (SPEC.md "Network configuration
 * lists"): how each plugin's stdin is built, and the ADD/CHECK/DEL order.
 *
 * - every plugin gets the list's name and cniVersion injected;
 * - `runtimeConfig` carries only the capabilities the plugin declares
 *   (`capabilities: {portMappings: true}` → runtimeConfig.portMappings);
 * - ADD runs the plugins in order, each receiving the previous result as
 *   `prevResult`; the last result is the list's result;
 * - CHECK runs in order with the cached ADD result as prevResult (skipped
 *   when disableCheck); DEL runs in reverse order, with the cached result
 *   when there is one, and keeps going past failures only to report the
 *   first.
 *
 * Pure builders plus a small runner over invoke.ts. Used by tests and by
 * anything in the project that plays the runtime with these plugins.
 */
import { CniCode, CniError } from './errors.js';
import { isObject } from './conf.js';
import { invokeAdd, invokeNoResult, type InvokeEnv } from './invoke.js';
import type { CniResult, NetConfList, PluginConf } from './types.js';
import { checkSupported, convertResult } from './version.js';

export function parseConfList(text: string): NetConfList {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CniError(CniCode.DecodingFailure, `error parsing configuration list: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw new CniError(CniCode.DecodingFailure, 'configuration list is not an object');
  if (typeof v.name !== 'string' || !v.name) throw new CniError(CniCode.InvalidNetworkConfig, 'no name');
  if (typeof v.cniVersion !== 'string') throw new CniError(CniCode.InvalidNetworkConfig, 'no cniVersion');
  checkSupported(v.cniVersion);
  if (!Array.isArray(v.plugins) || v.plugins.length === 0) throw new CniError(CniCode.InvalidNetworkConfig, 'no plugins in list');
  v.plugins.forEach((p, i) => {
    if (!isObject(p) || typeof p.type !== 'string') throw new CniError(CniCode.InvalidNetworkConfig, `plugins[${i}]: missing type`);
  });
  return v as unknown as NetConfList;
}

/** One plugin's stdin (pure). `runtime` holds every capability argument the runtime has. */
export function buildPluginConf(list: NetConfList, plugin: PluginConf, prevResult: CniResult | undefined, runtime: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const rc: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(plugin.capabilities ?? {})) if (on && runtime[cap] !== undefined) rc[cap] = runtime[cap];
  if (Object.keys(rc).length > 0) out.runtimeConfig = rc;
  if (prevResult) out.prevResult = convertResult(prevResult, list.cniVersion);
  return out;
}

type ListEnv = Omit<InvokeEnv, 'command'>;

export async function addList(list: NetConfList, env: ListEnv, runtime: Readonly<Record<string, unknown>> = {}): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const p of list.plugins) prev = await invokeAdd(p.type, env, JSON.stringify(buildPluginConf(list, p, prev, runtime)));
  return prev ?? { cniVersion: list.cniVersion };
}

export async function checkList(list: NetConfList, env: ListEnv, cached: CniResult, runtime: Readonly<Record<string, unknown>> = {}): Promise<void> {
  if (list.disableCheck) return;
  for (const p of list.plugins) await invokeNoResult(p.type, { ...env, command: 'CHECK' }, JSON.stringify(buildPluginConf(list, p, cached, runtime)));
}

export async function delList(list: NetConfList, env: ListEnv, cached?: CniResult, runtime: Readonly<Record<string, unknown>> = {}): Promise<void> {
  let first: unknown;
  for (const p of [...list.plugins].reverse()) {
    try {
      await invokeNoResult(p.type, { ...env, command: 'DEL' }, JSON.stringify(buildPluginConf(list, p, cached, runtime)));
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}
