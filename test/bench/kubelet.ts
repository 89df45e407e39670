/**
 * kubelet bench: pod start latency — from the pod object being created
 * already bound to the node, to the kubelet's status saying Running with
 * Ready=True (image present) — over N pods one at a time and N at once,
 * beside plain Docker `create + start` of the same image measured in the
 * same run (the ratio is the kubelet's own cost: sandbox + network +
 * status round trip). Then the kubelet's RSS and idle CPU with N pods
 * running.
 *
 * The kubelet runs as its own process (bin/kubelet from source through
 * tsx), so its RSS and CPU are its own; the kube-apiserver (sqlite) runs in
 * the bench process. Pods use the default network (Docker's bridge: no pod
 * CIDR), one busybox `sleep` container each.
 *
 *   npm run bench -- kubelet [--pods 30] [--idle 30]
 *   KUBELET_BENCH_LOG=/tmp/k.log KUBELET_BENCH_ARGS=--v=4  (the kubelet's log: per-pod sync and status timings)
 *
 * Published figures (../shared/design/PERF-ANCHORS.md §5): pod startup p50
 * ≈ 2.2 s, p99 ≈ 3.2 s on a 100-node GCE cluster (includes scheduling and
 * image checks), target p50 ≈ 2 s, p99 < 5 s; Docker create_container p50
 * 364 ms; kubelet_perf bars: ≤ 0.10/0.20 cores idle, RSS ≤ 200 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Pod } from '../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import { startApiServer } from '../harness/apiserver.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../harness/docker.js';
import { uniqueSuffix } from '../harness/exec.js';
import { freePort } from '../harness/ports.js';
import { ensurePauseImage, PAUSE_IMAGE } from '../../native/pause/pause.js';
import { nowMs, percentile } from './stats.js';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const REPO = new URL('../../', import.meta.url).pathname;

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}

function stats(lat: number[]): { p50: number; p99: number; max: number } {
  const s = Float64Array.from(lat).sort();
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] };
}

function benchPod(ns: string, name: string, node: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: BUSYBOX_IMAGE, command: ['sleep', '3600'] }] },
  };
}

/** When each pod was first seen Running + Ready, via a watch. */
function readyTimes(client: RestClient, ns: string, signal: AbortSignal): Map<string, number> {
  const seen = new Map<string, number>();
  void (async () => {
    while (!signal.aborted) {
      try {
        for await (const ev of client.resource(resources.pods, ns).watch({ signal })) {
          const p = ev.object;
          const ready = p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
          if (ready && !seen.has(p.metadata.name ?? '')) seen.set(p.metadata.name ?? '', nowMs());
        }
      } catch {
        // re-open
      }
    }
  })();
  return seen;
}

async function waitFor(pred: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (signal.aborted) throw new Error('aborted');
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Plain Docker: create + start of the same image and command, n sequential then n concurrent. */
async function dockerBaseline(n: number, label: string): Promise<{ seq: number[]; par: number[] }> {
  const one = async (i: number, tag: string) => {
    const t0 = nowMs();
    const c = await docker.createContainer({ name: `kt-bench-${label}-${tag}-${i}`, Image: BUSYBOX_IMAGE, Cmd: ['sleep', '3600'], Labels: { 'io.kubets.bench': label } });
    await c.start();
    return nowMs() - t0;
  };
  const seq: number[] = [];
  for (let i = 0; i < n; i++) seq.push(await one(i, 's'));
  const par = await Promise.all(Array.from({ length: n }, (_, i) => one(i, 'p')));
  return { seq, par };
}

async function removeLabelled(filter: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [filter] } });
  list.sort((a, b) => Number(a.Labels['io.kubernetes.docker.type'] === 'podsandbox') - Number(b.Labels['io.kubernetes.docker.type'] === 'podsandbox'));
  for (let i = 0; i < list.length; i += 8) await Promise.all(list.slice(i, i + 8).map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}

