// The CronJob controller: schedule arithmetic (pure) and its sync on a
// FakeClient with a FakeClock — Jobs named after the scheduled minute,
// concurrency policies, startingDeadlineSeconds, the missed-start limit,
// suspend, history limits, status.active / lastScheduleTime /
// lastSuccessfulTime, and the requeue at the next start time.
import test from 'ava';
import type { CronJob, Job } from '../../../controlplane/api/batch/v1/types.js';
import { resources } from '../../../controlplane/client/resources.js';
import { CronJobController, jobNameFor } from '../../../controlplane/controllers/cronjob/controller.js';
import { parseSchedule, unmetScheduleTimes } from '../../../controlplane/controllers/cronjob/schedule.js';
import { fixture, iso, type Fixture } from './fixtures.js';

const T = (s: string) => Date.parse(s);

test('schedule: next start times (UTC), day-of-month/day-of-week rule, descriptors, @every', (t) => {
  const cases: [string, string, string][] = [
    // schedule, after → next
    ['*/1 * * * *', '2025-01-01T12:00:00Z', '2025-01-01T12:01:00Z'],
    ['*/1 * * * *', '2025-01-01T12:00:30Z', '2025-01-01T12:01:00Z'],
    ['*/15 * * * *', '2025-01-01T12:01:00Z', '2025-01-01T12:15:00Z'],
    ['0 3 * * *', '2025-01-01T12:00:00Z', '2025-01-02T03:00:00Z'],
    ['30 2 1 * *', '2025-01-31T00:00:00Z', '2025-02-01T02:30:00Z'],
    ['0 0 * * MON', '2025-01-01T00:00:00Z', '2025-01-06T00:00:00Z'],
    ['0 0 13 * FRI', '2025-01-01T00:00:00Z', '2025-01-03T00:00:00Z'], // OR: a Friday comes before the 13th
    ['0 0 29 2 *', '2025-01-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['@hourly', '2025-01-01T12:00:00Z', '2025-01-01T13:00:00Z'],
    ['@weekly', '2025-01-01T12:00:00Z', '2025-01-05T00:00:00Z'],
    ['@every 90s', '2025-01-01T12:00:00Z', '2025-01-01T12:01:30Z'],
    ['TZ=UTC 0 9 * * *', '2025-01-01T12:00:00Z', '2025-01-02T09:00:00Z'],
  ];
  for (const [spec, after, want] of cases) t.is(iso(parseSchedule(spec, spec.startsWith('TZ=') ? undefined : 'UTC').next(T(after))!), want.replace('.000', ''), `${spec} after ${after}`);
  t.is(parseSchedule('0 0 30 2 *', 'UTC').next(T('2025-01-01T00:00:00Z')), undefined, 'Feb 30 never comes');
  t.is(iso(parseSchedule('0 9 * * *', 'Asia/Tokyo').next(T('2025-01-01T00:00:00Z'))!), '2025-01-02T00:00:00Z', '09:00 in Tokyo is 00:00 UTC');
  t.throws(() => parseSchedule('61 * * * *'));
});

test('unmet start times: none, one, many (the latest runs), the limit of 100', (t) => {
  const every = parseSchedule('* * * * *', 'UTC');
  const now = T('2025-01-01T12:00:30Z');
  t.deepEqual(unmetScheduleTimes(every, T('2025-01-01T12:00:00Z'), now), { mostRecent: undefined, missed: 0, tooMany: false });
  t.deepEqual(unmetScheduleTimes(every, T('2025-01-01T11:59:10Z'), now), { mostRecent: T('2025-01-01T12:00:00Z'), missed: 1, tooMany: false });
  t.like(unmetScheduleTimes(every, T('2025-01-01T11:50:00Z'), now), { mostRecent: T('2025-01-01T12:00:00Z'), missed: 10, tooMany: false });
  t.like(unmetScheduleTimes(every, T('2024-01-01T00:00:00Z'), now), { mostRecent: T('2025-01-01T12:00:00Z'), missed: 101, tooMany: true });
  t.like(unmetScheduleTimes(every, now + 1000, now), { missed: 0 });
});

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}, created = '2025-01-01T11:58:30Z'): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: created },
    spec: {
      schedule: '*/1 * * * *',
      timeZone: 'UTC',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'hello' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

function ownedJob(name: string, state: 'running' | 'Complete' | 'Failed', startedAt: string): Job {
  const j: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true }] },
    spec: { template: { spec: { containers: [] } } },
    status: { startTime: startedAt },
  };
  if (state !== 'running') {
    j.status!.conditions = [{ type: state, status: 'True' }];
    if (state === 'Complete') j.status!.completionTime = startedAt;
  }
  return j;
}

async function setup(cj: CronJob, jobs: Job[] = []): Promise<{ f: Fixture; c: CronJobController }> {
  const f = fixture(); // clock: 2025-01-01T12:00:00Z
  f.client.seed(resources.cronjobs, cj);
  for (const j of jobs) f.client.seed(resources.jobs, j);
  const c = new CronJobController(f.ctx);
  await f.refresh(resources.cronjobs);
  await f.refresh(resources.jobs);
  f.client.clearActions();
  return { f, c };
}

const jobCreates = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'create' && a.resource === 'jobs').map((a) => a.object as Job);
const jobDeletes = (f: Fixture) => f.client.actions.filter((a) => a.verb === 'delete' && a.resource === 'jobs').map((a) => a.name);
const cjStatus = async (f: Fixture) => ((await f.client.resource(resources.cronjobs, 'default').get('hello')) as CronJob).status;

