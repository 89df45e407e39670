// Static pods: from --pod-manifest-path (mirrored read-only into the API,
// surviving the loss of the API server), from --manifest-url (with the
// header), and --runonce.
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { resources } from '../../../controlplane/client/resources.js';
import { runKubelet } from '../../../agent/kubelet/run.js';
import { BUSYBOX_IMAGE, configFor, containersOf, docker, eventually, images, removeNodeContainers, removeRootDir, startEnv, startKubelet } from './harness.js';
import { uniqueSuffix } from '../../harness/exec.js';

const manifest = (name: string, ns?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(ns ? { namespace: ns } : {}), labels: { tier: 'static' } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
});

test.serial('a manifest file runs as a static pod with a mirror pod; a deleted mirror comes back; the pod outlives the API server and goes with its file', async (t) => {
  const env = await startEnv();
  const dir = await mkdtemp(join(tmpdir(), 'kubets-manifests-'));
  const file = join(dir, 'web.yaml');
  await writeFile(file, YAML.stringify(manifest('static-web', env.ns)));
  await writeFile(join(dir, 'broken.yaml'), 'kind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: "no image"}]}\n');
  const k = await startKubelet(env, [`--pod-manifest-path=${dir}`]);
  let apiStopped = false;
  try {
    const name = `static-web-${k.nodeName}`;
    const pods = env.client.resource(resources.pods, env.ns);
    const mirror = await eventually(async () => {
      const p = await pods.get(name);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 30_000);
    t.truthy(mirror.metadata.annotations?.['kubernetes.io/config.mirror']);
    t.is(mirror.metadata.annotations?.['kubernetes.io/config.source'], 'file');
    t.is(mirror.spec?.nodeName, k.nodeName);
    t.is(mirror.status?.containerStatuses?.[0]?.ready, true);
    const [c0] = await containersOf(k.nodeName, name, 'main');
    t.truthy(c0);
    // The UID of the running pod is the manifest's hash, not the mirror's.
    t.is(c0.Labels['io.kubernetes.pod.uid'], mirror.metadata.annotations?.['kubernetes.io/config.hash'] ?? '');
    t.not(c0.Labels['io.kubernetes.pod.uid'], mirror.metadata.uid);

    // Deleting the mirror does not touch the pod; the kubelet makes a new mirror.
    await pods.delete(name, { gracePeriodSeconds: 0 });
    const again = await eventually(async () => {
      const p = await pods.get(name);
      return p.metadata.uid !== mirror.metadata.uid ? p : undefined;
    }, 20_000);
    t.truthy(again.metadata.annotations?.['kubernetes.io/config.mirror']);
    t.is((await containersOf(k.nodeName, name, 'main'))[0].Id, c0.Id);

    // No API server: the static pod keeps running.
    await env.stop();
    apiStopped = true;
    await new Promise((r) => setTimeout(r, 3000));
    const [still] = await containersOf(k.nodeName, name, 'main');
    t.is(still.Id, c0.Id);
    t.is(still.State, 'running');

    // Its manifest goes: the pod goes.
    await unlink(file);
    await eventually(async () => (await containersOf(k.nodeName, name, 'main')).length === 0, 20_000);
    t.pass();
  } finally {
    await k.cleanup();
    if (!apiStopped) await env.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.serial('--manifest-url with --manifest-url-header runs the pods the URL lists, standalone; they go when the list empties', async (t) => {
  await images();
  let body = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [manifest('from-url')] });
  let header: string | undefined;
  const server = createServer((req, res) => {
    header = req.headers['x-kubets-test'] as string | undefined;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pods`;
  const k = await startKubelet(undefined, [`--manifest-url=${url}`, '--manifest-url-header=X-Kubets-Test:hello']);
  try {
    const name = `from-url-${k.nodeName}`;
    await eventually(async () => (await containersOf(k.nodeName, name, 'main'))[0]?.State === 'running', 30_000);
    t.is(header, 'hello');
    const [c] = await containersOf(k.nodeName, name, 'main');
    t.is(c.Labels['io.kubernetes.pod.namespace'], 'default');
    body = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [] });
    await eventually(async () => (await containersOf(k.nodeName, name, 'main')).length === 0, 20_000);
    t.pass();
  } finally {
    await k.cleanup();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test.serial('--runonce starts the manifest pods, waits for them to run, and exits 0 leaving them running', async (t) => {
  await images();
  const dir = await mkdtemp(join(tmpdir(), 'kubets-runonce-'));
  const rootDir = await mkdtemp(join(tmpdir(), 'kubets-kubelet-'));
  const nodeName = `kt-node-${uniqueSuffix()}`;
  await writeFile(join(dir, 'once.json'), JSON.stringify(manifest('once')));
  try {
    const cfg = configFor([`--hostname-override=${nodeName}`, `--root-dir=${rootDir}`, `--pod-manifest-path=${dir}`, '--runonce', '--healthz-port=0'], nodeName);
    const code = await runKubelet(cfg, new AbortController().signal);
    t.is(code, 0);
    const [c] = await containersOf(nodeName, `once-${nodeName}`, 'main');
    t.is(c?.State, 'running');
    const sandboxes = await docker.listContainers({ filters: { label: [`io.kubets.node=${nodeName}`, 'io.kubernetes.docker.type=podsandbox'] } });
    t.is(sandboxes.length, 1);
  } finally {
    await removeNodeContainers(nodeName);
    await removeRootDir(rootDir);
    await rm(dir, { recursive: true, force: true });
  }
});
