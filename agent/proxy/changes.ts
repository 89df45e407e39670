/**
 * Change tracking (upstream serviceChangeMap / endpointsChangeMap): a handler
 * only records, per namespaced name, the state before the first unsynced
 * change and the state now, both already converted to the proxy's own
 * per-port form. A pair whose two sides are equal is dropped, so an update
 * that changes nothing kube-proxy looks at (a label, a resync) costs no sync,
 * and add-then-delete before a sync costs nothing at all.
 *
 * At sync time the proxier checks the pairs out and folds them into its
 * ServiceMap / EndpointsMap with applyServiceChanges / applyEndpointsChanges,
 * which also report what the kernel needs beyond new rules: which service
 * ports changed (for partial syncs) and which UDP flows went stale (conntrack
 * entries to delete, DATAPLANE.md §1.10).
 *
 * Not safe for concurrent use; all calls happen on the event loop, and a sync
 * checks out the pending changes synchronously before awaiting anything.
 */
import type { Protocol } from '../../controlplane/api/core/v1/types.js';
import { servicePortKey, type EndpointInfo, type EndpointsObj, type ServiceObj, type ServicePortInfo, type ServicePortKey } from './types.js';

/** The default ClientIP affinity timeout (v1 defaults: 3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

const EXTERNAL_TRAFFIC_ANNOTATION = 'service.beta.kubernetes.io/external-traffic';
const HEALTHCHECK_NODEPORT_ANNOTATION = 'service.beta.kubernetes.io/healthcheck-nodeport';

function sorted(xs: readonly string[] | undefined): string[] {
  return [...new Set(xs ?? [])].filter((x) => x !== '').sort();
}

/**
 * A Service's ports as the proxy sees them. Headless services (clusterIP
 * None or unset) and ExternalName services have no proxy state: empty map.
 */
export function servicePortsOf(svc: ServiceObj): Map<ServicePortKey, ServicePortInfo> {
  const out = new Map<ServicePortKey, ServicePortInfo>();
  const spec = svc.spec;
  const ns = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const clusterIP = spec?.clusterIP ?? '';
  if (!spec || clusterIP === '' || clusterIP === 'None' || spec.type === 'ExternalName') return out;
  const type = spec.type ?? 'ClusterIP';
  const exposesNodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const annotations = svc.metadata.annotations ?? {};
  // v1.8 still honoured the beta annotation beside the field.
  const externalLocal =
    (spec.externalTrafficPolicy === 'Local' || annotations[EXTERNAL_TRAFFIC_ANNOTATION] === 'OnlyLocal') &&
    (exposesNodePorts || (spec.externalIPs?.length ?? 0) > 0);
  const hcAnnotation = Number(annotations[HEALTHCHECK_NODEPORT_ANNOTATION] ?? 0);
  const healthCheckNodePort = externalLocal ? (spec.healthCheckNodePort ?? (Number.isInteger(hcAnnotation) ? hcAnnotation : 0)) : 0;
  const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : 0;
  const lbIPs = type === 'LoadBalancer' ? sorted((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '')) : [];
  for (const p of spec.ports ?? []) {
    if (!Number.isInteger(p.port) || p.port <= 0) continue;
    const portName = { namespace: ns, name, port: p.name ?? '' };
    const key = servicePortKey(portName);
    out.set(key, {
      name: portName,
      key,
      clusterIP,
      port: p.port,
      protocol: (p.protocol ?? 'TCP') as Protocol,
      nodePort: exposesNodePorts ? (p.nodePort ?? 0) : 0,
      externalIPs: sorted(spec.externalIPs),
      loadBalancerIPs: lbIPs,
      loadBalancerSourceRanges: lbIPs.length > 0 ? sorted(spec.loadBalancerSourceRanges) : [],
      affinitySeconds,
      externalPolicyLocal: externalLocal,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      healthCheckNodePort,
    });
  }
  return out;
}

/**
 * An Endpoints object's ready addresses per service port. Not-ready
 * addresses carry no traffic. Duplicates (the same ip:port listed in two
 * subsets) are kept once, in API order.
 */
export function endpointsPortsOf(ep: EndpointsObj, hostname: string): Map<ServicePortKey, EndpointInfo[]> {
  const out = new Map<ServicePortKey, EndpointInfo[]>();
  const ns = ep.metadata.namespace ?? 'default';
  const name = ep.metadata.name ?? '';
  for (const subset of ep.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      if (!Number.isInteger(port.port) || port.port <= 0) continue;
      const key = servicePortKey({ namespace: ns, name, port: port.name ?? '' });
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      for (const a of subset.addresses ?? []) {
        if (!a.ip) continue;
        if (list.some((e) => e.ip === a.ip && e.port === port.port)) continue;
        list.push({ ip: a.ip, port: port.port, isLocal: hostname !== '' && a.nodeName === hostname });
      }
    }
  }
  for (const [k, v] of out) if (v.length === 0) out.delete(k);
  return out;
}

/** One namespaced name's pending change: its per-port state before and now. */
export interface Change<V> {
  readonly nsName: string;
  readonly previous: ReadonlyMap<ServicePortKey, V>;
  readonly current: ReadonlyMap<ServicePortKey, V>;
}

