// The job controller: its arithmetic (pure) and its sync on a FakeClient
// with a FakeClock — parallelism, completions, backoffLimit, the exponential
// back-off before replacing failed pods, and the TTL after finishing.
import test from 'ava';
import type { Job } from '../../../controlplane/api/batch/v1/types.js';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { JobController } from '../../../controlplane/controllers/job/controller.js';
import { failureBackoffMs, isComplete, pastBackoffLimitOnFailure, wantActive } from '../../../controlplane/controllers/job/status.js';
import { timeLeft, TTLAfterFinishedController } from '../../../controlplane/controllers/job/ttl.js';
import { fixture, iso, pod, type Fixture } from './fixtures.js';

function job(spec: Partial<NonNullable<Job['spec']>> = {}, name = 'pi'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: 'job-uid' },
    spec: { selector: { matchLabels: { 'job-name': name } }, template: { metadata: { labels: { 'job-name': name } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, parallelism: 1, completions: 1, backoffLimit: 6, ...spec },
  };
}

test('pods wanted and completion', (t) => {
  const cases: [string, Job, number, number, number, boolean][] = [
    // name, job, active, succeeded → want, complete
    ['fresh, parallelism 2 of 5', job({ parallelism: 2, completions: 5 }), 0, 0, 2, false],
    ['near the end: only what is missing', job({ parallelism: 3, completions: 5 }), 1, 4, 1, false],
    ['done', job({ parallelism: 3, completions: 5 }), 0, 5, 0, true],
    ['work queue: no new pods after a success', job({ parallelism: 3, completions: undefined }), 2, 1, 2, false],
    ['work queue: complete when the rest finished', job({ parallelism: 3, completions: undefined }), 0, 1, 0, true],
    ['work queue: fresh', job({ parallelism: 3, completions: undefined }), 0, 0, 3, false],
  ];
  for (const [name, j, active, succeeded, want, complete] of cases) {
    t.is(wantActive(j, active, succeeded), want, name);
    t.is(isComplete(j, active, succeeded), complete, name);
  }
});

test('back-off doubles from 10 s up to 6 min; OnFailure counts container restarts', (t) => {
  t.deepEqual([0, 1, 2, 3, 6, 7, 50].map(failureBackoffMs), [0, 10_000, 20_000, 40_000, 320_000, 360_000, 360_000]);
  const onFailure = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } });
  t.false(pastBackoffLimitOnFailure(onFailure, [pod('a', { restarts: 1 })]));
  t.true(pastBackoffLimitOnFailure(onFailure, [pod('a', { restarts: 1 }), pod('b', { restarts: 1 })]));
  t.false(pastBackoffLimitOnFailure(job({ backoffLimit: 0 }), [pod('a', { restarts: 3 })]), 'Never: restarts do not count');
});

async function setupJob(j: Job, pods: Pod[] = []): Promise<{ f: Fixture; c: JobController }> {
  const f = fixture();
  f.client.seed(resources.jobs, j);
  for (const p of pods) f.client.seed(resources.pods, p);
  const c = new JobController(f.ctx);
  await f.refresh(resources.jobs);
  await f.refresh(resources.pods);
  f.client.clearActions();
  return { f, c };
}

const jobPod = (name: string, phase: Pod['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never, finishedMs?: number): Pod => {
  const p = pod(name, { labels: { 'job-name': 'pi' }, phase, owner: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', uid: 'job-uid' } } });
  if (finishedMs !== undefined) p.status!.containerStatuses = [{ name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: 1, finishedAt: iso(finishedMs) } } }];
  return p;
};

const podCreates = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'create' && a.resource === 'pods');
const jobStatus = async (f: Fixture) => ((await f.client.resource(resources.jobs, 'default').get('pi')) as Job).status;

test('sync starts parallelism pods owned by the job and writes startTime and active', async (t) => {
  const { f, c } = await setupJob(job({ parallelism: 2, completions: 3 }));
  await c.sync('default/pi');
  const made = podCreates(f);
  t.is(made.length, 2);
  t.like((made[0].object as Pod).metadata, { generateName: 'pi-', labels: { 'job-name': 'pi' } });
  t.like((made[0].object as Pod).metadata.ownerReferences?.[0], { kind: 'Job', name: 'pi', uid: 'job-uid', controller: true });
  const s = await jobStatus(f);
  t.is(s?.active, 2);
  t.is(s?.startTime, iso(f.clock.now()));
});

test('sync completes the job when enough pods succeeded', async (t) => {
  const { f, c } = await setupJob(job({ parallelism: 1, completions: 2 }), [jobPod('a', 'Succeeded'), jobPod('b', 'Succeeded')]);
  await c.sync('default/pi');
  t.is(podCreates(f).length, 0);
  const s = await jobStatus(f);
  t.like(s, { succeeded: 2, active: 0, completionTime: iso(f.clock.now()) });
  t.like(s?.conditions?.[0], { type: 'Complete', status: 'True' });
});

test('a failed pod is replaced only after the back-off', async (t) => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const { f, c } = await setupJob(job({ completions: 1 }), [jobPod('a', 'Failed', now - 1000)]);
  await c.sync('default/pi');
  t.is(podCreates(f).length, 0, 'within 10 s of the failure: wait');
  t.is((await jobStatus(f))?.failed, 1);
  await f.clock.advance(10_000);
  await f.refresh(resources.jobs);
  await c.sync('default/pi');
  t.is(podCreates(f).length, 1, 'after the back-off: a replacement');
});

test('more failures than backoffLimit fail the job and stop its running pods', async (t) => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const { f, c } = await setupJob(job({ completions: 1, backoffLimit: 1 }), [jobPod('a', 'Failed', now - 60_000), jobPod('b', 'Failed', now - 30_000), jobPod('c', 'Running')]);
  await c.sync('default/pi');
  t.deepEqual(f.client.actions.filter((a) => a.verb === 'delete').map((a) => a.name), ['c']);
  const s = await jobStatus(f);
  t.like(s?.conditions?.[0], { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' });
  t.like(s, { failed: 3, active: 0 });
  t.true(f.events.some((e) => e.reason === 'BackoffLimitExceeded'));
});

test('ttlSecondsAfterFinished: the finished job is deleted (foreground) once its TTL passed', async (t) => {
  const finished = job({ ttlSecondsAfterFinished: 60 });
  const done = Date.UTC(2025, 0, 1, 12, 0, 0);
  finished.status = { completionTime: iso(done), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(done) }] };
  t.is(timeLeft(finished, done + 10_000), 50_000);
  t.is(timeLeft(job(), done), undefined, 'no TTL, or not finished: never');
  const f = fixture();
  f.client.seed(resources.jobs, finished);
  const c = new TTLAfterFinishedController(f.ctx);
  await f.refresh(resources.jobs);
  f.client.clearActions();
  await c.sync('default/pi');
  t.falsy(f.client.actions.find((a) => a.verb === 'delete'), 'not yet: requeued for later');
  await f.clock.advance(60_000);
  await c.sync('default/pi');
  t.truthy(f.client.actions.find((a) => a.verb === 'delete' && a.resource === 'jobs' && a.name === 'pi'));
});
