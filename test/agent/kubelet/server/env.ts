/**
 * A KubeletServer over a real Docker container, behind the real
 * kube-apiserver (its kubelet proxy, plain http), for the real kubectl.
 *
 * The container is started by the test (`kt-srv-<rand>`, no network of its
 * own but a namespace with `lo`), runs a busybox httpd on 127.0.0.1:8080 in
 * it, and echoes whatever lands in /tmp/say to its stdout, so a test can
 * make new log lines appear. The locator returns that container for pod `p`
 * and nothing for pod `q` (whose status says ContainerCreating).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import { createLogger, defaultLogOptions } from '../../../../controlplane/machinery/log/index.js';
import { DockerRuntime } from '../../../../agent/kubelet/runtime/docker/runtime.js';
import { DockerAttacher, KubeletServer, type ContainerLocator, type KubeletServerTLS } from '../../../../agent/kubelet/server/index.js';
import { startApiServer, type TestApiServer } from '../../../harness/apiserver.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage, requireDocker } from '../../../harness/docker.js';
import { run, tryRun, uniqueSuffix } from '../../../harness/exec.js';
import { kubectlPath, makeKubectl, type Kubectl, type KubectlVersion } from '../../../harness/kubectl.js';
import { requireRoot } from '../../../harness/netns.js';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

export function testLogger(name: string) {
  const sink = process.env.KUBELET_TEST_LOG ? process.stderr : { write: () => true };
  return createLogger({ ...defaultLogOptions(name), v: Number(process.env.KUBELET_TEST_V ?? 0) }, { stderr: sink });
}

/** The main process of the test container: greet on both streams, serve /www, relay /tmp/say to stdout. */
const MAIN = [
  'echo hello',
  'echo oops >&2',
  'mkdir -p /www && echo page-ok > /www/index.html',
  'httpd -p 127.0.0.1:8080 -h /www',
  'while true; do if [ -f /tmp/say ]; then cat /tmp/say; rm -f /tmp/say; fi; sleep 0.2; done',
].join('; ');

export interface ServerEnv {
  api: TestApiServer;
  server: KubeletServer;
  port: number;
  container: { name: string; id: string; pid: number };
  podUID: string;
  kubectl(v: KubectlVersion): Promise<Kubectl>;
  /** Starts a long-running kubectl (logs -f, port-forward); kill it when done. */
  spawnKubectl(k: Kubectl, args: string[], env?: Record<string, string>): ChildProcess;
  stop(): Promise<void>;
}

