import type { PriorityClass } from './types.js';

/** Upstream's SetDefaults_PriorityClass. Mutates pc. */
export function defaultPriorityClass(pc: PriorityClass): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}
