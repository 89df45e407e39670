/**
 * A pod's resolv.conf (kubelet network/dns): from dnsPolicy, --cluster-dns,
 * --cluster-domain, the node's --resolv-conf and the pod's dnsConfig.
 *
 * - ClusterFirst (the default): the cluster DNS servers, searches
 *   `<ns>.svc.<domain> svc.<domain> <domain>` then the host's searches,
 *   `options ndots:5`. A hostNetwork pod uses Default instead unless the
 *   policy is ClusterFirstWithHostNet. With no --cluster-dns, ClusterFirst
 *   falls back to Default and says so (upstream's MissingClusterDNS event).
 * - Default: the node's resolv.conf (nameservers, search, options).
 * - None: only dnsConfig.
 * - dnsConfig is merged on top: servers and searches appended without
 *   duplicates, options by name (later wins).
 * Searches are capped at 6 domains / 256 characters, as glibc reads them. Pure.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  /** `ndots:5`, `edns0` … */
  options: string[];
}

export interface DnsSettings {
  clusterDNS: readonly string[];
  clusterDomain: string;
  /** The parsed --resolv-conf ('' = none: empty). */
  host: ResolvConf;
}

export interface DnsResult {
  conf: ResolvConf;
  /** Why the policy could not be honoured (an event), if it could not. */
  warning?: { reason: string; message: string };
}

const MAX_SEARCHES = 6;
const MAX_SEARCH_CHARS = 256;

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...fields] = line.split(/\s+/);
    if (key === 'nameserver' && fields[0]) out.nameservers.push(fields[0]);
    else if (key === 'search' || key === 'domain') out.searches = fields;
    else if (key === 'options') out.options.push(...fields);
  }
  return out;
}

export function formatResolvConf(c: ResolvConf): string {
  let s = '';
  for (const n of c.nameservers) s += `nameserver ${n}\n`;
  if (c.searches.length) s += `search ${c.searches.join(' ')}\n`;
  if (c.options.length) s += `options ${c.options.join(' ')}\n`;
  return s;
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function mergeOptions(base: readonly string[], extra: readonly { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) if (o.name) byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

function capSearches(searches: string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const s of searches) {
    if (out.length >= MAX_SEARCHES || chars + s.length + (out.length ? 1 : 0) > MAX_SEARCH_CHARS) break;
    chars += s.length + (out.length ? 1 : 0);
    out.push(s);
  }
  return out;
}

export function podDNS(pod: DeepReadonly<Pod>, s: DnsSettings): DnsResult {
  const spec = pod.spec;
  let policy = spec?.dnsPolicy ?? 'ClusterFirst';
  let warning: DnsResult['warning'];
  if (policy === 'ClusterFirst' && spec?.hostNetwork) policy = 'Default';
  if ((policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') && s.clusterDNS.length === 0) {
    warning = { reason: 'MissingClusterDNS', message: `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${policy}" policy. Falling back to "Default" policy.` };
    policy = 'Default';
  }
  let conf: ResolvConf;
  if (policy === 'None') {
    conf = { nameservers: [], searches: [], options: [] };
  } else if (policy === 'Default') {
    conf = { nameservers: [...s.host.nameservers], searches: [...s.host.searches], options: [...s.host.options] };
  } else {
    const ns = pod.metadata.namespace ?? 'default';
    const d = s.clusterDomain;
    const cluster = d ? [`${ns}.svc.${d}`, `svc.${d}`, d] : [];
    conf = { nameservers: [...s.clusterDNS], searches: uniq([...cluster, ...s.host.searches]), options: ['ndots:5'] };
  }
  const cfg = spec?.dnsConfig;
  if (cfg) {
    conf.nameservers = uniq([...conf.nameservers, ...(cfg.nameservers ?? [])]);
    conf.searches = uniq([...conf.searches, ...(cfg.searches ?? [])]);
    conf.options = mergeOptions(conf.options, cfg.options ?? []);
  }
  const capped = capSearches(conf.searches);
  if (capped.length < conf.searches.length && !warning) {
    warning = { reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${capped.join(' ')}` };
  }
  conf.searches = capped;
  return { conf, warning };
}
