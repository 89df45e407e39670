/**
 * `metadata.managedFields` on the wire and in memory: decoding the entries
 * into one FieldSet per manager, and encoding them back in upstream's order
 * (k8s.io/apimachinery/pkg/util/managedfields/internal/managedfields.go).
 *
 * Design notes
 * - A manager is identified by what upstream puts in its identifier: the
 *   manager name, the operation, the subresource, and — for Update only —
 *   the apiVersion (so an applier keeps one entry across versions, while
 *   `kubectl-edit` at v1 and at v2 are two). The identifier is the JSON of
 *   those fields, exactly as upstream builds it, because conflict messages
 *   and the cap on Update entries are keyed by it.
 * - Entries are sorted like upstream's sortEncodedManagedFields: Apply before
 *   Update, then by time (seconds), manager, apiVersion, subresource.
 */
import { FieldSet, type FieldsV1 } from './fieldset.js';
import { PathElementError } from './pathelement.js';

export type Operation = 'Apply' | 'Update';

/** One `metadata.managedFields[]` entry as stored and served. Field order is upstream's JSON order. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation: Operation;
  apiVersion: string;
  /** RFC 3339, seconds precision, UTC: `2026-01-02T03:04:05Z`. */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** One manager's ownership, decoded. */
export interface ManagerRecord {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  /** '' for the main resource. */
  readonly subresource: string;
  readonly time?: string;
  readonly set: FieldSet;
}

/** Managers by identifier (see managerIdentifier). */
export type Managed = ReadonlyMap<string, ManagerRecord>;

/**
 * The identifier upstream's BuildManagerIdentifier produces: the entry's JSON
 * without time and fields, and without apiVersion for appliers.
 */
export function managerIdentifier(m: { manager: string; operation: Operation; apiVersion: string; subresource?: string }): string {
  const o: Record<string, string> = {};
  if (m.manager) o.manager = m.manager;
  o.operation = m.operation;
  if (m.operation === 'Update' && m.apiVersion) o.apiVersion = m.apiVersion;
  if (m.subresource) o.subresource = m.subresource;
  return JSON.stringify(o);
}

/**
 * How conflict messages name a manager (upstream printManager):
 * `"kubectl"` for an applier, `"kubectl-client-side-apply" using v1` for an
 * updater, with `with subresource "status"` when it came through /status.
 */
export function describeManager(m: ManagerRecord): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}

/** Why managedFields could not be read (upstream's messages). */
export class ManagedFieldsError extends Error {
  override readonly name = 'ManagedFieldsError';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes `metadata.managedFields` (upstream DecodeManagedFields). Absent or
 * empty decodes to no managers. Throws ManagedFieldsError for an entry whose
 * operation, apiVersion, fieldsType or fieldsV1 is invalid.
 */
export function decodeManagedFields(entries: unknown): Map<string, ManagerRecord> {
  const out = new Map<string, ManagerRecord>();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isPlainObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const operation = raw.operation;
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
    if (apiVersion.length < 1) throw new ManagedFieldsError('apiVersion must not be empty');
    if (raw.fieldsType === undefined || raw.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (raw.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(raw.fieldsType)} in managed fields entry ${i}`);
    let set: FieldSet;
    try {
      set = raw.fieldsV1 === undefined || raw.fieldsV1 === null ? FieldSet.empty : FieldSet.fromFieldsV1(raw.fieldsV1);
    } catch (e) {
      if (e instanceof PathElementError) throw new ManagedFieldsError(`error decoding set: ${e.message}`);
      throw e;
    }
    const rec: ManagerRecord = {
      manager: typeof raw.manager === 'string' ? raw.manager : '',
      operation,
      apiVersion,
      subresource: typeof raw.subresource === 'string' ? raw.subresource : '',
      time: typeof raw.time === 'string' ? raw.time : undefined,
      set,
    };
    out.set(managerIdentifier(rec), rec);
  });
  return out;
}

/** Seconds since the epoch of an RFC 3339 time, 0 when absent or unreadable (upstream sorts a nil time first). */
function seconds(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Upstream's entry order: operation, time, manager, apiVersion, subresource. */
export function compareRecords(p: ManagerRecord, q: ManagerRecord): number {
  return cmp(p.operation, q.operation) || seconds(p.time) - seconds(q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource);
}

/** Encodes managers as `metadata.managedFields`, sorted; managers owning nothing are left out. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  return [...managed.values()]
    .filter((m) => !m.set.isEmpty())
    .sort(compareRecords)
    .map((m) => ({
      // Built in upstream's JSON key order; empty optional fields are omitted as Go's omitempty does.
      ...(m.manager ? { manager: m.manager } : {}),
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1' as const,
      fieldsV1: m.set.toFieldsV1(),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

/** RFC 3339 in UTC with seconds precision, as metav1.Time marshals. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Upstream's DefaultMaxUpdateManagers: more Update entries than this are folded into "ancient-changes". */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Caps the number of Update entries (upstream capManagersManager): the
 * oldest are merged, per apiVersion, into an `ancient-changes` entry until at
 * most `max` remain, so a busy object's managedFields cannot grow forever.
 */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): Map<string, ManagerRecord> {
  const out = new Map(managed);
  const updaters = [...out.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= max) return out;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || cmp(ia, ib));
  let length = updaters.length;
  const firstByVersion = new Map<string, string>();
  for (const [id, m] of updaters) {
    if (length <= max) break;
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: m.apiVersion });
    const first = firstByVersion.get(m.apiVersion);
    if (first === undefined) {
      firstByVersion.set(m.apiVersion, id);
      continue;
    }
    // The first entry seen for this version seeds the bucket; later ones merge into it.
    let base = out.get(bucket);
    if (!base) {
      const seed = out.get(first)!;
      out.delete(first);
      base = { ...seed, manager: ANCIENT_CHANGES, subresource: '' };
    }
    out.set(bucket, { ...base, set: base.set.union(m.set), apiVersion: m.apiVersion, time: m.time });
    out.delete(id);
    length--;
  }
  return out;
}
