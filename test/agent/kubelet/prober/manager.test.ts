// ProberManager logic with a scripted ProbeRunner and a fake clock:
// thresholds, initial delay, period, startup gating, holds after liveness
// failure, containerStarted/Stopped, deletion, spec changes.
import test from 'ava';
import type { Container, Pod, Probe } from '../../../../controlplane/api/core/v1/types.js';
import { FakeClock, flush } from '../../../../controlplane/client/testing/clock.js';
import type { ProbeKind } from '../../../../agent/kubelet/types.js';
import { KubeletProberManager } from '../../../../agent/kubelet/prober/manager.js';
import { ScriptedRunner } from '../../../../agent/kubelet/prober/testing/fake.js';
import type { ProbeOutcome, ProbeRequest, ProbeRunner } from '../../../../agent/kubelet/prober/types.js';

const S = 1000;

function mkPod(containers: Container[], uid = 'uid-1'): Pod {
  return { metadata: { name: 'p', namespace: 'ns', uid }, spec: { containers } };
}

const exec = (extra: Partial<Probe> = {}): Probe => ({ exec: { command: ['true'] }, periodSeconds: 10, ...extra });

interface Env {
  clock: FakeClock;
  runner: ScriptedRunner;
  pm: KubeletProberManager;
  changes: string[];
  unhealthy: { container: string; id: string; kind: ProbeKind; message: string }[];
  failures: string[];
  stop(): Promise<void>;
}

function start(): Env {
  const clock = new FakeClock();
  const runner = new ScriptedRunner();
  const failures: string[] = [];
  const pm = new KubeletProberManager({
    targets: { podIP: () => '10.0.0.1', exec: async () => ({ exitCode: 0, output: '' }) },
    clock,
    runner,
    recordFailure: (_uid, c, _k, msg) => failures.push(`${c}: ${msg}`),
  });
  const changes: string[] = [];
  const unhealthy: Env['unhealthy'] = [];
  pm.onChange((uid) => changes.push(uid));
  pm.onUnhealthy((_uid, container, id, kind, message) => unhealthy.push({ container, id, kind, message }));
  const ac = new AbortController();
  const running = pm.run(ac.signal);
  return {
    clock,
    runner,
    pm,
    changes,
    unhealthy,
    failures,
    stop: async () => {
      ac.abort();
      await running;
    },
  };
}

const startedAt = (e: Env) => new Date(e.clock.now());

test('readiness starts as failure, turns ready on the first success, and onChange fires', async (t) => {
  const e = start();
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec() }]));
  t.false(e.pm.isReady('uid-1', 'c'), 'not ready before the container starts');
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  t.is(e.pm.result('uid-1', 'c', 'readiness'), 'failure');
  await e.clock.advance(0);
  t.true(e.pm.isReady('uid-1', 'c'));
  t.true(e.changes.length >= 1);
  await e.stop();
});

test('a container without a readiness probe is ready once started (and startup, if any, passed)', async (t) => {
  const e = start();
  e.pm.addPod(mkPod([{ name: 'plain' }]));
  t.false(e.pm.isReady('uid-1', 'plain'));
  e.pm.containerStarted('uid-1', 'plain', 'id-1', startedAt(e));
  t.true(e.pm.isReady('uid-1', 'plain'));
  t.true(e.pm.isStarted('uid-1', 'plain'));
  t.deepEqual(e.changes, ['uid-1']);
  e.pm.containerStarted('uid-1', 'plain', 'id-1', startedAt(e));
  t.deepEqual(e.changes, ['uid-1'], 're-announcing the running instance is not a change');
  e.pm.containerStopped('uid-1', 'plain', 'id-1');
  t.false(e.pm.isReady('uid-1', 'plain'));
  t.false(e.pm.isStarted('uid-1', 'plain'));
  await e.stop();
});

