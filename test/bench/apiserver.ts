/**
 * API server bench: what the API server costs on top of its store. For each
 * backend (embedded sqlite, a real etcd started by the harness) and each size
 * (1k, 10k objects): create, get, list-all and watch delivery through HTTP
 * (kube-apiserver in-process on loopback, keep-alive client), beside the same
 * operations done directly on the Store the server uses. The ratio
 * store/api is the share of the store's speed that survives the API layer.
 *
 *   npm run bench -- apiserver [--sizes 1000,10000] [--concurrency 16] [--backends sqlite,etcd3]
 */
import os from 'node:os';
import http from 'node:http';
import { startApiServer } from '../harness/apiserver.js';
import { startEtcd, etcdVersion } from '../harness/etcd.js';
import type { Store } from '../../controlplane/storage/types.js';
import { nowMs, timed, type OpStats } from './stats.js';

function arg(args: string[], name: string, dflt: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
}

/**
 * The load generator shares the process with the server, so it must be cheap:
 * node:http with a keep-alive agent costs a third of what fetch does per request.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function req(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

const payload = 'x'.repeat(400); // a ConfigMap of about 0.5 KiB on the wire
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench', labels: { app: 'bench' } }, data: { payload } });

interface Row {
  op: string;
  api: OpStats;
  store: OpStats;
}

async function watchRate(start: (onEvent: () => void) => Promise<() => Promise<void>>, writes: number, write: (i: number) => Promise<unknown>): Promise<OpStats> {
  let seen = 0;
  let resolveAll: () => void = () => undefined;
  const all = new Promise<void>((r) => (resolveAll = r));
  const stop = await start(() => {
    if (++seen === writes) resolveAll();
  });
  const t0 = nowMs();
  await timed(writes, 16, write);
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  const elapsed = nowMs() - t0;
  await stop();
  return { rate: (seen / elapsed) * 1000, p50: NaN, p99: NaN, count: seen };
}

async function httpWatch(url: string, onEvent: () => void): Promise<() => Promise<void>> {
  const ac = new AbortController();
  const r = await fetch(`${url}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${await currentRV(url)}`, { signal: ac.signal });
  const reader = r.body!.getReader();
  const done = (async () => {
    let buf = '';
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          buf = buf.slice(nl + 1);
          onEvent();
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return async () => {
    ac.abort();
    await done;
  };
}

async function currentRV(url: string): Promise<string> {
  const r = (await (await fetch(`${url}/api/v1/namespaces/bench/configmaps?limit=1`)).json()) as { metadata: { resourceVersion: string } };
  return r.metadata.resourceVersion;
}

async function storeWatch(store: Store, onEvent: () => void): Promise<() => Promise<void>> {
  const ac = new AbortController();
  const from = await store.currentRevision();
  const done = (async () => {
    try {
      for await (const _ of store.watch('/bench-direct/', from, ac.signal)) onEvent();
    } catch {
      /* aborted */
    }
  })();
  return async () => {
    ac.abort();
    await done;
  };
}

async function benchOne(url: string, store: Store, n: number, conc: number): Promise<Row[]> {
  const enc = new TextEncoder();
  const post = (i: number) =>
    req(`${url}/api/v1/namespaces/bench/configmaps`, 'POST', JSON.stringify(cm(`c${n}-${i}`))).then((r) => {
      if (r.status !== 201) throw new Error(`create: HTTP ${r.status}: ${r.body}`);
    });
  const rows: Row[] = [];
  rows.push({
    op: `create (${n})`,
    api: await timed(n, conc, post),
    store: await timed(n, conc, (i) => store.create(`/bench-direct/c${n}-${i}`, enc.encode(JSON.stringify(cm(`c${n}-${i}`))))),
  });
  const gets = Math.min(n, 5000);
  rows.push({
    op: `get (${gets})`,
    api: await timed(gets, conc, (i) => req(`${url}/api/v1/namespaces/bench/configmaps/c${n}-${i}`)),
    store: await timed(gets, conc, (i) => store.get(`/bench-direct/c${n}-${i}`)),
  });
  rows.push({
    op: `list all (${n})`,
    api: await timed(5, 1, () => req(`${url}/api/v1/namespaces/bench/configmaps`)),
    store: await timed(5, 1, () => store.list('/bench-direct/')),
  });
  const writes = Math.min(n, 2000);
  rows.push({
    op: `watch delivery (${writes} writes, events/s)`,
    // The same writes (made directly on the store, so both rows see one write
    // rate) delivered through an HTTP watch vs a direct store watch.
    api: await watchRate((on) => httpWatch(url, on), writes, (i) => store.create(`/configmaps/bench/w${n}-${i}`, enc.encode(JSON.stringify(cm(`w${n}-${i}`))))),
    store: await watchRate((on) => storeWatch(store, on), writes, (i) => store.create(`/bench-direct/x${n}-${i}`, enc.encode(JSON.stringify(cm(`x${i}`))))),
  });
  return rows;
}

function fmt(s: OpStats): string[] {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  return [Math.round(s.rate).toLocaleString('en-US'), f(s.p50), f(s.p99)];
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const sizes = arg(args, 'sizes', '1000,10000').split(',').map(Number);
  const conc = Number(arg(args, 'concurrency', '16'));
  const backends = arg(args, 'backends', 'sqlite,etcd3').split(',');
  const owner = { fns: [] as (() => void | Promise<void>)[], teardown(fn: () => void | Promise<void>) { this.fns.push(fn); } };
  process.stdout.write(`kube-apiserver bench — ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, ${await etcdVersion()}\n`);
  process.stdout.write(`ConfigMaps of ~0.5 KiB, ${conc} requests in flight; api = HTTP through kube-apiserver, store = the same Store called directly\n\n`);
  try {
    for (const backend of backends) {
      for (const n of sizes) {
        if (signal.aborted) return;
        const etcd = backend === 'etcd3' ? await startEtcd(owner) : undefined;
        const srv = await startApiServer(etcd ? { backend: 'etcd3', etcdServers: etcd.endpoints } : {});
        await fetch(`${srv.url}/api/v1/namespaces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }) });
        const rows = await benchOne(srv.url, srv.store, n, conc);
        await srv.stop();
        await etcd?.stop();
        process.stdout.write(`### ${backend}, ${n} objects\n\n| operation | api ops/s | p50 ms | p99 ms | store ops/s | p50 ms | p99 ms | api/store |\n|:--|--:|--:|--:|--:|--:|--:|--:|\n`);
        for (const r of rows) process.stdout.write(`| ${r.op} | ${fmt(r.api).join(' | ')} | ${fmt(r.store).join(' | ')} | ${(r.api.rate / r.store.rate).toFixed(2)}× |\n`);
        process.stdout.write('\n');
      }
    }
  } finally {
    for (const fn of owner.fns.reverse()) await fn();
  }
}
