/**
 * kube-controller-manager bench: how long a ReplicaSet of N replicas takes to
 * have all N pods created, against a real in-process kube-apiserver (sqlite)
 * with the controller manager (replicaset controller only) in the same Node
 * process — beside the baseline of N pod POSTs issued directly by a client
 * with the same rate limits.
 *
 * The clock runs from the ReplicaSet's create to the N-th pod ADDED event on
 * a watch (all pods exist), and on to status.replicas == N (the controller
 * has observed them all). The controller pays for what upstream pays for:
 * slow-start batches (1, 2, 4 …), at most 500 creates per sync, and waiting
 * for its own creates to be observed (expectations) before the next burst.
 *
 *   npm run bench -- controllers [--replicas 100,1000] [--limits 5000:5000,20:30]
 *
 * --limits are qps:burst pairs for both the controller manager and the
 * baseline client; 20:30 is kube-controller-manager's default
 * (--kube-api-qps=20, --kube-api-burst=30), where both are bound by the
 * token bucket (≈ N/20 s).
 */
import os from 'node:os';
import type { Pod } from '../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import { defaultOptions } from '../../controlplane/controllers/config.js';
import { runControllerManager } from '../../controlplane/controllers/run.js';
import { createLogger, defaultLogOptions } from '../../controlplane/machinery/log/index.js';
import { startApiServer } from '../harness/apiserver.js';
import { nowMs, timed } from './stats.js';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}

function benchPod(ns: string, i: number): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace: ns, labels: { app: 'baseline' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } };
}

interface Row {
  replicas: number;
  qps: number;
  burst: number;
  createdMs: number;
  observedMs: number;
  baselineMs: number;
}

async function runRow(replicas: number, qps: number, burst: number, signal: AbortSignal): Promise<Row> {
  const api = await startApiServer();
  const admin = new RestClient({ server: api.url, source: 'bench' }, { qps: 0 });
  try {
    for (const ns of ['bench', 'baseline']) await admin.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

    // Baseline: N pod POSTs straight from a client with the same limits, 16 in flight.
    const direct = new RestClient({ server: api.url, source: 'bench' }, { qps, burst });
    const tb = nowMs();
    await timed(replicas, 16, (i) => direct.resource(resources.pods, 'baseline').create(benchPod('baseline', i)), signal);
    const baselineMs = nowMs() - tb;
    direct.close();
    await admin.resource(resources.pods, 'baseline').deleteCollection({ gracePeriodSeconds: 0 });

    // The controller manager, replicaset controller only, caches synced before the clock starts.
    const ac = new AbortController();
    signal.addEventListener('abort', () => ac.abort(), { once: true });
    const log = createLogger({ ...defaultLogOptions('kube-controller-manager'), v: 0 }, { stderr: { write: () => true } });
    let started: () => void = () => undefined;
    const ready = new Promise<void>((r) => (started = r));
    const done = runControllerManager({ ...defaultOptions(log), master: api.url, port: 0, kubeApiQps: qps, kubeApiBurst: burst, controllers: ['replicaset'], onStarted: () => started() }, ac.signal);
    await ready;
    // Let the informers list (the controller waits for them before its workers start).
    await new Promise((r) => setTimeout(r, 200));

    const pods = admin.resource(resources.pods, 'bench');
    const rv = (await pods.list()).resourceVersion;
    let seen = 0;
    let createdMs = 0;
    const watchAbort = new AbortController();
    const t0 = nowMs();
    const counted = (async () => {
      for await (const ev of pods.watch({ resourceVersion: rv, signal: watchAbort.signal })) {
        if (ev.type === 'ADDED' && ++seen === replicas) {
          createdMs = nowMs() - t0;
          return;
        }
      }
    })();
    await admin.resource(resources.replicasets, 'bench').create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'big' },
      spec: { replicas, selector: { matchLabels: { app: 'big' } }, template: { metadata: { labels: { app: 'big' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } } },
    });
    const deadline = setTimeout(() => watchAbort.abort(), 600_000);
    await counted;
    let observedMs = 0;
    for (;;) {
      const rs = await admin.resource(resources.replicasets, 'bench').get('big');
      if (rs.status?.replicas === replicas) {
        observedMs = nowMs() - t0;
        break;
      }
      if (watchAbort.signal.aborted || signal.aborted) throw new Error(`status.replicas stuck at ${rs.status?.replicas}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    clearTimeout(deadline);
    watchAbort.abort();
    if (seen < replicas) throw new Error(`only ${seen}/${replicas} pods were created`);
    ac.abort();
    await done;
    return { replicas, qps, burst, createdMs, observedMs, baselineMs };
  } finally {
    admin.close();
    await api.stop();
  }
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const sizes = arg(args, 'replicas', '100,1000').split(',').map(Number).filter((n) => n > 0);
  const limits = arg(args, 'limits', '5000:5000,20:30')
    .split(',')
    .map((p) => p.split(':').map(Number) as [number, number]);
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`# kube-controller-manager: ReplicaSet of N → N pods created, in-process kube-apiserver (sqlite) + controller manager in one Node ${process.version} process`);
  out(`# host: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; baseline = N pod POSTs from one client (16 in flight) with the same qps/burst`);
  out('# upstream behaviour reproduced: slow-start batches 1,2,4…, ≤ 500 creates per sync, expectations between bursts; 20:30 is the KCM default client limit');
  out('');
  out('| replicas | qps:burst | all pods created s | status.replicas = N s | baseline POSTs s | ratio (created / baseline) | pods/s |');
  out('|---:|---:|---:|---:|---:|---:|---:|');
  for (const [qps, burst] of limits) {
    for (const n of sizes) {
      if (signal.aborted) return;
      const r = await runRow(n, qps, burst, signal);
      out(`| ${r.replicas} | ${r.qps}:${r.burst} | ${(r.createdMs / 1000).toFixed(2)} | ${(r.observedMs / 1000).toFixed(2)} | ${(r.baselineMs / 1000).toFixed(2)} | ${(r.createdMs / r.baselineMs).toFixed(2)} | ${((r.replicas / r.createdMs) * 1000).toFixed(0)} |`);
    }
  }
}
