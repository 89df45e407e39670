/** etcd wire shapes → Store shapes, and etcd3-client errors → StoreError. */
import { ClientClosedError, GRPCDeadlineExceededError, GRPCUnavailableError, isRecoverableError, type IKeyValue } from 'etcd3';
import { StoreError, type KV, type Revision } from '../types.js';

const EMPTY = new Uint8Array(0);

/** etcd3 returns int64 fields as decimal strings; revisions fit in a double for 2^53 writes. */
export function rev(s: string | number | undefined | null): Revision {
  return s === undefined || s === null || s === '' ? 0 : Number(s);
}

/** Maps keys between the Store's namespace and etcd's (`prefix` + key). */
export class KeyCodec {
  constructor(readonly prefix: string) {}
  encode(key: string): Buffer {
    return Buffer.from(this.prefix + key, 'utf8');
  }
  decode(key: Buffer): string {
    return key.toString('utf8').slice(this.prefix.length);
  }
  kv(kv: IKeyValue): KV {
    return { key: this.decode(kv.key), value: kv.value ?? EMPTY, createRevision: rev(kv.create_revision), modRevision: rev(kv.mod_revision) };
  }
}

/** One translation point for every failure the client can surface; callers branch on StoreError.code. */
export function toStoreError(err: unknown, key: string): StoreError {
  if (err instanceof StoreError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (msg.includes('required revision has been compacted')) return new StoreError('Compacted', key, msg);
  if (msg.includes('required revision is a future revision')) return new StoreError('FutureRevision', key, msg);
  if (err instanceof ClientClosedError) return new StoreError('Closed', key, msg);
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    (err instanceof Error && (isRecoverableError(err) || err.name === 'BrokenCircuitError' || err.name === 'TaskCancelledError'))
  ) {
    return new StoreError('Unavailable', key, `etcd unavailable: ${msg}`);
  }
  // Anything else (auth, permission, an unexpected server error) is still a backend failure the caller cannot fix by retrying the same request differently.
  return new StoreError('Unavailable', key, `etcd: ${msg}`);
}
