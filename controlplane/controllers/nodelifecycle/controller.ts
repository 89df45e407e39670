/**
 * The node lifecycle controller (upstream 1.8 pkg/controller/node
 * NodeController, "nodelifecycle" from 1.10): notices kubelets that stopped
 * posting status, marks their nodes Unknown and their pods not ready, and
 * after --pod-eviction-timeout deletes their pods at --node-eviction-rate.
 *
 * Design notes:
 * - Handlers only enqueue node names: Node events, and the node's Lease in
 *   kube-node-lease (our kubelet renews one with every status post; either
 *   counts as a heartbeat). Every --node-monitor-period a tick enqueues every
 *   node, since silence produces no event, then recomputes the zones.
 * - sync(node) is level-triggered: from the cached Node and Lease and what it
 *   remembers (NodeHealth: when it last SAW a heartbeat, on its own clock) it
 *   decides Unknown, NotReady pods, and whether to queue the node for eviction.
 *   A node seen for the first time gets a full grace period, so a restarted
 *   controller marks nothing at once.
 * - Evictions run in their own loop over per-zone queues (evictor.ts), each
 *   rate-limited by the zone's state (1.8 semantics): Normal → --node-eviction-rate;
 *   PartialDisruption → --secondary-node-eviction-rate in zones larger than
 *   --large-cluster-size-threshold, else 0; every zone FullDisruption → all
 *   evictions stop ("master disruption": the master, not the nodes, is most
 *   likely cut off) and every node gets a fresh grace period when some come back.
 *   Hence a one-node cluster never evicts: its only node down is a full disruption.
 * - Pods are deleted with their default grace period (the kubelet, if alive,
 *   stops them; else the pod GC force-deletes them once the node is deleted);
 *   DaemonSet pods stay, as upstream. Taint-based eviction (1.9+ alpha) is not done.
 */
import type { Registry } from 'prom-client';
import type { Lease } from '../../api/coordination/v1/types.js';
import type { Node, Pod } from '../../api/core/v1/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { NODE_NAME_INDEX } from '../../client/indexer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { runWorkers } from '../../client/workqueue.js';
import { formatRFC3339 } from '../../machinery/meta/helpers.js';
import { errorMessage } from '../common/errors.js';
import { KindEvents } from '../common/events.js';
import { waitForCaches } from '../common/loop.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { ZoneEvictor } from './evictor.js';
import { computeZoneState, conditionOf, evictionRateFor, markUnknown, observe, zoneKey, type NodeHealth, type ZoneState } from './health.js';
import { NodeLifecycleMetrics } from './metrics.js';
import type { NodeLifecycleOptions } from './options.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** How often the eviction queues are looked at (upstream scheduledEvictionPeriod). */
const EVICTION_PASS_MS = 100;

