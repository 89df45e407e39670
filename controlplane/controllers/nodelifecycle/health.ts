/**
 * The node lifecycle controller's pure decisions (upstream 1.8
 * nodecontroller.go tryUpdateNodeStatus, ComputeZoneState, GetZoneKey):
 * what a node's heartbeat says, when its silence becomes Unknown, and how
 * healthy a zone is. No I/O; the controller applies the results.
 *
 * Heartbeats are judged on the controller's own clock: the time it SAW
 * the Ready condition's lastHeartbeatTime (or the node Lease's renewTime)
 * change, never the time written in it, so a kubelet with a skewed clock is
 * judged fairly (upstream's probeTimestamp).
 */
import type { Lease } from '../../api/coordination/v1/types.js';
import type { Node, NodeCondition } from '../../api/core/v1/types.js';
import { parseTime } from '../../machinery/meta/helpers.js';
import type { RO } from '../common/types.js';

/** What the controller remembers of one node between passes (upstream nodeStatusData). */
export interface NodeHealth {
  /** When this controller last saw the node's heartbeat move (its clock, ms). */
  probeMs: number;
  /** When it saw the Ready status change (its clock, ms). */
  readyTransitionMs: number;
  /** The Ready condition's lastHeartbeatTime last seen. */
  heartbeat?: string;
  /** The node Lease's renewTime last seen. */
  leaseRenew?: string;
  /** The Ready status last seen (as written, by the kubelet or by this controller). */
  readyStatus?: string;
}

/** Conditions a silent node has set to Unknown (upstream's Ready plus the pressure conditions; NetworkUnavailable belongs to the route controller). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'OutOfDisk'] as const;
/** Added as Unknown when missing (OutOfDisk was gone by the kubelets we serve: only kept when present). */
const ADDED_WHEN_MISSING = new Set(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']);

export const STOPPED_REASON = 'NodeStatusUnknown';
export const STOPPED_MESSAGE = 'Kubelet stopped posting node status.';
export const NEVER_REASON = 'NodeStatusNeverUpdated';
export const NEVER_MESSAGE = 'Kubelet never posted node status.';

export function conditionOf(node: RO<Node>, type: string): RO<NodeCondition> | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

export interface Observation {
  health: NodeHealth;
  /** How long this node may stay silent. */
  gracePeriodMs: number;
  /** The Ready condition as the node shows it now (before this controller changes anything). */
  observedReady?: RO<NodeCondition>;
}

/**
 * Folds what the node (and its Lease) shows now into what was remembered.
 * A node seen for the first time counts as heard from now, so a restarted
 * controller gives every node a full grace period; a node that never posted
 * a Ready condition is judged from its creation with the startup grace.
 */
export function observe(prev: NodeHealth | undefined, node: RO<Node>, lease: RO<Lease> | undefined, nowMs: number, o: { monitorGracePeriodMs: number; startupGracePeriodMs: number }): Observation {
  const ready = conditionOf(node, 'Ready');
  const leaseRenew = lease?.spec?.renewTime ?? undefined;
  if (!ready) {
    const created = parseTime(node.metadata.creationTimestamp)?.getTime() ?? nowMs;
    // A renewed Lease is a heartbeat even before the first status post.
    const probeMs = prev && leaseRenew !== undefined && leaseRenew !== prev.leaseRenew ? nowMs : Math.max(created, prev?.probeMs ?? created);
    return { health: { probeMs, readyTransitionMs: created, leaseRenew }, gracePeriodMs: o.startupGracePeriodMs };
  }
  const heartbeat = ready.lastHeartbeatTime ?? undefined;
  let h: NodeHealth;
  if (!prev || prev.readyStatus === undefined) {
    h = { probeMs: nowMs, readyTransitionMs: nowMs, heartbeat, leaseRenew, readyStatus: ready.status };
  } else {
    h = { ...prev };
    if (heartbeat !== prev.heartbeat) {
      h.probeMs = nowMs;
      h.heartbeat = heartbeat;
    }
    if (leaseRenew !== undefined && leaseRenew !== prev.leaseRenew) h.probeMs = nowMs;
    h.leaseRenew = leaseRenew;
    if (ready.status !== prev.readyStatus) {
      h.readyTransitionMs = nowMs;
      h.readyStatus = ready.status;
    }
  }
  return { health: h, gracePeriodMs: o.monitorGracePeriodMs, observedReady: ready };
}

/**
 * Sets the monitored conditions of a node that stopped posting status to
 * Unknown (mutates `node`, a copy). lastHeartbeatTime keeps the last time the
 * kubelet was heard from. Returns whether anything changed.
 */
export function markUnknown(node: Node, nowIso: string): boolean {
  node.status ??= {};
  const conds = (node.status.conditions ??= []);
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      if (!ADDED_WHEN_MISSING.has(type)) continue;
      conds.push({ type, status: 'Unknown', reason: NEVER_REASON, message: NEVER_MESSAGE, lastHeartbeatTime: node.metadata.creationTimestamp ?? nowIso, lastTransitionTime: nowIso });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = STOPPED_REASON;
      c.message = STOPPED_MESSAGE;
      c.lastTransitionTime = nowIso;
      changed = true;
    }
  }
  return changed;
}

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/**
 * A zone's health from its nodes' Ready statuses (undefined = no condition):
 * none ready → FullDisruption; at least 3 not ready and that fraction at or
 * above the threshold → PartialDisruption; else Normal.
 */
export function computeZoneState(readyStatuses: readonly (string | undefined)[], unhealthyZoneThreshold: number): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const s of readyStatuses) {
    if (s === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyZoneThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

export const ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
export const REGION_LABEL = 'failure-domain.beta.kubernetes.io/region';

/** The node's zone as `region:zone` ("" without the failure-domain labels: the whole cluster is one zone). */
export function zoneKey(node: RO<Node>): string {
  const l = node.metadata.labels ?? {};
  const region = l[REGION_LABEL] ?? l['topology.kubernetes.io/region'] ?? '';
  const zone = l[ZONE_LABEL] ?? l['topology.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:${zone}`;
}

/** The eviction rate for a zone in a given state (upstream setLimiterInZone with HealthyQPSFunc / ReducedQPSFunc). */
export function evictionRateFor(state: ZoneState, zoneSize: number, o: { evictionRate: number; secondaryEvictionRate: number; largeClusterSizeThreshold: number }): number {
  switch (state) {
    case 'PartialDisruption':
      return zoneSize > o.largeClusterSizeThreshold ? o.secondaryEvictionRate : 0;
    default:
      // Normal, and FullDisruption of one zone while others are up: that zone is most likely really gone.
      return o.evictionRate;
  }
}
