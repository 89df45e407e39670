/**
 * kube-proxy's vocabulary: what a Service port and an endpoint look like once
 * read from the API, the handler interfaces the informer adapter (config.ts)
 * feeds, and the Proxier every mode (iptables/, userspace/, ipvs/) implements.
 *
 * Shape (STYLE.md §1b, upstream pkg/proxy/types.go): informer events reach a
 * proxier only through the typed handlers below; a handler records a
 * (previous, current) pair in a change tracker (changes.ts) and asks the
 * bounded-frequency runner (runner.ts) for a sync; one sync() folds the
 * changes into the service and endpoint maps and writes the kernel once.
 * ARCHITECTURE.md sketches `onServices(changes)`/`onEndpoints(changes)`; the
 * per-event handlers here are that seam refined, so tombstones and the
 * "synced" signal have one obvious place.
 */
import type { Endpoints, Protocol, Service } from '../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../controlplane/client/types.js';

export type ProxyMode = 'iptables' | 'userspace' | 'ipvs';

/** `namespace/name:port`, or `namespace/name` when the port is unnamed (upstream ServicePortName.String()). */
export type ServicePortKey = string;

export interface ServicePortName {
  readonly namespace: string;
  readonly name: string;
  /** The port's name; '' for the single unnamed port. */
  readonly port: string;
}

export function servicePortKey(n: ServicePortName): ServicePortKey {
  return n.port ? `${n.namespace}/${n.name}:${n.port}` : `${n.namespace}/${n.name}`;
}

/** What kube-proxy keeps of one Service port (upstream serviceInfo / BaseServicePortInfo). Immutable. */
export interface ServicePortInfo {
  readonly name: ServicePortName;
  readonly key: ServicePortKey;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** 0 when the service has no node port. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress[].ip */
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  /** 0 = no affinity; otherwise ClientIP affinity with this timeout. */
  readonly affinitySeconds: number;
  /** externalTrafficPolicy=Local on a NodePort/LoadBalancer service. */
  readonly externalPolicyLocal: boolean;
  /** internalTrafficPolicy=Local. */
  readonly internalPolicyLocal: boolean;
  /** spec.healthCheckNodePort (Local external policy); 0 when none. */
  readonly healthCheckNodePort: number;
}

/** One ready endpoint of a service port. */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** Runs on this node (address.nodeName equals the proxy's hostname). */
  readonly isLocal: boolean;
}

export function endpointString(e: Pick<EndpointInfo, 'ip' | 'port'>): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export type ServiceMap = ReadonlyMap<ServicePortKey, ServicePortInfo>;
export type EndpointsMap = ReadonlyMap<ServicePortKey, readonly EndpointInfo[]>;

export type ServiceObj = DeepReadonly<Service>;
export type EndpointsObj = DeepReadonly<Endpoints>;

/** Typed Service events (upstream config.ServiceHandler). */
export interface ServiceHandler {
  onServiceAdd(service: ServiceObj): void;
  onServiceUpdate(oldService: ServiceObj, service: ServiceObj): void;
  onServiceDelete(service: ServiceObj): void;
  /** Called once, after the informer's first list has been delivered. */
  onServicesSynced(): void;
}

/** Typed Endpoints events (upstream config.EndpointsHandler, the v1.8 API). */
export interface EndpointsHandler {
  onEndpointsAdd(endpoints: EndpointsObj): void;
  onEndpointsUpdate(oldEndpoints: EndpointsObj, endpoints: EndpointsObj): void;
  onEndpointsDelete(endpoints: EndpointsObj): void;
  onEndpointsSynced(): void;
}

/** What one sync did, for logs, metrics and tests. */
export interface SyncStats {
  /** False when the sync was skipped because the informers have not synced yet. */
  readonly ran: boolean;
  readonly full: boolean;
  readonly services: number;
  readonly endpoints: number;
  /** Rules written (restore lines), when the mode writes iptables. */
  readonly rulesWritten: number;
  readonly durationMs: number;
}

/** Observes syncs: the healthz server's timestamp and the metrics (server.ts wires both). */
export interface SyncObserver {
  /** After every successful sync, with its duration. */
  synced(stats: SyncStats, at: number): void;
  /** After a failed sync (the runner retries). */
  failed(err: unknown): void;
}

/**
 * One proxy mode. Handlers are nearly free (record + request a sync);
 * sync() is the only method that touches the kernel; run() drives sync()
 * through the bounded-frequency runner until the signal aborts.
 */
export interface Proxier extends ServiceHandler, EndpointsHandler {
  readonly mode: ProxyMode;
  /** Folds pending changes and writes the kernel now. Throws when the write failed (the caller retries). */
  sync(): Promise<SyncStats>;
  /** The sync loop (min/max interval, retry on failure) until signal aborts; closes what the mode opened. */
  run(signal: AbortSignal): Promise<void>;
  /** Removes every rule, chain and socket this mode made. */
  cleanup(): Promise<void>;
}
