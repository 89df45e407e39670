/**
 * Spec versions and result conversion. The plugins speak 0.3.0 to 1.0.0:
 * 0.3.x and 0.4.0 share one result shape (IPs carry `version`), 1.0.0 drops
 * `version`. 0.1.0/0.2.0 had a different result altogether (ip4/ip6
 * objects); we refuse them with IncompatibleVersion rather than half-support
 * them.
 */
import { CniCode, CniError } from './errors.js';
import type { CniIPConfig, CniResult } from './types.js';
import { isIPv6 } from 'node:net';

export const CURRENT_VERSION = '1.0.0';
export const SUPPORTED_VERSIONS: readonly string[] = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'];

/** -1, 0, 1 comparing dotted versions numerically (`0.10.0` > `0.4.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function checkSupported(version: string, supported: readonly string[] = SUPPORTED_VERSIONS): void {
  if (!supported.includes(version)) {
    throw new CniError(
      CniCode.IncompatibleVersion,
      'incompatible CNI versions',
      `config is ${JSON.stringify(version)}, plugin supports [${supported.map((v) => JSON.stringify(v)).join(' ')}]`,
    );
  }
}

/** True for the versions whose results carry `ips[].version` (0.3.0–0.4.x). */
function hasIpVersion(v: string): boolean {
  return compareVersions(v, '0.3.0') >= 0 && compareVersions(v, '1.0.0') < 0;
}

function ipVersionOf(ip: CniIPConfig): '4' | '6' {
  return isIPv6(ip.address.split('/')[0]) ? '6' : '4';
}

/**
 * A copy of `r` in the shape of `to` (also stamps cniVersion). Pure. Fields
 * unknown to the target version are dropped; those it requires are derived.
 */
export function convertResult(r: CniResult, to: string): CniResult {
  if (compareVersions(to, '0.3.0') < 0 || compareVersions(r.cniVersion, '0.3.0') < 0) {
    throw new CniError(CniCode.IncompatibleVersion, `cannot convert a ${r.cniVersion} result to ${to}`);
  }
  const out: CniResult = { cniVersion: to };
  if (r.interfaces) out.interfaces = r.interfaces.map((i) => ({ ...i }));
  if (r.ips) {
    out.ips = r.ips.map((ip) => {
      const { version: _ignored, ...rest } = ip;
      // Key order as the reference prints it: version first in 0.4.0.
      return hasIpVersion(to) ? { version: ipVersionOf(ip), ...rest } : rest;
    });
  }
  if (r.routes) out.routes = r.routes.map((x) => ({ ...x }));
  if (r.dns) out.dns = { ...r.dns };
  return out;
}

/** A result received in any supported shape (a prevResult, a delegate's output) in the current one. */
export function toCurrent(r: CniResult): CniResult {
  return convertResult(r, CURRENT_VERSION);
}

/**
 * The JSON a plugin prints: converted to `version`, with empty lists left
 * out and `dns` always present — what the reference plugins print (Go's
 * omitempty drops empty slices but never a struct), so outputs compare.
 */
export function formatResult(r: CniResult, version: string): string {
  const c = convertResult(r, version);
  const out: CniResult = { cniVersion: c.cniVersion };
  if (c.interfaces?.length) out.interfaces = c.interfaces;
  if (c.ips?.length) out.ips = c.ips;
  if (c.routes?.length) out.routes = c.routes;
  out.dns = c.dns ?? {};
  return JSON.stringify(out, null, 4);
}
