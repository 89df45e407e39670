/**
 * No --network-plugin and no pod CIDR: pods live on Docker's own bridge
 * (docker0), as a kubelet without a network plugin did. The sandbox gets its
 * IP from Docker; host ports are Docker port bindings on the sandbox.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { SandboxId } from '../types.js';
import { NetworkError, type NetworkPlugin, type NetworkStatus, type PodNetworkInfo } from './types.js';

export class DockerBridgePlugin implements NetworkPlugin {
  readonly name = 'docker-bridge';
  readonly sandboxNetworkMode = 'bridge' as const;

  constructor(private readonly sandboxIP: (id: SandboxId) => Promise<string | undefined>) {}

  status(): NetworkStatus {
    return { ready: true };
  }

  async setUpPod(pod: DeepReadonly<Pod>, sandbox: SandboxId): Promise<PodNetworkInfo> {
    const ip = await this.sandboxIP(sandbox);
    if (!ip) throw new NetworkError('SetUpFailed', `Docker gave sandbox ${sandbox.slice(0, 12)} of pod "${pod.metadata.name}" no IP address`);
    return { ips: [ip] };
  }

  async checkPod(): Promise<void> {}

  async tearDownPod(): Promise<void> {}

  /** Docker reports it on the sandbox itself (RuntimeContainer.ip). */
  podIPs(): string[] | undefined {
    return undefined;
  }
}
