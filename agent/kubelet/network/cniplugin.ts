/**
 * --network-plugin=cni: the first configuration in --cni-conf-dir, plugins
 * from --cni-bin-dir (upstream pkg/kubelet/network/cni). ADD when a sandbox
 * starts (with its network namespace), CHECK on later syncs, DEL when it is
 * torn down. The configuration is re-read on every setUp, so a network
 * installed after the kubelet started (a DaemonSet writing the file) is
 * picked up; until one exists the plugin is not ready and pods wait.
 *
 * kubenet.ts reuses this class with a generated configuration.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { SandboxId } from '../types.js';
import { loadDefaultNetwork, type NetworkConfList } from './cni/conf.js';
import { CniNetwork, type RuntimeConf } from './cni/network.js';
import { ipsFromResult } from './cni/result.js';
import type { NetworkStore } from './store.js';
import { NetworkError, type NetworkPlugin, type NetworkStatus, type PodNetworkInfo, type PortMapping } from './types.js';

export interface CniPluginOptions {
  confDir?: string;
  binDirs: readonly string[];
  store: NetworkStore;
  log: Logger;
  /** A fixed configuration instead of a directory (kubenet). */
  conf?: () => NetworkConfList | undefined;
  name?: string;
}

const IF_NAME = 'eth0';

export class CniPlugin implements NetworkPlugin {
  readonly name: string;
  readonly sandboxNetworkMode = 'none' as const;
  // Guarded by nothing: the last reason the configuration could not load, logged once per change.
  private lastProblem = '';

  constructor(private readonly o: CniPluginOptions) {
    this.name = o.name ?? 'cni';
  }

  /** The network to use now, or why there is none. */
  private current(): { conf?: NetworkConfList; problem?: string } {
    if (this.o.conf) {
      const conf = this.o.conf();
      return conf ? { conf } : { problem: `${this.name}: no pod CIDR yet` };
    }
    const dir = this.o.confDir ?? '/etc/cni/net.d';
    const found = loadDefaultNetwork(dir);
    const problem = found.conf ? '' : `cni config uninitialized: no valid network configuration in ${dir}${found.skipped.length ? ` (${found.skipped.join('; ')})` : ''}`;
    if (problem !== this.lastProblem) {
      if (problem) this.o.log.warn(problem);
      else if (this.lastProblem) this.o.log.info('cni network configuration found', { file: found.file, network: found.conf?.name });
      this.lastProblem = problem;
    }
    return found.conf ? { conf: found.conf } : { problem };
  }

  status(): NetworkStatus {
    const c = this.current();
    return c.conf ? { ready: true } : { ready: false, message: c.problem };
  }

  private rt(pod: { name: string; namespace: string; uid: string }, sandbox: SandboxId, netns: string, ports: PortMapping[] = []): RuntimeConf {
    return {
      containerId: sandbox,
      netns,
      ifName: IF_NAME,
      args: [
        ['IgnoreUnknown', '1'],
        ['K8S_POD_NAMESPACE', pod.namespace],
        ['K8S_POD_NAME', pod.name],
        ['K8S_POD_INFRA_CONTAINER_ID', sandbox],
        ['K8S_POD_UID', pod.uid],
      ],
      capabilityArgs: { portMappings: ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol.toLowerCase(), hostIP: p.hostIP ?? '' })) },
    };
  }

  async setUpPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string, ports: PortMapping[]): Promise<PodNetworkInfo> {
    const { conf, problem } = this.current();
    if (!conf) throw new NetworkError('NotReady', problem ?? 'network plugin not ready');
    const id = { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid ?? '' };
    const net = new CniNetwork(conf, this.o.binDirs);
    const rt = this.rt(id, sandbox, netns, ports);
    let result: unknown;
    try {
      result = await net.add(rt);
    } catch (e) {
      // Undo what the first plugins did (an allocated IP, a veth) before reporting.
      await net.del(rt, undefined).catch(() => undefined);
      throw new NetworkError('SetUpFailed', `failed to set up sandbox container "${sandbox.slice(0, 12)}" network for pod "${id.name}": networkPlugin ${this.name} failed to set up pod "${id.name}_${id.namespace}" network: ${(e as Error).message}`);
    }
    const ips = ipsFromResult(result);
    if (ips.length === 0) throw new NetworkError('SetUpFailed', `networkPlugin ${this.name}: the ADD result of network "${conf.name}" has no IP address`);
    this.o.store.set(sandbox, { ips, podUID: id.uid, podName: id.name, podNamespace: id.namespace, network: conf.name, result, config: conf, ports: rt.capabilityArgs.portMappings as unknown[] });
    return { ips };
  }

  async checkPod(pod: DeepReadonly<Pod>, sandbox: SandboxId, netns: string): Promise<void> {
    const entry = this.o.store.get(sandbox);
    if (!entry?.config) return;
    const net = new CniNetwork(entry.config as NetworkConfList, this.o.binDirs);
    if (!net.supportsCheck) return;
    const id = { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid ?? '' };
    try {
      await net.check(this.rt(id, sandbox, netns, []), entry.result);
    } catch (e) {
      throw new NetworkError('CheckFailed', `networkPlugin ${this.name}: CHECK of pod "${id.name}_${id.namespace}" failed: ${(e as Error).message}`);
    }
  }

  async tearDownPod(pod: { name: string; namespace: string; uid: string }, sandbox: SandboxId, netns: string | undefined): Promise<void> {
    const entry = this.o.store.get(sandbox);
    const conf = (entry?.config as NetworkConfList | undefined) ?? this.current().conf;
    if (!conf) {
      this.o.store.delete(sandbox);
      return;
    }
    const net = new CniNetwork(conf, this.o.binDirs);
    const rt = this.rt(pod, sandbox, netns ?? '', []);
    rt.capabilityArgs.portMappings = entry?.ports ?? [];
    try {
      await net.del(rt, entry?.result);
    } catch (e) {
      throw new NetworkError('TearDownFailed', `networkPlugin ${this.name}: failed to tear down pod "${pod.name}_${pod.namespace}" network: ${(e as Error).message}`);
    }
    this.o.store.delete(sandbox);
  }

  podIPs(sandbox: SandboxId): string[] | undefined {
    return this.o.store.get(sandbox)?.ips;
  }
}
