/**
 * The userspace mode's load balancer (v1.8 roundrobin.go): per service port
 * a shuffled endpoint list and a round-robin index, plus optional ClientIP
 * affinity (client IP → endpoint, kept while used within the timeout).
 *
 * The list is reshuffled and the index reset whenever the set of endpoints
 * changes, so every proxy does not start on the same first endpoint.
 * Affinity entries for endpoints that went away are dropped at once; idle
 * ones are swept by cleanupStaleAffinity() on every sync.
 */
import { endpointString, type EndpointInfo, type ServicePortKey } from '../types.js';

export class NoEndpointsError extends Error {
  readonly code = 'NoEndpoints';
  constructor(readonly service: ServicePortKey) {
    super(`${service}: no endpoints available`);
    this.name = 'NoEndpointsError';
  }
}

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

interface BalancerState {
  endpoints: string[];
  index: number;
  affinitySeconds: number;
  affinity: Map<string, Affinity>;
}

export class RoundRobinLoadBalancer {
  private readonly services = new Map<ServicePortKey, BalancerState>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly rand: () => number = Math.random,
  ) {}

  private state(key: ServicePortKey): BalancerState {
    let s = this.services.get(key);
    if (!s) this.services.set(key, (s = { endpoints: [], index: 0, affinitySeconds: 0, affinity: new Map() }));
    return s;
  }

  /** Sets ClientIP affinity (0 = none); turning it off forgets the clients. */
  setAffinity(key: ServicePortKey, seconds: number): void {
    const s = this.state(key);
    if (s.affinitySeconds !== seconds) s.affinity.clear();
    s.affinitySeconds = seconds;
  }

  /** Replaces the endpoints; a change of the set reshuffles and resets the index. */
  setEndpoints(key: ServicePortKey, eps: readonly EndpointInfo[]): void {
    const s = this.state(key);
    const next = [...new Set(eps.map(endpointString))];
    const same = next.length === s.endpoints.length && next.every((e) => s.endpoints.includes(e));
    if (same) return;
    for (let i = next.length - 1; i > 0; i--) {
      const j = Math.floor(this.rand() * (i + 1));
      [next[i], next[j]] = [next[j], next[i]];
    }
    s.endpoints = next;
    s.index = 0;
    for (const [client, a] of s.affinity) if (!next.includes(a.endpoint)) s.affinity.delete(client);
  }

  remove(key: ServicePortKey): void {
    this.services.delete(key);
  }

  endpoints(key: ServicePortKey): readonly string[] {
    return this.services.get(key)?.endpoints ?? [];
  }

  /**
   * The endpoint (`ip:port`) for a new connection from clientIP. With
   * `ignoreAffinity` (a retry after a failed dial) the next endpoint in turn
   * is used and remembered. Throws NoEndpointsError.
   */
  next(key: ServicePortKey, clientIP: string, ignoreAffinity = false): string {
    const s = this.services.get(key);
    if (!s || s.endpoints.length === 0) throw new NoEndpointsError(key);
    const now = this.now();
    if (s.affinitySeconds > 0 && !ignoreAffinity) {
      const a = s.affinity.get(clientIP);
      if (a && now - a.lastUsed < s.affinitySeconds * 1000) {
        a.lastUsed = now;
        return a.endpoint;
      }
    }
    const ep = s.endpoints[s.index % s.endpoints.length];
    s.index = (s.index + 1) % s.endpoints.length;
    if (s.affinitySeconds > 0) s.affinity.set(clientIP, { endpoint: ep, lastUsed: now });
    return ep;
  }

  /** Forgets affinity entries idle longer than the timeout. */
  cleanupStaleAffinity(): void {
    const now = this.now();
    for (const s of this.services.values()) {
      for (const [client, a] of s.affinity) if (now - a.lastUsed >= s.affinitySeconds * 1000) s.affinity.delete(client);
    }
  }
}
