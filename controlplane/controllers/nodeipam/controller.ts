/**
 * The node IPAM controller with the range allocator (upstream
 * pkg/controller/node/ipam range_allocator.go; part of 1.8's "node"
 * controller, "nodeipam" from 1.10): every Node without spec.podCIDR gets
 * the next free --node-cidr-mask-size subnet of --cluster-cidr; a deleted
 * Node's subnet goes back to the pool. flanneld --kube-subnet-mgr and the
 * kubelet's kubenet read the result.
 *
 * Design notes:
 * - The bitmap lives in memory and is rebuilt at start from the nodes'
 *   podCIDRs (after the cache synced, before any worker runs), so a restart
 *   never hands out a subnet twice. The service range is occupied first.
 * - Who holds what: `owner` (node → CIDR) and `holders` (CIDR → nodes). A
 *   subnet goes back to the pool only when no node holds it, so two nodes
 *   given the same podCIDR by hand do not free it twice. A subnet allocated
 *   but not yet written stays with its node: a retried sync writes the same one.
 * - The write reads the Node fresh and PUTs with its resourceVersion: if
 *   someone else set a podCIDR meanwhile, that one wins and ours is released
 *   (the API server also forbids changing a podCIDR once set).
 * - Exhausted: a CIDRNotAvailable event, once per node until it gets one.
 *   No retry loop: a release re-queues every node still waiting.
 */
import type { Registry } from 'prom-client';
import type { Node } from '../../api/core/v1/types.js';
import { isNotFound } from '../../client/errors.js';
import type { SharedInformer } from '../../client/informer.js';
import { resources } from '../../client/resources.js';
import type { WorkQueue } from '../../client/types.js';
import { runWorkers } from '../../client/workqueue.js';
import { KindEvents } from '../common/events.js';
import { waitForCaches } from '../common/loop.js';
import { mutableCopy, type Controller, type ControllerContext, type RO } from '../common/types.js';
import { CidrSet } from './cidrset.js';
import { NodeIpamMetrics } from './metrics.js';
import type { NodeIpamOptions } from './options.js';

/** The node's podCIDR (podCIDRs[0] when both are set; the API keeps them equal). */
export function podCIDROf(node: RO<Node>): string | undefined {
  return node.spec?.podCIDRs?.[0] || node.spec?.podCIDR || undefined;
}

