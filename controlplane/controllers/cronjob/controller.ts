/**
 * The CronJob controller (upstream pkg/controller/cronjob, batch/v1): at
 * each scheduled time a Job `<cronjob>-<scheduled time in minutes since the
 * epoch>` from spec.jobTemplate, owned by the CronJob.
 *
 * sync(key):
 *   - reconcile status.active with the Jobs it owns: finished ones leave the
 *     list (SawCompletedJob), vanished ones too (MissingJob), a running Job
 *     not in the list is reported (UnexpectedJob); lastSuccessfulTime follows
 *     the latest completion;
 *   - delete finished Jobs beyond successfulJobsHistoryLimit /
 *     failedJobsHistoryLimit, oldest first;
 *   - being deleted or suspended → stop here;
 *   - the most recent unmet start time (schedule.ts), from lastScheduleTime
 *     (else the creation time), within startingDeadlineSeconds; more than 100
 *     missed times is reported (TooManyMissedTimes) and only the latest runs;
 *   - too late for it → MissSchedule; its Job already made → nothing;
 *     Forbid with a Job active → JobAlreadyActive; Replace → delete the
 *     active Jobs first; then create the Job (SuccessfulCreate) and record it
 *     in status.active and lastScheduleTime;
 *   - look again at the next start time (queue.addAfter on the controller's
 *     clock, so tests drive it with a fake clock).
 * Handlers only enqueue: CronJob adds and updates, and events of Jobs a
 * CronJob controls.
 */
import type { CronJob, CronJobStatus, Job } from '../../api/batch/v1/types.js';
import type { ObjectReference } from '../../api/core/v1/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { OWNER_UID_INDEX } from '../../client/indexer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { formatRFC3339, parseTime, splitKey } from '../../machinery/meta/helpers.js';
import { semanticEqual } from '../common/equal.js';
import { errorMessage, isNamespaceTerminating } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { runLoop } from '../common/loop.js';
import { controllerRefOf, newControllerRef } from '../common/owners.js';
import { keyOfMeta } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { parseSchedule, unmetScheduleTimes, type Schedule } from './schedule.js';

export interface CronJobControllerOptions {
  workers?: number;
}

/** The scheduled time of a Job, as upstream annotates it (1.28+). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type FinishedAs = 'Complete' | 'Failed' | undefined;

export function jobFinished(j: RO<Job>): FinishedAs {
  for (const c of j.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/** `<cronjob>-<minutes since the epoch>` (getJobName): the same scheduled time always gives the same name. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

/** The Job to create for a scheduled time (getJobFromTemplate2). */
export function jobFromTemplate(cj: RO<CronJob>, scheduledMs: number): Job {
  const tmpl = cj.spec?.jobTemplate;
  const labels = { ...(tmpl?.metadata?.labels ?? {}) };
  const annotations: Record<string, string> = { ...(tmpl?.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRFC3339(new Date(scheduledMs)) };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj.metadata.name ?? '', scheduledMs),
      namespace: cj.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: tmpl?.spec ? mutableCopy<NonNullable<Job['spec']>>(tmpl.spec) : undefined,
  };
  return job;
}

const timeOf = (s: string | undefined | null) => parseTime(s ?? undefined)?.getTime();

