/**
 * Dead container garbage collection (upstream kuberuntime_gc.go, v1.8).
 *
 * Evictable: an app container that exited and was created at least
 * --minimum-container-ttl-duration ago. Grouped per (pod, container name),
 * newest first:
 *   1. all of a pod that no source has any more (once all sources reported);
 *   2. beyond --maximum-dead-containers-per-container per group (< 0: no limit);
 *   3. beyond --maximum-dead-containers in total (< 0: no limit): first each
 *      group is cut to max(1, total / groups), then the oldest overall go.
 * The newest container of each name of a live pod is always kept: the pod's
 * status (restart count, last state) is read from it. Sandboxes are the pod
 * lifecycle's business (their network must be torn down first): the kubelet
 * removes dead ones itself (runtime/manager.ts gcPod, removePod).
 *
 * The kubelet's housekeeping already trims each live pod to the per-container
 * limit every 2 s; this adds the global limit, the TTL and the eviction
 * manager's "delete all unused containers".
 */
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { ResourceMetrics } from '../eviction/metrics.js';
import type { RuntimeContainer } from '../types.js';

export const CONTAINER_GC_PERIOD_MS = 60_000;

export interface ContainerGCPolicy {
  /** --minimum-container-ttl-duration */
  minAgeMs: number;
  /** --maximum-dead-containers-per-container */
  maxPerPodContainer: number;
  /** --maximum-dead-containers */
  maxContainers: number;
}

export type GCContainer = Pick<RuntimeContainer, 'id' | 'podUID' | 'containerName' | 'isSandbox' | 'state' | 'createdAt'>;

export interface SelectOptions {
  now: number;
  /** The pod still exists in some source. */
  podExists(uid: string): boolean;
  /** Every source has reported (else a missing pod may just not be known yet). */
  allSourcesReady: boolean;
  /** Eviction reclaim: every evictable container goes, limits aside. */
  evictAll?: boolean;
}

const created = (c: GCContainer) => c.createdAt?.getTime() ?? 0;

/** The ids to remove, oldest first within each rule. Pure. */
export function selectContainersToRemove(containers: readonly GCContainer[], policy: ContainerGCPolicy, o: SelectOptions): string[] {
  const apps = containers.filter((c) => !c.isSandbox);
  const newest = new Map<string, GCContainer>();
  for (const c of apps) {
    const k = `${c.podUID}/${c.containerName}`;
    const n = newest.get(k);
    if (!n || created(c) > created(n)) newest.set(k, c);
  }
  const units = new Map<string, GCContainer[]>();
  for (const c of apps) {
    if (c.state !== 'exited') continue;
    if (o.now - created(c) < policy.minAgeMs) continue;
    const k = `${c.podUID}/${c.containerName}`;
    const exists = o.podExists(c.podUID) || !o.allSourcesReady;
    if (exists && newest.get(k) === c) continue;
    let l = units.get(k);
    if (!l) units.set(k, (l = []));
    l.push(c);
  }
  for (const l of units.values()) l.sort((a, b) => created(b) - created(a));

  const out: string[] = [];
  const removeOldest = (l: GCContainer[], keep: number) => {
    const cut = l.splice(Math.max(0, keep));
    for (const c of cut.reverse()) out.push(c.id);
  };
  for (const [k, l] of units) {
    const uid = k.slice(0, k.indexOf('/'));
    if ((o.allSourcesReady && !o.podExists(uid)) || o.evictAll) {
      removeOldest(l, 0);
      units.delete(k);
    }
  }
  if (policy.maxPerPodContainer >= 0) for (const l of units.values()) removeOldest(l, policy.maxPerPodContainer);
  const count = () => [...units.values()].reduce((a, l) => a + l.length, 0);
  if (policy.maxContainers >= 0 && count() > policy.maxContainers) {
    const groups = [...units.values()].filter((l) => l.length > 0);
    const perUnit = Math.max(1, Math.floor(policy.maxContainers / Math.max(1, groups.length)));
    for (const l of groups) removeOldest(l, perUnit);
    if (count() > policy.maxContainers) {
      const flat = [...units.values()].flat().sort((a, b) => created(b) - created(a));
      for (const c of flat.slice(policy.maxContainers).reverse()) out.push(c.id);
    }
  }
  return out;
}

export interface ContainerGCOptions {
  policy: ContainerGCPolicy;
  /** This kubelet's containers. */
  list(): Promise<GCContainer[]>;
  remove(id: string): Promise<void>;
  podExists(uid: string): boolean;
  allSourcesReady(): boolean;
  /** The pod's worker is acting on it now: leave its containers alone this pass. */
  busy?(uid: string): boolean;
  periodMs?: number;
  metrics?: ResourceMetrics;
  clock?: Clock;
  log: Logger;
}

export class ContainerGC {
  private readonly clock: Clock;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: ContainerGCOptions) {
    this.clock = o.clock ?? realClock;
  }

  private collect(evictAll: boolean, reason: 'policy' | 'eviction'): Promise<number> {
    const work = this.running.then(async () => {
      const all = await this.o.list();
      const ids = selectContainersToRemove(all, this.o.policy, { now: this.clock.now(), podExists: this.o.podExists, allSourcesReady: this.o.allSourcesReady(), evictAll });
      const byId = new Map(all.map((c) => [c.id, c]));
      let removed = 0;
      for (const id of ids) {
        const c = byId.get(id);
        if (c && this.o.busy?.(c.podUID)) continue;
        try {
          await this.o.remove(id);
          removed++;
          this.o.metrics?.containersRemoved.inc({ reason });
        } catch (e) {
          this.o.log.warn('container garbage collection: cannot remove container', { container: id.slice(0, 12), err: (e as Error).message });
        }
      }
      if (removed) this.o.log.v(1).info('container garbage collection removed dead containers', { count: removed, reason });
      return removed;
    });
    this.running = work.catch(() => undefined);
    return work;
  }

  /** One periodic pass under the policy; the number removed. */
  garbageCollect(): Promise<number> {
    return this.collect(false, 'policy');
  }

  /** The eviction manager's reclaim: every dead container old enough (the newest of each live pod's container kept). */
  async deleteAllUnusedContainers(): Promise<void> {
    await this.collect(true, 'eviction');
  }

  async run(signal: AbortSignal): Promise<void> {
    const period = this.o.periodMs ?? CONTAINER_GC_PERIOD_MS;
    while (!signal.aborted) {
      await this.clock.sleep(period, signal);
      if (signal.aborted) return;
      try {
        await this.garbageCollect();
      } catch (e) {
        this.o.log.warn('container garbage collection failed', { err: (e as Error).message });
      }
    }
  }
}
