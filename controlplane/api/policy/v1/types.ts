/** policy/v1: PodDisruptionBudget and Eviction (the body of pods/eviction). */
import type { IntOrString } from '../../../machinery/intstr.js';
import type { Condition, LabelSelector, ListMeta, ObjectMeta, Time } from '../../../machinery/meta/types.js';
import type { TypedObject } from '../../core/v1/types.js';

export interface PodDisruptionBudgetSpec {
  minAvailable?: IntOrString;
  selector?: LabelSelector;
  maxUnavailable?: IntOrString;
  unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}
export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, Time>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  conditions?: Condition[];
}
export interface PodDisruptionBudget extends TypedObject {
  metadata: ObjectMeta;
  spec?: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}
export interface PodDisruptionBudgetList extends TypedObject {
  metadata: ListMeta;
  items: PodDisruptionBudget[];
}

/** metav1.DeleteOptions as it may ride inside an Eviction. */
export interface DeleteOptions extends TypedObject {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  dryRun?: string[];
}
export interface Eviction extends TypedObject {
  metadata: ObjectMeta;
  deleteOptions?: DeleteOptions;
}
