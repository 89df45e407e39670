/**
 * SQLite Store — the embedded default backend, after kine (k3s-io/kine).
 *
 * Design notes
 * - One append-only log table (schema.ts). Every write is an INSERT, so the
 *   autoincrement id is etcd's global revision, history is kept for free, and
 *   reads at an old revision are "the newest row per name with id ≤ rev".
 * - Writes run in BEGIN IMMEDIATE transactions: read the newest row of the
 *   key, check the precondition, insert. IMMEDIATE takes SQLite's single
 *   write lock up front, so writers (this process or another on the same file)
 *   are serialized and ids are assigned in commit order. UNIQUE(name,
 *   prev_revision) is the optimistic lock on top: a violation is reported as a
 *   conflict, never as a crash. A rolled-back insert does not consume its id
 *   (AUTOINCREMENT updates sqlite_sequence inside the transaction), so unlike
 *   kine on MySQL/Postgres the log has no gaps to fill: a gap can only come from
 *   compaction, which is below the compact revision by construction.
 * - Durability: WAL + synchronous=NORMAL. A write is acknowledged only after
 *   its transaction committed, i.e. its frames are in the WAL file; that
 *   survives kill -9 of the process (the OS keeps the pages), though not a
 *   power cut in the last moments before a checkpoint — the trade kine and k3s
 *   make too.
 * - The current revision comes from sqlite_sequence, not MAX(id): compaction
 *   may delete the newest row (a tombstone), and the revision must not go back.
 * - Watch: one tail per Store reads the log after the last id it delivered and
 *   fans rows out to watchers. It runs synchronously right after each local
 *   commit (so local watchers see writes in order before the write's promise
 *   resolves) and on a timer while watchers exist (so writes by a second
 *   process on the same file are seen too). A new watcher is registered in one
 *   synchronous step: bring the tail up to date, replay rows in (from, tail],
 *   subscribe — better-sqlite3 is synchronous, so no row can fall between
 *   replay and subscription, and none is delivered twice.
 * - Compaction: the compact revision is recorded first (reads and watches
 *   below it then throw Compacted), then superseded rows and tombstones are
 *   deleted in batches of `compactBatch` revisions, one short transaction each,
 *   so writers are never locked out for long. Choosing a revision that spares
 *   the newest N revisions is the compactor's job (../compactor.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AsyncQueue } from '../internal/queue.js';
import { decodeContinue, encodeContinue, prefixEnd } from '../internal/keys.js';
import { StoreError, type KV, type ListOptions, type ListResult, type Revision, type Store, type WatchEvent } from '../types.js';
import { rowToEvent, rowToKV } from './events.js';
import { SCHEMA, SQL, type Row } from './schema.js';

export interface SqliteStoreOptions {
  /** Directory holding state.db (created if missing). */
  dataDir: string;
  /** How often watchers re-read the log for writes by other processes. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Revisions deleted per compaction transaction. Default 1000. */
  compactBatch?: number;
  /** Max events queued per watcher before it is failed (must re-watch). Default 100000. */
  watchQueueLimit?: number;
}

interface Watcher {
  prefix: string;
  /** Deliver only revisions above this (a watch may start in the future). */
  from: Revision;
  queue: AsyncQueue<WatchEvent>;
}

type Stmt = Database.Statement<unknown[], Row>;

const TAIL_BATCH = 1000;

