/**
 * The job controller (upstream pkg/controller/job), counting from the pods
 * it owns rather than with tracking finalizers:
 * - runs up to `parallelism` pods until `completions` have succeeded
 *   (work-queue jobs without completions: until one succeeded and the rest
 *   finished);
 * - failed pods count toward backoffLimit (restartPolicy Never), container
 *   restarts do (OnFailure); past the limit, or past activeDeadlineSeconds,
 *   the job fails and its running pods are deleted;
 * - after a failure, replacement pods wait 10 s · 2^(failures−1) (≤ 6 min)
 *   from the last failure: the job's exponential back-off;
 * - status: active, ready, succeeded, failed, startTime, completionTime and
 *   the Complete / Failed conditions.
 * Succeeded and failed never go down: a finished pod deleted by someone does
 * not get re-run (nor un-fail the job).
 */
import type { Job } from '../../api/batch/v1/types.js';
import type { Pod } from '../../api/core/v1/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { NAMESPACE_INDEX } from '../../client/indexer.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import { formatRFC3339, splitKey } from '../../machinery/meta/helpers.js';
import type { KubeObject, LabelSelector } from '../../machinery/meta/types.js';
import { BURST_REPLICAS, slowStartBatch } from '../common/batch.js';
import { semanticEqual } from '../common/equal.js';
import { errorMessage, isNamespaceTerminating } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { ControllerExpectations } from '../common/expectations.js';
import { runLoop } from '../common/loop.js';
import { claimObjects, controllerRefOf, newControllerRef, ownerGetter } from '../common/owners.js';
import { candidatePods, compareForDeletion, isPodActive, isPodReady, keyOfMeta, podFromTemplate } from '../common/pods.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { failureBackoffMs, isComplete, isJobFinished, newJobCondition, pastActiveDeadline, pastBackoffLimitOnFailure, podFailedAt, wantActive } from './status.js';

export interface JobControllerOptions {
  workers?: number;
}

