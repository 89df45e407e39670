/**
 * Job arithmetic (upstream pkg/controller/job/job_controller.go, without
 * finalizer-based tracking): how many pods to want, when the job has failed
 * or completed, and how long to back off after failures. Pure.
 */
import type { Job, JobCondition } from '../../api/batch/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { parseTime } from '../../machinery/meta/helpers.js';
import type { RO } from '../common/types.js';

/** The first retry after a failed pod waits 10 s, doubling per failure up to 6 min (DefaultJobBackOff / MaxJobBackOff). */
export const JOB_BACKOFF_BASE_MS = 10_000;
export const JOB_BACKOFF_MAX_MS = 360_000;

export function isJobFinished(job: RO<Job>): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** When the job finished (completionTime, or the Failed condition's transition), in ms. */
export function finishedAt(job: RO<Job>): number | undefined {
  const t = job.status?.completionTime ?? job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.lastTransitionTime;
  return parseTime(t ?? undefined)?.getTime();
}

/** Pods wanted running now: no more than parallelism, and no more than the completions still missing. */
export function wantActive(job: RO<Job>, active: number, succeeded: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) {
    // A work-queue job: once any pod succeeded, no new pods; the rest finish on their own.
    return succeeded > 0 ? Math.min(active, parallelism) : parallelism;
  }
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** Complete: enough successes, or (no completions set) a success and nothing left running. */
export function isComplete(job: RO<Job>, active: number, succeeded: number): boolean {
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) return succeeded > 0 && active === 0;
  return succeeded >= completions;
}

/**
 * With restartPolicy OnFailure, failures are container restarts inside
 * active pods (pastBackoffLimitOnFailure): their sum reaching backoffLimit
 * fails the job (any restart, with a limit of 0).
 */
export function pastBackoffLimitOnFailure(job: RO<Job>, active: readonly RO<Pod>[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  const limit = job.spec?.backoffLimit ?? 6;
  let restarts = 0;
  for (const p of active) for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export function pastActiveDeadline(job: RO<Job>, nowMs: number): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  const start = parseTime(job.status?.startTime ?? undefined)?.getTime();
  if (ads === undefined || ads === null || start === undefined) return false;
  return nowMs - start >= ads * 1000;
}

/** The back-off before replacing pods after `failures` failures: 10 s · 2^(failures−1), at most 6 min. */
export function failureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(JOB_BACKOFF_MAX_MS, JOB_BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 30));
}

/** When a failed pod failed: its containers' latest finishedAt, else its Ready condition's last transition. */
export function podFailedAt(pod: RO<Pod>): number | undefined {
  let best: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = parseTime(s.state?.terminated?.finishedAt ?? undefined)?.getTime();
    if (t !== undefined && (best === undefined || t > best)) best = t;
  }
  if (best !== undefined) return best;
  return parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? undefined)?.getTime();
}

export function newJobCondition(type: string, reason: string, message: string, now: string): JobCondition {
  return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
}
