/**
 * The Kubernetes subnet manager (`-kube-subnet-mgr`, DATAPLANE §4.3): the
 * API server hands out subnets instead of etcd.
 *
 * - network configuration: the net-conf.json file (-net-config-path), the
 *   same JSON as etcd's `<prefix>/config`;
 * - our lease: this node's spec.podCIDR, set by kube-controller-manager
 *   --allocate-node-cidrs; until it is set we wait (one log line, then
 *   -v=2 repeats), and it must lie within the Network;
 * - what other hosts need (public IP, backend type and data) goes into our
 *   node's annotations, patched only when they differ;
 * - other hosts' leases: a node informer; every node with
 *   kube-subnet-manager=true, a podCIDR and the annotations is a lease;
 * - a lease has no TTL: the node is the lease (renew is a no-op);
 * - once serving: node condition NetworkUnavailable=False, FlannelIsUp.
 */
import { readFile } from 'node:fs/promises';
import { realClock } from '../../../../controlplane/client/clock.js';
import { SharedInformer } from '../../../../controlplane/client/informer.js';
import type { Client, ResourceClient } from '../../../../controlplane/client/interfaces.js';
import { inClusterConfig, loadRestConfig, type RestConfig } from '../../../../controlplane/client/kubeconfig.js';
import { resources } from '../../../../controlplane/client/resources.js';
import type * as core from '../../../../controlplane/api/core/v1/types.js';
import type { Logger } from '../../../../controlplane/machinery/log/index.js';
import { parseNetworkConfig } from '../../lease/config.js';
import { formatIp4Net, type Ip4Net } from '../../lease/ip4.js';
import { ConfigMissingError, type Lease, type LeaseAttrs, type LeaseEvent, type LeaseWatchResult, type NetworkConfig, type SubnetManager } from '../../lease/types.js';
import { annotationNames, annotationPatch, desiredAnnotations, leaseFromNode, nodePodCIDR, previousAttrsFromNode, publicIPOverwrite, withinNetwork, type AnnotationNames, type NodeLike } from './annotations.js';

export const WAITING_FOR_POD_CIDR = "waiting for the node's pod CIDR (kube-controller-manager --allocate-node-cidrs)";
const POLL_MS = 1000;

export interface KubeManagerOptions {
  readonly nodeName: string;
  readonly netConfigPath: string;
  readonly annotationPrefix: string;
  readonly log: Logger;
  /** What the API server is, for logs. */
  readonly server?: string;
}

/** The podCIDR lies outside the Network: an operator has to fix one of them. */
export class PodCidrMismatchError extends Error {
  override readonly name = 'PodCidrMismatchError';
}

/**
 * How flanneld reaches the API server (upstream's BuildConfigFromFlags):
 * -kubeconfig-file, with -kube-api-url overriding its server; else
 * -kube-api-url alone; else the in-cluster service account.
 */
export function kubeRestConfig(opts: { kubeconfigFile?: string; apiUrl?: string; env?: Readonly<Record<string, string | undefined>> }): RestConfig {
  if (opts.kubeconfigFile) return loadRestConfig({ kubeconfig: opts.kubeconfigFile, ...(opts.apiUrl ? { master: opts.apiUrl } : {}) });
  // Only the flag: no KUBECONFIG, no ~/.kube/config (upstream ignores them too).
  if (opts.apiUrl) return loadRestConfig({ master: opts.apiUrl, env: {}, home: '/nonexistent' });
  return inClusterConfig(opts.env ?? process.env);
}

/** The node name: NODE_NAME, else the node of the pod POD_NAMESPACE/POD_NAME (flanneld in a DaemonSet). */
export async function resolveNodeName(client: Client, env: Readonly<Record<string, string | undefined>>, signal?: AbortSignal): Promise<string> {
  if (env.NODE_NAME) return env.NODE_NAME;
  if (env.POD_NAME && env.POD_NAMESPACE) {
    const pod = await client.resource(resources.pods, env.POD_NAMESPACE).get(env.POD_NAME, { signal });
    if (pod.spec?.nodeName) return pod.spec.nodeName;
    throw new Error(`pod ${env.POD_NAMESPACE}/${env.POD_NAME} is not bound to a node`);
  }
  throw new Error('-kube-subnet-mgr needs the node name: set NODE_NAME (or POD_NAME and POD_NAMESPACE)');
}

export class KubeSubnetManager implements SubnetManager {
  readonly store = 'the Kubernetes API';
  private readonly names: AnnotationNames;
  private readonly nodes: ResourceClient<core.Node>;
  private readonly log: Logger;

  constructor(
    client: Client,
    private readonly opts: KubeManagerOptions,
  ) {
    this.names = annotationNames(opts.annotationPrefix);
    this.nodes = client.resource(resources.nodes);
    this.log = opts.log;
  }

  get description(): string {
    return `Kubernetes API${this.opts.server ? ` at ${this.opts.server}` : ''}, node ${this.opts.nodeName}, annotations ${this.names.subnetKubeManaged.replace(/kube-subnet-manager$/, '')}*`;
  }

  get configKey(): string {
    return this.opts.netConfigPath;
  }

