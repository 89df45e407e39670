/**
 * Client bench: what controlplane/client costs on top of the wire.
 *
 *   npm run bench -- client [--pods 10000] [--updates 5000] [--concurrency 32]
 *
 * Against an in-process kube-apiserver over sqlite (watch cache on), with
 * `--pods` Pod objects created first:
 * - initial sync: a SharedInformer (paged listAll, 500 per page, into the
 *   indexed cache with its four default indexers, add handlers called) beside
 *   the baseline of raw `fetch` + JSON.parse of the same pages, and of one
 *   unpaged list;
 * - event delivery: `--updates` pod updates are written first, then a watch
 *   from the revision before them replays them all; the informer (decode,
 *   cache update, indexer maintenance, update handlers) beside a raw `fetch`
 *   stream read that splits lines and JSON.parses each event.
 * Ratios are informer throughput / raw throughput (1× = no overhead).
 */
import os from 'node:os';
import type { Pod } from '../../controlplane/api/core/v1/types.js';
import { SharedInformer, type ListerWatcher } from '../../controlplane/client/informer.js';
import { defaultIndexers } from '../../controlplane/client/factory.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import { startApiServer } from '../harness/apiserver.js';
import { nowMs } from './stats.js';

interface Params {
  pods: number;
  updates: number;
  concurrency: number;
}

function parse(args: string[]): Params {
  const p: Params = { pods: 10_000, updates: 5_000, concurrency: 32 };
  for (let i = 0; i < args.length; i++) {
    const [k, inline] = args[i].split('=', 2);
    const v = Number(inline ?? args[++i]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`bad value for ${k}`);
    if (k === '--pods') p.pods = v;
    else if (k === '--updates') p.updates = v;
    else if (k === '--concurrency') p.concurrency = v;
    else throw new Error(`unknown flag ${k}`);
  }
  return p;
}

const pod = (i: number): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `pod-${i}`, namespace: 'default', labels: { app: `app-${i % 50}`, tier: 'bench' } },
  spec: { nodeName: `node-${i % 100}`, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
});

async function pool(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      for (let i = next++; i < n; i = next++) await op(i);
    }),
  );
}

async function rawList(url: string, limit?: number): Promise<number> {
  let n = 0;
  let cont = '';
  do {
    const q = new URLSearchParams();
    if (limit) q.set('limit', String(limit));
    if (cont) q.set('continue', cont);
    const r = await fetch(`${url}/api/v1/pods?${q}`);
    const body = (await r.json()) as { items: unknown[]; metadata: { continue?: string } };
    n += body.items.length;
    cont = body.metadata.continue ?? '';
  } while (cont);
  return n;
}

async function rawWatch(url: string, rv: string, want: number): Promise<number> {
  const ac = new AbortController();
  const r = await fetch(`${url}/api/v1/pods?watch=true&resourceVersion=${rv}`, { signal: ac.signal });
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let n = 0;
  try {
    while (n < want) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        JSON.parse(line);
        n++;
      }
    }
  } finally {
    ac.abort();
  }
  return n;
}

