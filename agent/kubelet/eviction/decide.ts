/**
 * Pure decisions of one eviction pass (upstream eviction/helpers.go, v1.8):
 * observations from the stats summary, which thresholds are met (and, once
 * met, stay met until the minimum reclaim is reached), how long each has
 * been met (soft grace periods), which node conditions to report (held for
 * --eviction-pressure-transition-period after the last time they were met),
 * and which starved resource to reclaim first (memory before disk).
 */
import type { Summary } from '../stats/types.js';
import { SIGNAL_CONDITION, SIGNAL_RESOURCE, type Observation, type Observations, type PressureCondition, type Signal, type StarvedResource, type Threshold, type ThresholdValue } from './types.js';

/** The signals a summary yields (upstream makeSignalObservations). */
export function observationsFromSummary(s: Summary): Map<Signal, Observation> {
  const out = new Map<Signal, Observation>();
  const t = (x: string | undefined) => (x ? Date.parse(x) : undefined);
  const m = s.node.memory;
  if (m?.availableBytes !== undefined && m.workingSetBytes !== undefined) {
    out.set('memory.available', { available: m.availableBytes, capacity: m.availableBytes + m.workingSetBytes, time: t(m.time) });
  }
  const nfs = s.node.fs;
  if (nfs?.availableBytes !== undefined && nfs.capacityBytes !== undefined) out.set('nodefs.available', { available: nfs.availableBytes, capacity: nfs.capacityBytes, time: t(nfs.time) });
  if (nfs?.inodesFree !== undefined && nfs.inodes !== undefined) out.set('nodefs.inodesFree', { available: nfs.inodesFree, capacity: nfs.inodes, time: t(nfs.time) });
  const ifs = s.node.runtime?.imageFs;
  if (ifs?.availableBytes !== undefined && ifs.capacityBytes !== undefined) {
    out.set('imagefs.available', { available: ifs.availableBytes, capacity: ifs.capacityBytes, time: t(ifs.time) });
    if (ifs.inodesFree !== undefined && ifs.inodes !== undefined) out.set('imagefs.inodesFree', { available: ifs.inodesFree, capacity: ifs.inodes, time: t(ifs.time) });
  }
  return out;
}

/** A threshold value in the signal's unit: the quantity, or ⌊capacity × percentage⌋. */
export function thresholdQuantity(v: ThresholdValue, capacity: number): number {
  if (v.quantity !== undefined) return v.quantity;
  return Math.floor(capacity * (v.percentage ?? 0));
}

/** Identity of a threshold (the same signal may have a hard and a soft one). */
export function thresholdKey(t: Threshold): string {
  return `${t.signal}|${t.gracePeriodMs}|${t.value.quantity ?? ''}|${t.value.percentage ?? ''}`;
}

/** Thresholds met now; with enforceMinReclaim the bar is value + minReclaim (a met threshold is resolved only past it). */
export function thresholdsMet(thresholds: readonly Threshold[], obs: Observations, enforceMinReclaim: boolean): Threshold[] {
  return thresholds.filter((t) => {
    const o = obs.get(t.signal);
    if (!o) return false;
    let q = thresholdQuantity(t.value, o.capacity);
    if (enforceMinReclaim && t.minReclaim) q += thresholdQuantity(t.minReclaim, o.capacity);
    return q > o.available;
  });
}

export function mergeThresholds(a: readonly Threshold[], b: readonly Threshold[]): Threshold[] {
  const keys = new Set(a.map(thresholdKey));
  return [...a, ...b.filter((t) => !keys.has(thresholdKey(t)))];
}

/** Conditions the given thresholds mean, each once, in a stable order. */
export function nodeConditions(thresholds: readonly Threshold[]): PressureCondition[] {
  const set = new Set(thresholds.map((t) => SIGNAL_CONDITION[t.signal]));
  return (['MemoryPressure', 'DiskPressure'] as const).filter((c) => set.has(c));
}

/** Memory is reclaimed before any disk resource; then in signal order. */
export function starvedResources(thresholds: readonly Threshold[]): StarvedResource[] {
  const order: StarvedResource[] = ['memory', 'nodefs', 'nodefsInodes', 'imagefs', 'imagefsInodes'];
  const set = new Set(thresholds.map((t) => SIGNAL_RESOURCE[t.signal]));
  return order.filter((r) => set.has(r));
}

/** True when every threshold met for the resource is soft (pods then get --eviction-max-pod-grace-period). */
export function isSoftEviction(thresholds: readonly Threshold[], resource: StarvedResource): boolean {
  return thresholds.filter((t) => SIGNAL_RESOURCE[t.signal] === resource).every((t) => t.gracePeriodMs > 0);
}

export interface EvictionState {
  /** Thresholds that drove eviction last pass (grace periods satisfied, min reclaim not yet). */
  thresholdsMet: Threshold[];
  /** When each currently met threshold was first seen met. */
  firstObservedAt: Map<string, { threshold: Threshold; at: number }>;
  /** When each pressure condition was last seen. */
  conditionsLastObservedAt: Map<PressureCondition, number>;
  lastObservations: Observations;
}

export function initialState(): EvictionState {
  return { thresholdsMet: [], firstObservedAt: new Map(), conditionsLastObservedAt: new Map(), lastObservations: new Map() };
}

export interface Evaluation {
  state: EvictionState;
  /** Conditions to report: met now, or within the transition period. */
  conditions: PressureCondition[];
  /** Thresholds to act on now: met, grace period over, stats fresher than last pass. */
  actionable: Threshold[];
}

/** One pass of the manager's bookkeeping (upstream synchronize, up to the choice of a resource). */
export function evaluate(thresholds: readonly Threshold[], prev: EvictionState, obs: Observations, now: number, transitionPeriodMs: number): Evaluation {
  let met = thresholdsMet(thresholds, obs, false);
  if (prev.thresholdsMet.length > 0) met = mergeThresholds(met, thresholdsMet(prev.thresholdsMet, obs, true));

  const firstObservedAt = new Map<string, { threshold: Threshold; at: number }>();
  for (const t of met) {
    const k = thresholdKey(t);
    firstObservedAt.set(k, { threshold: t, at: prev.firstObservedAt.get(k)?.at ?? now });
  }

  const conditionsLastObservedAt = new Map(prev.conditionsLastObservedAt);
  for (const c of nodeConditions(met)) conditionsLastObservedAt.set(c, now);
  const conditions = (['MemoryPressure', 'DiskPressure'] as const).filter((c) => {
    const at = conditionsLastObservedAt.get(c);
    return at !== undefined && now - at < transitionPeriodMs;
  });
  // A condition met this very pass is reported even with a zero transition period.
  for (const c of nodeConditions(met)) if (!conditions.includes(c)) conditions.push(c);

  const graceMet = [...firstObservedAt.values()].filter((e) => now - e.at >= e.threshold.gracePeriodMs).map((e) => e.threshold);
  // Only act on thresholds whose stats moved on since the last pass (no double eviction on stale numbers).
  const actionable = graceMet.filter((t) => {
    const o = obs.get(t.signal);
    const last = prev.lastObservations.get(t.signal);
    return !last || o?.time === undefined || last.time === undefined || o.time > last.time;
  });
  return {
    state: { thresholdsMet: graceMet, firstObservedAt, conditionsLastObservedAt, lastObservations: obs },
    conditions: conditions.sort((a, b) => (a === b ? 0 : a === 'MemoryPressure' ? -1 : 1)),
    actionable,
  };
}
