/**
 * The vocabulary every controller shares: what a controller is to the
 * manager, and what the manager hands each controller (its client, the shared
 * informers, a clock, a logger, an event recorder, a queue maker).
 *
 * Controllers never construct clients or informers themselves, so unit tests
 * hand them a FakeClient-backed factory and a FakeClock, and the manager
 * gives each controller its own client (and so its own --kube-api-qps bucket,
 * as upstream's per-controller clients have).
 */
import type { EventRecorder } from '../../client/events.js';
import type { SharedInformerFactory } from '../../client/factory.js';
import type { Client } from '../../client/interfaces.js';
import type { Clock } from '../../client/clock.js';
import type { DeepReadonly, WorkQueue } from '../../client/types.js';
import type { WorkQueueOptions } from '../../client/workqueue.js';
import type { Logger } from '../../machinery/log/index.js';

/** What informers hand out: shared, never to be mutated (STYLE.md rule 1). */
export type RO<T> = DeepReadonly<T>;

/** A deep, mutable copy of a cached object: the only way to change one. */
export function mutableCopy<T>(o: RO<T>): T {
  return structuredClone(o) as unknown as T;
}

/** A work queue that can also report its depth (the manager's queues are instrumented). */
export type QueueFactory = (name: string, opts?: WorkQueueOptions) => WorkQueue;

export interface ControllerContext {
  /** Writes (and the occasional fresh read) go through this client. */
  readonly client: Client;
  /** Shared informers: call informerFor() in the constructor, before the factory starts. */
  readonly informers: SharedInformerFactory;
  readonly clock: Clock;
  readonly log: Logger;
  /** Events for `kubectl describe`; best effort. */
  readonly recorder: EventRecorder;
  readonly newQueue: QueueFactory;
}

/** A controller as the manager sees it: constructed (handlers registered), then run until the signal aborts. */
export interface Controller {
  /** The upstream name (--controllers): replicaset, deployment, garbagecollector … */
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

/** A recorder that drops everything (tests that do not look at events). */
export const discardRecorder: EventRecorder = { event: () => undefined };
