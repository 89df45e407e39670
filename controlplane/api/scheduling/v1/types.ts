/** scheduling.k8s.io/v1 wire types. */
import type { ObjectMeta, ListMeta } from '../../../machinery/meta/types.js';

export type PreemptionPolicy = 'PreemptLowerPriority' | 'Never';

/** A named priority a pod can ask for with spec.priorityClassName. Cluster-scoped. */
export interface PriorityClass {
  apiVersion?: 'scheduling.k8s.io/v1';
  kind?: 'PriorityClass';
  metadata?: ObjectMeta;
  /** The integer priority; higher is more important. User classes are at most 1,000,000,000. */
  value: number;
  /** The priority of pods without a priorityClassName; at most one class may set it. */
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: PreemptionPolicy;
}

export interface PriorityClassList {
  apiVersion?: 'scheduling.k8s.io/v1';
  kind?: 'PriorityClassList';
  metadata?: ListMeta;
  items: PriorityClass[];
}
