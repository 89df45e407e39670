/**
 * The kine-style schema. One append-only log table; the autoincrement id is
 * the global revision. A row is a create (created=1), an update, or a
 * tombstone (deleted=1). create_revision is 0 on create rows (it is the row's
 * own id, known only after the insert) and copied forward on later rows.
 * prev_revision is the id of the row this one supersedes (0 for a first
 * create); UNIQUE(name, prev_revision) makes two writers that read the same
 * previous row collide on insert — the optimistic lock, even across processes.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB,
  old_value BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE TABLE IF NOT EXISTS kine_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: Buffer | null;
  old_value: Buffer | null;
}

const COLS = 'id, name, created, deleted, create_revision, prev_revision, value, old_value';

/** Prepared-statement SQL, one place. `?` order is documented per statement. */
export const SQL = {
  /** (name) → newest row of that name. */
  latest: `SELECT ${COLS} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`,
  /** (name, created, deleted, create_revision, prev_revision, value, old_value) */
  insert: `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, value, old_value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  /** Current revision; survives deletion of the newest rows, unlike MAX(id). */
  currentRev: `SELECT seq FROM sqlite_sequence WHERE name = 'kine'`,
  /** The compaction revision (kine_meta row 'compact_rev'). */
  compactRev: `SELECT value FROM kine_meta WHERE key = 'compact_rev'`,
  setCompactRev: `INSERT INTO kine_meta (key, value) VALUES ('compact_rev', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  /**
   * (start, end, rev, limit) → live rows of names in [start, end) as of rev,
   * in name order: the newest row per name with id ≤ rev, minus tombstones.
   * Written as a correlated MAX(id) per row, not `id IN (SELECT MAX(id) …
   * GROUP BY name)`: the latter materializes the whole range before LIMIT, so
   * every page of a paged list cost as much as the rest of the list (measured
   * 28 ms vs 4 ms for a 500-row page of 10k names; 260 vs 92 ms unpaged).
   */
  listRange: `SELECT ${COLS} FROM kine AS k WHERE k.name >= ? AND k.name < ?
      AND k.id = (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = k.name AND k2.id <= ?)
      AND k.deleted = 0 ORDER BY k.name LIMIT ?`,
  /** (start, rev, limit): the same with no upper bound (empty prefix). */
  listOpen: `SELECT ${COLS} FROM kine AS k WHERE k.name >= ?
      AND k.id = (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = k.name AND k2.id <= ?)
      AND k.deleted = 0 ORDER BY k.name LIMIT ?`,
  /** (start, end, rev) → number of live names in [start, end) as of rev. */
  countRange: `SELECT COUNT(*) AS n FROM kine AS k WHERE k.name >= ? AND k.name < ?
      AND k.id = (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = k.name AND k2.id <= ?)
      AND k.deleted = 0`,
  countOpen: `SELECT COUNT(*) AS n FROM kine AS k WHERE k.name >= ?
      AND k.id = (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = k.name AND k2.id <= ?)
      AND k.deleted = 0`,
  /** (after, limit) → rows with id > after, in id order (the watch tail). */
  after: `SELECT ${COLS} FROM kine WHERE id > ? ORDER BY id LIMIT ?`,
  /** (lo, hi): delete rows superseded by a row with id in (lo, hi]. */
  compactSuperseded: `DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision != 0)`,
  /** (lo, hi): delete tombstones with id in (lo, hi]. */
  compactTombstones: `DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1`,
} as const;
