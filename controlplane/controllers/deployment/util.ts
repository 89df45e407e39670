/**
 * Deployment arithmetic and bookkeeping (upstream
 * pkg/controller/deployment/util/deployment_util.go). Everything here is
 * pure: functions read ReplicaSets and Deployments and return numbers or
 * decisions; those that set annotations or conditions mutate only the
 * (mutable) object they are handed and say so.
 */
import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from '../../api/apps/v1/types.js';
import { scaledValueFromIntOrPercent } from '../../machinery/intstr.js';
import { formatRFC3339, parseTime } from '../../machinery/meta/helpers.js';
import type { RO } from '../common/types.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
/** revision-history is capped (in characters) so undo loops cannot grow an annotation without bound. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

// Condition reasons, as kubectl and dashboards read them.
export const REASON_NEW_RS_CREATED = 'NewReplicaSetCreated';
export const REASON_FOUND_NEW_RS = 'FoundNewReplicaSet';
export const REASON_RS_UPDATED = 'ReplicaSetUpdated';
export const REASON_NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const REASON_TIMED_OUT = 'ProgressDeadlineExceeded';
export const REASON_RS_CREATE_ERROR = 'ReplicaSetCreateError';
export const REASON_PAUSED = 'DeploymentPaused';
export const REASON_RESUMED = 'DeploymentResumed';
export const REASON_MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const REASON_MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** progressDeadlineSeconds = MaxInt32 means "no deadline" (the apps/v1 way of saying unset). */
const MAX_INT32 = 2147483647;

export type RS = RO<ReplicaSet>;
export type DeploymentView = RO<Deployment>;

export function desiredReplicas(d: DeploymentView): number {
  return d.spec?.replicas ?? 1;
}

export function specReplicas(rs: RS | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

export function isRollingUpdate(d: DeploymentView): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * maxSurge and maxUnavailable as numbers against the desired count
 * (ResolveFenceposts): surge rounds up, unavailable down, and both zero
 * becomes unavailable 1, or a rollout could never make progress.
 */
export function resolveFenceposts(d: DeploymentView): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = desiredReplicas(d);
  const surge = scaledValueFromIntOrPercent(ru?.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: DeploymentView): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: DeploymentView): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

// ---- counting -----------------------------------------------------------------------

const sum = (rss: readonly (RS | undefined)[], f: (rs: RS) => number): number => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Sum of spec.replicas. */
export const replicaCount = (rss: readonly (RS | undefined)[]): number => sum(rss, (rs) => rs.spec?.replicas ?? 0);
/** Sum of status.replicas (pods that exist). */
export const actualReplicaCount = (rss: readonly (RS | undefined)[]): number => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: readonly (RS | undefined)[]): number => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: readonly (RS | undefined)[]): number => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** ReplicaSets with pods wanted (spec.replicas > 0). */
export function activeReplicaSets(rss: readonly (RS | undefined)[]): RS[] {
  return rss.filter((rs): rs is RS => rs !== undefined && specReplicas(rs) > 0);
}

// ---- ordering -----------------------------------------------------------------------

function created(rs: RS): number {
  return parseTime(rs.metadata?.creationTimestamp ?? undefined)?.getTime() ?? 0;
}

