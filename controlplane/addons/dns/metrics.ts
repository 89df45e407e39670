/**
 * kube-dns's Prometheus metrics. Upstream's skydns counters
 * (skydns_skydns_dns_request_count_total …) have no type/rcode labels; these
 * names are kubets' own, under the kubedns_ prefix. One registry per
 * instance, so tests running several servers in one process don't collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class DnsMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'kubedns_dns_requests_total',
    help: 'DNS requests answered, by transport, question type and response code.',
    labelNames: ['proto', 'type', 'rcode'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'kubedns_dns_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by who answered: the cluster zone, a stub domain or the upstream nameservers.',
    labelNames: ['source'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly forwardFailures = new Counter({
    name: 'kubedns_dns_forward_failures_total',
    help: 'Forwarded requests no nameserver answered (answered SERVFAIL).',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });
  readonly malformed = new Counter({
    name: 'kubedns_dns_malformed_requests_total',
    help: 'Requests that could not be parsed (answered FORMERR when the header was readable, else dropped).',
    registers: [this.registry],
  });
  readonly truncated = new Counter({
    name: 'kubedns_dns_truncated_responses_total',
    help: 'UDP responses sent with the TC bit because they did not fit the client\'s size.',
    registers: [this.registry],
  });
  readonly objects = new Gauge({
    name: 'kubedns_cached_objects',
    help: 'Objects in the informer caches, by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });

  constructor(processMetrics = false) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  // The per-label children, looked up once: prom-client hashes the label object on every call otherwise.
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(v: number): void }>();

  /** One answered request. */
  observe(proto: string, type: string, rcode: string, source: string, seconds: number): void {
    const k = `${proto}|${type}|${rcode}`;
    let c = this.requestChildren.get(k);
    if (!c) this.requestChildren.set(k, (c = this.requests.labels({ proto, type, rcode })));
    c.inc();
    let d = this.durationChildren.get(source);
    if (!d) this.durationChildren.set(source, (d = this.duration.labels({ source })));
    d.observe(seconds);
  }
}
