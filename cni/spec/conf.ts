/**
 * Parsing of the network configuration a plugin reads on stdin, and small
 * typed readers for plugin-specific fields. Every problem is a CniError:
 * malformed JSON is DecodingFailure (6), a wrong or missing field is
 * InvalidNetworkConfig (7).
 */
import { CniCode, CniError, invalidConfig } from './errors.js';
import type { CniResult, NetConf } from './types.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes stdin into an object; 6 for bad JSON (message as the reference skel words it). */
export function decodeConf(stdin: Buffer | string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(stdin.toString());
  } catch (e) {
    throw new CniError(CniCode.DecodingFailure, `error unmarshall network config: ${(e as Error).message}`);
  }
  if (!isObject(v)) throw new CniError(CniCode.DecodingFailure, 'error unmarshall network config: not a JSON object');
  return v;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The common fields, checked. Plugin fields stay in the object for the plugin's own parser. */
export function parseNetConf(o: JsonObject): NetConf {
  const name = o.name;
  if (name === undefined || name === '') throw invalidConfig('missing network name');
  if (typeof name !== 'string' || !NAME_RE.test(name)) throw invalidConfig(`invalid characters found in network name ${JSON.stringify(name)}`);
  // The spec's default for an absent version is 0.1.0, which we do not speak.
  const cniVersion = o.cniVersion === undefined ? '0.1.0' : o.cniVersion;
  if (typeof cniVersion !== 'string') throw invalidConfig('cniVersion must be a string');
  const type = o.type ?? '';
  if (typeof type !== 'string') throw invalidConfig('type must be a string');
  for (const k of ['capabilities', 'ipam', 'dns', 'prevResult', 'runtimeConfig', 'args'] as const) {
    if (o[k] !== undefined && !isObject(o[k])) throw invalidConfig(`${k} must be an object`);
  }
  if (o.ipam !== undefined && isObject(o.ipam) && o.ipam.type !== undefined && typeof o.ipam.type !== 'string') {
    throw invalidConfig('ipam.type must be a string');
  }
  return { ...o, name, cniVersion, type } as NetConf;
}

// ---------- typed field readers (path names the field in errors) ----------

export function optString(o: JsonObject, key: string, path = key): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidConfig(`${path} must be a string`);
  return v;
}

export function optBool(o: JsonObject, key: string, path = key): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidConfig(`${path} must be a boolean`);
  return v;
}

export function optInt(o: JsonObject, key: string, path = key, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidConfig(`${path} must be an integer in [${min}, ${max}]`);
  return v;
}

export function optArray(o: JsonObject, key: string, path = key): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalidConfig(`${path} must be a list`);
  return v;
}

/** prevResult as the plugin got it, or undefined. The skel has already converted it to the current shape. */
export function prevResultOf(conf: NetConf): CniResult | undefined {
  return conf.prevResult;
}

/** CNI_ARGS (`IgnoreUnknown=1;IP=10.1.2.3`) as a map; malformed pairs are InvalidEnvironment. */
export function parseCniArgs(s: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!s) return m;
  for (const pair of s.split(';')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CniCode.InvalidEnvironment, `ARGS: invalid pair ${JSON.stringify(pair)}`);
    m.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return m;
}
