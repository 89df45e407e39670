/**
 * etcd watch on the raw gRPC stream (client.watchClient.watch()).
 *
 * Why raw: etcd3 1.1.2's high-level Watcher drops compact_revision when the
 * server cancels a watch on a compacted revision, and cancel() on such a
 * watcher never resolves (LIBS.md §2). Here the stream is ours: a response
 * with canceled=true and compact_revision>0 becomes StoreError('Compacted');
 * we never send a cancel request for a watch the server already cancelled, we
 * only end() and cancel() our side of the stream (without that the process
 * does not exit).
 *
 * Resumption: `next` is the revision after the last event delivered. When the
 * stream breaks (member killed, etcd restarting), a new stream is opened from
 * `next` with back-off, on whichever member the pool picks, so the consumer
 * sees no gap and no duplicate. Ends when the signal aborts or the consumer
 * stops iterating.
 */
import type { Etcd3, IDuplexStream, IEvent, IWatchRequest, IWatchResponse } from 'etcd3';
import { AsyncQueue } from '../internal/queue.js';
import { StoreError, type KV, type Revision, type WatchEvent } from '../types.js';
import { rev, toStoreError, type KeyCodec } from './convert.js';

export interface EtcdWatchOptions {
  client: Etcd3;
  codec: KeyCodec;
  /** The Store-level prefix (before the codec's etcd prefix). */
  prefix: string;
  /** etcd range end for the prefix. */
  rangeEnd: Buffer;
  /** First revision to deliver. */
  startRevision: Revision;
  signal: AbortSignal;
  queueLimit: number;
  /** Told once per state change (connected/lost), for logs. */
  onState?: (state: 'connected' | 'lost', detail: string) => void;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 2000;

export function watchEtcd(o: EtcdWatchOptions): AsyncIterable<WatchEvent> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const queue = new AsyncQueue<WatchEvent>(
    o.signal,
    o.queueLimit,
    () => new StoreError('Unavailable', o.prefix, 'watcher fell too far behind; re-watch'),
    () => {
      o.signal.removeEventListener('abort', onAbort);
      stop.abort();
    },
  );
  if (o.signal.aborted) stop.abort();
  // Owned by the queue: it ends when the queue closes (stop aborts), and reports failure through it.
  void runWatch(o, queue, stop.signal).catch((err: unknown) => queue.fail(toStoreError(err, o.prefix)));
  return queue;
}

async function runWatch(o: EtcdWatchOptions, queue: AsyncQueue<WatchEvent>, stop: AbortSignal): Promise<void> {
  let next = o.startRevision;
  let backoff = BACKOFF_MIN_MS;
  let connected = false;
  while (!stop.aborted) {
    let stream: IDuplexStream<IWatchRequest, IWatchResponse>;
    try {
      stream = await o.client.watchClient.watch();
    } catch (err) {
      if (connected) o.onState?.('lost', String(err));
      connected = false;
      await sleep(backoff, stop);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      continue;
    }
    const outcome = await new Promise<'retry' | 'done'>((resolve) => {
      let settled = false;
      const finish = (how: 'retry' | 'done'): void => {
        if (settled) return;
        settled = true;
        stop.removeEventListener('abort', onStop);
        // Close our half and drop the call; never a cancel_request for a server-cancelled watch.
        try {
          stream.end();
          stream.cancel();
        } catch {
          // already closed
        }
        resolve(how);
      };
      const onStop = (): void => finish('done');
      stop.addEventListener('abort', onStop, { once: true });
      stream.on('data', (res: IWatchResponse) => {
        if (settled) return;
        if (res.created && !connected) {
          connected = true;
          backoff = BACKOFF_MIN_MS;
          o.onState?.('connected', `watch ${o.prefix} from ${next}`);
        }
        if (res.canceled) {
          const compacted = rev(res.compact_revision);
          if (compacted > 0) {
            queue.fail(new StoreError('Compacted', o.prefix, `revision ${next - 1} has been compacted (at ${compacted})`, undefined, compacted));
            finish('done');
          } else {
            // Cancelled for another reason (e.g. a member shutting down): resume elsewhere.
            finish('retry');
          }
          return;
        }
        for (const e of res.events ?? []) {
          const ev = toEvent(o.codec, e);
          next = ev.kv.modRevision + 1;
          queue.push(ev);
        }
      });
      stream.on('error', (err: Error) => {
        if (connected && !stop.aborted) o.onState?.('lost', err.message);
        connected = false;
        finish('retry');
      });
      stream.on('end', () => finish('retry'));
      stream.write({
        create_request: { key: o.codec.encode(o.prefix), range_end: o.rangeEnd, start_revision: next, prev_kv: true },
      });
    });
    if (outcome === 'done' || queue.closed) return;
    await sleep(backoff, stop);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
  }
}

function toEvent(codec: KeyCodec, e: IEvent): WatchEvent {
  const prev: KV | undefined = e.prev_kv ? codec.kv(e.prev_kv) : undefined;
  if (e.type === 'Delete') {
    const kv: KV = {
      key: codec.decode(e.kv.key),
      value: prev?.value ?? new Uint8Array(0),
      createRevision: prev?.createRevision ?? 0,
      modRevision: rev(e.kv.mod_revision),
    };
    return prev ? { type: 'delete', kv, prev, created: false } : { type: 'delete', kv, created: false };
  }
  const kv = codec.kv(e.kv);
  const created = kv.createRevision === kv.modRevision;
  return prev ? { type: 'put', kv, prev, created } : { type: 'put', kv, created };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
