/**
 * Field ownership for writes: server-side apply (`applyOperation`) and the
 * bookkeeping every ordinary create/update/patch does (`updateOperation`),
 * as k8s.io/apiserver's field manager and structured-merge-diff's merge.Updater
 * do them.
 *
 * Design notes
 * - Apply (merge.Updater.Apply): merge the applied configuration onto the
 *   live object; the applier now owns exactly what it applied; fields it
 *   applied last time and no longer applies are pruned unless another
 *   manager owns them; then every other manager that owns a field whose
 *   value this request changes is a conflict (409) — unless `force`, which
 *   moves those fields to the applier.
 * - Update (merge.Updater.Update, via upstream's "current-operation"
 *   indirection): fields the request added or modified move to the
 *   requesting manager; removed fields are disowned by everybody; a manager
 *   left owning nothing disappears. A request that changes nothing leaves
 *   every entry, timestamps included, as it was.
 * - The wrapping layers of upstream's field manager are folded in here:
 *   stripping of server-owned metadata (apiVersion, kind, metadata.name,
 *   uid, resourceVersion, generation, creationTimestamp, managedFields…),
 *   "reset fields" (`status` through the main resource, the rest through
 *   /status), the cap of ten Update entries, the kubectl client-side →
 *   server-side apply upgrade (conflicts on fields whose live value still
 *   equals `last-applied-configuration` are forced for manager `kubectl`),
 *   and the refresh of that annotation after such an apply.
 * - Pure: inputs are never changed; results are fresh objects.
 */
import { StatusError, apiErrors, fieldErrors, type FieldError, type StatusCause } from '../../machinery/errors.js';
import type { Obj } from '../registry/types.js';
import { FieldSet } from './fieldset.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  formatTime,
  managerIdentifier,
  ManagedFieldsError,
  type Managed,
  type ManagedFieldsEntry,
  type ManagerRecord,
} from './managedfields.js';
import { fieldPE, goJSON, pathToString, type Path } from './pathelement.js';
import { parseAPIVersion, typeForKind, type FieldType } from './schema.js';
import { compareValues, ensureNamedFieldsAreMembers, fieldSetOf, formatTypedError, jsonEqual, mergeValues, removeItems, validateApplied } from './typed.js';

type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The Update manager that owns what an untracked object held when it was first applied to. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Longest manager name upstream accepts (validation.FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

const path = (...names: string[]): Path => names.map(fieldPE);

/** Fields the server owns: never recorded for any manager (upstream stripMetaManager). */
const STRIPPED = FieldSet.of([
  path('apiVersion'),
  path('kind'),
  path('metadata'),
  path('metadata', 'name'),
  path('metadata', 'namespace'),
  path('metadata', 'creationTimestamp'),
  path('metadata', 'selfLink'),
  path('metadata', 'uid'),
  path('metadata', 'clusterName'),
  path('metadata', 'generation'),
  path('metadata', 'managedFields'),
  path('metadata', 'resourceVersion'),
]);

/**
 * Subtrees a write through this endpoint cannot change, so nobody owns them
 * through it (upstream's ResetFields): `status` through the main resource,
 * `spec` and `metadata` through /status.
 */
function resetFields(subresource: string): FieldSet {
  return subresource === 'status' ? FieldSet.of([path('spec'), path('metadata')]) : FieldSet.of([path('status')]);
}

/** The object without `metadata.managedFields` (a copy; ownership is never part of the compared content). */
function withoutManagedFields(o: unknown): JsonObject {
  if (!isObject(o)) return {};
  const copy = structuredClone(o);
  const meta = copy.metadata;
  if (isObject(meta)) delete meta.managedFields;
  return copy;
}

/**
 * `o` with managedFields set to `entries` (removed when there are none),
 * placed where `reference` (the metadata the request started from) had it.
 * Key order matters: the registry spots no-op writes by comparing JSON text,
 * so an unchanged object must serialize exactly as before.
 */
function withManagedFields(o: JsonObject, entries: ManagedFieldsEntry[], reference: unknown): Obj {
  const meta: JsonObject = isObject(o.metadata) ? o.metadata : {};
  const out: JsonObject = {};
  const refKeys = isObject(reference) ? Object.keys(reference) : [];
  const at = refKeys.indexOf('managedFields');
  // Insert before the first key that followed managedFields in the reference; append otherwise.
  const following = new Set(at < 0 ? [] : refKeys.slice(at + 1));
  let placed = entries.length === 0;
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'managedFields') continue;
    if (!placed && following.has(k)) {
      out.managedFields = entries;
      placed = true;
    }
    out[k] = v;
  }
  if (!placed) out.managedFields = entries;
  return { ...o, metadata: out } as Obj;
}