test('initialDelaySeconds counts from the container start; then one attempt per periodSeconds', async (t) => {
  const e = start();
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ initialDelaySeconds: 5, periodSeconds: 3 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(4.9 * S);
  t.is(e.runner.count('readiness'), 0);
  await e.clock.advance(0.1 * S);
  t.is(e.runner.count('readiness'), 1);
  await e.clock.advance(9 * S);
  t.is(e.runner.count('readiness'), 4, 'at 5, 8, 11, 14 s');
  await e.stop();
});

test('a container adopted long after it started is probed at once', async (t) => {
  const e = start();
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ initialDelaySeconds: 30 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', new Date(e.clock.now() - 3600 * S));
  await e.clock.advance(0);
  t.is(e.runner.count('readiness'), 1);
  await e.stop();
});

test('successThreshold: readiness needs that many successes in a row; a failure restarts the count', async (t) => {
  const e = start();
  e.runner.script('readiness', 'success', 'success', 'failure', 'success', 'success', 'success');
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1, successThreshold: 3, failureThreshold: 5 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  const seen: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    await e.clock.advance(i === 0 ? 0 : S);
    seen.push(e.pm.isReady('uid-1', 'c'));
  }
  t.deepEqual(seen, [false, false, false, false, false, true]);
  await e.stop();
});

test('failureThreshold: readiness flips to not ready only after that many failures in a row', async (t) => {
  const e = start();
  e.runner.script('readiness', 'success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure');
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1, failureThreshold: 3 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  const seen: boolean[] = [];
  for (let i = 0; i < 7; i++) {
    await e.clock.advance(i === 0 ? 0 : S);
    seen.push(e.pm.isReady('uid-1', 'c'));
  }
  t.deepEqual(seen, [true, true, true, true, true, true, false]);
  t.is(e.failures.length, 5, 'every failed attempt is recorded for events');
  t.is(e.failures[0], 'c: Readiness probe failed: scripted failure');
  await e.stop();
});

