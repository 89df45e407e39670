/**
 * Where names outside the cluster zone go: upstream nameservers (the
 * --nameservers flag, else /etc/resolv.conf) and stub domains, possibly
 * replaced at run time by the kube-dns ConfigMap (keys stubDomains and
 * upstreamNameservers, JSON, as upstream kube-dns 1.14 reads them).
 */
import { isIP } from 'node:net';
import { canonical, isSubdomain } from './wire/names.js';

export interface Nameserver {
  host: string;
  port: number;
}

export class UpstreamConfigError extends Error {
  override readonly name = 'UpstreamConfigError';
  readonly code = 'InvalidUpstreamConfig';
}

/** 'ip', 'ip:port', '[v6]:port' or a bare v6 address → a Nameserver (port 53 by default). */
export function parseNameserver(s: string): Nameserver {
  const t = s.trim();
  let host = t;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    host = bracket[1];
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (isIP(t) === 0) {
    const m = /^([^:]+):(\d+)$/.exec(t);
    if (!m) throw new UpstreamConfigError(`invalid nameserver ${JSON.stringify(s)}: want ip or ip:port`);
    host = m[1];
    port = Number(m[2]);
  }
  if (isIP(host) === 0) throw new UpstreamConfigError(`invalid nameserver ${JSON.stringify(s)}: ${JSON.stringify(host)} is not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UpstreamConfigError(`invalid nameserver ${JSON.stringify(s)}: bad port`);
  return { host, port };
}

export function formatNameserver(n: Nameserver): string {
  return n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`;
}

/** The `nameserver` lines of a resolv.conf text. */
export function resolvConfNameservers(text: string): Nameserver[] {
  const out: Nameserver[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    // A link-local v6 server with a zone (fe80::1%eth0) cannot be dialled by address alone.
    const addr = m[1].split('%')[0];
    if (isIP(addr) !== 0) out.push({ host: addr, port: 53 });
  }
  return out;
}

/** The dynamic part of the configuration (the ConfigMap's keys). */
export interface DynamicConfig {
  /** Canonical domain → its nameservers. */
  stubDomains: Map<string, Nameserver[]>;
  /** When non-empty, replaces the default upstreams. */
  upstreamNameservers: Nameserver[];
}

export const emptyDynamicConfig = (): DynamicConfig => ({ stubDomains: new Map(), upstreamNameservers: [] });

/** Upstream kube-dns allows at most three upstream nameservers (resolv.conf's limit). */
const MAX_UPSTREAMS = 3;

/**
 * The ConfigMap data (or the files of --config-dir) → DynamicConfig.
 * Throws UpstreamConfigError naming the key on any bad value; the caller
 * keeps the previous configuration then (as upstream's config sync does).
 */
export function parseDynamicConfig(data: Readonly<Record<string, string>>): DynamicConfig {
  const cfg = emptyDynamicConfig();
  if (data.stubDomains !== undefined && data.stubDomains.trim() !== '') {
    let v: unknown;
    try {
      v = JSON.parse(data.stubDomains);
    } catch (e) {
      throw new UpstreamConfigError(`stubDomains: not JSON: ${(e as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UpstreamConfigError('stubDomains: want a JSON object of domain → list of nameservers');
    for (const [domain, servers] of Object.entries(v)) {
      if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/i.test(domain)) throw new UpstreamConfigError(`stubDomains: invalid domain ${JSON.stringify(domain)}`);
      if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string')) throw new UpstreamConfigError(`stubDomains[${domain}]: want a non-empty list of "ip" or "ip:port"`);
      try {
        cfg.stubDomains.set(canonical(domain), servers.map((s: string) => parseNameserver(s)));
      } catch (e) {
        throw new UpstreamConfigError(`stubDomains[${domain}]: ${(e as Error).message}`);
      }
    }
  }
  if (data.upstreamNameservers !== undefined && data.upstreamNameservers.trim() !== '') {
    let v: unknown;
    try {
      v = JSON.parse(data.upstreamNameservers);
    } catch (e) {
      throw new UpstreamConfigError(`upstreamNameservers: not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new UpstreamConfigError('upstreamNameservers: want a JSON list of "ip" or "ip:port"');
    if (v.length > MAX_UPSTREAMS) throw new UpstreamConfigError(`upstreamNameservers: at most ${MAX_UPSTREAMS} nameservers, got ${v.length}`);
    try {
      cfg.upstreamNameservers = v.map((s: string) => parseNameserver(s));
    } catch (e) {
      throw new UpstreamConfigError(`upstreamNameservers: ${(e as Error).message}`);
    }
  }
  return cfg;
}

/** A printable one-liner of a dynamic config, for the log line on each change. */
export function describeDynamicConfig(c: DynamicConfig): string {
  const stubs = [...c.stubDomains].map(([d, s]) => `${d}=${s.map(formatNameserver).join('|')}`).join(',');
  return `stubDomains={${stubs}} upstreamNameservers=[${c.upstreamNameservers.map(formatNameserver).join(',')}]`;
}

/** Where a name outside the zone goes: the servers of the longest matching stub domain, else the upstreams. */
export function routeFor(name: string, dyn: DynamicConfig, defaults: readonly Nameserver[]): { via: 'stub' | 'upstream'; servers: readonly Nameserver[] } {
  let best: string | undefined;
  for (const d of dyn.stubDomains.keys()) if (isSubdomain(name, d) && (best === undefined || d.length > best.length)) best = d;
  if (best !== undefined) return { via: 'stub', servers: dyn.stubDomains.get(best)! };
  return { via: 'upstream', servers: dyn.upstreamNameservers.length ? dyn.upstreamNameservers : defaults };
}
