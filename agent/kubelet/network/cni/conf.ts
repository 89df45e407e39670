/**
 * CNI network configuration files (libcni conf.go): `*.conflist` holds a
 * named list of plugins; `*.conf` / `*.json` a single plugin, treated as a
 * list of one. The kubelet uses the first valid file in lexical order, as
 * upstream's cni plugin does; invalid files are skipped with a reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [k: string]: unknown;
}

export interface NetworkConfList {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
  disableCheck?: boolean;
}

export class CniConfigError extends Error {
  override readonly name = 'CniConfigError';
  readonly code = 'BadConfig';
}

export function parseConf(text: string, file: string): NetworkConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniConfigError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== 'object') throw new CniConfigError(`${file}: not an object`);
  const o = raw as Record<string, unknown>;
  const name = typeof o.name === 'string' ? o.name : '';
  const cniVersion = typeof o.cniVersion === 'string' ? o.cniVersion : '0.2.0';
  if (!name) throw new CniConfigError(`${file}: no network name`);
  if (file.endsWith('.conflist') || Array.isArray(o.plugins)) {
    const plugins = o.plugins;
    if (!Array.isArray(plugins) || plugins.length === 0) throw new CniConfigError(`${file}: no plugins`);
    for (const p of plugins) if (!p || typeof (p as PluginConf).type !== 'string') throw new CniConfigError(`${file}: a plugin has no type`);
    return { cniVersion, name, plugins: plugins as PluginConf[], disableCheck: o.disableCheck === true };
  }
  if (typeof o.type !== 'string') throw new CniConfigError(`${file}: no plugin type`);
  const { cniVersion: _v, name: _n, ...plugin } = o;
  return { cniVersion, name, plugins: [plugin as PluginConf] };
}

/** The first valid configuration in dir, with the files skipped and why. */
export function loadDefaultNetwork(dir: string): { conf?: NetworkConfList; file?: string; skipped: string[] } {
  const skipped: string[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.(conf|conflist|json)$/.test(f)).sort();
  } catch (e) {
    return { skipped: [`${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  for (const f of files) {
    const path = join(dir, f);
    try {
      return { conf: parseConf(readFileSync(path, 'utf8'), path), file: path, skipped };
    } catch (e) {
      skipped.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { skipped };
}
