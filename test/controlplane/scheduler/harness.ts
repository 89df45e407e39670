/**
 * Integration helpers: a real in-process kube-apiserver (sqlite), a client
 * to it, and runScheduler in-process with options for tests.
 */
import type { Node, Pod } from '../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import { createLogger, defaultLogOptions } from '../../../controlplane/machinery/log/index.js';
import { defaultOptions, type SchedulerOptions } from '../../../controlplane/scheduler/config.js';
import { runScheduler, type RunOutcome } from '../../../controlplane/scheduler/run.js';
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

/** Quiet unless SCHED_TEST_LOG=1. */
export function testLogger(name: string) {
  const sink = process.env.SCHED_TEST_LOG ? process.stderr : { write: () => true };
  return createLogger({ ...defaultLogOptions(name), v: Number(process.env.SCHED_TEST_V ?? 0) }, { stderr: sink });
}

export interface RunningScheduler {
  done: Promise<RunOutcome>;
  abort(): Promise<RunOutcome>;
  port: Promise<number>;
}

export function startScheduler(env: Env, extra: Partial<SchedulerOptions> = {}): RunningScheduler {
  const ac = new AbortController();
  let resolvePort: (p: number) => void = () => undefined;
  const port = new Promise<number>((r) => (resolvePort = r));
  const opts: SchedulerOptions = { ...defaultOptions(testLogger(extra.schedulerName ?? 'kube-scheduler')), master: env.api.url, port: 0, kubeApiQps: 0, ...extra, onServing: (p) => resolvePort(p) };
  const done = runScheduler(opts, ac.signal);
  return {
    done,
    port,
    abort: async () => {
      ac.abort();
      return done;
    },
  };
}

export async function createNode(env: Env, n: Node): Promise<void> {
  await env.client.resource(resources.nodes).create(n);
}

export async function createPod(env: Env, p: Pod): Promise<void> {
  await env.client.resource(resources.pods, p.metadata.namespace ?? 'default').create(p);
}

export async function getPod(env: Env, name: string, ns = 'default'): Promise<Pod> {
  return env.client.resource(resources.pods, ns).get(name);
}

/** Polls until fn returns a value (not undefined) or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
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
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function nodeOf(env: Env, name: string, ns = 'default', timeoutMs = 10_000): Promise<string> {
  return eventually(async () => (await getPod(env, name, ns)).spec?.nodeName || undefined, timeoutMs, `pod ${ns}/${name} to be bound`);
}