export interface NodeLifecycleControllerOptions extends NodeLifecycleOptions {
  workers?: number;
  /** The manager's metrics registry; none in tests that do not look. */
  registry?: Registry;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'nodelifecycle';
  // Immutable after construction.
  readonly queue: WorkQueue;
  readonly evictor: ZoneEvictor;
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<Lease>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodeEvents: KindEvents;
  private readonly podEvents: KindEvents;
  private readonly metrics?: NodeLifecycleMetrics;
  // Owned by this controller (single-threaded; the queue gives one worker per node).
  /** What was last seen of each node (upstream nodeStatusMap). */
  readonly health = new Map<string, NodeHealth>();
  /** Zone → state after the last monitor pass. */
  readonly zoneStates = new Map<string, ZoneState>();
  /** Nodes reported not ready in this outage (logged once). */
  private readonly down = new Set<string>();
  /** Nodes whose pods could not all be marked not ready (logged once). */
  private readonly markFailing = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NodeLifecycleControllerOptions,
  ) {
    if (opts.registry) this.metrics = new NodeLifecycleMetrics(opts.registry);
    this.queue = ctx.newQueue('node_lifecycle_controller');
    this.evictor = new ZoneEvictor(ctx.clock, opts.evictionRate);
    this.nodeEvents = new KindEvents(ctx.recorder, 'v1', 'Node');
    this.podEvents = new KindEvents(ctx.recorder, 'v1', 'Pod');
    this.nodes = ctx.informers.informerFor(resources.nodes);
    this.leases = ctx.informers.informerFor(resources.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informerFor(resources.pods);
    const enqueue = (o: RO<{ metadata: { name?: string } }>) => this.queue.add(o.metadata.name ?? '');
    this.nodes.onAdd(enqueue);
    this.nodes.onUpdate((_o, n) => enqueue(n));
    this.nodes.onDelete(enqueue);
    this.leases.onAdd(enqueue);
    this.leases.onUpdate((old, l) => {
      if (old.spec?.renewTime !== l.spec?.renewTime) enqueue(l);
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.ctx.log;
    log.info('Starting nodelifecycle controller', {
      monitorPeriod: `${this.opts.monitorPeriodMs}ms`,
      gracePeriod: `${this.opts.monitorGracePeriodMs}ms`,
      podEvictionTimeout: `${this.opts.podEvictionTimeoutMs}ms`,
    });
    if (!(await waitForCaches([this.nodes, this.leases, this.pods], signal))) {
      this.queue.shutDown();
      return;
    }
    const monitor = async () => {
      while (!signal.aborted) {
        this.tick();
        await this.ctx.clock.sleep(this.opts.monitorPeriodMs, signal);
      }
    };
    const evict = async () => {
      while (!signal.aborted) {
        await this.evictionPass();
        await this.ctx.clock.sleep(EVICTION_PASS_MS, signal);
      }
    };
    await Promise.all([runWorkers(this.queue, this.opts.workers ?? 1, (k) => this.sync(k), signal, { log }), monitor(), evict()]);
    log.info('Shutting down nodelifecycle controller');
  }

  /** One monitor period: every node is looked at again (silence makes no event), and the zones recomputed. */
  tick(): void {
    for (const n of this.nodes.lister.list()) this.queue.add(n.metadata.name ?? '');
    this.handleDisruption();
  }

  private nowIso(): string {
    return formatRFC3339(new Date(this.ctx.clock.now()));
  }

  async sync(name: string): Promise<void> {
    const node = this.nodes.lister.get(name);
    if (!node) {
      this.health.delete(name);
      this.down.delete(name);
      this.markFailing.delete(name);
      if (this.evictor.cancel(name)) this.ctx.log.info('node deleted; dropped it from the eviction queue', { node: name });
      return;
    }
    const now = this.ctx.clock.now();
    const lease = this.leases.lister.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const obs = observe(this.health.get(name), node, lease, now, this.opts);
    const h = obs.health;
    this.health.set(name, h);
    const observed = obs.observedReady;

    let current = observed?.status;
    if (now > h.probeMs + obs.gracePeriodMs) {
      // NOTE: the cached Node is shared with every controller: change a copy.
      const next = mutableCopy<Node>(node);
      if (markUnknown(next, this.nowIso())) {
        await this.ctx.client.resource(resources.nodes).updateStatus(next);
        this.ctx.log.info('node stopped posting status; marked Unknown', { node: name, lastHeartbeat: observed?.lastHeartbeatTime ?? 'never', gracePeriod: `${obs.gracePeriodMs}ms` });
        current = 'Unknown';
        if (h.readyStatus !== 'Unknown') {
          h.readyStatus = 'Unknown';
          h.readyTransitionMs = now;
        }
      }
    }
    if (!observed) return; // decisions need a Ready condition; the next pass has ours

    if (observed.status === 'False' && now > h.readyTransitionMs + this.opts.podEvictionTimeoutMs) this.markForEviction(node, 'not ready');
    if (observed.status === 'Unknown' && now > h.probeMs + this.opts.podEvictionTimeoutMs) this.markForEviction(node, 'unresponsive');
    if (observed.status === 'True') {
      if (this.evictor.cancel(name)) this.ctx.log.info('node is ready again; cancelled pod eviction', { node: name });
      if (this.down.delete(name)) this.ctx.log.info('node is Ready again', { node: name });
      this.markFailing.delete(name);
    }
    if (current !== 'True') {
      if (!this.down.has(name)) {
        this.down.add(name);
        this.ctx.log.info('node is not ready', { node: name, status: current, reason: current === 'Unknown' ? 'NodeStatusUnknown' : (observed.reason ?? '') });
        if (observed.status === 'True') this.nodeEvents.emit(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      await this.markPodsNotReady(name);
    }
  }

  private markForEviction(node: RO<Node>, why: string): void {
    const name = node.metadata.name ?? '';
    if (this.evictor.add(zoneKey(node), name, node.metadata.uid ?? '')) {
      this.ctx.log.info(`node is ${why} for longer than the pod eviction timeout; queued its pods for eviction`, { node: name, zone: zoneKey(node), podEvictionTimeout: `${this.opts.podEvictionTimeoutMs}ms` });
    }
  }

  /** Every pod bound to the node gets Ready=False (upstream MarkAllPodsNotReady); level-triggered, so new pods are caught next pass. */
  private async markPodsNotReady(node: string): Promise<void> {
    const client = this.ctx.client.resource(resources.pods);
    let failed: unknown;
    for (const pod of this.pods.lister.byIndex(NODE_NAME_INDEX, node)) {
      const i = pod.status?.conditions?.findIndex((c) => c.type === 'Ready') ?? -1;
      if (i < 0 || pod.status!.conditions![i].status !== 'True') continue;
      const next = mutableCopy<Pod>(pod);
      next.status!.conditions![i] = { ...next.status!.conditions![i], status: 'False', lastTransitionTime: this.nowIso() };
      try {
        await client.updateStatus(next);
        this.ctx.log.v(2).info('marked pod not ready: its node is not ready', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node });
      } catch (e) {
        if (!isNotFound(e)) failed = e;
      }
    }
    if (failed !== undefined) {
      // A conflict only means the cache was behind (the kubelet wrote meanwhile): the retry settles it quietly.
      if (!this.markFailing.has(node) && !isConflict(failed)) this.ctx.log.warn('unable to mark all pods NotReady on node; will retry', { node, err: errorMessage(failed) });
      if (!isConflict(failed)) this.markFailing.add(node);
      throw failed;
    }
    this.markFailing.delete(node);
  }

  /**
   * Zone states from the cached nodes, and the eviction rates they imply
   * (upstream handleDisruption). Called every monitor period.
   */
  handleDisruption(): void {
    const byZone = new Map<string, (string | undefined)[]>();
    for (const n of this.nodes.lister.list()) {
      const z = zoneKey(n);
      let l = byZone.get(z);
      if (!l) byZone.set(z, (l = []));
      l.push(conditionOf(n, 'Ready')?.status);
    }
    const next = new Map<string, ZoneState>();
    let allAreFull = true;
    for (const [z, statuses] of byZone) {
      const { notReady, state } = computeZoneState(statuses, this.opts.unhealthyZoneThreshold);
      this.metrics?.zoneSize.set({ zone: z }, statuses.length);
      this.metrics?.zoneHealth.set({ zone: z }, (100 * (statuses.length - notReady)) / statuses.length);
      this.metrics?.unhealthyNodes.set({ zone: z }, notReady);
      if (state !== 'FullDisruption') allAreFull = false;
      next.set(z, state);
      if (!this.zoneStates.has(z)) {
        this.ctx.log.info('new zone seen', { zone: z });
        this.zoneStates.set(z, 'Initial');
      }
    }
    let allWereFull = true;
    for (const [z, s] of [...this.zoneStates]) {
      if (!byZone.has(z)) {
        this.metrics?.zoneSize.set({ zone: z }, 0);
        this.metrics?.zoneHealth.set({ zone: z }, 100);
        this.metrics?.unhealthyNodes.set({ zone: z }, 0);
        this.zoneStates.delete(z);
        this.evictor.dropZone(z);
        continue;
      }
      if (s !== 'FullDisruption') allWereFull = false;
    }
    if (allAreFull && allWereFull) return;
    if (allAreFull) {
      this.ctx.log.info('all nodes are not ready: entering master disruption mode; pod evictions stop');
      for (const n of this.nodes.lister.list()) this.evictor.cancel(n.metadata.name ?? '');
      for (const z of this.zoneStates.keys()) {
        this.evictor.setRate(z, 0);
        this.zoneStates.set(z, 'FullDisruption');
      }
      return;
    }
    if (allWereFull) {
      this.ctx.log.info('some nodes are ready: leaving master disruption mode; every node gets a fresh grace period');
      const now = this.ctx.clock.now();
      // Nodes queued while evictions were stopped wait for a fresh timeout too (upstream would evict them at once).
      for (const n of this.nodes.lister.list()) this.evictor.cancel(n.metadata.name ?? '');
      for (const h of this.health.values()) {
        h.probeMs = now;
        h.readyTransitionMs = now;
      }
    }
    for (const [z, s] of this.zoneStates) {
      const ns = next.get(z)!;
      if (s === ns && !allWereFull) continue;
      const rate = evictionRateFor(ns, byZone.get(z)!.length, this.opts);
      if (s !== ns) this.ctx.log.info('zone state changed', { zone: z, from: s, to: ns, evictionRate: rate });
      this.evictor.setRate(z, rate);
      this.zoneStates.set(z, ns);
    }
  }

  /** One pass of the eviction queues (every 100 ms in run()). */
  evictionPass(): Promise<void> {
    return this.evictor.process((node, uid, zone) => this.evictPods(node, uid, zone));
  }

  /**
   * Deletes the pods bound to a node (upstream DeletePods): a fresh list, not
   * the cache, since this is the last word on them. Each pod first gets
   * status.reason NodeLost. True when done (pods still terminating are the kubelet's or the pod GC's).
   */
  private async evictPods(node: string, uid: string, zone: string): Promise<boolean> {
    const client = this.ctx.client.resource(resources.pods);
    let pods: Pod[];
    try {
      pods = (await client.list({ fieldSelector: `spec.nodeName=${node}` })).items;
    } catch (e) {
      this.ctx.log.warn('unable to list pods of node to evict; will retry', { node, err: errorMessage(e) });
      return false;
    }
    const ref = { metadata: { name: node, uid } };
    if (pods.length) this.nodeEvents.emit(ref, 'Normal', 'DeletingAllPods', `Deleting all Pods from Node ${node}.`);
    this.ctx.log.info('evicting pods from node', { node, zone, pods: pods.length });
    try {
      for (const pod of pods) {
        if (pod.spec?.nodeName !== node) continue;
        const ns = pod.metadata.namespace ?? 'default';
        const pc = this.ctx.client.resource(resources.pods, ns);
        if (pod.status?.reason !== 'NodeLost') {
          try {
            await pc.patch(pod.metadata.name!, 'merge', { status: { reason: 'NodeLost', message: `Node ${node} which was running pod ${pod.metadata.name} is unresponsive` } }, { subresource: 'status' });
          } catch (e) {
            if (isNotFound(e)) continue;
            throw e;
          }
        }
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'DaemonSet')) continue;
        this.podEvents.emit(pod, 'Normal', 'NodeControllerEviction', `Marking for deletion Pod ${pod.metadata.name} from Node ${node}`);
        try {
          await pc.delete(pod.metadata.name!, { preconditions: pod.metadata.uid ? { uid: pod.metadata.uid } : undefined });
          this.ctx.log.v(2).info('deleted pod of unresponsive node', { pod: `${ns}/${pod.metadata.name}`, node });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    } catch (e) {
      this.ctx.log.warn('unable to evict all pods from node; will retry', { node, err: errorMessage(e) });
      return false;
    }
    this.metrics?.evictions.inc({ zone });
    return true;
  }
}
