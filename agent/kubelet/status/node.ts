/**
 * Node registration and heartbeats (upstream kubelet_node_status.go and
 * nodelease): the Node object is created at start (--register-node), its
 * status patched every --node-status-update-frequency, and a Lease in
 * kube-node-lease renewed at the same pace (duration 40 s) so the node
 * lifecycle controller sees the kubelet alive even when status is quiet.
 *
 * The node's spec.podCIDR is read back on every pass and handed to
 * onPodCIDR (kubenet builds its bridge from it). API down: the pass fails,
 * logged once per change of state, retried next period.
 */
import type { Node, NodeStatus } from '../../../controlplane/api/core/v1/types.js';
import type { Lease } from '../../../controlplane/api/coordination/v1/types.js';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import { isAlreadyExists, isNotFound } from '../../../controlplane/client/errors.js';
import type { Client } from '../../../controlplane/client/interfaces.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { formatMicro } from '../../../controlplane/machinery/meta/helpers.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_LEASE_DURATION_S = 40;

export interface NodeReporterOptions {
  client: Client;
  nodeName: string;
  register: boolean;
  registerSchedulable: boolean;
  labels: Record<string, string>;
  periodMs: number;
  /** The status to report now (given the previous one, for transition times). */
  status(previous: NodeStatus | undefined): Promise<NodeStatus>;
  onPodCIDR?(cidr: string): Promise<void> | void;
  log: Logger;
  clock?: Clock;
}

export class NodeStatusReporter {
  // Guarded by nothing: the last status sent and whether the API answered last time.
  private last?: NodeStatus;
  private registered = false;
  private failing = false;
  private readonly clock: Clock;

  constructor(private readonly o: NodeReporterOptions) {
    this.clock = o.clock ?? realClock;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  private async register(): Promise<Node> {
    const nodes = this.o.client.resource(resources.nodes);
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.o.nodeName, labels: { ...this.o.labels }, annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
      spec: this.o.registerSchedulable ? {} : { unschedulable: true },
    };
    try {
      const created = await nodes.create(node);
      this.o.log.info('successfully registered node', { node: this.o.nodeName });
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    // It exists (a restart): make sure our labels are on it.
    const existing = await nodes.get(this.o.nodeName);
    const missing = Object.entries(this.o.labels).filter(([k, v]) => existing.metadata.labels?.[k] !== v);
    if (missing.length) return nodes.patch(this.o.nodeName, 'merge', { metadata: { labels: Object.fromEntries(missing) } });
    return existing;
  }

  /** One pass: register if needed, patch status, renew the lease. */
  async syncOnce(signal?: AbortSignal): Promise<void> {
    const nodes = this.o.client.resource(resources.nodes);
    let node: Node;
    if (!this.registered && this.o.register) {
      node = await this.register();
      this.registered = true;
    } else {
      node = await nodes.get(this.o.nodeName, { signal });
    }
    const cidr = node.spec?.podCIDR;
    if (cidr && this.o.onPodCIDR) await this.o.onPodCIDR(cidr);
    const status = await this.o.status(this.last ?? node.status);
    await nodes.patch(this.o.nodeName, 'merge', { status }, { subresource: 'status', signal });
    this.last = status;
    await this.renewLease(node.metadata.uid, signal);
  }

  private async renewLease(nodeUID: string | undefined, signal?: AbortSignal): Promise<void> {
    const leases = this.o.client.resource(resources.leases, NODE_LEASE_NAMESPACE);
    const now = formatMicro(BigInt(this.clock.now()) * 1000n);
    try {
      const cur = await leases.get(this.o.nodeName, { signal });
      const next: Lease = { ...cur, spec: { ...cur.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_S, renewTime: now } };
      await leases.update(next, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        // Owned by the Node, so deleting the node collects its lease.
        metadata: { name: this.o.nodeName, namespace: NODE_LEASE_NAMESPACE, ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: nodeUID }] } : {}) },
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: NODE_LEASE_DURATION_S, renewTime: now },
      };
      await leases.create(lease, { signal });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.syncOnce(signal);
        if (this.failing) this.o.log.info('node status updates succeed again', { node: this.o.nodeName });
        this.failing = false;
      } catch (e) {
        if (signal.aborted) return;
        if (!this.failing) this.o.log.error('unable to update node status; will retry', { node: this.o.nodeName, err: (e as Error).message });
        this.failing = true;
      }
      await this.clock.sleep(this.registered || !this.o.register ? this.o.periodMs : Math.min(this.o.periodMs, 2000), signal);
    }
  }
}