export class JobController implements Controller {
  readonly name = 'job';
  // Immutable after construction.
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  private readonly events: KindEvents;
  /** Failed pod uid → when this controller first saw it failed (for pods that report no time). Owned by sync. */
  private readonly failedSeen = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: JobControllerOptions = {},
  ) {
    this.queue = ctx.newQueue('job');
    this.expectations = new ControllerExpectations(ctx.clock);
    this.events = new KindEvents(ctx.recorder, 'batch/v1', 'Job');
    this.jobs = ctx.informers.informerFor(resources.jobs);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.jobs.onAdd((j) => this.queue.add(keyOfMeta(j.metadata)));
    this.jobs.onUpdate((_o, j) => this.queue.add(keyOfMeta(j.metadata)));
    this.jobs.onDelete((j) => {
      this.expectations.delete(keyOfMeta(j.metadata));
      this.queue.add(keyOfMeta(j.metadata));
    });
    this.pods.onAdd((p) => this.onPod(p, 'add'));
    this.pods.onUpdate((o, p) => o.metadata.resourceVersion !== p.metadata.resourceVersion && this.onPod(p, 'update'));
    this.pods.onDelete((p) => this.onPod(p, 'delete'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'job', informers: [this.jobs, this.pods], queue: this.queue, workers: this.opts.workers ?? 5, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  private onPod(pod: RO<Pod>, what: 'add' | 'update' | 'delete'): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job') {
      if (what !== 'add' || ref) return;
      // An orphan: jobs whose selector matches may adopt it.
      for (const j of this.jobs.lister.byIndex(NAMESPACE_INDEX, pod.metadata.namespace ?? '')) {
        try {
          if (selectorFromLabelSelector(j.spec?.selector as LabelSelector | undefined).matches(pod.metadata.labels)) this.queue.add(keyOfMeta(j.metadata));
        } catch {
          // an invalid selector adopts nothing
        }
      }
      return;
    }
    const job = this.jobs.lister.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!job || job.metadata.uid !== ref.uid) return;
    const key = keyOfMeta(job.metadata);
    if (what === 'add' && !pod.metadata.deletionTimestamp) this.expectations.creationObserved(key);
    // A graceful delete shows first as deletionTimestamp: that is the deletion we waited for.
    if (what === 'delete' || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, keyOfMeta(pod.metadata));
    if (what === 'delete') this.failedSeen.delete(pod.metadata.uid ?? '');
    this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.lister.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    if (isJobFinished(cached)) return;
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(cached.spec?.selector as LabelSelector | undefined);
    } catch (e) {
      this.ctx.log.warn('job has an invalid selector', { key, err: errorMessage(e) });
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const now = this.ctx.clock.now();
    const nowText = formatRFC3339(new Date(now));
    const pods = await claimObjects<Pod>({
      owner: cached as RO<KubeObject>,
      ownerApiVersion: 'batch/v1',
      ownerKind: 'Job',
      selector,
      // Finished pods count too (succeeded/failed), but pods being deleted are on their way out.
      candidates: candidatePods(this.pods.lister, namespace, cached.metadata.uid ?? '', selector).filter((p) => !p.metadata.deletionTimestamp || isPodActive(p)),
      objects: this.ctx.client.resource(resources.pods, namespace),
      getOwner: ownerGetter(this.ctx.client, resources.jobs, namespace, name),
    });
    let active = pods.filter(isPodActive);
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const job = mutableCopy<Job>(cached);
    const status = (job.status ??= {});
    const succeeded = Math.max(status.succeeded ?? 0, succeededPods.length);
    let failed = Math.max(status.failed ?? 0, failedPods.length);
    const hadNewFailure = failed > (status.failed ?? 0);
    if (!status.startTime) {
      status.startTime = nowText;
      const ads = job.spec?.activeDeadlineSeconds;
      if (ads !== undefined && ads !== null) this.queue.addAfter(key, ads * 1000);
    }

    const backoffLimit = job.spec?.backoffLimit ?? 6;
    let failure: { reason: string; message: string } | undefined;
    if (failed > backoffLimit || pastBackoffLimitOnFailure(job, active)) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    else if (pastActiveDeadline(job, now)) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

    let manageError: unknown;
    let activeCount = active.length;
    if (failure) {
      // Stop what is running; those pods count as failed.
      await this.deletePods(key, job, active);
      failed += active.length;
      activeCount = 0;
      active = [];
      status.conditions = [...(status.conditions ?? []), newJobCondition('Failed', failure.reason, failure.message, nowText)];
      this.events.emit(job, 'Warning', failure.reason, failure.message);
    } else {
      if (job.spec?.suspend) {
        await this.deletePods(key, job, active);
        activeCount = 0;
      } else if (needsSync && !job.metadata.deletionTimestamp) {
        try {
          activeCount = await this.manageJob(key, job, active, succeeded, failedPods, now);
        } catch (e) {
          manageError = e;
        }
      }
      if (isComplete(job, activeCount, succeeded)) {
        status.conditions = [...(status.conditions ?? []), newJobCondition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', nowText)];
        status.completionTime = nowText;
        this.events.emit(job, 'Normal', 'Completed', 'Job completed');
      }
    }
    status.active = activeCount;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    status.failed = failed;
    if (!semanticEqual(cached.status, status)) await this.writeStatus(job);
    if (manageError !== undefined) throw manageError;
    if (hadNewFailure && !isJobFinished(job)) this.ctx.log.v(2).info('job has failed pods; replacements back off', { key, failed });
  }

  /** Creates or deletes pods toward wantActive; returns the active count expected afterwards. */
  private async manageJob(key: string, job: Job, active: readonly RO<Pod>[], succeeded: number, failedPods: readonly RO<Pod>[], now: number): Promise<number> {
    const namespace = job.metadata.namespace ?? '';
    const want = wantActive(job, active.length, succeeded);
    if (active.length > want) {
      const victims = [...active].sort(compareForDeletion).slice(0, active.length - want);
      await this.deletePods(key, job, victims);
      return active.length - victims.length;
    }
    if (active.length === want) return want;
    // Exponential back-off after failures, from the most recent one.
    if (failedPods.length > 0) {
      const last = this.lastFailure(failedPods, now);
      const wait = last + failureBackoffMs(failedPods.length) - now;
      if (wait > 0) {
        this.queue.addAfter(key, wait);
        return active.length;
      }
    }
    const n = Math.min(want - active.length, BURST_REPLICAS);
    const template = job.spec?.template;
    if (!template) return active.length;
    this.expectations.expectCreations(key, n);
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    const podClient = this.ctx.client.resource(resources.pods, namespace);
    const { successes, error } = await slowStartBatch(n, 1, async () => {
      try {
        const p = await podClient.create(podFromTemplate(template, namespace, job.metadata.name ?? '', ref));
        this.events.emit(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name ?? ''}`);
      } catch (e) {
        if (isNamespaceTerminating(e)) return;
        this.events.emit(job, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(e)}`);
        throw e;
      }
    });
    for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
    return active.length + successes;
  }

  /** The latest failure time among failed pods; pods reporting none count from when first seen. */
  private lastFailure(failedPods: readonly RO<Pod>[], now: number): number {
    let last = 0;
    for (const p of failedPods) {
      let t = podFailedAt(p);
      if (t === undefined) {
        const uid = p.metadata.uid ?? '';
        t = this.failedSeen.get(uid);
        if (t === undefined) this.failedSeen.set(uid, (t = now));
      }
      last = Math.max(last, t);
    }
    return last;
  }

  private async deletePods(key: string, job: RO<Job>, victims: readonly RO<Pod>[]): Promise<void> {
    if (victims.length === 0) return;
    this.expectations.expectDeletions(key, victims.map((p) => keyOfMeta(p.metadata)));
    const podClient = this.ctx.client.resource(resources.pods, job.metadata.namespace ?? '');
    const results = await Promise.allSettled(
      victims.map(async (p) => {
        try {
          await podClient.delete(p.metadata.name ?? '');
          this.events.emit(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
        } catch (e) {
          this.expectations.deletionObserved(key, keyOfMeta(p.metadata));
          if (!isNotFound(e)) throw e;
        }
      }),
    );
    const bad = results.find((r) => r.status === 'rejected');
    if (bad) throw (bad as PromiseRejectedResult).reason;
  }

  private async writeStatus(job: Job): Promise<void> {
    const client = this.ctx.client.resource(resources.jobs, job.metadata.namespace ?? '');
    try {
      await client.updateStatus(job);
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isConflict(e)) throw e;
      // Someone else wrote the job meanwhile: our counts still hold; retry on the fresh object once.
      const fresh = await client.get(job.metadata.name ?? '');
      await client.updateStatus({ ...fresh, status: job.status });
    }
  }
}