/** Oldest first; name breaks ties (creation times have one-second resolution). */
export function byCreation(a: RS, b: RS): number {
  return created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** Larger first; ties oldest first (scale-down order in proportional scaling). */
export function bySizeOlder(a: RS, b: RS): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Larger first; ties newest first (scale-up order in proportional scaling). */
export function bySizeNewer(a: RS, b: RS): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Lowest revision first; creation order breaks ties. */
export function byRevision(a: RS, b: RS): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

// ---- revisions and annotations ------------------------------------------------------------

/** The revision annotation as a number; 0 when absent or malformed. */
export function revisionOf(rs: RS | undefined): number {
  const v = rs?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (!v || !/^[0-9]+$/.test(v)) return 0;
  return Number(v);
}

export function maxRevision(rss: readonly RS[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function skipCopy(key: string): boolean {
  return key === LAST_APPLIED_ANNOTATION || key === REVISION_ANNOTATION || key === REVISION_HISTORY_ANNOTATION || key === DESIRED_REPLICAS_ANNOTATION || key === MAX_REPLICAS_ANNOTATION || key === ROLLBACK_TO_ANNOTATION;
}

/**
 * The Deployment's annotations (change-cause and the user's own) onto its new
 * ReplicaSet, except the ones the controller keeps per object. Mutates rs;
 * returns whether anything changed.
 */
export function copyDeploymentAnnotations(d: DeploymentView, rs: ReplicaSet): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopy(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas. Mutates rs; returns whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (ann[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    ann[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: RS, desired: number, max: number): boolean {
  const ann = rs.metadata?.annotations ?? {};
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: RS, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined;
}

export const desiredReplicasAnnotation = (rs: RS): number | undefined => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: RS): number | undefined => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the
 * revision to newRevision, record a superseded revision in revision-history
 * (this is how `rollout undo` makes an old revision disappear from history),
 * and for a brand-new set the replicas annotations. Mutates rs; returns
 * whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: DeploymentView, rs: ReplicaSet, newRevision: number, exists: boolean, historyLimit = MAX_REVISION_HISTORY_CHARS): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldRevisionText = ann[REVISION_ANNOTATION];
  const oldRevision = oldRevisionText && /^[0-9]+$/.test(oldRevisionText) ? Number(oldRevisionText) : 0;
  if (oldRevisionText && !/^[0-9]+$/.test(oldRevisionText)) return changed; // someone wrote garbage: leave it alone
  if (oldRevision < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldRevisionText) {
      const history = ann[REVISION_HISTORY_ANNOTATION];
      if (!history) ann[REVISION_HISTORY_ANNOTATION] = oldRevisionText;
      else {
        // Drop the oldest entries until the new one fits.
        let entries = history.split(',');
        let total = history.length + oldRevisionText.length + 1;
        let start = 0;
        while (total > historyLimit && start < entries.length) total -= entries[start++].length + 1;
        if (total <= historyLimit) {
          entries = [...entries.slice(start), oldRevisionText];
          ann[REVISION_HISTORY_ANNOTATION] = entries.join(',');
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- replica math -------------------------------------------------------------------------

/**
 * How many replicas the new ReplicaSet may have now (NewRSNewReplicas):
 * Recreate jumps to the desired count; RollingUpdate grows it by what the
 * surge budget leaves, never past the desired count.
 */
export function newRSNewReplicas(d: DeploymentView, all: readonly RS[], newRS: RS): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = replicaCount(all);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** IsSaturated: the new set has all desired replicas, and all are available. */
export function isSaturated(d: DeploymentView, rs: RS | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const n = desiredReplicas(d);
  return specReplicas(rs) === n && desired === n && (rs.status?.availableReplicas ?? 0) === n;
}

/**
 * The share of a scaling step (toAdd, of which added is done) that rs gets
 * in proportional scaling (GetProportion): its size relative to the size
 * the Deployment had when rs was last scaled (the max-replicas annotation).
 */
export function proportion(rs: RS, d: DeploymentView, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: RS, d: DeploymentView): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  // Go's math.Round: half away from zero.
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  const rounded = Math.sign(size) * Math.round(Math.abs(size));
  return rounded - specReplicas(rs);
}

// ---- status and conditions ------------------------------------------------------------------

export type Condition = WorkloadCondition;

export function getCondition(s: RO<DeploymentStatus> | undefined, type: string): RO<Condition> | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, nowMs: number): Condition {
  const t = formatRFC3339(new Date(nowMs));
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/**
 * SetDeploymentCondition: same status and reason → no change at all;
 * same status, new reason → keep lastTransitionTime. Mutates status.
 */
export function setCondition(status: DeploymentStatus, c: Condition): void {
  const cur = status.conditions?.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: DeploymentView): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

/** DeploymentComplete: every replica updated and available, and this generation observed. */
export function deploymentComplete(d: DeploymentView, s: RO<DeploymentStatus>): boolean {
  const n = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === n && (s.replicas ?? 0) === n && (s.availableReplicas ?? 0) === n && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than last time. */
export function deploymentProgressing(d: DeploymentView, next: RO<DeploymentStatus>): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: the Progressing condition has not moved for progressDeadlineSeconds. */
export function deploymentTimedOut(d: DeploymentView, s: RO<DeploymentStatus>, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  const from = parseTime(c.lastUpdateTime ?? undefined)?.getTime();
  if (from === undefined) return false;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}
