/**
 * The event recorder (client-go tools/record): components report what they
 * did to an object as core/v1 Events, which `kubectl describe` shows.
 *
 * Design notes
 * - record() never blocks and never throws: it updates an in-memory
 *   aggregation entry and queues its key. run(signal) writes queued entries
 *   through the client, rate limited by --event-qps/--event-burst.
 * - Aggregation (events_cache.go eventObserve): repeats of the same
 *   (source, involved object, type, reason, message) are one Event whose
 *   count and lastTimestamp grow — `Normal Scheduled 5s (x3 over 10s)`.
 *   The first write creates it; later ones patch count/lastTimestamp; a repeat
 *   recorded while an earlier one is still queued just bumps the count, so a
 *   burst costs one write. If the Event vanished (TTL), it is created again.
 * - Best effort, like upstream: the queue is bounded (excess is dropped and
 *   counted) and a failed write is logged, not retried forever.
 */
import { randomBytes } from 'node:crypto';
import type { Event, ObjectReference } from '../api/core/v1/types.js';
import type { Logger } from '../machinery/log/index.js';
import { formatRFC3339 } from '../machinery/meta/helpers.js';
import type { KubeObject } from '../machinery/meta/types.js';
import { realClock, type Clock } from './clock.js';
import { isNotFound } from './errors.js';
import type { Client } from './interfaces.js';
import { tokenBucket, type RateLimiter } from './ratelimit.js';
import { resources } from './resources.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** default-scheduler, kubelet, replicaset-controller … */
  component: string;
  /** The node name, for node agents. */
  host?: string;
}

export interface EventRecorder {
  /** Records an event about obj (an object with kind/apiVersion, or a reference). Never throws. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void;
}

export interface EventBroadcasterOptions {
  /** --event-qps (<= 0 unlimited). Default 5. */
  qps?: number;
  /** --event-burst. Default 10. */
  burst?: number;
  /** Queued (unwritten) entries beyond this are dropped. Default 1000. */
  maxQueue?: number;
  /** Aggregation entries kept (LRU). Default 4096, as upstream. */
  cacheSize?: number;
  clock?: Clock;
  log?: Logger;
}

/** The ObjectReference of an object (kind/apiVersion must be on it). */
export function referenceOf(obj: KubeObject | ObjectReference): ObjectReference {
  if (!('metadata' in obj)) return obj as ObjectReference;
  const o = obj as KubeObject;
  const r: ObjectReference = { kind: o.kind, name: o.metadata?.name, apiVersion: o.apiVersion };
  if (o.metadata?.namespace) r.namespace = o.metadata.namespace;
  if (o.metadata?.uid) r.uid = o.metadata.uid;
  if (o.metadata?.resourceVersion) r.resourceVersion = o.metadata.resourceVersion;
  return r;
}

interface Entry {
  involved: ObjectReference;
  source: EventSource;
  type: EventType;
  reason: string;
  message: string;
  namespace: string;
  count: number;
  first: number;
  last: number;
  /** The Event's name once created on the server. */
  name?: string;
  /** Count the server has; the difference is what is still to write. */
  written: number;
  queued: boolean;
}

export class EventBroadcaster {
  // Guarded by nothing (single-threaded); record() and run() share them.
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private wake?: () => void;
  private dropped = 0;
  // Immutable after construction.
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly maxQueue: number;
  private readonly cacheSize: number;

  constructor(
    private readonly client: Client,
    private readonly opts: EventBroadcasterOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.limiter = tokenBucket(opts.qps ?? 5, opts.burst ?? 10, this.clock);
    this.maxQueue = opts.maxQueue ?? 1000;
    this.cacheSize = opts.cacheSize ?? 4096;
  }

  /** A recorder stamping events with this source. */
  newRecorder(source: EventSource): EventRecorder {
    return { event: (obj, type, reason, message) => this.record(source, referenceOf(obj), type, reason, message) };
  }

  /** Events dropped because the queue was full. */
  get droppedCount(): number {
    return this.dropped;
  }

  get pending(): number {
    return this.queue.length;
  }

  private record(source: EventSource, involved: ObjectReference, type: EventType, reason: string, message: string): void {
    const key = [source.component, source.host ?? '', involved.apiVersion ?? '', involved.kind ?? '', involved.namespace ?? '', involved.name ?? '', involved.uid ?? '', type, reason, message].join('\x00');
    const now = this.clock.now();
    let e = this.entries.get(key);
    if (e) {
      this.entries.delete(key); // LRU: re-insert as newest
      e.count++;
      e.last = now;
    } else {
      e = { involved, source, type, reason, message, namespace: involved.namespace || 'default', count: 1, first: now, last: now, written: 0, queued: false };
      if (this.entries.size >= this.cacheSize) {
        const oldest = this.entries.keys().next().value as string;
        if (!this.entries.get(oldest)!.queued) this.entries.delete(oldest);
      }
    }
    this.entries.set(key, e);
    if (e.queued) return;
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      return;
    }
    e.queued = true;
    this.queue.push(key);
    this.wake?.();
  }

  /** Writes queued events until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const key = this.queue.shift();
      if (key === undefined) {
        await new Promise<void>((r) => {
          this.wake = r;
          signal.addEventListener('abort', () => r(), { once: true });
        });
        this.wake = undefined;
        continue;
      }
      const e = this.entries.get(key);
      if (!e) continue;
      await this.limiter.wait(signal);
      if (signal.aborted) break;
      e.queued = false;
      await this.write(e, signal);
    }
  }

  /** Writes everything queued now (for tests and shutdown), ignoring the rate limit's waits. */
  async flush(): Promise<void> {
    for (let key = this.queue.shift(); key !== undefined; key = this.queue.shift()) {
      const e = this.entries.get(key);
      if (!e) continue;
      e.queued = false;
      await this.write(e);
    }
  }

  private async write(e: Entry, signal?: AbortSignal): Promise<void> {
    const events = this.client.resource(resources.events, e.namespace);
    const count = e.count;
    const last = formatRFC3339(new Date(e.last));
    try {
      if (e.name) {
        try {
          await events.patch(e.name, 'strategic', { count, lastTimestamp: last, message: e.message }, { signal });
          e.written = count;
          return;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // Expired by the event TTL: create it anew below.
        }
      }
      const ev: Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${e.involved.name ?? 'unknown'}.${eventSuffix(e.first)}`, namespace: e.namespace },
        involvedObject: e.involved,
        reason: e.reason,
        message: e.message,
        source: e.source.host ? { component: e.source.component, host: e.source.host } : { component: e.source.component },
        firstTimestamp: formatRFC3339(new Date(e.first)),
        lastTimestamp: last,
        count,
        type: e.type,
        eventTime: null,
        reportingComponent: e.source.component,
        reportingInstance: e.source.host ?? '',
      };
      const created = await events.create(ev, { signal });
      e.name = created.metadata.name;
      e.written = count;
    } catch (err) {
      if (signal?.aborted) return;
      this.opts.log?.v(2).info('unable to write event (may retry after sleeping)', { reason: e.reason, object: `${e.involved.namespace ?? ''}/${e.involved.name ?? ''}`, err: (err as Error).message });
    }
  }
}

/** Upstream names events `<object>.<hex unix nanos>`; a random tail keeps two processes apart. */
function eventSuffix(ms: number): string {
  return (BigInt(ms) * 1_000_000n + BigInt(randomBytes(3).readUIntBE(0, 3))).toString(16);
}
