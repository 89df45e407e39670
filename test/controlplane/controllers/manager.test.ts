// The manager's own logic: --controllers selection, flag validation, the
// instrumented work queue's metrics, and the service account controller.
import test from 'ava';
import { resources } from '../../../controlplane/client/resources.js';
import { FakeClock, flush } from '../../../controlplane/client/testing/clock.js';
import { InstrumentedQueue } from '../../../controlplane/controllers/common/queue.js';
import { ControllerManagerConfigError, optionsFromFlags } from '../../../controlplane/controllers/config.js';
import { ControllerManagerMetrics } from '../../../controlplane/controllers/metrics.js';
import { enabledControllers, isControllerEnabled, validateControllers } from '../../../controlplane/controllers/names.js';
import { controllerManagerCommand } from '../../../controlplane/controllers/options.js';
import { ServiceAccountsController } from '../../../controlplane/controllers/serviceaccount/controller.js';
import { commandTable } from '../../../controlplane/machinery/flags/command.js';
import { parseArgs } from '../../../controlplane/machinery/flags/parse.js';
import { fixture } from './fixtures.js';
import { testLogger } from './harness.js';

test('--controllers: first explicit mention wins, * enables the default-on ones', (t) => {
  const cases: [string, string[], boolean][] = [
    ['deployment', ['*'], true],
    ['deployment', ['*', '-deployment'], false],
    ['deployment', ['-deployment', '*'], false],
    ['deployment', ['replicaset'], false],
    ['replicaset', ['replicaset'], true],
    ['bootstrapsigner', ['*'], false],
    ['bootstrapsigner', ['*', 'bootstrapsigner'], true],
    ['tokencleaner', [], false],
  ];
  for (const [name, list, want] of cases) t.is(isControllerEnabled(name, list), want, `${name} with ${list.join(',')}`);
  t.deepEqual(enabledControllers(['replicaset', 'endpoint']), ['endpoint', 'replicaset']);
  t.throws(() => validateControllers(['*', 'nosuch']), { message: '"nosuch" is not in the list of known controllers' });
  t.throws(() => validateControllers(['-nosuch']), { message: /"nosuch"/ });
  t.notThrows(() => validateControllers(['*', '-garbagecollector', 'ttl-after-finished']));
});

function flags(argv: string[]) {
  const r = parseArgs(commandTable(controllerManagerCommand), argv);
  if (r.kind !== 'flags') throw new Error(`unexpected parse result ${r.kind}`);
  return optionsFromFlags(r.flags, testLogger('flags'));
}

test('flags become options; bad values are configuration errors naming the flag', (t) => {
  const o = flags(['--master=http://127.0.0.1:8080', '--concurrent-deployment-syncs=10', '--controllers=*,-job', '--enable-garbage-collector=true', '--min-resync-period=1m', '--port=0']);
  t.is(o.master, 'http://127.0.0.1:8080');
  t.is(o.concurrency.deployment, 10);
  t.deepEqual(o.controllers, ['*', '-job']);
  t.true(o.enableGarbageCollector);
  t.is(o.minResyncPeriodMs, 60_000);
  t.is(o.port, 0);
  const defaults = flags([]);
  t.false(defaults.enableGarbageCollector, 'the seed table: garbage collector off unless enabled');
  t.is(defaults.port, 10252);
  t.is(defaults.lockName, 'kube-controller-manager');
  t.throws(() => flags(['--controllers=foo']), { instanceOf: ControllerManagerConfigError, message: /"foo" is not in the list of known controllers/ });
  t.throws(() => flags(['--concurrent-gc-syncs=0']), { instanceOf: ControllerManagerConfigError, message: /--concurrent-gc-syncs/ });
});

test('the instrumented queue counts adds and retries, reports depth, and delays re-adds', async (t) => {
  const clock = new FakeClock();
  const m = new ControllerManagerMetrics();
  const q = new InstrumentedQueue('test', m, clock);
  q.add('a');
  q.add('a');
  q.add('b');
  const text1 = await m.registry.metrics();
  t.regex(text1, /workqueue_adds_total\{name="test"\} 2/);
  t.regex(text1, /workqueue_depth\{name="test"\} 2/);
  const k = await q.get();
  t.is(k, 'a');
  q.addRateLimited('a');
  q.done('a');
  t.is(q.length, 1, 'the retry waits its back-off');
  await clock.advance(10);
  t.is(q.length, 2);
  t.is(q.numRequeues('a'), 1);
  const text2 = await m.registry.metrics();
  t.regex(text2, /workqueue_retries_total\{name="test"\} 1/);
  t.regex(text2, /workqueue_work_duration_seconds_count\{name="test"\} 1/);
  q.shutDown();
  await flush();
});

test('service accounts: default made in each live namespace, not in terminating ones', async (t) => {
  const f = fixture();
  f.client.seed(resources.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going', deletionTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Terminating' } });
  const c = new ServiceAccountsController(f.ctx);
  await f.refresh(resources.namespaces);
  await f.refresh(resources.serviceaccounts);
  await c.sync('team');
  await c.sync('going');
  const made = f.client.actions.filter((a) => a.verb === 'create');
  t.deepEqual(made.map((a) => `${a.namespace}/${a.name}`), ['team/default']);
  await f.refresh(resources.serviceaccounts);
  f.client.clearActions();
  await c.sync('team');
  t.deepEqual(f.client.actions, [], 'exists: nothing to do');
});