test('liveness failing failureThreshold times calls onUnhealthy once, then holds until a new container', async (t) => {
  const e = start();
  e.runner.script('liveness', 'failure');
  e.pm.addPod(mkPod([{ name: 'c', livenessProbe: exec({ periodSeconds: 2, failureThreshold: 3 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  t.is(e.pm.result('uid-1', 'c', 'liveness'), 'success', 'liveness starts as success');
  await e.clock.advance(3 * S);
  t.is(e.unhealthy.length, 0, 'two failures are not enough');
  await e.clock.advance(1 * S);
  t.deepEqual(e.unhealthy, [{ container: 'c', id: 'id-1', kind: 'liveness', message: 'Liveness probe failed: scripted failure' }]);
  await e.clock.advance(20 * S);
  t.is(e.runner.count('liveness'), 3, 'on hold: no more attempts on the condemned container');
  t.is(e.unhealthy.length, 1);

  e.runner.script('liveness', 'success');
  e.pm.containerStarted('uid-1', 'c', 'id-2', startedAt(e));
  t.is(e.pm.result('uid-1', 'c', 'liveness'), 'success');
  await e.clock.advance(0);
  t.is(e.runner.count('liveness'), 4, 'probing resumed on the new container');
  t.is(e.runner.attempts.at(-1)!.containerId, 'id-2');
  await e.stop();
});

test('startup gates liveness and readiness; readiness runs as soon as startup passes', async (t) => {
  const e = start();
  e.runner.script('startup', 'failure', 'failure', 'success');
  e.pm.addPod(
    mkPod([{ name: 'c', startupProbe: exec({ periodSeconds: 5, failureThreshold: 10 }), livenessProbe: exec({ periodSeconds: 10 }), readinessProbe: exec({ periodSeconds: 10 }) }]),
  );
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  t.is(e.pm.result('uid-1', 'c', 'startup'), 'unknown');
  await e.clock.advance(9 * S);
  t.false(e.pm.isStarted('uid-1', 'c'));
  t.false(e.pm.isReady('uid-1', 'c'));
  t.is(e.runner.count('liveness') + e.runner.count('readiness'), 0, 'gated while not started');
  await e.clock.advance(1 * S); // third startup attempt at 10 s passes
  t.true(e.pm.isStarted('uid-1', 'c'));
  t.is(e.runner.count('readiness'), 1, 'readiness triggered right after startup');
  t.true(e.pm.isReady('uid-1', 'c'));
  await e.clock.advance(30 * S);
  t.is(e.runner.count('startup'), 3, 'startup stops probing once passed');
  t.true(e.runner.count('liveness') >= 3);
  await e.stop();
});

test('startup failing failureThreshold times is unhealthy with kind startup', async (t) => {
  const e = start();
  e.runner.script('startup', 'failure');
  e.pm.addPod(mkPod([{ name: 'c', startupProbe: exec({ periodSeconds: 1, failureThreshold: 2 }), livenessProbe: exec() }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(1 * S);
  t.deepEqual(e.unhealthy.map((u) => u.kind), ['startup']);
  t.is(e.unhealthy[0].message, 'Startup probe failed: scripted failure');
  t.is(e.runner.count('liveness'), 0);
  await e.stop();
});

test('probe errors are thrown away: the result does not change', async (t) => {
  const e = start();
  e.runner.script('readiness', 'success', new Error('no IP yet'), new Error('no IP yet'), new Error('no IP yet'), 'success');
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1, failureThreshold: 1 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  for (let i = 0; i < 5; i++) {
    await e.clock.advance(i === 0 ? 0 : S);
    t.true(e.pm.isReady('uid-1', 'c'), `attempt ${i}`);
  }
  await e.stop();
});

test('a pod being deleted is not restarted by its liveness probe', async (t) => {
  const e = start();
  e.runner.script('liveness', 'failure');
  const pod = mkPod([{ name: 'c', livenessProbe: exec({ periodSeconds: 1, failureThreshold: 1 }) }]);
  e.pm.addPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(5 * S);
  t.is(e.unhealthy.length, 0);
  t.is(e.runner.count('liveness'), 0);
  await e.stop();
});

test('containerStopped: readiness reads failure and probing pauses until the next start', async (t) => {
  const e = start();
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(0);
  t.true(e.pm.isReady('uid-1', 'c'));
  const before = e.changes.length;
  e.pm.containerStopped('uid-1', 'c', 'id-1');
  t.false(e.pm.isReady('uid-1', 'c'));
  t.is(e.changes.length, before + 1);
  const n = e.runner.count('readiness');
  await e.clock.advance(10 * S);
  t.is(e.runner.count('readiness'), n);
  e.pm.containerStopped('uid-1', 'c', 'stale-id'); // a stale id changes nothing
  e.pm.containerStarted('uid-1', 'c', 'id-2', startedAt(e));
  await e.clock.advance(0);
  t.true(e.pm.isReady('uid-1', 'c'));
  await e.stop();
});

test('removePod aborts an attempt in flight; nothing is reported', async (t) => {
  const e = start();
  e.runner.script('readiness', 'hang');
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(0);
  t.is(e.runner.count('readiness'), 1);
  // Stop hangs by removing the pod: the worker's signal aborts the attempt and nothing is reported.
  e.pm.removePod('uid-1');
  await flush();
  t.false(e.pm.isReady('uid-1', 'c'));
  t.is(e.pm.result('uid-1', 'c', 'readiness'), undefined);
  await e.stop();
});

test('addPod is idempotent; a changed probe replaces its worker; a removed probe stops', async (t) => {
  const e = start();
  const pod = mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 10 }), livenessProbe: exec({ periodSeconds: 10 }) }]);
  e.pm.addPod(pod);
  e.pm.addPod(pod);
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(0);
  t.is(e.runner.count('readiness'), 1);
  t.is(e.runner.count('liveness'), 1);
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 2 }) }]));
  await e.clock.advance(0);
  t.is(e.runner.count('readiness'), 2, 'the new worker probes the running container at once');
  await e.clock.advance(10 * S);
  t.is(e.runner.count('liveness'), 1, 'the liveness worker is gone');
  t.is(e.runner.count('readiness'), 7);
  await e.stop();
});

