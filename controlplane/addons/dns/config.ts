/**
 * Flags → DnsOptions, validated. Errors are DnsConfigErrors naming the flag;
 * main turns them into exit code 2 like any bad flag.
 */
import type { ParsedFlags } from '../../machinery/flags/parsed.js';
import type { Logger } from '../../machinery/log/index.js';
import { parseNameserver, UpstreamConfigError, type Nameserver } from './upstream.js';

export class DnsConfigError extends Error {
  override readonly name = 'DnsConfigError';
  readonly code = 'InvalidDnsConfig';
}

export interface DnsOptions {
  /** Canonical: 'cluster.local.'. */
  domain: string;
  kubeconfig?: string;
  master?: string;
  /** Status server (/healthz, /metrics): 0 disables; -1 any free port (tests). */
  healthzPort: number;
  /** Upstream listens on every address; tests bind loopback. */
  healthzAddress: string;
  dnsBindAddress: string;
  /** 0: any free port (tests); UDP and TCP share it. */
  dnsPort: number;
  /** --nameservers; undefined → the nameservers of resolvConf. */
  nameservers?: Nameserver[];
  resolvConf: string;
  configMap?: { namespace: string; name: string };
  configDir?: string;
  configPeriodMs: number;
  initialSyncTimeoutMs: number;
  profiling: boolean;
  /** Every record's TTL (kube-dns: 30 s). */
  ttl: number;
  forwardTimeoutMs: number;
  /** Process metrics (CPU, memory) in /metrics; off in tests that run several servers. */
  processMetrics: boolean;
  log: Logger;
  /** Called once both sockets and the status server listen. */
  onServing?(ports: { dns: number; healthz?: number }): void;
  /** Called once the caches synced. */
  onSynced?(): void;
}

export function defaultOptions(log: Logger): DnsOptions {
  return {
    domain: 'cluster.local.',
    healthzPort: 8081,
    healthzAddress: '0.0.0.0',
    dnsBindAddress: '0.0.0.0',
    dnsPort: 10053,
    resolvConf: '/etc/resolv.conf',
    configPeriodMs: 10_000,
    initialSyncTimeoutMs: 60_000,
    profiling: false,
    ttl: 30,
    forwardTimeoutMs: 2_000,
    processMetrics: true,
    log,
  };
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** upstream clusterDomainVar: every label a DNS-1123 label; stored with a trailing dot. */
export function parseDomain(v: string): string {
  const d = v.replace(/\.$/, '').toLowerCase();
  if (d === '') throw new DnsConfigError('invalid value for --domain: must not be empty');
  for (const l of d.split('.')) {
    if (l.length > 63 || !LABEL.test(l)) throw new DnsConfigError(`invalid value for --domain ${JSON.stringify(v)}: ${JSON.stringify(l)} is not a valid DNS label`);
  }
  return `${d}.`;
}

/** upstream kubeMasterURLVar: env variables expanded, scheme and host required. */
export function parseMasterURL(v: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const expanded = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => env[a ?? b ?? ''] ?? '');
  let u: URL;
  try {
    u = new URL(expanded);
  } catch {
    throw new DnsConfigError(`invalid value for --kube-master-url ${JSON.stringify(v)}: failed to parse kube-master-url`);
  }
  if (!u.protocol || !u.host) throw new DnsConfigError(`invalid value for --kube-master-url ${JSON.stringify(v)}: invalid kube-master-url specified`);
  return expanded;
}

function port(f: ParsedFlags, name: string): number {
  const p = f.number(name);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new DnsConfigError(`invalid value for --${name}: ${p} (0-65535)`);
  return p;
}

export function optionsFromFlags(f: ParsedFlags, log: Logger): DnsOptions {
  const o = defaultOptions(log);
  o.domain = parseDomain(f.string('domain'));
  o.kubeconfig = f.string('kubecfg-file') || undefined;
  const master = f.string('kube-master-url');
  o.master = master ? parseMasterURL(master) : undefined;
  o.healthzPort = port(f, 'healthz-port');
  o.dnsBindAddress = f.string('dns-bind-address');
  o.dnsPort = port(f, 'dns-port');
  if (o.dnsPort === 0) throw new DnsConfigError('invalid value for --dns-port: 0 (1-65535)');
  const ns = f.string('nameservers').trim();
  if (ns !== '') {
    try {
      o.nameservers = ns.split(',').map((s) => parseNameserver(s));
    } catch (e) {
      if (e instanceof UpstreamConfigError) throw new DnsConfigError(`invalid value for --nameservers: ${e.message}`);
      throw e;
    }
  }
  const cm = f.string('config-map');
  const dir = f.string('config-dir');
  if (cm && dir) throw new DnsConfigError('--config-map and --config-dir cannot both be set');
  if (cm) o.configMap = { namespace: f.string('config-map-namespace') || 'kube-system', name: cm };
  if (dir) o.configDir = dir;
  o.configPeriodMs = f.duration('config-period');
  if (o.configPeriodMs <= 0) throw new DnsConfigError('invalid value for --config-period: must be positive');
  o.initialSyncTimeoutMs = f.duration('initial-sync-timeout');
  o.profiling = f.bool('profiling');
  return o;
}