async function cpuTicks(pid: number): Promise<number> {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function rssMB(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const n = Number(arg(args, 'pods', '30'));
  const idleS = Number(arg(args, 'idle', '30'));
  const out = (s: string) => process.stdout.write(s + '\n');
  await ensureBusyboxImage();
  await ensurePauseImage('unix:///var/run/docker.sock', PAUSE_IMAGE);
  const label = uniqueSuffix();
  const node = `kt-bench-${label}`;
  const api = await startApiServer();
  const client = new RestClient({ server: api.url, source: 'bench' }, { qps: 0 });
  const rootDir = await mkdtemp(join(os.tmpdir(), 'kubets-bench-kubelet-'));
  const healthz = await freePort();
  let child: ChildProcess | undefined;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const ns = `bench-${label}`;
    await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    child = spawn(process.execPath, ['--import=tsx', join(REPO, 'agent/kubelet/main.ts'), `--api-servers=${api.url}`, `--hostname-override=${node}`, `--root-dir=${rootDir}`, `--healthz-port=${healthz}`, '--kube-api-qps=50', '--kube-api-burst=100', ...(process.env.KUBELET_BENCH_ARGS ?? '').split(' ').filter(Boolean)], { cwd: REPO, stdio: process.env.KUBELET_BENCH_LOG ? ['ignore', openSync(process.env.KUBELET_BENCH_LOG, 'w'), openSync(process.env.KUBELET_BENCH_LOG, 'a')] : 'ignore' });
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`http://127.0.0.1:${healthz}/healthz`).then((r) => r.ok).catch(() => false);
      const registered = ok && (await client.resource(resources.nodes).get(node).then((x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).catch(() => false));
      if (registered) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // The network (Docker's bridge) is chosen after the first node status pass.
    await new Promise((r) => setTimeout(r, 1500));
    const seen = readyTimes(client, ns, stop.signal);
    const pods = client.resource(resources.pods, ns);
    // Warm-up pod (first container after idle is slower, LIBS.md §1); not counted.
    await pods.create(benchPod(ns, 'warmup', node));
    await waitFor(() => seen.has('warmup'), 60_000, stop.signal);

    const seqLat: number[] = [];
    for (let i = 0; i < n; i++) {
      const name = `seq-${i}`;
      const t0 = nowMs();
      await pods.create(benchPod(ns, name, node));
      await waitFor(() => seen.has(name), 60_000, stop.signal);
      seqLat.push(seen.get(name)! - t0);
      if (process.env.KUBELET_BENCH_LOG) process.stderr.write(`${name} ${(seen.get(name)! - t0).toFixed(0)} ms at ${new Date().toISOString()}\n`);
    }
    const created = new Map<string, number>();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const name = `par-${i}`;
        created.set(name, nowMs());
        await pods.create(benchPod(ns, name, node));
      }),
    );
    await waitFor(() => [...created.keys()].every((k) => seen.has(k)), 180_000, stop.signal);
    const parLat = [...created].map(([k, t0]) => seen.get(k)! - t0);

    // Idle with 2n+1 pods running.
    const pid = child.pid!;
    await new Promise((r) => setTimeout(r, 3000));
    const hz = 100;
    const c0 = await cpuTicks(pid);
    const t0 = nowMs();
    const rssSamples: number[] = [];
    for (let s = 0; s < idleS && !stop.signal.aborted; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rssSamples.push(await rssMB(pid));
    }
    const cores = (await cpuTicks(pid)) - c0;
    const idleCores = cores / hz / ((nowMs() - t0) / 1000);
    const running = (await docker.listContainers({ filters: { label: [`io.kubets.node=${node}`] } })).length;

    const base = await dockerBaseline(n, label);
    const s1 = stats(seqLat);
    const s2 = stats(parLat);
    const b1 = stats(base.seq);
    const b2 = stats(base.par);
    out(`# kubelet: pod start latency (created bound → Running+Ready seen by a watch), ${n} pods, busybox image present, Docker bridge network`);
    out(`# host: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; kubelet = bin/kubelet from source (tsx) in its own process; kube-apiserver (sqlite) in the bench process`);
    out('# baseline: dockerode create+start of the same image and command (no sandbox, no network plugin, no API).');
    out('# anchors (PERF-ANCHORS §5): upstream pod startup p50 ≈ 2.2 s, p99 ≈ 3.2 s; target p50 ≈ 2 s, p99 < 5 s; kubelet_perf idle ≤ 0.10/0.20 cores, RSS ≤ 200 MB.');
    out('');
    out('| run | kubelet p50 ms | p99 ms | max ms | docker run p50 ms | p99 ms | ratio p50 |');
    out('|---|---:|---:|---:|---:|---:|---:|');
    out(`| ${n} pods one at a time | ${s1.p50.toFixed(0)} | ${s1.p99.toFixed(0)} | ${s1.max.toFixed(0)} | ${b1.p50.toFixed(0)} | ${b1.p99.toFixed(0)} | ${(s1.p50 / b1.p50).toFixed(1)} |`);
    out(`| ${n} pods at once | ${s2.p50.toFixed(0)} | ${s2.p99.toFixed(0)} | ${s2.max.toFixed(0)} | ${b2.p50.toFixed(0)} | ${b2.p99.toFixed(0)} | ${(s2.p50 / b2.p50).toFixed(1)} |`);
    out('');
    out(`| kubelet with ${2 * n + 1} pods (${running} containers) | value |`);
    out('|---|---:|');
    out(`| RSS MB (max over ${idleS} s idle) | ${Math.max(...rssSamples).toFixed(0)} |`);
    out(`| idle CPU, cores (avg over ${idleS} s) | ${idleCores.toFixed(3)} |`);
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    // The kubelet goes first so it does not fight the cleanup; its containers are removed by label.
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await removeLabelled(`io.kubets.node=${node}`);
    await removeLabelled(`io.kubets.bench=${label}`);
    await rm(rootDir, { recursive: true, force: true });
    client.close();
    await api.stop();
  }
}
