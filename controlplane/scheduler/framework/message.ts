/**
 * The FailedScheduling message, in upstream's form:
 *   0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.
 * Each reason is counted once per node it applies to ("<count> <reason>"), and
 * the parts are sorted as strings, as upstream's sortReasonsHistogram does.
 */
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export function failureMessage(numAllNodes: number, histogram: ReadonlyMap<string, number>): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}
