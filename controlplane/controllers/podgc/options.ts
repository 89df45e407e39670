/** The pod GC flag (--terminated-pod-gc-threshold) and its period (upstream's fixed gcCheckPeriod). */
import type { ParsedFlags } from '../../machinery/flags/parsed.js';

export interface PodGCOptions {
  /** --terminated-pod-gc-threshold: more finished pods than this, the oldest go; <= 0 disables that part. */
  terminatedPodThreshold: number;
  /** How often the collector looks (upstream's gcCheckPeriod, 20 s; not a flag). */
  periodMs: number;
}

export function defaultPodGCOptions(): PodGCOptions {
  return { terminatedPodThreshold: 12500, periodMs: 20_000 };
}

export function podGCOptionsFromFlags(f: ParsedFlags): PodGCOptions {
  return { ...defaultPodGCOptions(), terminatedPodThreshold: f.number('terminated-pod-gc-threshold') };
}
