/**
 * Integration helpers for the kubelet: a real in-process kube-apiserver, the
 * real Docker engine, and the kubelet either in-process (runKubelet) or as a
 * child process (bin/kubelet through tsx). Every kubelet gets a unique node
 * name — its containers carry `io.kubets.node=<name>`, which is how cleanup
 * finds exactly what this test made — and its own --root-dir in a temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../../controlplane/client/rest.js';
import { resources } from '../../../controlplane/client/resources.js';
import { commandTable } from '../../../controlplane/machinery/flags/command.js';
import { parseArgs } from '../../../controlplane/machinery/flags/parse.js';
import { createLogger, defaultLogOptions } from '../../../controlplane/machinery/log/index.js';
import type { Kubelet } from '../../../agent/kubelet/kubelet.js';
import type { Listening } from '../../../agent/kubelet/server/index.js';
import { kubeletCommand } from '../../../agent/kubelet/options.js';
import { kubeletConfigFromFlags, runKubelet, type KubeletConfig } from '../../../agent/kubelet/run.js';
import { startApiServer, type TestApiServer } from '../../harness/apiserver.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../../harness/docker.js';
import { tryRun, uniqueSuffix } from '../../harness/exec.js';
import { ensurePauseImage, PAUSE_IMAGE } from '../../../native/pause/pause.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });
export { BUSYBOX_IMAGE };

export function testLogger(name: string) {
  const sink = process.env.KUBELET_TEST_LOG ? process.stderr : { write: () => true };
  return createLogger({ ...defaultLogOptions(name), v: Number(process.env.KUBELET_TEST_V ?? 0) }, { stderr: sink });
}

export async function images(): Promise<void> {
  await ensureBusyboxImage();
  await ensurePauseImage('unix:///var/run/docker.sock', PAUSE_IMAGE);
}

export interface Env {
  api: TestApiServer;
  client: RestClient;
  ns: string;
  stop(): Promise<void>;
}

export async function startEnv(apiOpts: Parameters<typeof startApiServer>[0] = {}): Promise<Env> {
  await images();
  const api = await startApiServer(apiOpts);
  const client = new RestClient({ server: api.url, source: 'test' }, { qps: 0 });
  const ns = `kt-${uniqueSuffix()}`;
  await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return {
    api,
    client,
    ns,
    stop: async () => {
      client.close();
      await api.stop();
    },
  };
}

/** Kubelet flags → config, as bin/kubelet would parse them. */
export function configFor(args: string[], name: string): KubeletConfig {
  const out = parseArgs(commandTable(kubeletCommand), args);
  if (out.kind !== 'flags') throw new Error(`bad test flags: ${JSON.stringify(out)}`);
  return kubeletConfigFromFlags(out.flags, testLogger(name));
}

export interface RunningKubelet {
  nodeName: string;
  rootDir: string;
  kubelet: Promise<Kubelet>;
  healthzPort: Promise<number>;
  /** The kubelet's server (https, self-signed) once it listens. */
  server: Promise<Listening>;
  done: Promise<number>;
  /** Stops the kubelet (containers keep running). */
  stop(): Promise<void>;
  /** Stops it and removes everything it made: containers, root dir. */
  cleanup(): Promise<void>;
}

export async function startKubelet(env: Env | undefined, extraArgs: string[] = [], tweak?: (c: KubeletConfig) => void, reuse?: { nodeName: string; rootDir: string }): Promise<RunningKubelet> {
  const nodeName = reuse?.nodeName ?? `kt-node-${uniqueSuffix()}`;
  const rootDir = reuse?.rootDir ?? (await mkdtemp(join(tmpdir(), 'kubets-kubelet-')));
  // --port=0: the kubelet's server takes a free port (never 10250 in tests) and the node reports it.
  const args = [`--hostname-override=${nodeName}`, `--root-dir=${rootDir}`, '--healthz-port=0', '--port=0', '--read-only-port=0', `--cert-dir=${join(rootDir, 'pki')}`, '--node-status-update-frequency=1s', '--sync-frequency=10s', '--file-check-frequency=1s', '--http-check-frequency=1s', ...extraArgs];
  if (env) args.push(`--api-servers=${env.api.url}`, '--kube-api-qps=0');
  const cfg = configFor(args, nodeName);
  cfg.kubeApiQps = 0;
  tweak?.(cfg);
  const ac = new AbortController();
  let resolveK: (k: Kubelet) => void = () => undefined;
  let resolveH: (p: number) => void = () => undefined;
  const kubelet = new Promise<Kubelet>((r) => (resolveK = r));
  const healthzPort = new Promise<number>((r) => (resolveH = r));
  cfg.onStarted = resolveK;
  cfg.onHealthz = resolveH;
  let resolveS: (l: Listening) => void = () => undefined;
  const server = new Promise<Listening>((r) => (resolveS = r));
  cfg.onServer = resolveS;
  const done = runKubelet(cfg, ac.signal);
  const stop = async () => {
    ac.abort();
    await done.catch(() => undefined);
  };
  return {
    nodeName,
    rootDir,
    kubelet,
    healthzPort,
    server,
    done,
    stop,
    cleanup: async () => {
      // Pods are deleted through the kubelet first, so their networks are torn down (CNI DEL) before it stops.
      if (env && !ac.signal.aborted) await deleteNodePods(env, nodeName).catch(() => undefined);
      await stop();
      await removeNodeContainers(nodeName);
      await removeRootDir(rootDir);
    },
  };
}

