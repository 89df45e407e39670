/**
 * The pod's /etc/hosts, as the kubelet writes it (kubelet_pods.go
 * managedHostsFileContent): a header, the loopback and IPv6 boilerplate,
 * the pod's own line (`<ip>\t<hostname>.<subdomain>.<ns>.svc.<domain>\t<hostname>`
 * when it has a subdomain, else `<ip>\t<hostname>`), then hostAliases after
 * their own comment. A hostNetwork pod gets the node's file under another
 * header, plus its aliases. Pure.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';

export interface PodHostname {
  hostname: string;
  /** `<subdomain>.<ns>.svc.<domain>` when the pod has a subdomain and a cluster domain is set. */
  domain?: string;
}

/** Hostname (spec.hostname or the pod name, cut to 63 characters) and domain of a pod. */
export function podHostname(pod: DeepReadonly<Pod>, clusterDomain: string): PodHostname {
  let hostname = pod.spec?.hostname || pod.metadata.name || '';
  // A DNS label holds at most 63 characters; upstream truncates (and trims trailing '-' / '.').
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  const domain = sub && clusterDomain ? `${sub}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}` : undefined;
  return { hostname, domain };
}

function aliases(pod: DeepReadonly<Pod>): string {
  const list = pod.spec?.hostAliases ?? [];
  if (list.length === 0) return '';
  let s = '\n# Entries added by HostAliases.\n';
  for (const a of list) s += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return s;
}

export function managedHostsFile(pod: DeepReadonly<Pod>, podIPs: readonly string[], name: PodHostname): string {
  let s = '# Kubernetes-managed hosts file.\n';
  s += '127.0.0.1\tlocalhost\n';
  s += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  s += 'fe00::0\tip6-localnet\n';
  s += 'fe00::0\tip6-mcastprefix\n';
  s += 'fe00::1\tip6-allnodes\n';
  s += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) {
    s += name.domain ? `${ip}\t${name.hostname}.${name.domain}\t${name.hostname}\n` : `${ip}\t${name.hostname}\n`;
  }
  return s + aliases(pod);
}

/** For hostNetwork pods: the node's own hosts file, marked as managed. */
export function hostNetworkHostsFile(pod: DeepReadonly<Pod>, nodeHosts: string): string {
  const body = nodeHosts.endsWith('\n') || nodeHosts === '' ? nodeHosts : nodeHosts + '\n';
  return '# Kubernetes-managed hosts file (host network).\n' + body + aliases(pod);
}