function fmtRate(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(1)}k/s` : `${v.toFixed(0)}/s`;
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const p = parse(args);
  const log = (s: string) => process.stderr.write(`[bench client] ${s}\n`);
  const cpus = os.cpus();
  process.stdout.write(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), node ${process.version}; apiserver in process over sqlite, watch cache on\n` +
      `workload: ${p.pods} pods (~0.6 KB each), ${p.updates} updates replayed from one watch\n\n`,
  );
  const srv = await startApiServer();
  const client = new RestClient({ server: srv.url, source: 'bench' }, { qps: 0 });
  try {
    const pods = client.resource(resources.pods, 'default');
    log(`creating ${p.pods} pods`);
    let t0 = nowMs();
    await pool(p.pods, p.concurrency, (i) => pods.create(pod(i)));
    log(`created in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
    if (signal.aborted) return;

    // ---- initial sync ----
    const rows: Array<[string, string, string, string]> = [];
    // Best of three for the baselines, after a warm-up, so they are not penalised by order.
    const best = async (limit?: number) => {
      let ms = Infinity;
      let n = 0;
      for (let i = 0; i < 3; i++) {
        const s = nowMs();
        n = await rawList(srv.url, limit);
        ms = Math.min(ms, nowMs() - s);
      }
      return { n, ms };
    };
    await rawList(srv.url, 500);
    const { n: nRawPaged, ms: rawPagedMs } = await best(500);
    const { n: nRawAll, ms: rawAllMs } = await best();
    // Best of three informer syncs too (a fresh informer each time).
    let infMs = Infinity;
    let adds = 0;
    for (let i = 0; i < 3 && !signal.aborted; i++) {
      const inf = new SharedInformer<Pod>(client.resource(resources.pods), { indexers: defaultIndexers(resources.pods), name: 'pods' });
      let n = 0;
      inf.onAdd(() => n++);
      const ac = new AbortController();
      const s = nowMs();
      const run = inf.run(ac.signal);
      await inf.waitForSync(signal);
      infMs = Math.min(infMs, nowMs() - s);
      adds = n;
      ac.abort();
      await run;
    }
    const syncRate = (adds / infMs) * 1000;
    rows.push(['raw fetch list, one request', `${nRawAll} in ${rawAllMs.toFixed(0)} ms`, fmtRate((nRawAll / rawAllMs) * 1000), `${((nRawAll / rawAllMs) * 1000 / syncRate).toFixed(2)}× faster than informer`]);
    rows.push(['raw fetch list, pages of 500', `${nRawPaged} in ${rawPagedMs.toFixed(0)} ms`, fmtRate((nRawPaged / rawPagedMs) * 1000), '']);
    rows.push(['informer initial sync (paged 500, 4 indexers)', `${adds} in ${infMs.toFixed(0)} ms`, fmtRate(syncRate), `${(syncRate / ((nRawPaged / rawPagedMs) * 1000)).toFixed(2)}× raw paged`]);

    // ---- event delivery (a replayed backlog) ----
    const { resourceVersion: rv0 } = await pods.list({ limit: 1 });
    const base = await client.resource(resources.pods).listAll();
    log(`writing ${p.updates} updates`);
    await pool(p.updates, p.concurrency, (i) => pods.patch(`pod-${i % p.pods}`, 'merge', { metadata: { annotations: { gen: String(i) } } }));
    // The informer is primed with the list as of rv0 so its watch replays the same backlog.
    const lw: ListerWatcher<Pod> = {
      listAll: () => Promise.resolve({ items: base.items, resourceVersion: rv0 }),
      watch: (o) => client.resource(resources.pods).watch(o),
    };
    const informerReplay = async (): Promise<{ n: number; ms: number }> => {
      const inf2 = new SharedInformer<Pod>(lw, { indexers: defaultIndexers(resources.pods), name: 'pods' });
      let n = 0;
      let tDone = 0;
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      inf2.onUpdate(() => {
        if (++n === p.updates) {
          tDone = nowMs();
          resolveDone();
        }
      });
      const ac2 = new AbortController();
      const run2 = inf2.run(ac2.signal);
      await inf2.waitForSync(signal);
      const s = nowMs();
      await Promise.race([done, new Promise((r) => setTimeout(r, 120_000))]);
      const ms = (tDone || nowMs()) - s;
      ac2.abort();
      await run2;
      return { n, ms };
    };
    // Alternate raw and informer three times and keep each one's best: the
    // server's replay of the backlog warms up over the first runs.
    let nRaw = 0;
    let rawMs = Infinity;
    let updates = 0;
    let infEvMs = Infinity;
    for (let i = 0; i < 3 && !signal.aborted; i++) {
      const s = nowMs();
      nRaw = await rawWatch(srv.url, rv0, p.updates);
      rawMs = Math.min(rawMs, nowMs() - s);
      const r = await informerReplay();
      updates = r.n;
      infEvMs = Math.min(infEvMs, r.ms);
    }
    const rawRate = (nRaw / rawMs) * 1000;
    const infRate = (updates / infEvMs) * 1000;
    rows.push(['raw fetch watch stream read + JSON.parse', `${nRaw} in ${rawMs.toFixed(0)} ms`, fmtRate(rawRate), '']);
    rows.push(['informer event delivery (cache + indexers + handler)', `${updates} in ${infEvMs.toFixed(0)} ms`, fmtRate(infRate), `${(infRate / rawRate).toFixed(2)}× raw`]);

    const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), 10];
    const line = (c: string[]) => `${c[0].padEnd(w[0])}  ${c[1].padStart(w[1])}  ${c[2].padStart(w[2])}  ${c[3]}`;
    process.stdout.write(line(['operation', 'objects/events', 'rate', 'ratio']) + '\n');
    for (const r of rows) process.stdout.write(line(r) + '\n');
    process.stdout.write(`\nmemory: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (apiserver and client share the process)\n`);
  } finally {
    client.close();
    await srv.stop();
  }
}
