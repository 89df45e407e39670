/**
 * The TTL-after-finished controller (upstream pkg/controller/ttlafterfinished):
 * a finished Job with spec.ttlSecondsAfterFinished is deleted that long after
 * it finished, with Foreground propagation so its pods go first.
 * Before deleting, the Job is read fresh: the TTL may have been changed (or
 * the Job recreated under the same name) since the cache saw it.
 */
import type { Job } from '../../api/batch/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { splitKey } from '../../machinery/meta/helpers.js';
import { runLoop } from '../common/loop.js';
import { keyOfMeta } from '../common/pods.js';
import type { Controller, ControllerContext, RO } from '../common/types.js';
import { finishedAt, isJobFinished } from './status.js';

/** ms until the job should be deleted (≤ 0: now), or undefined when it never should (yet). */
export function timeLeft(job: RO<Job>, nowMs: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata.deletionTimestamp || !isJobFinished(job)) return undefined;
  const at = finishedAt(job);
  if (at === undefined) return undefined;
  return at + ttl * 1000 - nowMs;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  readonly queue: WorkQueue;
  private readonly jobs: SharedInformer<Job>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workers = 5,
  ) {
    this.queue = ctx.newQueue('ttl_jobs_to_delete');
    this.jobs = ctx.informers.informerFor(resources.jobs);
    const consider = (j: RO<Job>) => {
      if (j.spec?.ttlSecondsAfterFinished !== undefined && isJobFinished(j)) this.queue.add(keyOfMeta(j.metadata));
    };
    this.jobs.onAdd(consider);
    this.jobs.onUpdate((_o, j) => consider(j));
  }

  run(signal: AbortSignal): Promise<void> {
    return runLoop({ name: 'ttl-after-finished', informers: [this.jobs], queue: this.queue, workers: this.workers, sync: (k) => this.sync(k), log: this.ctx.log }, signal);
  }

  async sync(key: string): Promise<void> {
    const cached = this.jobs.lister.get(key);
    if (!cached) return;
    const left = timeLeft(cached, this.ctx.clock.now());
    if (left === undefined) return;
    if (left > 0) {
      this.queue.addAfter(key, left);
      return;
    }
    const { namespace, name } = splitKey(key);
    const client = this.ctx.client.resource(resources.jobs, namespace);
    try {
      const fresh = await client.get(name);
      const freshLeft = timeLeft(fresh as RO<Job>, this.ctx.clock.now());
      if (freshLeft === undefined) return;
      if (freshLeft > 0) {
        this.queue.addAfter(key, freshLeft);
        return;
      }
      await client.delete(name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid } });
      this.ctx.log.v(2).info('deleted finished job whose TTL expired', { key });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