test('one worker per container and kind; removePod stops them all', async (t) => {
  const e = start();
  e.pm.addPod(
    mkPod([
      { name: 'a', readinessProbe: exec({ periodSeconds: 1 }) },
      { name: 'b', readinessProbe: exec({ periodSeconds: 1 }), livenessProbe: exec({ periodSeconds: 1 }) },
    ]),
  );
  e.pm.containerStarted('uid-1', 'a', 'ida', startedAt(e));
  e.pm.containerStarted('uid-1', 'b', 'idb', startedAt(e));
  await e.clock.advance(2 * S);
  t.is(e.runner.count('readiness', 'a'), 3);
  t.is(e.runner.count('readiness', 'b'), 3);
  t.is(e.runner.count('liveness', 'b'), 3);
  e.pm.removePod('uid-1');
  const total = e.runner.attempts.length;
  await e.clock.advance(5 * S);
  t.is(e.runner.attempts.length, total);
  t.false(e.pm.isReady('uid-1', 'a'));
  await e.stop();
});

test('a throwing handler does not break probing', async (t) => {
  const e = start();
  e.pm.onChange(() => {
    throw new Error('boom');
  });
  e.pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 1 }) }]));
  e.pm.containerStarted('uid-1', 'c', 'id-1', startedAt(e));
  await e.clock.advance(S);
  t.true(e.pm.isReady('uid-1', 'c'));
  await e.stop();
});

test('workers added before run() start when it does, and run() returns after abort', async (t) => {
  const clock = new FakeClock();
  const runner = new ScriptedRunner();
  const pm = new KubeletProberManager({ targets: { podIP: () => undefined, exec: async () => ({ exitCode: 0, output: '' }) }, clock, runner });
  pm.addPod(mkPod([{ name: 'c', readinessProbe: exec() }]));
  pm.containerStarted('uid-1', 'c', 'id', new Date(clock.now()));
  await clock.advance(20 * S);
  t.is(runner.attempts.length, 0);
  const ac = new AbortController();
  const running = pm.run(ac.signal);
  await clock.advance(0);
  t.is(runner.attempts.length, 1);
  ac.abort();
  await running;
  t.pass();
});

test('an attempt that finishes after the container was replaced is dropped', async (t) => {
  const clock = new FakeClock();
  const pending: { req: ProbeRequest; resolve: (o: ProbeOutcome) => void }[] = [];
  const runner: ProbeRunner = { run: (req) => new Promise((resolve) => pending.push({ req, resolve })) };
  const pm = new KubeletProberManager({ targets: { podIP: () => '10.0.0.1', exec: async () => ({ exitCode: 0, output: '' }) }, clock, runner });
  const ac = new AbortController();
  const running = pm.run(ac.signal);
  pm.addPod(mkPod([{ name: 'c', readinessProbe: exec({ periodSeconds: 10 }) }]));
  pm.containerStarted('uid-1', 'c', 'id-1', new Date(clock.now()));
  await clock.advance(0);
  t.is(pending.length, 1);
  pm.containerStarted('uid-1', 'c', 'id-2', new Date(clock.now()));
  pending[0].resolve({ result: 'success', output: '' }); // about id-1: must not make id-2 ready
  await flush();
  t.false(pm.isReady('uid-1', 'c'));
  t.is(pending.length, 2, 'the new container is probed next');
  t.is(pending[1].req.containerId, 'id-2');
  pending[1].resolve({ result: 'success', output: '' });
  await flush();
  t.true(pm.isReady('uid-1', 'c'));
  ac.abort();
  await running;
});
