// Leader election logic on the fake client with a fake clock: acquire a new
// lease, renew it, wait while another holds it, take over after expiry,
// conflicts between racing candidates, release on cancel, and losing the
// lease when renewals fail past the deadline.
import test from 'ava';
import type { Lease } from '../../../controlplane/api/coordination/v1/types.js';
import { LeaderElector, type LeaderElectionConfig } from '../../../controlplane/client/leaderelection.js';
import { resources } from '../../../controlplane/client/resources.js';
import { FakeClient } from '../../../controlplane/client/testing/fake.js';
import { FakeClock, flush } from '../../../controlplane/client/testing/clock.js';
import { apiErrors } from '../../../controlplane/machinery/errors.js';

function elector(fake: FakeClient, clock: FakeClock, identity: string, extra: Partial<LeaderElectionConfig> = {}) {
  const events: string[] = [];
  const e = new LeaderElector({
    leases: fake.resource(resources.leases, 'kube-system'),
    name: 'kube-scheduler',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    clock,
    callbacks: {
      onStartedLeading: async (sig) => {
        events.push('started');
        await new Promise<void>((r) => sig.addEventListener('abort', () => r(), { once: true }));
      },
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (id) => events.push(`leader ${id}`),
    },
    ...extra,
  });
  return { e, events };
}

const lease = async (fake: FakeClient): Promise<Lease> => fake.resource(resources.leases, 'kube-system').get('kube-scheduler');

test('acquires a missing lease by creating it, then renews it', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const { e, events } = elector(fake, clock, 'a');
  t.true(await e.tryAcquireOrRenew());
  let l = await lease(fake);
  t.is(l.spec?.holderIdentity, 'a');
  t.is(l.spec?.leaseDurationSeconds, 15);
  t.is(l.spec?.leaseTransitions, 0);
  const acquired = l.spec?.acquireTime;
  await clock.advance(2_000);
  t.true(await e.tryAcquireOrRenew());
  l = await lease(fake);
  t.is(l.spec?.acquireTime, acquired, 'renewal keeps acquireTime');
  t.not(l.spec?.renewTime, acquired, 'renewal moves renewTime');
  t.deepEqual(events, ['leader a']);
});

test('a second candidate waits while the lease is fresh and takes over once it has not changed for the lease duration', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const a = elector(fake, clock, 'a');
  const b = elector(fake, clock, 'b');
  t.true(await a.e.tryAcquireOrRenew());
  t.false(await b.e.tryAcquireOrRenew());
  t.is(b.e.getLeader(), 'a');
  await clock.advance(14_000);
  t.false(await b.e.tryAcquireOrRenew(), 'not expired yet by b’s own observation');
  await clock.advance(1_000);
  t.true(await b.e.tryAcquireOrRenew(), 'expired: b takes over');
  const l = await lease(fake);
  t.is(l.spec?.holderIdentity, 'b');
  t.is(l.spec?.leaseTransitions, 1);
  t.deepEqual(b.events, ['leader a', 'leader b']);
  t.false(await a.e.tryAcquireOrRenew(), 'a now sees b holding a fresh lease');
});

test('renewals by the holder keep a standby waiting', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const a = elector(fake, clock, 'a');
  const b = elector(fake, clock, 'b');
  await a.e.tryAcquireOrRenew();
  for (let i = 0; i < 20; i++) {
    await clock.advance(2_000);
    t.true(await a.e.tryAcquireOrRenew());
    t.false(await b.e.tryAcquireOrRenew());
  }
});

test('of two candidates racing for an expired lease, the one whose write conflicts loses', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const b = elector(fake, clock, 'b');
  const c = elector(fake, clock, 'c');
  fake.seed(resources.leases, { metadata: { name: 'kube-scheduler', namespace: 'kube-system' }, spec: { holderIdentity: 'old', leaseDurationSeconds: 15 } });
  await b.e.tryAcquireOrRenew();
  await c.e.tryAcquireOrRenew();
  await clock.advance(15_000);
  // b reads, then c writes first, then b's write is stale.
  let hijacked = false;
  fake.prependReactor('update', 'leases', () => {
    if (hijacked) return undefined;
    hijacked = true;
    return { err: apiErrors.conflict('coordination.k8s.io', 'leases', 'kube-scheduler', 'the object has been modified') };
  });
  t.false(await b.e.tryAcquireOrRenew());
  t.true(await c.e.tryAcquireOrRenew());
  t.is((await lease(fake)).spec?.holderIdentity, 'c');
});

test('run: leads, and on cancel releases the lease so a standby acquires at its next retry', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const a = elector(fake, clock, 'a');
  const b = elector(fake, clock, 'b');
  const acA = new AbortController();
  const acB = new AbortController();
  const runA = a.e.run(acA.signal);
  await flush();
  t.deepEqual(a.events, ['leader a', 'started']);
  const runB = b.e.run(acB.signal);
  await clock.advance(10_000);
  t.false(b.events.includes('started'));
  acA.abort();
  await runA;
  t.deepEqual(a.events, ['leader a', 'started', 'stopped']);
  const l = await lease(fake);
  t.is(l.spec?.holderIdentity, undefined, 'released');
  t.is(l.spec?.leaseDurationSeconds, 1);
  // The standby retries every retryPeriod plus up to 1.2× jitter (upstream's JitterFactor): 2 s … 4.4 s.
  await clock.advance(4_500);
  t.true(b.events.includes('started'), `b took over at its next (jittered) retry: ${b.events.join(',')}`);
  acB.abort();
  await runB;
});

test('run: a leader that cannot renew for renewDeadline stops leading', async (t) => {
  const fake = new FakeClient();
  const clock = new FakeClock();
  const a = elector(fake, clock, 'a');
  const ac = new AbortController();
  const run = a.e.run(ac.signal);
  await flush();
  t.deepEqual(a.events, ['leader a', 'started']);
  fake.prependReactor('*', 'leases', () => ({ err: apiErrors.serviceUnavailable('apiserver down') }));
  await clock.advance(2_000 + 10_000 + 2_000);
  await run;
  t.deepEqual(a.events, ['leader a', 'started', 'stopped']);
});

test('bad timing is refused like upstream', (t) => {
  const fake = new FakeClient();
  t.throws(() => elector(fake, new FakeClock(), 'x', { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), { instanceOf: RangeError });
  t.throws(() => elector(fake, new FakeClock(), 'x', { renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), { instanceOf: RangeError });
});
