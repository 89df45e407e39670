/**
 * What the resolver reads: the Services and Endpoints of the cluster, as the
 * informers' indexed caches (or plain Indexers in unit tests), plus the
 * secondary indices reverse lookups need. Read-only: the resolver never
 * mutates a cached object.
 */
import type { Endpoints, EndpointAddress, Service } from '../../../api/core/v1/types.js';
import { indexFuncs, NAMESPACE_INDEX, type Indexers } from '../../../client/indexer.js';
import type { DeepReadonly, Lister } from '../../../client/types.js';

/** Services by every cluster IP they hold ('None' and '' are not addresses). */
export const CLUSTER_IP_INDEX = 'dns.clusterIP';
/** Endpoints by every address IP, ready or not. */
export const ENDPOINT_IP_INDEX = 'dns.endpointIP';

export type RoService = DeepReadonly<Service>;
export type RoEndpoints = DeepReadonly<Endpoints>;
export type RoAddress = DeepReadonly<EndpointAddress>;

export interface ClusterState {
  /** Keys `namespace/name`; indices NAMESPACE_INDEX and CLUSTER_IP_INDEX. */
  services: Lister<RoService>;
  /** Keys `namespace/name`; index ENDPOINT_IP_INDEX. */
  endpoints: Lister<RoEndpoints>;
}

export function clusterIPsOf(s: RoService): string[] {
  const ips = new Set<string>();
  const spec = s.spec;
  if (!spec) return [];
  for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])]) if (ip && ip !== 'None') ips.add(ip);
  return [...ips];
}

export const serviceIndexers: Indexers<Service> = {
  [NAMESPACE_INDEX]: indexFuncs.namespace,
  [CLUSTER_IP_INDEX]: (s) => clusterIPsOf(s),
};

export const endpointsIndexers: Indexers<Endpoints> = {
  [NAMESPACE_INDEX]: indexFuncs.namespace,
  [ENDPOINT_IP_INDEX]: (e) => {
    const ips = new Set<string>();
    for (const sub of e.subsets ?? []) for (const a of [...(sub.addresses ?? []), ...(sub.notReadyAddresses ?? [])]) ips.add(a.ip);
    return [...ips];
  },
};

export function isHeadless(s: RoService): boolean {
  return s.spec?.clusterIP === 'None';
}

export function isExternalName(s: RoService): boolean {
  return s.spec?.type === 'ExternalName';
}

/**
 * Whether not-ready addresses count as ready: spec.publishNotReadyAddresses
 * or the 1.8-era annotation (DNS spec §2.1 "ready").
 */
export function toleratesUnready(s: RoService): boolean {
  return s.spec?.publishNotReadyAddresses === true || s.metadata.annotations?.['service.alpha.kubernetes.io/tolerate-unready-endpoints'] === 'true';
}

/** The ready addresses of a subset for this service. */
export function readyAddresses(s: RoService, sub: NonNullable<RoEndpoints['subsets']>[number]): readonly RoAddress[] {
  const ready = sub.addresses ?? [];
  return toleratesUnready(s) ? [...ready, ...(sub.notReadyAddresses ?? [])] : ready;
}

/**
 * An endpoint's hostname: its own `hostname`, else one derived from its IP
 * (10.1.2.3 → 10-1-2-3; fd00::1 → fd00--1), unique within the service
 * (the spec leaves the format of this fallback to implementations).
 */
export function endpointHostname(a: RoAddress): string {
  if (a.hostname) return a.hostname.toLowerCase();
  return a.ip.toLowerCase().replace(/[.:]/g, '-');
}
