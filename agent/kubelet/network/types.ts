/**
 * The kubelet's network seam (upstream pkg/kubelet/network): one plugin
 * gives each sandbox its pod IP. Implementations: cni.ts (--network-plugin=cni,
 * the configuration in --cni-conf-dir), kubenet.ts (a bridge with host-local
 * IPAM over the node's pod CIDR, through the same CNI machinery) and
 * dockerbridge.ts (no plugin: Docker's own bridge).
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { SandboxId } from '../types.js';

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIP?: string;
}

export interface PodNetworkInfo {
  ips: string[];
}

export interface NetworkStatus {
  ready: boolean;
  /** Why not (the node's Ready condition and pods waiting say it). */
  message?: string;
}

export interface NetworkPlugin {
  readonly name: string;
  /** How the sandbox is created: 'none' = the plugin configures the namespace after start. */
  readonly sandboxNetworkMode: 'none' | 'bridge';
  status(): NetworkStatus;
  /** Called when node.spec.podCIDR is known or changes (kubenet builds its bridge then). */
  setPodCIDR?(cidr: string): Promise<void>;
  /** CNI ADD (after the sandbox started); returns and records the pod's IPs. */
  setUpPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string, ports: PortMapping[]): Promise<PodNetworkInfo>;
  /** CNI CHECK: throws when the pod's network is broken (the sandbox is then re-created). */
  checkPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string): Promise<void>;
  /** CNI DEL; the namespace may already be gone (netns undefined). Idempotent. */
  tearDownPod(pod: { name: string; namespace: string; uid: string }, sandbox: SandboxId, netns: string | undefined): Promise<void>;
  /** The IPs recorded for a sandbox at setup (survives kubelet restarts). */
  podIPs(sandbox: SandboxId): string[] | undefined;
}

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    readonly code: 'NotReady' | 'SetUpFailed' | 'TearDownFailed' | 'CheckFailed' | 'BadConfig',
    message: string,
  ) {
    super(message);
  }
}
