/**
 * Storage bench: the Store backends side by side — sqlite (temp file),
 * etcd3 Store (real etcd started by the harness) and, as the baseline, the raw
 * etcd3 client doing the same operations directly against the same etcd.
 *
 *   npm run bench -- storage [--objects 10000] [--concurrency 16] [--watchers 10] [--watch-writes 2000]
 *
 * Operations: create, get, list of all objects, paged list (limit 500, every
 * page at the first page's revision), update (CAS), watch fan-out (N watchers
 * on the prefix, events/s delivered to all of them; latency from the write's
 * start to delivery). Values are 512 bytes, about a small kube object.
 */
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Etcd3, type IKeyValue } from 'etcd3';
import { Etcd3Store } from '../../controlplane/storage/etcd3/store.js';
import { SqliteStore } from '../../controlplane/storage/sqlite/store.js';
import type { Revision, Store } from '../../controlplane/storage/types.js';
import { startEtcd } from '../harness/etcd.js';
import { nowMs, summarize, timed, type OpStats } from './stats.js';

interface Target {
  name: string;
  create(key: string, v: Buffer): Promise<Revision>;
  get(key: string): Promise<void>;
  /** Returns the number of items. */
  listAll(prefix: string): Promise<number>;
  /** One page; `cont` is the opaque state for the next page. */
  listPage(prefix: string, limit: number, cont: string | undefined): Promise<{ n: number; cont: string | undefined }>;
  update(key: string, expect: Revision, v: Buffer): Promise<Revision>;
  currentRevision(): Promise<Revision>;
  /** Starts a watch after `from`; onEvent gets each event's revision. Returns a stopper. */
  watch(prefix: string, from: Revision, onEvent: (rev: Revision) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

function storeTarget(name: string, s: Store): Target {
  return {
    name,
    create: (k, v) => s.create(k, v),
    get: async (k) => void (await s.get(k)),
    listAll: async (p) => (await s.list(p)).items.length,
    listPage: async (p, limit, cont) => {
      const r = await s.list(p, cont ? { limit, continueFrom: cont } : { limit });
      return { n: r.items.length, cont: r.continue };
    },
    update: (k, e, v) => s.update(k, e, v),
    currentRevision: () => s.currentRevision(),
    watch: async (p, from, onEvent) => {
      const ac = new AbortController();
      const done = (async () => {
        for await (const ev of s.watch(p, from, ac.signal)) onEvent(ev.kv.modRevision);
      })();
      return async () => {
        ac.abort();
        await done;
      };
    },
    close: () => s.close(),
  };
}

/** The baseline: the etcd3 client's own builders, one RPC per operation, no Store layer. */
function rawTarget(client: Etcd3, prefix: string): Target {
  const end = (p: string): Buffer => {
    const b = Buffer.from(prefix + p);
    b[b.length - 1]++;
    return b;
  };
  return {
    name: 'raw etcd3',
    create: async (k, v) => {
      const r = await client.if(prefix + k, 'Create', '==', 0).then(client.put(prefix + k).value(v)).commit();
      if (!r.succeeded) throw new Error(`exists: ${k}`);
      return Number(r.header.revision);
    },
    get: async (k) => void (await client.get(prefix + k).buffer()),
    listAll: async (p) => (await client.getAll().prefix(prefix + p).exec()).kvs.length,
    listPage: async (p, limit, cont) => {
      // Same paging contract as the Store: pin the first page's revision, resume after the last key.
      const [rev, after] = cont ? (JSON.parse(cont) as [string, string]) : ['0', ''];
      const start = after ? Buffer.from(after + '\0') : Buffer.from(prefix + p);
      const r = await client.kv.range({ key: start, range_end: end(p), limit, revision: rev });
      const last: IKeyValue | undefined = r.kvs[r.kvs.length - 1];
      const pinned = rev === '0' ? r.header.revision : rev;
      return { n: r.kvs.length, cont: r.more && last ? JSON.stringify([pinned, last.key.toString()]) : undefined };
    },
    update: async (k, e, v) => {
      const r = await client.if(prefix + k, 'Mod', '==', e).then(client.put(prefix + k).value(v)).else(client.get(prefix + k)).commit();
      if (!r.succeeded) throw new Error(`conflict: ${k}`);
      return Number(r.header.revision);
    },
    currentRevision: async () => Number((await client.get(prefix).exec()).header.revision),
    watch: async (p, from, onEvent) => {
      const w = await client.watch().prefix(prefix + p).startRevision(String(from + 1)).withPreviousKV().create();
      w.on('put', (kv) => onEvent(Number(kv.mod_revision)));
      return async () => {
        await w.cancel();
      };
    },
    close: async () => undefined,
  };
}

interface Row {
  op: string;
  results: (OpStats | undefined)[];
}

interface Params {
  objects: number;
  concurrency: number;
  watchers: number;
  watchWrites: number;
}

function parseArgs(args: string[]): Params {
  const p: Params = { objects: 10_000, concurrency: 16, watchers: 10, watchWrites: 2000 };
  for (let i = 0; i < args.length; i += 2) {
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v <= 0) throw new Error(`bad value for ${args[i]}: ${args[i + 1]}`);
    switch (args[i]) {
      case '--objects': p.objects = v; break;
      case '--concurrency': p.concurrency = v; break;
      case '--watchers': p.watchers = v; break;
      case '--watch-writes': p.watchWrites = v; break;
      default: throw new Error(`unknown flag ${args[i]}`);
    }
  }
  return p;
}

async function benchTarget(t: Target, p: Params, signal: AbortSignal, log: (s: string) => void): Promise<Map<string, OpStats>> {
  const out = new Map<string, OpStats>();
  const value = Buffer.alloc(512, 'x');
  const key = (i: number): string => `/pods/bench/pod-${String(i).padStart(6, '0')}`;
  const revs = new Array<Revision>(p.objects);
  log(`${t.name}: create`);
  out.set('create', await timed(p.objects, p.concurrency, async (i) => (revs[i] = await t.create(key(i), value)), signal));
  log(`${t.name}: get`);
  out.set('get', await timed(p.objects, p.concurrency, (i) => t.get(key(i)), signal));
  log(`${t.name}: list`);
  const reps = 5;
  out.set(`list ${p.objects} (one call)`, await timed(reps, 1, async () => {
    const n = await t.listAll('/pods/');
    if (n !== p.objects) throw new Error(`${t.name}: listed ${n} of ${p.objects}`);
  }, signal));
  log(`${t.name}: paged list`);
  const pageLat: number[] = [];
  const t0 = nowMs();
  for (let r = 0; r < 3; r++) {
    let cont: string | undefined;
    let total = 0;
    do {
      const s = nowMs();
      const page = await t.listPage('/pods/', 500, cont);
      pageLat.push(nowMs() - s);
      total += page.n;
      cont = page.cont;
    } while (cont);
    if (total !== p.objects) throw new Error(`${t.name}: paged list saw ${total} of ${p.objects}`);
  }
  out.set('list page (limit 500)', summarize(Float64Array.from(pageLat), pageLat.length, nowMs() - t0));
  log(`${t.name}: update`);
  out.set('update (CAS)', await timed(p.objects, p.concurrency, async (i) => (revs[i] = await t.update(key(i), revs[i], value)), signal));

  log(`${t.name}: watch fan-out`);
  const from = await t.currentRevision();
  const started = new Map<Revision, number>();
  const delivery: number[] = [];
  const counts = new Array<number>(p.watchers).fill(0);
  const expected = p.watchWrites;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((r) => (allDone = r));
  let complete = 0;
  const stops: (() => Promise<void>)[] = [];
  const pending: { rev: Revision; at: number }[] = [];
  for (let w = 0; w < p.watchers; w++) {
    stops.push(await t.watch('/pods/', from, (rev) => {
      const at = nowMs();
      const s = started.get(rev);
      if (s !== undefined) delivery.push(at - s);
      else pending.push({ rev, at }); // delivered before the writer learnt its revision (sqlite delivers inside the write)
      if (++counts[w] === expected) if (++complete === p.watchers) allDone();
    }));
  }
  const wt0 = nowMs();
  const writeStart = new Float64Array(expected);
  await timed(expected, p.concurrency, async (i) => {
    const k = i % p.objects;
    writeStart[i] = nowMs();
    const rev = await t.update(key(k), revs[k], value);
    revs[k] = rev;
    started.set(rev, writeStart[i]);
  }, signal);
  const bound = setTimeout(() => allDone(), 60_000);
  await finished;
  clearTimeout(bound);
  const elapsed = nowMs() - wt0;
  for (const e of pending) {
    const s = started.get(e.rev);
    if (s !== undefined) delivery.push(e.at - s);
  }
  for (const stop of stops) await stop();
  const fan = summarize(Float64Array.from(delivery), delivery.length, elapsed);
  const delivered = counts.reduce((a, b) => a + b, 0);
  out.set(`watch fan-out (${p.watchers} watchers, events/s)`, { ...fan, rate: (delivered / elapsed) * 1000, count: delivered });
  return out;
}

function fmtRate(s: OpStats | undefined): string {
  if (!s) return '—';
  return s.rate >= 100 ? Math.round(s.rate).toLocaleString('en-US') : s.rate.toFixed(1);
}
function fmtMs(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function table(names: string[], rows: Row[]): string {
  const header = ['operation', ...names.flatMap((n) => [`${n} ops/s`, 'p50 ms', 'p99 ms']), 'store/raw', 'sqlite/raw'];
  const lines = rows.map((r) => {
    const [sq, st, raw] = r.results;
    const ratio = (a: OpStats | undefined): string => (a && raw ? `${(a.rate / raw.rate).toFixed(2)}×` : '—');
    return [r.op, ...r.results.flatMap((s) => [fmtRate(s), fmtMs(s?.p50), fmtMs(s?.p99)]), ratio(st), ratio(sq)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [fmt(header), '|' + widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|') + '|', ...lines.map(fmt)].join('\n');
}

export async function main(args: string[], signal: AbortSignal): Promise<void> {
  const p = parseArgs(args);
  const cleanups: (() => void | Promise<void>)[] = [];
  const owner = { teardown: (fn: () => void | Promise<void>): void => void cleanups.push(fn) };
  const log = (s: string): void => void process.stderr.write(`  … ${s}\n`);
  const began = nowMs();
  try {
    const dir = await mkdtemp(join(os.tmpdir(), 'kubets-bench-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    log('starting etcd (1 member)');
    const etcd = await startEtcd(owner, { members: 1 });
    const sqliteVersion = (() => {
      const db = new Database(':memory:');
      try {
        return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
      } finally {
        db.close();
      }
    })();
    const cpus = os.cpus();
    process.stdout.write(
      `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
        `node ${process.version}, ${etcd.version} (1 member, fsync on, data in ${os.tmpdir()}), SQLite ${sqliteVersion} (WAL, synchronous=NORMAL)\n` +
        `workload: ${p.objects} objects × 512 B, ${p.concurrency} operations in flight for create/get/update, ` +
        `${p.watchers} watchers × ${p.watchWrites} updates for fan-out\n\n`,
    );
    // Same reply-size limit as the Store, or the unpaged list cannot come back at all.
    const raw = new Etcd3({ hosts: etcd.endpoints, grpcOptions: { 'grpc.max_receive_message_length': 2 ** 31 - 1 } });
    cleanups.push(() => raw.close());
    const targets: Target[] = [
      storeTarget('sqlite', new SqliteStore({ dataDir: join(dir, 'sqlite') })),
      storeTarget('etcd3 store', new Etcd3Store({ endpoints: etcd.endpoints, prefix: '/bench-store' })),
      rawTarget(raw, '/bench-raw'),
    ];
    const results: Map<string, OpStats>[] = [];
    for (const t of targets) {
      if (signal.aborted) return;
      results.push(await benchTarget(t, p, signal, log));
      await t.close();
    }
    const ops = [...results[0].keys()];
    const rows: Row[] = ops.map((op) => ({ op, results: results.map((r) => r.get(op)) }));
    process.stdout.write(table(targets.map((t) => t.name), rows) + '\n\n');
    process.stdout.write(
      'p50/p99: per operation (paged list: per page; fan-out: from the start of the write to delivery at a watcher). ' +
        'Ratios compare throughput with the raw etcd3 client (>1× is faster).\n' +
        `total ${(((nowMs() - began) / 1000)).toFixed(1)} s\n`,
    );
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}