/** Deletes every pod bound to the node (grace 0) and waits (up to 15 s) until the kubelet removed their containers. */
export async function deleteNodePods(env: Env, nodeName: string): Promise<void> {
  const pods = env.client.resource(resources.pods);
  const list = await pods.list({ fieldSelector: `spec.nodeName=${nodeName}` });
  for (const p of list.items) await env.client.resource(resources.pods, p.metadata.namespace).delete(p.metadata.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
  if (list.items.length === 0) return;
  await eventually(async () => (await docker.listContainers({ all: true, filters: { label: [`io.kubets.node=${nodeName}`] } })).length === 0, 15_000, 250).catch(() => undefined);
}

/** Every container (running or not) of a test node, force-removed. */
export async function removeNodeContainers(nodeName: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`io.kubets.node=${nodeName}`] } });
  // App containers first, sandboxes last (they hold the namespaces).
  list.sort((a, b) => Number(a.Labels['io.kubernetes.docker.type'] === 'podsandbox') - Number(b.Labels['io.kubernetes.docker.type'] === 'podsandbox'));
  for (const c of list) await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
}

/** Unmounts what the kubelet mounted below dir (tmpfs volumes) and removes it. */
export async function removeRootDir(dir: string): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => typeof m === 'string' && m.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await tryRun('umount', ['-l', m]);
  await rm(dir, { recursive: true, force: true });
}

/** Polls f until it returns a truthy value (or throws after timeoutMs with the last error). */
export async function eventually<T>(f: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, stepMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs}ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function pod(name: string, ns: string, nodeName: string, spec: Partial<NonNullable<Pod['spec']>>, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, ...meta },
    spec: { nodeName, terminationGracePeriodSeconds: 2, containers: [], ...spec },
  };
}

export async function getPod(env: Env, name: string): Promise<Pod> {
  return env.client.resource(resources.pods, env.ns).get(name);
}

/** The running Docker containers of one pod container, newest first. */
export async function containersOf(nodeName: string, podName: string, container: string): Promise<Docker.ContainerInfo[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`io.kubets.node=${nodeName}`, `io.kubernetes.pod.name=${podName}`, `io.kubernetes.container.name=${container}`] } });
  return list.sort((a, b) => b.Created - a.Created);
}

/** Runs a command in a container; stdout+stderr and the exit code. */
export async function dockerExec(id: string, cmd: string[]): Promise<{ out: string; code: number }> {
  const r = await tryRun('docker', ['exec', id, ...cmd]);
  return { out: r.stdout + r.stderr, code: r.exitCode };
}

export async function dockerLogs(id: string): Promise<string> {
  const r = await tryRun('docker', ['logs', id]);
  return r.stdout + r.stderr;
}

/** The repository root (for bin/kubelet). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** bin/kubelet from source in a child process (tsx), so it can be killed with SIGKILL. Output goes to $KUBELET_TEST_LOG_DIR/<node>.log when set. */
export function spawnKubelet(args: string[]): ChildProcess {
  const logDir = process.env.KUBELET_TEST_LOG_DIR;
  const node = args.find((a) => a.startsWith('--hostname-override='))?.split('=')[1] ?? 'kubelet';
  const out = logDir ? openSync(join(logDir, `${node}.log`), 'a') : 'ignore';
  // The server's ports: free ones unless the test chose (never the daemon's defaults).
  const server = args.some((a) => a.startsWith('--port')) ? [] : ['--port=0', '--read-only-port=0'];
  const root = args.find((a) => a.startsWith('--root-dir='))?.split('=')[1];
  if (root && !args.some((a) => a.startsWith('--cert-dir'))) server.push(`--cert-dir=${join(root, 'pki')}`);
  return spawn(process.execPath, ['--import=tsx', join(REPO, 'agent/kubelet/main.ts'), ...args, ...server], { cwd: REPO, stdio: ['ignore', out, out] });
}
