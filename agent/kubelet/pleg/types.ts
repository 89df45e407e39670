/**
 * The pod lifecycle event generator's vocabulary (upstream pleg/pleg.go):
 * typed events per pod, and the cache of runtime pod statuses that pod
 * workers read. generic.ts implements it by relisting the runtime every
 * second and right after any Docker event.
 */
import type { RuntimePodStatus } from '../runtime/podstatus.js';

export type PodLifecycleEventType = 'ContainerStarted' | 'ContainerDied' | 'ContainerRemoved' | 'ContainerChanged';

export interface PodLifecycleEvent {
  podUID: string;
  type: PodLifecycleEventType;
  /** The container id. */
  data: string;
}

export interface PodLifecycleEventGenerator {
  /** Handlers run synchronously after each relist; they should only enqueue work. */
  onEvent(h: (e: PodLifecycleEvent) => void): void;
  /**
   * The pod's status as of a relist that started after `since` (ms epoch),
   * relisting now if needed — so a worker never acts on a state older than
   * its own last action (upstream cache.GetNewerThan). Resolves undefined if
   * signal aborts.
   */
  statusNewerThan(uid: string, since: number, signal: AbortSignal): Promise<RuntimePodStatus | undefined>;
  /** The last known status, no waiting. */
  cachedStatus(uid: string): RuntimePodStatus | undefined;
  /** Every pod UID the runtime has containers for. */
  podUIDs(): string[];
  /** Ask for a relist as soon as possible (coalesced). */
  kick(): void;
  /** Whether relisting worked recently (the node's Ready condition, /healthz). */
  healthy(): { ok: boolean; message?: string };
  run(signal: AbortSignal): Promise<void>;
}