const metadataOf = (o: unknown): unknown => (isObject(o) ? o.metadata : undefined);

/** Managers of a stored object; unreadable entries count as none, so one bad write can't wedge every later one. */
function storedManagers(o: unknown): Map<string, ManagerRecord> {
  const meta = isObject(o) ? o.metadata : undefined;
  try {
    return decodeManagedFields(isObject(meta) ? meta.managedFields : undefined);
  } catch (e) {
    if (e instanceof ManagedFieldsError) return new Map();
    throw e;
  }
}

function kindOf(o: unknown): string {
  return isObject(o) && typeof o.kind === 'string' ? o.kind : '';
}

function resolveType(given: FieldType | undefined, apiVersion: string, kind: string): FieldType {
  if (given) return given;
  const { group, version } = parseAPIVersion(apiVersion);
  return typeForKind({ group, version, kind });
}

export interface OperationResult {
  /** The object to store: the input's content with `metadata.managedFields` rewritten. */
  readonly object: Obj;
  /** The new `metadata.managedFields` (also set on `object`; [] means the field is absent). */
  readonly managedFields: ManagedFieldsEntry[];
}

export interface ApplyInput {
  /** The stored object, or undefined when the apply creates it. Never changed. */
  readonly live: Obj | undefined;
  /** The applied configuration: the PATCH body (application/apply-patch+yaml), decoded. */
  readonly applied: unknown;
  /** `?fieldManager=` (required for apply; see validateFieldManager). */
  readonly manager: string;
  /** `?force=true`: take over conflicting fields instead of failing. */
  readonly force?: boolean;
  /** The request's group-version (`apps/v1`, `v1`); the applied object must name the same. */
  readonly apiVersion: string;
  /** The URL's kind; when given, the applied object must name it (upstream versionCheckManager). */
  readonly kind?: string;
  readonly now: Date;
  /** Type information; defaults to typeForKind of apiVersion + kind. */
  readonly type?: FieldType;
  /** 'status' for PATCH …/status; '' or absent for the main resource. */
  readonly subresource?: string;
}

/**
 * Server-side apply. Returns the object to store and its managedFields, or
 * throws a StatusError: 400 for a malformed apply body (wrong apiVersion or
 * kind, managedFields set), 422 for list items that can't be identified or
 * repeat a key, 409 Conflict (causes of type FieldManagerConflict) when
 * other managers own fields this apply changes and `force` is not set.
 */
