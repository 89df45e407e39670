/**
 * The eviction manager's vocabulary (upstream pkg/kubelet/eviction/api and
 * types.go, v1.8): signals, thresholds, observations, the node conditions
 * they map to, and the Manager the kubelet talks to.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { Admission } from '../container/security.js';

/** The signals kubets evaluates (v1.8's, minus the allocatable* ones it has no cgroup hierarchy for). */
export const SIGNALS = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The resource a signal measures: the word in "The node was low on resource: <resource>." */
export type StarvedResource = 'memory' | 'nodefs' | 'nodefsInodes' | 'imagefs' | 'imagefsInodes';

export const SIGNAL_RESOURCE: Readonly<Record<Signal, StarvedResource>> = {
  'memory.available': 'memory',
  'nodefs.available': 'nodefs',
  'nodefs.inodesFree': 'nodefsInodes',
  'imagefs.available': 'imagefs',
  'imagefs.inodesFree': 'imagefsInodes',
};

export type PressureCondition = 'MemoryPressure' | 'DiskPressure';

export const SIGNAL_CONDITION: Readonly<Record<Signal, PressureCondition>> = {
  'memory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
};

/** Either an absolute amount (bytes, or inodes) or a fraction (0 < p ≤ 1) of the signal's capacity. */
export interface ThresholdValue {
  quantity?: number;
  percentage?: number;
}

export interface Threshold {
  signal: Signal;
  /** The only operator: the signal's available amount is below the value. */
  operator: 'LessThan';
  value: ThresholdValue;
  /** 0 for a hard threshold; a soft one must hold this long before pods are evicted. */
  gracePeriodMs: number;
  /** Once met, the threshold stays met until available ≥ value + minReclaim. */
  minReclaim?: ThresholdValue;
}

/** What a signal measured: how much is available out of how much. */
export interface Observation {
  available: number;
  capacity: number;
  /** When the underlying stats were taken (ms since the epoch). */
  time?: number;
}

export type Observations = ReadonlyMap<Signal, Observation>;

/** The reason written to an evicted pod's status and event (upstream `reason`). */
export const EVICTED_REASON = 'Evicted';

/** "The node was low on resource: memory." (upstream `message` with %v). */
export function lowOnResourceMessage(what: string): string {
  return `The node was low on resource: ${what}.`;
}

export interface EvictionManager {
  /** Admission of a new pod: BestEffort pods are refused under memory pressure, every pod under disk pressure. */
  admit(pod: DeepReadonly<Pod>): Admission;
  isUnderMemoryPressure(): boolean;
  isUnderDiskPressure(): boolean;
  /** Observes, reports, evicts at most one pod per pass, until signal aborts. */
  run(signal: AbortSignal): Promise<void>;
}
