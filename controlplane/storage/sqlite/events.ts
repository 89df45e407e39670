/** Row → KV / WatchEvent conversion for the kine log (see schema.ts for the row meaning). */
import type { KV, WatchEvent } from '../types.js';
import type { Row } from './schema.js';

const EMPTY = new Uint8Array(0);

export function rowToKV(r: Row): KV {
  return {
    key: r.name,
    value: r.value ?? EMPTY,
    createRevision: r.created ? r.id : r.create_revision,
    modRevision: r.id,
  };
}

/** The watch event a log row stands for. Deletes carry the deleted value in kv and prev, as etcd's prevKV does. */
export function rowToEvent(r: Row): WatchEvent {
  const createRevision = r.created ? r.id : r.create_revision;
  if (r.created) {
    // A create after a delete supersedes a tombstone: etcd reports no prevKV for it.
    return { type: 'put', kv: rowToKV(r), created: true };
  }
  const prev: KV = { key: r.name, value: r.old_value ?? EMPTY, createRevision, modRevision: r.prev_revision };
  if (r.deleted) {
    return { type: 'delete', kv: { key: r.name, value: prev.value, createRevision, modRevision: r.id }, prev, created: false };
  }
  return { type: 'put', kv: rowToKV(r), prev, created: false };
}