export interface NodeIpamControllerOptions extends NodeIpamOptions {
  workers?: number;
  /** The manager's metrics registry; none in tests that do not look. */
  registry?: Registry;
}

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  // Immutable after construction.
  readonly queue: WorkQueue;
  readonly set: CidrSet;
  private readonly nodes: SharedInformer<Node>;
  private readonly events: KindEvents;
  private readonly metrics?: NodeIpamMetrics;
  private readonly cidrLabel: { clusterCIDR: string };
  // Owned by this controller (single-threaded; one worker per key).
  /** node name → the subnet it holds (set on the node, or allocated and being written). */
  private readonly owner = new Map<string, string>();
  /** subnet → the nodes holding it. */
  private readonly holders = new Map<string, Set<string>>();
  /** Nodes told CIDRNotAvailable and still waiting. */
  private readonly starved = new Set<string>();
  /** `node podCIDR` pairs outside the cluster CIDR, logged once. */
  private readonly foreign = new Set<string>();
  private rebuilt = false;

  /** Throws CidrError on a bad cluster CIDR / mask (config.ts checks these first). */
  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: NodeIpamControllerOptions,
  ) {
    this.set = new CidrSet(opts.clusterCIDR, opts.nodeCIDRMaskSize);
    this.cidrLabel = { clusterCIDR: opts.clusterCIDR };
    if (opts.registry) this.metrics = new NodeIpamMetrics(opts.registry);
    this.queue = ctx.newQueue('nodeipam');
    this.events = new KindEvents(ctx.recorder, 'v1', 'Node');
    this.nodes = ctx.informers.informerFor(resources.nodes);
    this.nodes.onAdd((n) => this.queue.add(n.metadata.name ?? ''));
    // Status heartbeats update nodes every few seconds: only a missing or changed podCIDR matters here.
    this.nodes.onUpdate((old, cur) => {
      if (!podCIDROf(cur) || podCIDROf(old) !== podCIDROf(cur)) this.queue.add(cur.metadata.name ?? '');
    });
    this.nodes.onDelete((n) => this.queue.add(n.metadata.name ?? ''));
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.ctx.log;
    log.info('Starting nodeipam controller', { clusterCIDR: this.opts.clusterCIDR, nodeCIDRMaskSize: this.opts.nodeCIDRMaskSize, subnets: this.set.max });
    if (!(await waitForCaches([this.nodes], signal))) {
      this.queue.shutDown();
      return;
    }
    this.rebuild();
    await runWorkers(this.queue, this.opts.workers ?? 1, (k) => this.sync(k), signal, { log });
    log.info('Shutting down nodeipam controller');
  }

  /**
   * Occupies the service range and every podCIDR the cache holds. Called once,
   * after the cache synced and before the first sync; tests call it directly.
   */
  rebuild(): void {
    if (this.rebuilt) return;
    this.rebuilt = true;
    const svc = this.opts.serviceClusterIPRange;
    if (svc && this.set.occupy(svc)) this.ctx.log.info('excluded the service range from the node CIDR pool', { serviceClusterIPRange: svc });
    let n = 0;
    for (const node of this.nodes.lister.list()) {
      const cidr = podCIDROf(node);
      if (cidr && this.hold(node.metadata.name ?? '', cidr)) n++;
    }
    this.publish();
    this.ctx.log.info('rebuilt the node CIDR pool from existing nodes', { occupied: n, used: this.set.used, of: this.set.max });
  }

  private publish(): void {
    this.metrics?.usage.set(this.cidrLabel, this.set.used / this.set.max);
  }

  /** Records that `name` holds `cidr` (occupying it); false when the CIDR lies outside the cluster CIDR. */
  private hold(name: string, cidr: string): boolean {
    const prev = this.owner.get(name);
    if (prev === cidr) return true;
    if (prev !== undefined) this.letGo(name);
    if (!this.set.overlaps(cidr)) {
      if (!this.foreign.has(`${name} ${cidr}`)) {
        this.foreign.add(`${name} ${cidr}`);
        this.ctx.log.warn('node podCIDR lies outside the cluster CIDR; leaving it alone', { node: name, podCIDR: cidr, clusterCIDR: this.opts.clusterCIDR });
      }
      return false;
    }
    this.set.occupy(cidr);
    this.owner.set(name, cidr);
    let h = this.holders.get(cidr);
    if (!h) this.holders.set(cidr, (h = new Set()));
    h.add(name);
    if (h.size === 2) this.ctx.log.warn('two nodes hold the same podCIDR', { podCIDR: cidr, nodes: [...h] });
    return true;
  }

  /** Drops what `name` holds; the subnet returns to the pool when nobody else holds it. Returns the subnet freed, if any. */
  private letGo(name: string): string | undefined {
    const cidr = this.owner.get(name);
    if (cidr === undefined) return undefined;
    this.owner.delete(name);
    const h = this.holders.get(cidr);
    h?.delete(name);
    if (h && h.size > 0) return undefined;
    this.holders.delete(cidr);
    this.set.release(cidr);
    this.metrics?.releases.inc(this.cidrLabel);
    // Somebody may have been waiting for a subnet.
    for (const waiting of this.starved) this.queue.add(waiting);
    return cidr;
  }

  async sync(name: string): Promise<void> {
    this.rebuild();
    const node = this.nodes.lister.get(name);
    if (!node) {
      this.starved.delete(name);
      const freed = this.letGo(name);
      if (freed) this.ctx.log.info('released the CIDR of a deleted node', { node: name, podCIDR: freed });
      this.publish();
      return;
    }
    const cidr = podCIDROf(node);
    if (cidr) {
      this.starved.delete(name);
      this.hold(name, cidr);
      this.publish();
      return;
    }
    let mine = this.owner.get(name);
    if (mine === undefined) {
      mine = this.set.allocateNext();
      if (mine === undefined) {
        if (!this.starved.has(name)) {
          this.starved.add(name);
          this.ctx.log.warn('no CIDR left to assign to node', { node: name, clusterCIDR: this.opts.clusterCIDR, used: this.set.used });
          this.events.emit(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        }
        this.publish();
        return;
      }
      this.metrics?.allocations.inc(this.cidrLabel);
      this.hold(name, mine);
      this.publish();
    }
    this.starved.delete(name);
    await this.write(name, mine);
  }

  /** Sets spec.podCIDR(s) on the live Node, unless it got one meanwhile (then that one is held instead). */
  private async write(name: string, cidr: string): Promise<void> {
    const client = this.ctx.client.resource(resources.nodes);
    let fresh: Node;
    try {
      fresh = await client.get(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.letGo(name);
      this.publish();
      return;
    }
    const theirs = podCIDROf(fresh);
    if (theirs) {
      if (theirs !== cidr) this.ctx.log.info('node got a podCIDR from elsewhere; releasing the one allocated', { node: name, podCIDR: theirs, released: cidr });
      this.hold(name, theirs);
      this.publish();
      return;
    }
    // NOTE: `fresh` is our own copy (the client returns new objects), not the cache's.
    const next = mutableCopy<Node>(fresh);
    next.spec = { ...next.spec, podCIDR: cidr, podCIDRs: [cidr] };
    await client.update(next);
    this.ctx.log.info('set node PodCIDR', { node: name, podCIDR: cidr });
  }
}