export function applyOperation(input: ApplyInput): OperationResult {
  const { manager, apiVersion, now } = input;
  const subresource = input.subresource ?? '';
  const applied = input.applied;
  if (!isObject(applied)) throw apiErrors.badRequest('the apply patch must be a JSON or YAML object');
  const { group, version } = parseAPIVersion(apiVersion);
  if (input.kind !== undefined && (applied.apiVersion !== apiVersion || applied.kind !== input.kind)) {
    // Upstream prints the GVK as Go does: "apps/v1, Kind=Deployment", "/v1, Kind=ConfigMap".
    const got = parseAPIVersion(typeof applied.apiVersion === 'string' ? applied.apiVersion : '');
    throw apiErrors.badRequest(`invalid object type: ${got.group}/${got.version}, Kind=${kindOf(applied)}`);
  }
  if (applied.apiVersion !== apiVersion) {
    throw apiErrors.badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(applied.apiVersion ?? '')}, expected: ${apiVersion}`);
  }
  const appliedMeta = applied.metadata;
  if (isObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw apiErrors.badRequest('metadata.managedFields must be nil');
  }
  const kind = input.kind ?? kindOf(applied);
  const type = resolveType(input.type, apiVersion, kind);
  const typeErrors = validateApplied(applied, type);
  if (typeErrors.length > 0) {
    const detail = typeErrors.length === 1 ? formatTypedError(typeErrors[0]) : `errors:\n${typeErrors.map((e) => '  ' + formatTypedError(e)).join('\n')}`;
    throw new StatusError(422, 'Invalid', `failed to create typed patch object (${group}/${version}, Kind=${kind}): ${detail}`);
  }

  const live = input.live === undefined ? {} : withoutManagedFields(input.live);
  const ignored = resetFields(subresource);
  const id = managerIdentifier({ manager, operation: 'Apply', apiVersion, subresource });
  let before: Managed = input.live === undefined ? new Map<string, ManagerRecord>() : storedManagers(input.live);
  if (input.live !== undefined && before.size === 0) {
    // Upstream's skipNonAppliedManager: an object nobody tracked yet gets its
    // existing fields recorded for "before-first-apply", as an Update from an
    // empty object, so the first applier can't silently take them over.
    before = recordUpdate({}, live, before, { manager: BEFORE_FIRST_APPLY, apiVersion, subresource: '' }, type, now);
  }

  const attempt = (force: boolean) => applyOnce(live, applied, before, id, { manager, apiVersion, subresource }, type, ignored, force);
  let outcome = attempt(Boolean(input.force));
  if ('conflicts' in outcome && manager === 'kubectl' && input.live !== undefined) {
    // kubectl's client-side → server-side upgrade: fields whose live value is
    // still what last-applied-configuration says were kubectl's own, so
    // taking them over is not a conflict (upstream lastAppliedManager).
    const allowed = allowedByLastApplied(live, type, apiVersion);
    if (allowed) {
      const remaining = subtractAllowed(outcome.conflicts, allowed);
      outcome = remaining.size === 0 ? attempt(true) : { conflicts: remaining };
    }
  }
  if ('conflicts' in outcome) throw conflictError(outcome.conflicts, before);

  let object = outcome.object;
  if (manager === 'kubectl') object = refreshLastApplied(object, applied);
  const managed = new Map(outcome.managers);
  const mine = managed.get(id);
  if (mine) {
    // Upstream stamps the applier's time only when the object changed; an
    // entry must carry a time, so a first no-op apply is stamped too.
    const changed = !jsonEqual(object, live);
    const time = changed || !before.get(id)?.time ? formatTime(now) : before.get(id)?.time;
    managed.set(id, { ...mine, time });
  }
  const entries = encodeManagedFields(managed);
  return { object: withManagedFields(object, entries, metadataOf(input.live)), managedFields: entries };
}

type ApplyOutcome = { object: JsonObject; managers: Managed } | { conflicts: Map<string, FieldSet> };

/** One pass of merge.Updater.Apply: merge, record, prune, then check other managers. */
function applyOnce(
  live: JsonObject,
  applied: JsonObject,
  before: Managed,
  id: string,
  who: { manager: string; apiVersion: string; subresource: string },
  type: FieldType,
  ignored: FieldSet,
  force: boolean,
): ApplyOutcome {
  const managers = new Map(before);
  const lastSet = managers.get(id)?.set;
  const appliedSet = fieldSetOf(applied, type).set.recursiveDifference(ignored);
  managers.set(id, { manager: who.manager, operation: 'Apply', apiVersion: who.apiVersion, subresource: who.subresource, time: before.get(id)?.time, set: appliedSet });
  let merged = mergeValues(live, applied, type) as JsonObject;
  merged = prune(merged, managers, lastSet, type);

  const moved = reassign(live, merged, managers, id, type, ignored);
  if (moved.conflicts.size > 0 && !force) return { conflicts: moved.conflicts };

  // The applier never records what the server owns; an applier owning nothing has no entry.
  const mine = moved.managers.get(id);
  if (mine) {
    const set = mine.set.difference(STRIPPED);
    if (set.isEmpty()) moved.managers.delete(id);
    else moved.managers.set(id, { ...mine, set });
  }
  return { object: merged, managers: moved.managers };
}

/**
 * Removes what the applier applied last time and no longer applies, unless
 * someone (the applier's new configuration included) still owns it; fields
 * nobody ever owned are left alone (upstream prune, addBackOwnedItems,
 * addBackDanglingItems).
 */
function prune(merged: JsonObject, managers: Managed, lastSet: FieldSet | undefined, type: FieldType): JsonObject {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, type);
  const setOf = (v: unknown) => ensure(fieldSetOf(v, type).set);
  const remove = (s: FieldSet) => (removeItems(merged, s, type) as JsonObject | undefined) ?? {};
  const last = ensure(lastSet);

  let pruned = remove(last);
  let owned = FieldSet.empty;
  for (const m of managers.values()) owned = owned.union(m.set);
  const mergedSet = setOf(merged);
  pruned = remove(mergedSet.difference(setOf(pruned).union(ensure(owned))));
  return remove(mergedSet.difference(setOf(pruned)).intersection(last));
}

/**
 * Ownership after `oldObj` became `newObj` (merge.Updater.update): other
 * managers owning an added or modified field are in conflict, and lose it;
 * removed fields are disowned by everybody. Managers left empty disappear.
 * `workflow` (the writer) is not touched.
 */
function reassign(oldObj: unknown, newObj: unknown, managers: Managed, workflow: string, type: FieldType, ignored: FieldSet): { managers: Map<string, ManagerRecord>; conflicts: Map<string, FieldSet>; changed: FieldSet } {
  const cmp = compareValues(oldObj, newObj, type);
  const changed = cmp.added.union(cmp.modified).recursiveDifference(ignored);
  const removed = cmp.removed.recursiveDifference(ignored);
  const conflicts = new Map<string, FieldSet>();
  const out = new Map<string, ManagerRecord>();
  for (const [id, m] of managers) {
    if (id === workflow) {
      out.set(id, m);
      continue;
    }
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) conflicts.set(id, c);
    const set = m.set.difference(c).difference(removed);
    if (!set.isEmpty()) out.set(id, { ...m, set });
  }
  return { managers: out, conflicts, changed };
}

/** The conflicts left once `allowed` paths are forgiven (upstream conflictsDifference). */
function subtractAllowed(conflicts: Map<string, FieldSet>, allowed: FieldSet): Map<string, FieldSet> {
  const out = new Map<string, FieldSet>();
  for (const [id, set] of conflicts) {
    const rest = FieldSet.of(set.paths().filter((p) => !allowed.has(p)));
    if (!rest.isEmpty()) out.set(id, rest);
  }
  return out;
}

/**
 * Fields of the live object's last-applied-configuration whose live value
 * still equals it (upstream allowedConflictsFromLastApplied), or undefined
 * when there is no usable annotation.
 */
function allowedByLastApplied(live: JsonObject, type: FieldType, apiVersion: string): FieldSet | undefined {
  const meta = live.metadata;
  const annotations = isObject(meta) ? meta.annotations : undefined;
  const text = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  if (typeof text !== 'string' || text === '') return undefined;
  let last: unknown;
  try {
    last = JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
  if (!isObject(last) || last.apiVersion !== apiVersion) return undefined;
  const set = fieldSetOf(last, type).set;
  const cmp = compareValues(last, live, type);
  return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/**
 * After an apply by `kubectl`, an existing last-applied-configuration is
 * rewritten to the applied configuration (without the annotation itself), as
 * JSON with sorted keys and a trailing newline — what upstream's
 * lastAppliedUpdater writes — so a later client-side apply diffs against
 * what was really applied.
 */
function refreshLastApplied(object: JsonObject, applied: JsonObject): JsonObject {
  const meta = object.metadata;
  const annotations = isObject(meta) ? meta.annotations : undefined;
  if (!isObject(annotations) || !Object.prototype.hasOwnProperty.call(annotations, LAST_APPLIED_ANNOTATION)) return object;
  const config = structuredClone(applied);
  const cmeta = config.metadata;
  if (isObject(cmeta) && isObject(cmeta.annotations)) delete cmeta.annotations[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...(meta as JsonObject), annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: goJSON(config) + '\n' } } };
}

/**
 * The 409 upstream returns (NewConflictError): one cause per conflicting
 * field, and a message listing them, grouped by manager for several:
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.k`.
 */
function conflictError(conflicts: Map<string, FieldSet>, managers: Managed): StatusError {
  const list: { who: string; field: string }[] = [];
  for (const id of [...conflicts.keys()].sort()) {
    const m = managers.get(id)!;
    for (const p of conflicts.get(id)!.paths()) list.push({ who: describeManager(m), field: pathToString(p) });
  }
  const causes: StatusCause[] = list.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.who}`, field: c.field }));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${list[0].who}: ${list[0].field}`;
  } else {
    const lines: string[] = [];
    let current = '';
    for (const c of list) {
      if (c.who !== current) {
        lines.push(`conflicts with ${c.who}:`);
        current = c.who;
      }
      lines.push(`- ${c.field}`);
    }
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

export interface UpdateInput {
  /** The stored object before the write; undefined for a create. Never changed. */
  readonly old: Obj | undefined;
  /**
   * The object about to be stored (after defaulting, ideally). Its
   * `metadata.managedFields`, when a client sent valid non-empty ones, replace
   * the stored ones (that is how clients edit ownership); `[{}]` clears them.
   */
  readonly updated: Obj;
  /** `?fieldManager=`, or managerName(…) of the user agent. */
  readonly manager: string;
  /** The request's group-version. */
  readonly apiVersion: string;
  readonly now: Date;
  readonly type?: FieldType;
  readonly subresource?: string;
}

/** A body's `managedFields: [{}]`: upstream's documented way to drop all ownership. */
function isResetMarker(v: unknown): boolean {
  return Array.isArray(v) && v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0;
}

/**
 * Ownership after an ordinary create, update or (non-apply) patch. Returns the
 * object with `metadata.managedFields` rewritten. Never throws for bad
 * managedFields: unreadable ones in the body fall back to the stored ones,
 * as upstream does, so a client that doesn't know the field can't erase it.
 */
export function updateOperation(input: UpdateInput): OperationResult {
  const { manager, apiVersion, now } = input;
  const subresource = input.subresource ?? '';
  const type = resolveType(input.type, apiVersion, kindOf(input.updated) || kindOf(input.old));
  const oldObj = input.old === undefined ? {} : withoutManagedFields(input.old);
  const newObj = withoutManagedFields(input.updated);

  const sent = isObject(input.updated.metadata) ? input.updated.metadata.managedFields : undefined;
  let managers: Map<string, ManagerRecord>;
  if (isResetMarker(sent) && subresource === '') {
    managers = new Map();
  } else {
    let fromBody: Map<string, ManagerRecord> | undefined;
    try {
      fromBody = subresource === '' ? decodeManagedFields(sent) : undefined;
    } catch (e) {
      if (!(e instanceof ManagedFieldsError)) throw e;
    }
    managers = fromBody && fromBody.size > 0 ? fromBody : input.old === undefined ? new Map() : storedManagers(input.old);
  }

  // Upstream's skipNonAppliedManager: an object that reached an update with no
  // managedFields (written before tracking began, or cleared with `[{}]`)
  // stays untracked until someone applies to it; creates always start tracking.
  if (managers.size === 0 && input.old !== undefined) {
    return { object: withManagedFields(newObj, [], metadataOf(input.updated)), managedFields: [] };
  }

  const result = recordUpdate(oldObj, newObj, managers, { manager, apiVersion, subresource }, type, now);
  const entries = encodeManagedFields(capUpdateManagers(result));
  const reference = isObject(input.updated.metadata) && 'managedFields' in input.updated.metadata ? input.updated.metadata : metadataOf(input.old);
  return { object: withManagedFields(newObj, entries, reference), managedFields: entries };
}

/**
 * The Update bookkeeping (merge.Updater.Update behind upstream's
 * "current-operation" indirection): every existing entry, the writer's own
 * included, loses what changed from `oldObj` to `newObj`; then the writer
 * gains the added and modified fields and a new time — only if there are any,
 * so a request that changes nothing leaves all entries as they were.
 */
function recordUpdate(
  oldObj: unknown,
  newObj: unknown,
  managers: Managed,
  who: { manager: string; apiVersion: string; subresource: string },
  type: FieldType,
  now: Date,
): Map<string, ManagerRecord> {
  const moved = reassign(oldObj, newObj, managers, '', type, resetFields(who.subresource));
  const result = moved.managers;
  const taken = moved.changed.difference(STRIPPED);
  if (!taken.isEmpty()) {
    const id = managerIdentifier({ manager: who.manager, operation: 'Update', apiVersion: who.apiVersion, subresource: who.subresource });
    const prev = result.get(id);
    result.set(id, { ...who, operation: 'Update', time: formatTime(now), set: prev ? prev.set.union(taken) : taken });
  }
  return result;
}

/**
 * The manager name of a request (upstream managerOrUserAgent): `?fieldManager=`
 * when given, else the user agent up to its first `/` (printable characters,
 * at most 128 bytes), else `unknown`.
 */
export function managerName(fieldManager: string | null | undefined, userAgent: string | null | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  let bytes = 0;
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!isPrintable(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out || 'unknown';
}

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrintable(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/**
 * Upstream's ValidateFieldManager (plus "required for apply"): undefined when
 * fine, else the 422 for the request's options kind, e.g.
 * `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`.
 */
export function validateFieldManager(fieldManager: string | null | undefined, options: { kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'; apply?: boolean }): StatusError | undefined {
  const errs: FieldError[] = [];
  const fm = fieldManager ?? '';
  if (options.apply && fm === '') errs.push(fieldErrors.required('fieldManager', 'is required for apply patch'));
  if (Buffer.byteLength(fm, 'utf8') > FIELD_MANAGER_MAX_LENGTH) errs.push(fieldErrors.tooLong('fieldManager', fm, FIELD_MANAGER_MAX_LENGTH));
  let i = 0;
  for (const ch of fm) {
    if (!isPrintable(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errs.push(fieldErrors.invalid('fieldManager', fm, `invalid character U+${code} (at position ${i})`));
    }
    i += Buffer.byteLength(ch, 'utf8');
  }
  return errs.length === 0 ? undefined : apiErrors.invalid('meta.k8s.io', options.kind, '', errs);
}