test('sync creates the job of the latest unmet minute, owned by the cron job, and records it', async (t) => {
  const { f, c } = await setup(cronJob());
  await c.sync('default/hello');
  const made = jobCreates(f);
  t.is(made.length, 1, 'two minutes missed (11:59, 12:00): only the latest runs');
  const scheduled = T('2025-01-01T12:00:00Z');
  t.is(made[0].metadata.name, jobNameFor('hello', scheduled));
  t.is(made[0].metadata.name, `hello-${scheduled / 60000}`);
  t.like(made[0].metadata, { labels: { app: 'hello' }, annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2025-01-01T12:00:00Z' } });
  t.like(made[0].metadata.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true });
  const s = await cjStatus(f);
  t.is(s?.lastScheduleTime, '2025-01-01T12:00:00Z');
  t.like(s?.active?.[0], { kind: 'Job', name: made[0].metadata.name });
  t.true(f.events.some((e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${made[0].metadata.name}`));

  // Same minute again (from the fresh cache): nothing new.
  await f.refresh(resources.cronjobs);
  await f.refresh(resources.jobs);
  f.client.clearActions();
  await c.sync('default/hello');
  t.is(jobCreates(f).length, 0);

  // The requeue at the next minute is on the fake clock.
  await f.clock.advance(60_000);
  await f.refresh(resources.cronjobs);
  await c.sync('default/hello');
  t.is(jobCreates(f).length, 1, 'Allow: a second job while the first runs');
  t.is((await cjStatus(f))?.active?.length, 2);
});

test('concurrency policies, deadlines, suspend', async (t) => {
  const running = ownedJob('hello-old', 'running', '2025-01-01T11:59:00Z');
  const activeRef = { kind: 'Job', apiVersion: 'batch/v1', namespace: 'default', name: 'hello-old', uid: 'uid-hello-old' };
  const base = (spec: Partial<NonNullable<CronJob['spec']>>) => {
    const cj = cronJob(spec);
    cj.status = { active: [activeRef], lastScheduleTime: '2025-01-01T11:59:00Z' };
    return cj;
  };
  const cases: [string, CronJob, number, string[], string | undefined][] = [
    // name, cron job, jobs created, jobs deleted, event expected
    ['Allow: runs beside the active job', base({ concurrencyPolicy: 'Allow' }), 1, [], 'SuccessfulCreate'],
    ['Forbid: skips while one is active', base({ concurrencyPolicy: 'Forbid' }), 0, [], 'JobAlreadyActive'],
    ['Replace: deletes the active job, then runs', base({ concurrencyPolicy: 'Replace' }), 1, ['hello-old'], 'SuccessfulDelete'],
    ['suspended: nothing', base({ suspend: true }), 0, [], undefined],
    ['startingDeadlineSeconds 10: 12:00 missed by 20 s', base({ startingDeadlineSeconds: 10 }), 0, [], undefined],
  ];
  for (const [name, cj, nCreated, deleted, event] of cases) {
    const { f, c } = await setup(cj, [running]);
    if (name.startsWith('startingDeadline')) await f.clock.advance(20_000);
    await c.sync('default/hello');
    t.is(jobCreates(f).length, nCreated, name);
    t.deepEqual(jobDeletes(f), deleted, name);
    if (event) t.true(f.events.some((e) => e.reason === event), `${name}: ${event}`);
  }
});

test('too many missed start times: reported, and the latest still runs', async (t) => {
  const { f, c } = await setup(cronJob({}, '2024-12-01T00:00:00Z'));
  await c.sync('default/hello');
  t.true(f.events.some((e) => e.reason === 'TooManyMissedTimes'));
  t.deepEqual(jobCreates(f).map((j) => j.metadata.name), [jobNameFor('hello', T('2025-01-01T12:00:00Z'))]);
});

test('finished jobs leave status.active, set lastSuccessfulTime, and are pruned to the history limits', async (t) => {
  const jobs = [
    ownedJob('ok-1', 'Complete', '2025-01-01T11:50:00Z'),
    ownedJob('ok-2', 'Complete', '2025-01-01T11:51:00Z'),
    ownedJob('ok-3', 'Complete', '2025-01-01T11:52:00Z'),
    ownedJob('bad-1', 'Failed', '2025-01-01T11:53:00Z'),
    ownedJob('bad-2', 'Failed', '2025-01-01T11:54:00Z'),
  ];
  const cj = cronJob({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1, suspend: true });
  cj.status = { active: [{ kind: 'Job', name: 'ok-3', namespace: 'default', uid: 'uid-ok-3' }, { kind: 'Job', name: 'gone', namespace: 'default', uid: 'uid-gone' }] };
  const { f, c } = await setup(cj, jobs);
  await c.sync('default/hello');
  t.deepEqual(jobDeletes(f).sort(), ['bad-1', 'ok-1']);
  const s = await cjStatus(f);
  t.falsy(s?.active, 'ok-3 finished, gone went missing');
  t.is(s?.lastSuccessfulTime, '2025-01-01T11:52:00Z');
  t.true(f.events.some((e) => e.reason === 'SawCompletedJob' && e.message.startsWith('Saw completed job: ok-3')));
  t.true(f.events.some((e) => e.reason === 'MissingJob'));
});
