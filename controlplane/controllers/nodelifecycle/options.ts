/**
 * The node lifecycle flags with the seeds' defaults (1.8's NodeController):
 * how often nodes are checked, how long a silent kubelet is tolerated, and
 * how fast pods are evicted from nodes that stay down.
 */
import type { ParsedFlags } from '../../machinery/flags/parsed.js';

export interface NodeLifecycleOptions {
  /** --node-monitor-period. */
  monitorPeriodMs: number;
  /** --node-monitor-grace-period: a Ready node silent this long becomes Unknown. */
  monitorGracePeriodMs: number;
  /** --node-startup-grace-period: the same for a node that never posted a Ready condition. */
  startupGracePeriodMs: number;
  /** --pod-eviction-timeout: not ready this long, its pods are deleted. */
  podEvictionTimeoutMs: number;
  /** --node-eviction-rate: nodes per second whose pods are deleted, in a healthy zone. */
  evictionRate: number;
  /** --secondary-node-eviction-rate: the same in a partially disrupted large zone. */
  secondaryEvictionRate: number;
  /** --large-cluster-size-threshold: a zone above this many nodes is "large". */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold: the not-ready fraction (and at least 3) that makes a zone partially disrupted. */
  unhealthyZoneThreshold: number;
}

export function defaultNodeLifecycleOptions(): NodeLifecycleOptions {
  return {
    monitorPeriodMs: 5_000,
    monitorGracePeriodMs: 40_000,
    startupGracePeriodMs: 60_000,
    podEvictionTimeoutMs: 300_000,
    evictionRate: 0.1,
    secondaryEvictionRate: 0.01,
    largeClusterSizeThreshold: 50,
    unhealthyZoneThreshold: 0.55,
  };
}

/** Problems with the options, each naming its flag ([] = fine). */
export function checkNodeLifecycleOptions(o: NodeLifecycleOptions): string[] {
  const errs: string[] = [];
  if (!(o.monitorPeriodMs > 0)) errs.push(`invalid value for --node-monitor-period: must be positive`);
  if (o.evictionRate < 0) errs.push(`invalid value for --node-eviction-rate: ${o.evictionRate} (must not be negative)`);
  if (o.secondaryEvictionRate < 0) errs.push(`invalid value for --secondary-node-eviction-rate: ${o.secondaryEvictionRate} (must not be negative)`);
  if (!(o.unhealthyZoneThreshold >= 0 && o.unhealthyZoneThreshold <= 1)) errs.push(`invalid value for --unhealthy-zone-threshold: ${o.unhealthyZoneThreshold} (must be between 0 and 1)`);
  return errs;
}

/** Reads the flags; `fail` turns a problem into the caller's flag error (exit code 2). */
export function nodeLifecycleOptionsFromFlags(f: ParsedFlags, fail: (msg: string) => never): NodeLifecycleOptions {
  const o: NodeLifecycleOptions = {
    monitorPeriodMs: f.duration('node-monitor-period'),
    monitorGracePeriodMs: f.duration('node-monitor-grace-period'),
    startupGracePeriodMs: f.duration('node-startup-grace-period'),
    podEvictionTimeoutMs: f.duration('pod-eviction-timeout'),
    evictionRate: f.number('node-eviction-rate'),
    secondaryEvictionRate: f.number('secondary-node-eviction-rate'),
    largeClusterSizeThreshold: f.number('large-cluster-size-threshold'),
    unhealthyZoneThreshold: f.number('unhealthy-zone-threshold'),
  };
  const errs = checkNodeLifecycleOptions(o);
  if (errs.length) fail(errs[0]);
  return o;
}
