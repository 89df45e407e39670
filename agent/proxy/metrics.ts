/**
 * kube-proxy's Prometheus metrics (subsystem `kubeproxy`), named as upstream
 * so existing dashboards work: the current names
 * (sync_proxy_rules_duration_seconds, sync_proxy_rules_last_timestamp_seconds,
 * restore failures, full/partial split) and v1.8's
 * sync_proxy_rules_latency_microseconds. One registry per instance, so tests
 * running several proxies in one process do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SyncObserver, SyncStats } from './types.js';

const SECONDS_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class ProxyMetrics implements SyncObserver {
  readonly registry = new Registry();
  readonly syncDuration = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly syncFullDuration = new Histogram({
    name: 'kubeproxy_sync_full_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds for full resyncs',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly syncPartialDuration = new Histogram({
    name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds for partial resyncs',
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly syncLatencyMicroseconds = new Histogram({
    name: 'kubeproxy_sync_proxy_rules_latency_microseconds',
    help: 'SyncProxyRules latency (the v1.8 name, in microseconds)',
    buckets: SECONDS_BUCKETS.map((s) => s * 1e6),
    registers: [this.registry],
  });
  readonly lastSync = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'The last time proxy rules were successfully synced',
    registers: [this.registry],
  });
  readonly restoreFailures = new Counter({
    name: 'kubeproxy_sync_proxy_rules_iptables_restore_failures_total',
    help: 'Cumulative proxy iptables restore failures',
    registers: [this.registry],
  });
  readonly rulesWritten = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_iptables_last',
    help: 'Number of iptables rules written by kube-proxy in the last sync',
    registers: [this.registry],
  });
  readonly services = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_services',
    help: 'Number of service ports programmed in the last sync',
    registers: [this.registry],
  });
  readonly endpoints = new Gauge({
    name: 'kubeproxy_sync_proxy_rules_endpoints',
    help: 'Number of endpoints programmed in the last sync',
    registers: [this.registry],
  });

  constructor(processMetrics = false) {
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  synced(s: SyncStats, at: number): void {
    const sec = s.durationMs / 1000;
    this.syncDuration.observe(sec);
    (s.full ? this.syncFullDuration : this.syncPartialDuration).observe(sec);
    this.syncLatencyMicroseconds.observe(s.durationMs * 1000);
    this.lastSync.set((at + s.durationMs) / 1000);
    this.rulesWritten.set(s.rulesWritten);
    this.services.set(s.services);
    this.endpoints.set(s.endpoints);
  }

  failed(): void {
    this.restoreFailures.inc();
  }
}