function jobRef(j: RO<Job>): ObjectReference {
  return { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
}

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  // Immutable after construction.
  readonly queue: WorkQueue;
  private readonly cronJobs: SharedInformer<CronJob>;
  private readonly jobs: SharedInformer<Job>;
  private readonly events: KindEvents;
  /** key → schedule text that failed to parse (logged once). Owned by sync. */
  private readonly badSchedule = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: CronJobControllerOptions = {},
  ) {
    this.queue = ctx.newQueue('cronjob');
    this.events = new KindEvents(ctx.recorder, 'batch/v1', 'CronJob');
    this.cronJobs = ctx.informers.informerFor(resources.cronjobs);
    this.jobs = ctx.informers.informerFor(resources.jobs);
    this.cronJobs.onAdd((cj) => this.queue.add(keyOfMeta(cj.metadata)));
    this.cronJobs.onUpdate((_o, cj) => this.queue.add(keyOfMeta(cj.metadata)));
    this.cronJobs.onDelete((cj) => this.badSchedule.delete(keyOfMeta(cj.metadata)));
    this.jobs.onAdd((j) => this.onJob(j));
    this.jobs.onUpdate((o, j) => o.metadata.resourceVersion !== j.metadata.resourceVersion && this.onJob(j));
    this.jobs.onDelete((j) => this.onJob(j));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'cronjob', informers: [this.cronJobs, this.jobs], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  private onJob(j: RO<Job>): void {
    const ref = controllerRefOf(j);
    if (!ref || ref.kind !== 'CronJob') return;
    const cj = this.cronJobs.lister.get(`${j.metadata.namespace}/${ref.name}`);
    if (cj && cj.metadata.uid === ref.uid) this.queue.add(keyOfMeta(cj.metadata));
  }

  async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const cached = this.cronJobs.lister.get(key);
    if (!cached) return;
    const cj = mutableCopy<CronJob>(cached);
    const status: CronJobStatus = (cj.status ??= {});
    const now = this.ctx.clock.now();
    const owned = this.jobs.lister.byIndex(OWNER_UID_INDEX, cj.metadata.uid ?? '').filter((j) => j.metadata.namespace === namespace && controllerRefOf(j)?.uid === cj.metadata.uid);

    // ---- status.active and lastSuccessfulTime from the Jobs we own ----
    const ownedUIDs = new Set(owned.map((j) => j.metadata.uid));
    for (const j of owned) {
      const finished = jobFinished(j);
      const inList = status.active?.some((r) => r.uid === j.metadata.uid) ?? false;
      if (!inList && !finished) {
        // Made by a sync whose status write was lost: it is ours, by name.
        if (!status.active?.some((r) => r.name === j.metadata.name)) this.events.emit(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (inList && finished) {
        status.active = status.active!.filter((r) => r.uid !== j.metadata.uid);
        this.events.emit(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finished}`);
      }
      if (finished === 'Complete') {
        const done = timeOf(j.status?.completionTime);
        if (done !== undefined && (timeOf(status.lastSuccessfulTime) ?? 0) < done) status.lastSuccessfulTime = j.status!.completionTime;
      }
    }
    for (const r of [...(status.active ?? [])]) {
      if (ownedUIDs.has(r.uid)) continue;
      // Not in our cache: ask the server before declaring it gone.
      const gone = await this.ctx.client
        .resource(resources.jobs, namespace)
        .get(r.name ?? '')
        .then((j) => j.metadata.uid !== r.uid)
        .catch((e: unknown) => {
          if (isNotFound(e)) return true;
          throw e;
        });
      if (gone) {
        this.events.emit(cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`);
        status.active = status.active!.filter((x) => x.uid !== r.uid);
      }
    }
    if (status.active?.length === 0) delete status.active;
    await this.writeStatus(cached, cj);
    await this.cleanupFinishedJobs(cj, owned);

    if (cj.metadata.deletionTimestamp) return;
    if (cj.spec?.suspend) return;

    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
      this.badSchedule.delete(key);
    } catch (e) {
      // Validation should have refused it; report once per schedule text.
      if (this.badSchedule.get(key) !== cj.spec?.schedule) {
        this.badSchedule.set(key, cj.spec?.schedule ?? '');
        this.events.emit(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${errorMessage(e)}`);
      }
      return;
    }

    let earliest = timeOf(status.lastScheduleTime) ?? timeOf(cj.metadata.creationTimestamp) ?? now;
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
    const unmet = unmetScheduleTimes(sched, earliest, now);
    if (unmet.tooMany) {
      this.events.emit(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${unmet.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    try {
      if (unmet.mostRecent !== undefined) await this.startJob(cached, cj, unmet.mostRecent, now);
    } finally {
      this.requeueAtNext(key, sched, now);
    }
  }

  private async startJob(cached: RO<CronJob>, cj: CronJob, scheduled: number, now: number): Promise<void> {
    const status = (cj.status ??= {});
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      this.events.emit(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRFC3339(new Date(scheduled))}`);
      return;
    }
    const name = jobNameFor(cj.metadata.name ?? '', scheduled);
    if (status.active?.some((r) => r.name === name)) return;
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && (status.active?.length ?? 0) > 0) {
      this.events.emit(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return;
    }
    const jobs = this.ctx.client.resource(resources.jobs, cj.metadata.namespace ?? '');
    if (policy === 'Replace') {
      for (const r of [...(status.active ?? [])]) {
        try {
          await jobs.delete(r.name ?? '', { propagationPolicy: 'Background', preconditions: r.uid ? { uid: r.uid } : undefined });
          this.events.emit(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${r.name}`);
        } catch (e) {
          if (!isNotFound(e) && !isConflict(e)) {
            this.events.emit(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(e)}`);
            throw e;
          }
        }
        status.active = status.active!.filter((x) => x.uid !== r.uid);
      }
    }
    let made: Job;
    try {
      made = await jobs.create(jobFromTemplate(cj, scheduled));
    } catch (e) {
      if (isNamespaceTerminating(e)) return;
      if (isAlreadyExists(e)) {
        // Made by an earlier sync whose status write was lost: record it if it is ours and still running.
        const existing = await jobs.get(name);
        if (controllerRefOf(existing)?.uid !== cj.metadata.uid) return;
        made = existing;
        if (jobFinished(made)) {
          status.lastScheduleTime = formatRFC3339(new Date(scheduled));
          await this.writeStatus(cached, cj);
          return;
        }
      } else {
        this.events.emit(cj, 'Warning', 'FailedCreate', `Error creating job: ${errorMessage(e)}`);
        throw e;
      }
    }
    this.ctx.log.info('created job for cron job', { cronjob: keyOfMeta(cj.metadata), job: made.metadata.name, scheduled: formatRFC3339(new Date(scheduled)) });
    this.events.emit(cj, 'Normal', 'SuccessfulCreate', `Created job ${made.metadata.name}`);
    status.active = [...(status.active ?? []).filter((r) => r.uid !== made.metadata.uid), jobRef(made)];
    status.lastScheduleTime = formatRFC3339(new Date(scheduled));
    await this.writeStatus(cached, cj);
  }

  /** Deletes the oldest finished Jobs beyond the history limits (cleanupFinishedJobs). */
  private async cleanupFinishedJobs(cj: CronJob, owned: readonly RO<Job>[]): Promise<void> {
    const jobs = this.ctx.client.resource(resources.jobs, cj.metadata.namespace ?? '');
    const started = (j: RO<Job>) => timeOf(j.status?.startTime) ?? timeOf(j.metadata.creationTimestamp) ?? 0;
    for (const [kind, limit] of [
      ['Complete', cj.spec?.successfulJobsHistoryLimit],
      ['Failed', cj.spec?.failedJobsHistoryLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const finished = owned.filter((j) => jobFinished(j) === kind && !j.metadata.deletionTimestamp).sort((a, b) => started(a) - started(b));
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        try {
          await jobs.delete(j.metadata.name ?? '', { propagationPolicy: 'Background' });
          this.events.emit(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
        } catch (e) {
          if (isNotFound(e)) continue;
          this.events.emit(cj, 'Warning', 'FailedDelete', `Deleted job: ${errorMessage(e)}`);
          throw e;
        }
      }
    }
  }

  /** Looks again just after the next start time (upstream adds 100 ms). */
  private requeueAtNext(key: string, sched: Schedule, now: number): void {
    const next = sched.next(now);
    if (next !== undefined) this.queue.addAfter(key, next - now + 100);
  }

  /** Writes status when it differs from the cached object's; a conflict retries once on a fresh copy. */
  private async writeStatus(cached: RO<CronJob>, cj: CronJob): Promise<void> {
    if (semanticEqual(cached.status, cj.status)) return;
    const client = this.ctx.client.resource(resources.cronjobs, cj.metadata.namespace ?? '');
    try {
      const updated = await client.updateStatus(cj);
      cj.metadata.resourceVersion = updated.metadata.resourceVersion;
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      const fresh = await client.get(cj.metadata.name ?? '');
      const updated = await client.updateStatus({ ...fresh, status: cj.status });
      cj.metadata.resourceVersion = updated.metadata.resourceVersion;
    }
  }
}
