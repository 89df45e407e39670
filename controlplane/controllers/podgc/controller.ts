/**
 * The pod garbage collector (upstream pkg/controller/podgc): every 20 s it
 * force-deletes (grace period 0)
 *   1. the oldest finished pods (Succeeded/Failed) beyond
 *      --terminated-pod-gc-threshold (<= 0: never);
 *   2. pods bound to a node that no longer exists (orphaned) — the cache's
 *      word is checked with a fresh GET of the node first, so a node not yet
 *      seen by the cache costs no pods;
 *   3. pods being deleted that were never scheduled (no kubelet will finish them).
 *
 * Shape: its decisions are about the whole pod set (a count, an order), so
 * instead of a key per object there is one periodic, level-triggered pass:
 * plan() reads the listers and returns what to delete (pure, unit-tested),
 * apply() deletes. The informers have no handlers: nothing happens between
 * passes. Deletes carry the pod's uid as a precondition, so a pod recreated
 * under the same name is never hit.
 */
import type { Registry } from 'prom-client';
import type { Node, Pod } from '../../api/core/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import { parseTime } from '../../machinery/meta/helpers.js';
import { errorMessage } from '../common/errors.js';
import { waitForCaches } from '../common/loop.js';
import type { Controller, ControllerContext, RO } from '../common/types.js';
import { PodGCMetrics } from './metrics.js';
import type { PodGCOptions } from './options.js';

export type GCReason = 'terminated' | 'orphaned' | 'unscheduled-terminating';

export interface GCItem {
  namespace: string;
  name: string;
  uid?: string;
  reason: GCReason;
  /** For orphans: the missing node. */
  node?: string;
}

/** Finished for good: Succeeded or Failed. */
export function isTerminated(pod: RO<Pod>): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function createdMs(p: RO<Pod>): number {
  return parseTime(p.metadata.creationTimestamp)?.getTime() ?? 0;
}

/** Oldest first, then by namespace/name (upstream byCreationTimestamp). */
export function compareByAge(a: RO<Pod>, b: RO<Pod>): number {
  return createdMs(a) - createdMs(b) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
}

const item = (p: RO<Pod>, reason: GCReason): GCItem => ({ namespace: p.metadata.namespace ?? 'default', name: p.metadata.name ?? '', uid: p.metadata.uid, reason, ...(reason === 'orphaned' ? { node: p.spec?.nodeName } : {}) });

/** What one pass deletes, from the cached pods and node names. Orphans are candidates: apply() confirms their node is gone. */
export function plan(pods: readonly RO<Pod>[], nodeNames: ReadonlySet<string>, threshold: number): GCItem[] {
  const out: GCItem[] = [];
  const seen = new Set<string>();
  const push = (p: RO<Pod>, reason: GCReason) => {
    const k = `${p.metadata.namespace}/${p.metadata.name}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(item(p, reason));
  };
  if (threshold > 0) {
    const terminated = pods.filter(isTerminated);
    const excess = terminated.length - threshold;
    if (excess > 0) for (const p of [...terminated].sort(compareByAge).slice(0, excess)) push(p, 'terminated');
  }
  for (const p of pods) {
    const node = p.spec?.nodeName;
    if (node && !nodeNames.has(node)) push(p, 'orphaned');
  }
  for (const p of pods) if (p.metadata.deletionTimestamp && !p.spec?.nodeName) push(p, 'unscheduled-terminating');
  return out;
}

export interface PodGCControllerOptions extends PodGCOptions {
  /** The manager's metrics registry; none in tests that do not look. */
  registry?: Registry;
  /** Deletes in flight at once. */
  parallelism?: number;
}

export class PodGCController implements Controller {
  readonly name = 'podgc';
  // Immutable after construction.
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly metrics?: PodGCMetrics;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: PodGCControllerOptions,
  ) {
    if (opts.registry) this.metrics = new PodGCMetrics(opts.registry);
    this.pods = ctx.informers.informerFor(resources.pods);
    this.nodes = ctx.informers.informerFor(resources.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.ctx.log;
    log.info('Starting GC controller', { terminatedPodThreshold: this.opts.terminatedPodThreshold, period: `${this.opts.periodMs}ms` });
    if (!(await waitForCaches([this.pods, this.nodes], signal))) return;
    while (!signal.aborted) {
      try {
        await this.gc(signal);
      } catch (e) {
        if (!signal.aborted) log.warn('pod GC pass failed; next pass in one period', { err: errorMessage(e) });
      }
      await this.ctx.clock.sleep(this.opts.periodMs, signal);
    }
    log.info('Shutting down GC controller');
  }

  /** One pass: plan from the caches, then delete. Returns what was deleted. */
  async gc(signal?: AbortSignal): Promise<GCItem[]> {
    const nodeNames = new Set(this.nodes.lister.list().map((n) => n.metadata.name ?? ''));
    const todo = plan(this.pods.lister.list(), nodeNames, this.opts.terminatedPodThreshold);
    const terminated = todo.filter((i) => i.reason === 'terminated').length;
    if (terminated) this.ctx.log.info(`garbage collecting ${terminated} terminated pods`, { threshold: this.opts.terminatedPodThreshold });
    const done: GCItem[] = [];
    const missing = new Map<string, Promise<boolean>>();
    const nodeGone = (node: string) => {
      let p = missing.get(node);
      if (!p) {
        p = this.ctx.client
          .resource(resources.nodes)
          .get(node, { signal })
          .then(
            () => false,
            (e: unknown) => {
              if (isNotFound(e)) return true;
              throw e;
            },
          );
        missing.set(node, p);
      }
      return p;
    };
    const one = async (i: GCItem) => {
      if (i.reason === 'orphaned') {
        let gone: boolean;
        try {
          gone = await nodeGone(i.node!);
        } catch (e) {
          this.ctx.log.warn('unable to check whether the node of a pod exists; next pass', { pod: `${i.namespace}/${i.name}`, node: i.node, err: errorMessage(e) });
          return;
        }
        if (!gone) return;
        this.ctx.log.info('found orphaned pod assigned to a node that no longer exists; deleting', { pod: `${i.namespace}/${i.name}`, node: i.node });
      } else if (i.reason === 'unscheduled-terminating') {
        this.ctx.log.info('found unscheduled terminating pod not assigned to any node; deleting', { pod: `${i.namespace}/${i.name}` });
      }
      try {
        await this.ctx.client.resource(resources.pods, i.namespace).delete(i.name, { gracePeriodSeconds: 0, preconditions: i.uid ? { uid: i.uid } : undefined, signal });
        this.metrics?.deleted.inc({ namespace: i.namespace, reason: i.reason });
        done.push(i);
      } catch (e) {
        if (isNotFound(e)) return;
        this.metrics?.errors.inc({ namespace: i.namespace, reason: i.reason });
        this.ctx.log.warn('unable to delete pod', { pod: `${i.namespace}/${i.name}`, reason: i.reason, err: errorMessage(e) });
      }
    };
    const width = Math.max(1, this.opts.parallelism ?? 10);
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !signal?.aborted) await one(todo[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(width, todo.length) }, worker));
    return done;
  }
}
