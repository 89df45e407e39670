/**
 * The node annotations of `-kube-subnet-mgr` (DATAPLANE §4.3), pure:
 *
 *   <prefix>kube-subnet-manager   "true": this node's flanneld leases from the API
 *   <prefix>backend-type          vxlan | host-gw | udp
 *   <prefix>backend-data          JSON, e.g. {"VNI":1,"VtepMAC":"…"} (vxlan), null otherwise
 *   <prefix>public-ip             what other hosts send to
 *   <prefix>public-ip-overwrite   set by an operator: replaces the detected public IP
 *
 * The prefix (-kube-annotation-prefix) may hold one "/"; without one, "/"
 * is appended (flannel.alpha.coreos.com → flannel.alpha.coreos.com/…).
 *
 * A node is another host's lease when it has a spec.podCIDR inside the
 * Network, kube-subnet-manager=true and the three lease annotations.
 */
import { contains, parseIp4, parseIp4Net, type Ip4Net } from '../../lease/ip4.js';
import type { Lease, LeaseAttrs } from '../../lease/types.js';

export interface AnnotationNames {
  readonly subnetKubeManaged: string;
  readonly backendType: string;
  readonly backendData: string;
  readonly publicIP: string;
  readonly publicIPOverwrite: string;
}

export class AnnotationPrefixError extends Error {
  override readonly name = 'AnnotationPrefixError';
}

export function annotationNames(prefix: string): AnnotationNames {
  const slashes = prefix.split('/').length - 1;
  if (slashes > 1) throw new AnnotationPrefixError(`-kube-annotation-prefix ${JSON.stringify(prefix)} may contain at most one "/"`);
  const p = slashes === 0 ? `${prefix}/` : prefix;
  // What the apiserver accepts as an annotation key prefix: a DNS subdomain (the part before "/").
  const domain = p.slice(0, p.indexOf('/'));
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(domain)) throw new AnnotationPrefixError(`-kube-annotation-prefix ${JSON.stringify(prefix)}: ${JSON.stringify(domain)} is not a DNS subdomain`);
  return {
    subnetKubeManaged: `${p}kube-subnet-manager`,
    backendType: `${p}backend-type`,
    backendData: `${p}backend-data`,
    publicIP: `${p}public-ip`,
    publicIPOverwrite: `${p}public-ip-overwrite`,
  };
}

/** The part of a node this module reads (an informer's cached node, readonly). */
export interface NodeLike {
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: { readonly podCIDR?: string; readonly podCIDRs?: readonly string[] };
}

/** The annotations our lease attributes make. */
export function desiredAnnotations(names: AnnotationNames, attrs: LeaseAttrs, backendType: string): Record<string, string> {
  return {
    [names.subnetKubeManaged]: 'true',
    [names.backendType]: attrs.backendType ?? backendType,
    [names.backendData]: JSON.stringify(attrs.backendData ?? null),
    [names.publicIP]: attrs.publicIP,
  };
}

/**
 * The annotations to patch so the node carries `want`, or undefined when it
 * already does. backend-data compares as JSON values, not text, so a key
 * order of someone else's writing is no reason to patch.
 */
export function annotationPatch(current: Readonly<Record<string, string>> | undefined, want: Readonly<Record<string, string>>, names: AnnotationNames): Record<string, string> | undefined {
  const diff: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) {
    const have = current?.[k];
    if (have === v) continue;
    if (k === names.backendData && have !== undefined && sameJson(have, v)) continue;
    diff[k] = v;
  }
  return Object.keys(diff).length > 0 ? diff : undefined;
}

function sameJson(a: string, b: string): boolean {
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return false;
  }
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The node's pod CIDR (spec.podCIDR, else the first IPv4 one of spec.podCIDRs). */
export function nodePodCIDR(node: NodeLike): Ip4Net | undefined {
  const texts = [node.spec?.podCIDR, ...(node.spec?.podCIDRs ?? [])].filter((s): s is string => typeof s === 'string' && s !== '');
  for (const t of texts) {
    const n = parseIp4Net(t);
    if (n) return n;
  }
  return undefined;
}

/** Is `sn` a subnet of `network`? */
export function withinNetwork(network: Ip4Net, sn: Ip4Net): boolean {
  return sn.prefixLen >= network.prefixLen && contains(network, sn.ip);
}

/** The public IP an operator forces with <prefix>public-ip-overwrite, when it is a valid IPv4 address. */
export function publicIPOverwrite(node: NodeLike, names: AnnotationNames): string | undefined {
  const v = node.metadata?.annotations?.[names.publicIPOverwrite];
  return v && parseIp4(v) !== undefined ? v : undefined;
}

export type LeaseFromNode = { readonly lease: Lease } | { readonly skip: string };

/** Another host's lease from its node, or why the node is not one. Expiration: none (the node is the lease). */
export function leaseFromNode(node: NodeLike, names: AnnotationNames): LeaseFromNode {
  const a = node.metadata?.annotations ?? {};
  if (a[names.subnetKubeManaged] !== 'true') return { skip: `no ${names.subnetKubeManaged}=true annotation` };
  const subnet = nodePodCIDR(node);
  if (!subnet) return { skip: 'no spec.podCIDR' };
  for (const k of [names.backendType, names.backendData, names.publicIP]) {
    if (a[k] === undefined || a[k] === '') return { skip: `no ${k} annotation` };
  }
  const publicIP = a[names.publicIP];
  if (parseIp4(publicIP) === undefined) return { skip: `${names.publicIP} ${JSON.stringify(publicIP)} is not an IPv4 address` };
  let backendData: unknown;
  try {
    backendData = JSON.parse(a[names.backendData]);
  } catch (e) {
    return { skip: `${names.backendData} is not JSON: ${(e as Error).message}` };
  }
  const attrs: LeaseAttrs = { publicIP, backendType: a[names.backendType], ...(backendData === null ? {} : { backendData }) };
  return { lease: { subnet, attrs, expiration: undefined } };
}

/** What a previous run of flanneld on this node published (backend-type and backend-data), for the backend to reuse. */
export function previousAttrsFromNode(node: NodeLike, names: AnnotationNames): LeaseAttrs | undefined {
  const a = node.metadata?.annotations ?? {};
  const type = a[names.backendType];
  const data = a[names.backendData];
  if (!type || !data) return undefined;
  try {
    const backendData: unknown = JSON.parse(data);
    return { publicIP: a[names.publicIP] ?? '', backendType: type, ...(backendData === null ? {} : { backendData }) };
  } catch {
    return undefined;
  }
}