  async getNetworkConfig(): Promise<NetworkConfig> {
    let text: string;
    try {
      text = await readFile(this.opts.netConfigPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ConfigMissingError(this.opts.netConfigPath, 'the file system', `write it, e.g. {"Network":"10.244.0.0/16","Backend":{"Type":"vxlan"}} (the kube-flannel ConfigMap's net-conf.json); Network must hold kube-controller-manager's --cluster-cidr`);
      }
      throw e;
    }
    if (text.trim() === '') throw new ConfigMissingError(this.opts.netConfigPath, 'the file system (it is empty)', 'write the network configuration JSON into it');
    return parseNetworkConfig(text);
  }

  async previousAttrs(signal?: AbortSignal): Promise<LeaseAttrs | undefined> {
    const node = await this.nodes.get(this.opts.nodeName, { signal });
    return previousAttrsFromNode(node, this.names);
  }

  /** Waits for spec.podCIDR, then publishes our attributes on the node. */
  async acquireLease(config: NetworkConfig, attrs: LeaseAttrs, _previous?: Ip4Net, signal?: AbortSignal): Promise<Lease> {
    let said = false;
    for (;;) {
      const node = await this.nodes.get(this.opts.nodeName, { signal });
      const subnet = nodePodCIDR(node);
      if (!subnet) {
        const msg = `Node ${this.opts.nodeName} has no spec.podCIDR yet: ${WAITING_FOR_POD_CIDR}`;
        if (said) this.log.v(2).info(msg);
        else this.log.info(msg);
        said = true;
        await realClock.sleep(POLL_MS, signal);
        if (signal?.aborted) throw new Error('aborted');
        continue;
      }
      if (!withinNetwork(config.network, subnet)) {
        throw new PodCidrMismatchError(
          `node ${this.opts.nodeName}'s pod CIDR ${formatIp4Net(subnet)} is not within the Network ${formatIp4Net(config.network)} of ${this.opts.netConfigPath} (kube-controller-manager --cluster-cidr and Network must agree)`,
        );
      }
      const overwrite = publicIPOverwrite(node, this.names);
      if (overwrite && overwrite !== attrs.publicIP) {
        this.log.info(`Using ${overwrite} as public IP (annotation ${this.names.publicIPOverwrite})`);
        attrs = { ...attrs, publicIP: overwrite };
      }
      const patch = annotationPatch(node.metadata.annotations, desiredAnnotations(this.names, attrs, config.backendType), this.names);
      if (patch) {
        await this.nodes.patch(this.opts.nodeName, 'strategic', { metadata: { annotations: patch } }, { signal });
        this.log.info(`Annotated node ${this.opts.nodeName}`, { keys: Object.keys(patch).join(',') });
      } else {
        this.log.info(`Node ${this.opts.nodeName} already carries our annotations`);
      }
      this.log.info(`Using the node's pod CIDR ${formatIp4Net(subnet)} as our lease`);
      return { subnet, attrs, expiration: undefined };
    }
  }

  /** The node is the lease: nothing to renew. */
  async renewLease(lease: Lease): Promise<Lease> {
    return lease;
  }

  async markReady(signal?: AbortSignal): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition: core.NodeCondition = {
      type: 'NetworkUnavailable',
      status: 'False',
      reason: 'FlannelIsUp',
      message: 'Flannel is running on this node',
      lastTransitionTime: now,
      lastHeartbeatTime: now,
    };
    await this.nodes.patch(this.opts.nodeName, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status', signal });
    this.log.info(`Set node ${this.opts.nodeName} condition NetworkUnavailable=False (FlannelIsUp)`);
  }

  private lease(node: NodeLike): Lease | undefined {
    const r = leaseFromNode(node, this.names);
    if ('lease' in r) return r.lease;
    this.log.v(4).info(`Node ${node.metadata?.name ?? '?'} is not a flannel lease: ${r.skip}`);
    return undefined;
  }

  /** A node informer as snapshot (once synced) then events. Never throws: the informer retries by itself. */
  async *watchLeases(signal: AbortSignal): AsyncGenerator<LeaseWatchResult> {
    const informer = new SharedInformer<core.Node>(this.nodes, { name: 'flannel nodes', log: this.log });
    const queue: LeaseEvent[][] = [];
    let wake: (() => void) | undefined;
    let synced = false;
    const push = (evs: LeaseEvent[]) => {
      if (!synced || evs.length === 0) return;
      queue.push(evs);
      wake?.();
    };
    informer.onAdd((n) => {
      const l = this.lease(n);
      if (l) push([{ type: 'added', lease: l }]);
    });
    informer.onUpdate((o, n) => {
      const before = this.lease(o);
      const after = this.lease(n);
      const evs: LeaseEvent[] = [];
      if (before && (!after || formatIp4Net(before.subnet) !== formatIp4Net(after.subnet))) evs.push({ type: 'removed', lease: before });
      if (after) evs.push({ type: 'added', lease: after });
      push(evs);
    });
    informer.onDelete((n) => {
      const l = this.lease(n);
      if (l) push([{ type: 'removed', lease: l }]);
    });
    const stop = new AbortController();
    const onAbort = () => {
      stop.abort();
      wake?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const running = informer.run(stop.signal);
    try {
      if (!(await informer.waitForSync(signal))) return;
      // Same tick as the snapshot: every later change is an event.
      synced = true;
      const snapshot: Lease[] = [];
      for (const n of informer.lister.list()) {
        const l = this.lease(n);
        if (l) snapshot.push(l);
      }
      yield { snapshot };
      while (!signal.aborted) {
        if (queue.length === 0) {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        yield { events: queue.splice(0).flat() };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop.abort();
      await running;
    }
  }
}