export class SqliteStore implements Store {
  // immutable after construction
  private readonly db: Database.Database;
  private readonly opts: Required<Omit<SqliteStoreOptions, 'dataDir'>>;
  private readonly st: {
    latest: Stmt; insert: Database.Statement; currentRev: Database.Statement<[], { seq: number }>;
    compactRev: Database.Statement<[], { value: number }>; setCompactRev: Database.Statement;
    listRange: Stmt; listOpen: Stmt; countRange: Database.Statement<unknown[], { n: number }>;
    countOpen: Database.Statement<unknown[], { n: number }>; after: Stmt;
    compactSuperseded: Database.Statement; compactTombstones: Database.Statement;
  };
  // guarded by: the JS thread (better-sqlite3 calls are synchronous)
  private readonly watchers = new Set<Watcher>();
  /** Highest log id fanned out to watchers. */
  private tailRev: Revision;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.opts = {
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      compactBatch: options.compactBatch ?? 1000,
      watchQueueLimit: options.watchQueueLimit ?? 100_000,
    };
    this.db = new Database(path.join(options.dataDir, 'state.db'), { timeout: this.opts.busyTimeoutMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const p = <R>(sql: string): Database.Statement<unknown[], R> => this.db.prepare<unknown[], R>(sql);
    this.st = {
      latest: p<Row>(SQL.latest),
      insert: this.db.prepare(SQL.insert),
      currentRev: this.db.prepare<[], { seq: number }>(SQL.currentRev),
      compactRev: this.db.prepare<[], { value: number }>(SQL.compactRev),
      setCompactRev: this.db.prepare(SQL.setCompactRev),
      listRange: p<Row>(SQL.listRange),
      listOpen: p<Row>(SQL.listOpen),
      countRange: p<{ n: number }>(SQL.countRange),
      countOpen: p<{ n: number }>(SQL.countOpen),
      after: p<Row>(SQL.after),
      compactSuperseded: this.db.prepare(SQL.compactSuperseded),
      compactTombstones: this.db.prepare(SQL.compactTombstones),
    };
    this.tailRev = this.rev();
  }

  // ---- helpers (synchronous; callers hold no lock but the JS thread) ----

  private rev(): Revision {
    return this.st.currentRev.get()?.seq ?? 0;
  }

  private compactedRev(): Revision {
    return this.st.compactRev.get()?.value ?? 0;
  }

  /** Runs fn with a StoreError for every failure: Closed, Unavailable (lock timeout, I/O). */
  private guard<T>(key: string, fn: () => T): T {
    if (this.closed) throw new StoreError('Closed', key, 'store is closed');
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
        throw new StoreError('Unavailable', key, `database is locked: ${(err as Error).message}`);
      }
      throw new StoreError('Unavailable', key, `sqlite: ${(err as Error).message}`);
    }
  }

  private isUniqueViolation(err: unknown): boolean {
    return (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
  }

  /**
   * Appends one row in an IMMEDIATE transaction after `check` approves the
   * newest row; then fans the log out to local watchers (after commit: a
   * watcher never sees a write that could still roll back).
   */
  private append(key: string, check: (cur: Row | undefined) => Omit<Row, 'id' | 'name'>): { id: Revision; cur: Row | undefined } {
    return this.guard(key, () => {
      let out: { id: Revision; cur: Row | undefined };
      try {
        out = this.db.transaction(() => {
          const cur = this.st.latest.get(key);
          const r = check(cur);
          const info = this.st.insert.run(key, r.created, r.deleted, r.create_revision, r.prev_revision, r.value, r.old_value);
          return { id: Number(info.lastInsertRowid), cur };
        }).immediate();
      } catch (err) {
        if (!this.isUniqueViolation(err)) throw err;
        // Another writer appended on the same previous row first.
        const now = this.st.latest.get(key);
        const kv = now && !now.deleted ? rowToKV(now) : undefined;
        throw new StoreError(kv ? 'Conflict' : 'NotFound', key, `concurrent write to ${key}`, kv);
      }
      // Committed: from here the write is acknowledged whatever happens to delivery.
      this.deliverOrFailWatchers();
      return out;
    });
  }

  /** tail(), but a read failure ends the watchers (they re-watch) instead of failing the caller. */
  private deliverOrFailWatchers(): void {
    try {
      this.tail();
    } catch (err) {
      for (const w of [...this.watchers]) w.queue.fail(new StoreError('Unavailable', w.prefix, `sqlite tail: ${(err as Error).message}`));
    }
  }

  /** Reads new log rows and delivers them to watchers, in id order. */
  private tail(): void {
    if (this.watchers.size === 0) {
      // Nobody to deliver to: just move the mark so a later watcher's replay covers it.
      this.tailRev = this.rev();
      return;
    }
    for (;;) {
      const rows = this.st.after.all(this.tailRev, TAIL_BATCH);
      for (const r of rows) {
        const ev = rowToEvent(r);
        for (const w of this.watchers) if (r.id > w.from && r.name.startsWith(w.prefix)) w.queue.push(ev);
        this.tailRev = r.id;
      }
      if (rows.length < TAIL_BATCH) break;
    }
  }

  private startPoller(): void {
    if (this.poller || this.closed) return;
    this.poller = setInterval(() => {
      if (this.watchers.size === 0) return this.stopPoller();
      // The file went away or is locked for long: watchers are told and re-watch.
      this.deliverOrFailWatchers();
    }, this.opts.pollIntervalMs);
    this.poller.unref();
  }

  private stopPoller(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  private checkReadRevision(key: string, rev: Revision, current: Revision): void {
    if (rev > current) throw new StoreError('FutureRevision', key, `revision ${rev} is newer than the store (${current})`);
    const compacted = this.compactedRev();
    if (rev < compacted) throw new StoreError('Compacted', key, `revision ${rev} has been compacted (at ${compacted})`, undefined, compacted);
  }

  // ---- Store ----

  async create(key: string, value: Uint8Array): Promise<Revision> {
    const v = toBuffer(value);
    return this.append(key, (cur) => {
      if (cur && !cur.deleted) throw new StoreError('AlreadyExists', key, `key ${key} already exists`);
      // prev_revision points at the tombstone (if any) so concurrent re-creates collide on the unique index.
      return { created: 1, deleted: 0, create_revision: 0, prev_revision: cur ? cur.id : 0, value: v, old_value: null };
    }).id;
  }

  async get(key: string): Promise<KV | undefined> {
    return this.guard(key, () => {
      const r = this.st.latest.get(key);
      return r && !r.deleted ? rowToKV(r) : undefined;
    });
  }

  async update(key: string, expect: Revision, value: Uint8Array): Promise<Revision> {
    const v = toBuffer(value);
    return this.append(key, (cur) => {
      if (!cur || cur.deleted) throw new StoreError('NotFound', key, `key ${key} not found`);
      if (cur.id !== expect) {
        throw new StoreError('Conflict', key, `key ${key} is at revision ${cur.id}, not ${expect}`, rowToKV(cur));
      }
      return { created: 0, deleted: 0, create_revision: rowToKV(cur).createRevision, prev_revision: cur.id, value: v, old_value: cur.value };
    }).id;
  }

  async delete(key: string, expect?: Revision): Promise<{ revision: Revision; prev: KV }> {
    const { id, cur } = this.append(key, (c) => {
      if (!c || c.deleted) throw new StoreError('NotFound', key, `key ${key} not found`);
      if (expect !== undefined && c.id !== expect) {
        throw new StoreError('Conflict', key, `key ${key} is at revision ${c.id}, not ${expect}`, rowToKV(c));
      }
      return { created: 0, deleted: 1, create_revision: rowToKV(c).createRevision, prev_revision: c.id, value: c.value, old_value: c.value };
    });
    // cur is defined: the check above threw otherwise.
    return { revision: id, prev: rowToKV(cur as Row) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.guard(prefix, () =>
      // A deferred read transaction: one snapshot for the revision and the rows, even with another process writing.
      this.db.transaction((): ListResult => {
        const current = this.rev();
        let revision = opts.atRevision && opts.atRevision > 0 ? opts.atRevision : current;
        let start = prefix;
        if (opts.continueFrom) {
          const c = decodeContinue(prefix, opts.continueFrom);
          revision = c.revision;
          start = c.startKey;
        }
        this.checkReadRevision(prefix, revision, current);
        const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
        // One extra row tells whether there are more.
        const fetch = limit > 0 ? limit + 1 : -1;
        const end = prefixEnd(prefix);
        const rows = end === '' ? this.st.listOpen.all(start, revision, fetch) : this.st.listRange.all(start, end, revision, fetch);
        const more = limit > 0 && rows.length > limit;
        const items = (more ? rows.slice(0, limit) : rows).map(rowToKV);
        const res: ListResult = { items, revision, more };
        if (more) res.continue = encodeContinue(prefix, revision, items[items.length - 1].key);
        return res;
      })(),
    );
  }

  async count(prefix: string): Promise<number> {
    return this.guard(prefix, () => {
      const rev = this.rev();
      const end = prefixEnd(prefix);
      const r = end === '' ? this.st.countOpen.get(prefix, rev) : this.st.countRange.get(prefix, end, rev);
      return r?.n ?? 0;
    });
  }

  watch(prefix: string, fromRevision: Revision, signal: AbortSignal): AsyncIterable<WatchEvent> {
    return this.guard(prefix, () => {
      const current = this.rev();
      const from = fromRevision > 0 ? fromRevision : current;
      const compacted = this.compactedRev();
      if (from < compacted) {
        throw new StoreError('Compacted', prefix, `revision ${from} has been compacted (at ${compacted})`, undefined, compacted);
      }
      // Deliver what other processes wrote to the existing watchers first, so tailRev is current.
      this.tail();
      const w: Watcher = {
        prefix,
        from,
        queue: new AsyncQueue<WatchEvent>(
          signal,
          this.opts.watchQueueLimit,
          () => new StoreError('Unavailable', prefix, 'watcher fell too far behind; re-watch'),
          () => this.watchers.delete(w),
        ),
      };
      // Replay (from, tailRev], then subscribe: one synchronous step.
      for (let after = from; after < this.tailRev; ) {
        const rows = this.st.after.all(after, TAIL_BATCH);
        if (rows.length === 0) break;
        for (const r of rows) {
          if (r.id > this.tailRev) break;
          if (r.name.startsWith(prefix)) w.queue.push(rowToEvent(r));
          after = r.id;
        }
        if (rows.length < TAIL_BATCH) break;
      }
      if (!w.queue.closed) {
        this.watchers.add(w);
        this.startPoller();
      }
      return w.queue;
    });
  }

  async currentRevision(): Promise<Revision> {
    return this.guard('', () => this.rev());
  }

  async compact(revision: Revision): Promise<void> {
    const batches = this.guard('', () => {
      const current = this.rev();
      if (revision > current) throw new StoreError('FutureRevision', '', `cannot compact at ${revision}: store is at ${current}`);
      const from = this.compactedRev();
      if (revision <= from) return [];
      // Record first: from here on, reads below `revision` fail instead of seeing half-deleted history.
      this.st.setCompactRev.run(revision);
      const out: [number, number][] = [];
      for (let lo = from; lo < revision; lo += this.opts.compactBatch) out.push([lo, Math.min(lo + this.opts.compactBatch, revision)]);
      return out;
    });
    for (const [lo, hi] of batches) {
      this.guard('', () =>
        this.db.transaction(() => {
          // Both deletes touch only rows that no read at or above `revision` can return.
          this.st.compactSuperseded.run(lo, hi);
          this.st.compactTombstones.run(lo, hi);
        }).immediate(),
      );
      // Let other work (requests, watch delivery) run between batches.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  async check(): Promise<void> {
    this.guard('', () => this.rev());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPoller();
    for (const w of [...this.watchers]) w.queue.fail(new StoreError('Closed', w.prefix, 'store is closed'));
    this.watchers.clear();
    this.db.close();
  }
}

function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