function sameValue<V>(a: V | undefined, b: V | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function sameMap<V>(a: ReadonlyMap<ServicePortKey, V>, b: ReadonlyMap<ServicePortKey, V>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!sameValue(v, b.get(k))) return false;
  return true;
}

interface ObjWithMeta {
  readonly metadata: { readonly namespace?: string; readonly name?: string };
}

function nsNameOf(o: ObjWithMeta): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;
}

/**
 * Previous/current pairs per namespaced name. `convert` turns an API object
 * into per-port state; it must be pure (it is called again on every update).
 */
export class ChangeTracker<O extends ObjWithMeta, V> {
  // Guarded by the event loop: handlers write, sync() checks out.
  private items = new Map<string, { previous: ReadonlyMap<ServicePortKey, V>; current: ReadonlyMap<ServicePortKey, V> }>();

  constructor(private readonly convert: (o: O) => Map<ServicePortKey, V>) {}

  /**
   * Records previous → current (either may be undefined: add / delete).
   * Returns whether anything is pending afterwards.
   */
  update(previous: O | undefined, current: O | undefined): boolean {
    const ref = current ?? previous;
    if (!ref) return this.items.size > 0;
    const nsName = nsNameOf(ref);
    let item = this.items.get(nsName);
    if (!item) {
      // The first change since the last sync fixes "previous"; later ones only move "current".
      item = { previous: previous ? this.convert(previous) : new Map(), current: new Map() };
      this.items.set(nsName, item);
    }
    item.current = current ? this.convert(current) : new Map();
    if (sameMap(item.previous, item.current)) this.items.delete(nsName);
    return this.items.size > 0;
  }

  get pending(): number {
    return this.items.size;
  }

  /** Takes every pending change, leaving the tracker empty. */
  checkout(): Change<V>[] {
    const out: Change<V>[] = [];
    for (const [nsName, item] of this.items) out.push({ nsName, previous: item.previous, current: item.current });
    this.items = new Map();
    return out;
  }
}

export class ServiceChangeTracker extends ChangeTracker<ServiceObj, ServicePortInfo> {
  constructor() {
    super(servicePortsOf);
  }
}

export class EndpointsChangeTracker extends ChangeTracker<EndpointsObj, readonly EndpointInfo[]> {
  constructor(hostname: string) {
    super((ep) => endpointsPortsOf(ep, hostname));
  }
}

/** What folding service changes into the map found. */
export interface ServiceMapUpdate {
  /** Ports added, removed or changed. */
  readonly changed: ReadonlySet<ServicePortKey>;
  /** UDP ports that went away: their flows must be cleared from conntrack. */
  readonly removedUDP: readonly ServicePortInfo[];
}

/** Folds changes into `map` (mutated). */
export function applyServiceChanges(map: Map<ServicePortKey, ServicePortInfo>, changes: readonly Change<ServicePortInfo>[]): ServiceMapUpdate {
  const changed = new Set<ServicePortKey>();
  const removedUDP: ServicePortInfo[] = [];
  for (const c of changes) {
    for (const [k, prev] of c.previous) {
      if (c.current.has(k)) continue;
      const had = map.get(k) ?? prev;
      map.delete(k);
      changed.add(k);
      if (had.protocol === 'UDP') removedUDP.push(had);
    }
    for (const [k, cur] of c.current) {
      const before = map.get(k);
      if (!sameValue(before, cur)) changed.add(k);
      // A UDP port whose addresses moved leaves flows to the old ones behind.
      if (before && before.protocol === 'UDP' && (before.clusterIP !== cur.clusterIP || cur.protocol !== 'UDP')) removedUDP.push(before);
      map.set(k, cur);
    }
  }
  return { changed, removedUDP };
}

/** An endpoint that stopped serving a port. */
export interface StaleEndpoint {
  readonly key: ServicePortKey;
  readonly endpoint: EndpointInfo;
}

export interface EndpointsMapUpdate {
  readonly changed: ReadonlySet<ServicePortKey>;
  /** Endpoints removed from a port that still exists or not (the caller checks the protocol). */
  readonly staleEndpoints: readonly StaleEndpoint[];
  /** Ports that went from no endpoints to some: flows that met "no endpoint" must be cleared (UDP). */
  readonly newlyServed: ReadonlySet<ServicePortKey>;
}

export function applyEndpointsChanges(map: Map<ServicePortKey, readonly EndpointInfo[]>, changes: readonly Change<readonly EndpointInfo[]>[]): EndpointsMapUpdate {
  const changed = new Set<ServicePortKey>();
  const staleEndpoints: StaleEndpoint[] = [];
  const newlyServed = new Set<ServicePortKey>();
  for (const c of changes) {
    const keys = new Set([...c.previous.keys(), ...c.current.keys()]);
    for (const k of keys) {
      const before = map.get(k) ?? [];
      const after = c.current.get(k) ?? [];
      if (sameValue(before, after)) continue;
      changed.add(k);
      for (const e of before) if (!after.some((a) => a.ip === e.ip && a.port === e.port)) staleEndpoints.push({ key: k, endpoint: e });
      if (before.length === 0 && after.length > 0) newlyServed.add(k);
      if (after.length > 0) map.set(k, after);
      else map.delete(k);
    }
  }
  return { changed, staleEndpoints, newlyServed };
}