async function call(url: string, method: string, body: unknown, type = 'application/json'): Promise<Record<string, unknown>> {
  const r = await fetch(url, { method, headers: { 'content-type': type }, body: JSON.stringify(body) });
  const j = (await r.json()) as Record<string, unknown>;
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

/** `tls`: the kubelet serves https with a self-signed pair made in a temp --cert-dir, and the API server dials it with --kubelet-https. */
export async function startServerEnv(o: { tls?: boolean } = {}): Promise<ServerEnv> {
  requireRoot('the kubelet server test (port-forward enters a network namespace)');
  await requireDocker();
  await ensureBusyboxImage();
  const name = `kt-srv-${uniqueSuffix()}`;
  const cleanups: (() => Promise<unknown>)[] = [() => tryRun('docker', ['rm', '-f', name])];
  const kubectls: Kubectl[] = [];
  try {
    const podUID = '11111111-2222-3333-4444-555555555555';
    const node = `kt-srv-${uniqueSuffix()}`;
    // The labels the kubelet puts on its containers (runtime/labels.ts): the runtime only reports containers that have them.
    const labels = { 'io.kubernetes.pod.name': 'p', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': podUID, 'io.kubernetes.container.name': 'c', 'io.kubernetes.docker.type': 'container', 'io.kubets.node': node };
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const id = (await run('docker', ['run', '-d', '--name', name, '--network', 'none', ...labelArgs, BUSYBOX_IMAGE, 'sh', '-c', MAIN])).stdout.trim();
    const pid = Number((await run('docker', ['inspect', '-f', '{{.State.Pid}}', name])).stdout.trim());
    const log = testLogger('kubelet-server');
    const runtime = new DockerRuntime({ endpoint: 'unix:///var/run/docker.sock', node, podInfraImage: 'kubets.local/pause:3.9', serializeImagePulls: false, registryQps: 0, registryBurst: 0, pullProgressDeadlineMs: 60_000, log });

    const pods: Pod[] = [];
    const locator: ContainerLocator = {
      find: async (ns, pod, c) => (ns === 'default' && pod === 'p' && c === 'c' ? { id, podUID } : undefined),
      sandboxNetns: async (ns, pod) => (ns === 'default' && pod === 'p' ? `/proc/${pid}/ns/net` : undefined),
    };
    let tls: KubeletServerTLS | undefined;
    if (o.tls) {
      const certDir = await mkdtemp(join(tmpdir(), 'kt-srv-certs-'));
      cleanups.push(() => rm(certDir, { recursive: true, force: true }));
      tls = { certDir, hostname: 'kt-srv-node', addresses: ['127.0.0.1'] };
    }
    const server = new KubeletServer({ address: '127.0.0.1', port: 0, readOnlyPort: 0, tls, enableDebuggingHandlers: true, runtime, locator, pods: () => pods, attacher: new DockerAttacher(docker), log });
    const { port } = await server.start();
    cleanups.push(() => server.close());

    const api = await startApiServer({ api: { kubelet: { https: Boolean(o.tls), port, timeoutMs: 5000, preferredAddressTypes: ['InternalIP'] } } });
    cleanups.push(() => api.stop());
    await call(`${api.url}/api/v1/nodes`, 'POST', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kt-srv-node' } });
    await call(`${api.url}/api/v1/nodes/kt-srv-node/status`, 'PATCH', { status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } }, 'application/merge-patch+json');
    for (const [podName, waiting] of [['p', false], ['q', true]] as const) {
      const created = await call(`${api.url}/api/v1/namespaces/default/pods`, 'POST', { apiVersion: 'v1', kind: 'Pod', metadata: { name: podName }, spec: { nodeName: 'kt-srv-node', containers: [{ name: 'c', image: BUSYBOX_IMAGE }] } });
      const status = waiting
        ? { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: BUSYBOX_IMAGE, imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] }
        : { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: BUSYBOX_IMAGE, imageID: '', containerID: `docker://${id}`, state: { running: { startedAt: new Date().toISOString() } } }] };
      const updated = await call(`${api.url}/api/v1/namespaces/default/pods/${podName}/status`, 'PATCH', { status }, 'application/merge-patch+json');
      const meta = created.metadata as Pod['metadata'];
      pods.push({ ...(updated as unknown as Pod), metadata: { ...meta, uid: podName === 'p' ? podUID : meta.uid } });
    }

    return {
      api,
      server,
      port,
      container: { name, id, pid },
      podUID,
      kubectl: async (v) => {
        const k = await makeKubectl(v, api.url);
        kubectls.push(k);
        return k;
      },
      spawnKubectl: (k, args, env = {}) =>
        spawn(kubectlPath(k.version), ['--kubeconfig', k.kubeconfig, '--cache-dir', join(k.kubeconfig, '..', 'cache'), ...args], {
          env: { HOME: join(k.kubeconfig, '..'), PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      stop: async () => {
        for (const k of kubectls) await k.cleanup();
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw e;
  }
}

/** Resolves with the accumulated output once `pattern` shows up in a child's stdout (or rejects when it exits first). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, what = 'output'): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (pattern.test(out)) {
        child.stdout?.off('data', onData);
        resolve(out);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    child.once('exit', (code) => reject(new Error(`kubectl exited (${code}) before ${what} ${pattern}: stdout=${JSON.stringify(out)} stderr=${JSON.stringify(err)}`)));
  });
}
