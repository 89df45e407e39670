/**
 * No --network-plugin: kubenet when the node has a pod CIDR (--pod-cidr
 * standalone, or node.spec.podCIDR from the controller-manager), otherwise
 * Docker's own bridge, as a 1.8 kubelet without a plugin. Until the first
 * node status pass says which, pods wait (status: not ready).
 *
 * Teardown follows what set the sandbox up: a sandbox the CNI store knows
 * was kubenet's.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { SandboxId } from '../types.js';
import type { DockerBridgePlugin } from './dockerbridge.js';
import type { KubenetPlugin } from './kubenet.js';
import type { NetworkPlugin, NetworkStatus, PodNetworkInfo, PortMapping } from './types.js';

export class AutoNetwork implements NetworkPlugin {
  // Guarded by nothing: 'undecided' until decide() or a pod CIDR arrives.
  private choice: 'undecided' | 'kubenet' | 'bridge' = 'undecided';

  constructor(
    private readonly kubenet: KubenetPlugin,
    private readonly bridge: DockerBridgePlugin,
  ) {}

  private get current(): NetworkPlugin | undefined {
    if (this.kubenet.cidr) return this.kubenet;
    return this.choice === 'bridge' ? this.bridge : undefined;
  }

  get name(): string {
    return this.current?.name ?? 'auto';
  }

  get sandboxNetworkMode(): 'none' | 'bridge' {
    return this.current?.sandboxNetworkMode ?? 'none';
  }

  /** The node has no pod CIDR: use Docker's bridge (unless a CIDR arrives later). */
  useBridge(): void {
    if (this.choice === 'undecided') this.choice = 'bridge';
  }

  async setPodCIDR(cidr: string): Promise<void> {
    await this.kubenet.setPodCIDR(cidr);
    this.choice = 'kubenet';
  }

  status(): NetworkStatus {
    const c = this.current;
    return c ? c.status() : { ready: false, message: 'waiting for the node pod CIDR' };
  }

  setUpPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string, ports: PortMapping[]): Promise<PodNetworkInfo> {
    return (this.current ?? this.kubenet).setUpPod(pod, sandbox, netns, ports);
  }

  checkPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string): Promise<void> {
    return this.kubenet.podIPs(sandbox) ? this.kubenet.checkPod(pod, sandbox, netns) : Promise.resolve();
  }

  tearDownPod(pod: { name: string; namespace: string; uid: string }, sandbox: SandboxId, netns: string | undefined): Promise<void> {
    return this.kubenet.podIPs(sandbox) ? this.kubenet.tearDownPod(pod, sandbox, netns) : Promise.resolve();
  }

  podIPs(sandbox: SandboxId): string[] | undefined {
    return this.kubenet.podIPs(sandbox);
  }
}
