/**
 * kube-scheduler bench: pods/s bound and per-pod scheduling latency with N
 * fake Node objects (KWOK-style: API objects only, Ready, 32 cpu / 256Gi /
 * 110 pods) and P pending pods, against a real in-process kube-apiserver
 * (sqlite) in the same Node process — the scheduler, the apiserver and the
 * store share one event loop, as in upstream's scheduler_perf (in-process
 * apiserver + etcd, client QPS 5000).
 *
 * Each row: P pods are created first (unscheduled), then the scheduler starts;
 * the clock runs from its caches being synced to the last bind answered.
 * Latency is per pod from the start of its scheduling attempt to its bind's
 * answer (algorithm + bind round trip), as scheduler_e2e_scheduling_duration.
 * Baseline: the same number of bind POSTs to fresh pods, issued directly by a
 * client with the same limits (no informers, no decisions): the ceiling the
 * API server puts on any scheduler here. Ratio = scheduler / baseline.
 *
 *   npm run bench -- scheduler [--nodes 100,1000] [--pods 1000,5000] [--qps 5000] [--burst 5000] [--percentage 0]
 *
 * Published figures (../shared/design/PERF-ANCHORS.md §2): upstream
 * scheduler_perf 2020, 500 nodes / 1000 pods: 91 pods/s avg (predicates ~1.3 ms,
 * priorities ~5 ms per pod); today's CI floor 680 pods/s on 5000 nodes; at the
 * default client limits (QPS 50 / burst 100) upstream tops out near 50 binds/s.
 * Nodes scored per pod: all below 100, else 50 − nodes/125 % (≥ 5 %, ≥ 100 nodes),
 * as upstream; --percentage overrides.
 */
import os from 'node:os';
import type { Node, Pod } from '../../controlplane/api/core/v1/types.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import { createLogger, defaultLogOptions } from '../../controlplane/machinery/log/index.js';
import { defaultOptions } from '../../controlplane/scheduler/config.js';
import { numFeasibleNodesToFind } from '../../controlplane/scheduler/framework/algorithm.js';
import { runScheduler } from '../../controlplane/scheduler/run.js';
import { startApiServer } from '../harness/apiserver.js';
import { nowMs, percentile, timed } from './stats.js';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}
const nums = (s: string) => s.split(',').map(Number).filter((n) => n > 0);

function fakeNode(i: number): Node {
  const alloc = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '500Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}`, type: 'kwok' } },
    spec: {},
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function benchPod(ns: string, i: number, schedulerName = 'default-scheduler'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${i}`, namespace: ns, labels: { app: `app-${i % 10}` } },
    spec: { schedulerName, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

interface Row {
  nodes: number;
  pods: number;
  scored: number;
  rate: number;
  p50: number;
  p99: number;
  algoAvg: number;
  baseline: number;
}

async function runRow(nodes: number, pods: number, qps: number, burst: number, percentage: number, signal: AbortSignal): Promise<Row> {
  const api = await startApiServer();
  const client = new RestClient({ server: api.url, source: 'bench' }, { qps: 0 });
  try {
    for (const ns of ['bench', 'baseline']) await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await timed(nodes, 16, (i) => client.resource(resources.nodes).create(fakeNode(i)), signal);

    // Baseline: the same number of binds, straight from a client with the scheduler's limits.
    await timed(pods, 16, (i) => client.resource(resources.pods, 'baseline').create(benchPod('baseline', i, 'nobody')), signal);
    const direct = new RestClient({ server: api.url, source: 'bench' }, { qps, burst });
    const base = await timed(
      pods,
      64,
      (i) => direct.resource(resources.pods, 'baseline').createSubresource(`pod-${i}`, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}` }, target: { kind: 'Node', name: `node-${i % nodes}` } }),
      signal,
    );
    direct.close();
    // Free the room the baseline took, so both runs see the same empty nodes.
    await client.resource(resources.pods, 'baseline').deleteCollection({ gracePeriodSeconds: 0 });

    await timed(pods, 16, (i) => client.resource(resources.pods, 'bench').create(benchPod('bench', i)), signal);

    const lat = new Float64Array(pods);
    let algoTotal = 0;
    let bound = 0;
    let t0 = 0;
    let tEnd = 0;
    const ac = new AbortController();
    signal.addEventListener('abort', () => ac.abort(), { once: true });
    const log = createLogger({ ...defaultLogOptions('kube-scheduler'), v: 0 }, { stderr: { write: () => true } });
    const done = runScheduler(
      {
        ...defaultOptions(log),
        master: api.url,
        port: 0,
        kubeApiQps: qps,
        kubeApiBurst: burst,
        percentageOfNodesToScore: percentage,
        onSynced: () => (t0 = nowMs()),
        observer: {
          bound: (_key, _node, algoMs, attemptMs) => {
            if (bound < pods) lat[bound] = attemptMs;
            algoTotal += algoMs;
            if (++bound === pods) {
              tEnd = nowMs();
              ac.abort();
            }
          },
        },
      },
      ac.signal,
    );
    const timeout = setTimeout(() => ac.abort(), 600_000);
    await done;
    clearTimeout(timeout);
    if (bound < pods) throw new Error(`only ${bound}/${pods} pods were bound`);
    const sorted = Float64Array.from(lat).sort();
    return {
      nodes,
      pods,
      scored: numFeasibleNodesToFind(nodes, percentage),
      rate: (pods / (tEnd - t0)) * 1000,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      algoAvg: algoTotal / pods,
      baseline: base.rate,
    };
  } finally {
    client.close();
    await api.stop();
  }
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const nodesList = nums(arg(args, 'nodes', '100,1000'));
  const podsList = nums(arg(args, 'pods', '1000,5000'));
  const qps = Number(arg(args, 'qps', '5000'));
  const burst = Number(arg(args, 'burst', String(qps)));
  const percentage = Number(arg(args, 'percentage', '0'));
  const out = (s: string) => process.stdout.write(s + '\n');
  out(`# kube-scheduler: pods/s bound, in-process kube-apiserver (sqlite) + scheduler in one Node ${process.version} process`);
  out(`# host: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; client --kube-api-qps=${qps} --kube-api-burst=${burst}; nodes scored per pod: ${percentage > 0 ? `${percentage} %` : 'upstream adaptive rule'}`);
  out('# published (PERF-ANCHORS.md §2): upstream 2020 scheduler_perf 500 nodes/1000 pods = 91 pods/s (predicates ~1.3 ms + priorities ~5 ms per pod);');
  out('#   upstream CI today >= 680 pods/s at 5000 nodes; at default client limits (qps 50/burst 100) upstream ~50 binds/s. Issue 4 target: >= 300 pods/s on 1000 nodes.');
  out('');
  out('| nodes | pods | nodes scored | scheduler pods/s | baseline binds/s | ratio | p50 ms | p99 ms | algorithm ms/pod |');
  out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of nodesList) {
    for (const p of podsList) {
      if (signal.aborted) return;
      const r = await runRow(n, p, qps, burst, percentage, signal);
      out(`| ${r.nodes} | ${r.pods} | ${r.scored} | ${r.rate.toFixed(0)} | ${r.baseline.toFixed(0)} | ${(r.rate / r.baseline).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.algoAvg.toFixed(2)} |`);
    }
  }
}
