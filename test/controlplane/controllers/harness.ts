/**
 * Integration helpers: a real in-process kube-apiserver (sqlite), a client
 * to it, the controller manager in-process (runControllerManager), and the
 * kubelet's part played by the test: marking pods Running and Ready (or
 * Succeeded) through pods/status, since no kubelet runs here.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import { defaultOptions, type ControllerManagerOptions } from '../../../controlplane/controllers/config.js';
import { runControllerManager, type RunOutcome } from '../../../controlplane/controllers/run.js';
import { createLogger, defaultLogOptions } from '../../../controlplane/machinery/log/index.js';
import { startApiServer, type TestApiServer } from '../../harness/apiserver.js';

export interface Env {
  api: TestApiServer;
  client: RestClient;
  stop(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const api = await startApiServer();
  const client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  return {
    api,
    client,
    stop: async () => {
      client.close();
      await api.stop();
    },
  };
}

/** Quiet unless KCM_TEST_LOG=1 (KCM_TEST_V for verbosity). */
export function testLogger(name = 'kube-controller-manager') {
  const sink = process.env.KCM_TEST_LOG ? process.stderr : { write: () => true };
  return createLogger({ ...defaultLogOptions(name), v: Number(process.env.KCM_TEST_V ?? 0) }, { stderr: sink });
}

export interface RunningManager {
  done: Promise<RunOutcome>;
  started: Promise<readonly string[]>;
  abort(): Promise<RunOutcome>;
}

/** The controller manager against env, garbage collector on, no client rate limit, no HTTP port. */
export function startManager(env: Env, extra: Partial<ControllerManagerOptions> = {}): RunningManager {
  const ac = new AbortController();
  let resolveStarted: (c: readonly string[]) => void = () => undefined;
  const started = new Promise<readonly string[]>((r) => (resolveStarted = r));
  const opts: ControllerManagerOptions = {
    ...defaultOptions(testLogger()),
    master: env.api.url,
    port: 0,
    kubeApiQps: 0,
    enableGarbageCollector: true,
    ...extra,
    onStarted: (c) => resolveStarted(c),
  };
  const done = runControllerManager(opts, ac.signal);
  return {
    done,
    started,
    abort: async () => {
      ac.abort();
      return done;
    },
  };
}

/** Polls until fn returns a value (not undefined) or the timeout passes (generous: the machine is shared). */
export async function eventually<T>(fn: () => Promise<T | undefined>, what = 'condition', timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function listPods(env: Env, ns = 'default', labelSelector?: string): Promise<Pod[]> {
  return (await env.client.resource(resources.pods, ns).list({ labelSelector })).items;
}

let ipSeq = 1;

/** Plays the kubelet: the pod Running with an IP and Ready=True (or, with ready=false, Running and not ready). */
export async function markPodRunning(env: Env, pod: Pod, ready = true): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ip = pod.status?.podIP ?? `10.244.${(ipSeq >> 8) & 255}.${ipSeq++ & 255}`;
  const status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    startTime: now,
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
    ],
  };
  await env.client.resource(resources.pods, pod.metadata.namespace ?? 'default').patch(pod.metadata.name!, 'merge', { status }, { subresource: 'status' });
}

/** Plays the kubelet for a finished pod. */
export async function markPodFinished(env: Env, pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const status = {
    phase,
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now, reason: phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed' }],
    containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'busybox', imageID: '', state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: now } } }],
  };
  await env.client.resource(resources.pods, pod.metadata.namespace ?? 'default').patch(pod.metadata.name!, 'merge', { status }, { subresource: 'status' });
}

/**
 * Marks every pod matching the selector that is not yet Ready as Running and
 * Ready, until `until` says the goal is reached. New pods keep appearing
 * during a rollout, so this loops.
 */
export async function keepPodsReady(env: Env, labelSelector: string, until: () => Promise<boolean>, what: string, ns = 'default', timeoutMs = 90_000): Promise<void> {
  await eventually(
    async () => {
      for (const p of await listPods(env, ns, labelSelector)) {
        if (p.metadata.deletionTimestamp) continue;
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
        await markPodRunning(env, p).catch(() => undefined);
      }
      return (await until()) ? true : undefined;
    },
    what,
    timeoutMs,
  );
}
