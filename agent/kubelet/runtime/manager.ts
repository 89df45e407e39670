/**
 * The apply half of pod sync (upstream kuberuntime_manager.go SyncPod,
 * kuberuntime_container.go): executes a PodActions plan against the runtime.
 * This is the only code that creates, starts or stops containers.
 *
 * SyncPod, in order:
 *   1. kill the pod (all containers, network, sandbox) if the plan says so;
 *      else kill the containers it names;
 *   2. create the sandbox if needed: pause container, then the network
 *      plugin's ADD in its namespace; then the pod's /etc/hosts and
 *      resolv.conf;
 *   3. start the next init container, or
 *   4. start each app container the plan lists, one after the other.
 * Starting a container: crash back-off → image (pull policy, back-off,
 * pull secrets) → env, mounts, security → create → start → postStart hook.
 * Failures become the container's waiting reason (StartFailure) and a
 * Warning event; the sync asks to be re-run when a back-off expires.
 *
 * Killing a container: preStop hook (exec/httpGet, bounded by the grace
 * period), then SIGTERM and SIGKILL after what is left of the grace period
 * (at least 2 s, as upstream's minimumGracePeriodInSeconds).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, LifecycleHandler, Pod, ResourceList } from '../../../controlplane/api/core/v1/types.js';
import type { Clock } from '../../../controlplane/client/clock.js';
import type { EventRecorder } from '../../../controlplane/client/events.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { podDNS, formatResolvConf, type DnsSettings } from '../container/dns.js';
import { EnvError, expandCommand, makeEnvironment, type EnvSources } from '../container/env.js';
import { expand, mappingOf } from '../container/expand.js';
import { hostNetworkHostsFile, managedHostsFile, podHostname } from '../container/hosts.js';
import { newTerminationMessageFile, writePodFiles } from '../container/podfiles.js';
import { containerResources } from '../container/resources.js';
import { containerSecurity, verifyRunAsNonRoot } from '../container/security.js';
import type { NetworkPlugin, PortMapping } from '../network/types.js';
import type { StartFailure } from '../status/generate.js';
import type { ContainerRuntime, MountedVolume, ProberManager, RegistryAuth, RunOptions, RuntimeContainer, SandboxId, VolumeManager } from '../types.js';
import { VolumeError } from '../types.js';
import type { PodActions } from './actions.js';
import { Backoff, formatGoDuration } from './backoff.js';
import { RuntimeError } from './errors.js';
import { hashContainer } from './hash.js';
import { runHandler } from './hooks.js';
import { LABEL } from './labels.js';
import { latestContainer, type RuntimePodStatus } from './podstatus.js';

export const MIN_GRACE_SECONDS = 2;
export const DEFAULT_GRACE_SECONDS = 30;

export interface RuntimeManagerOptions {
  runtime: ContainerRuntime;
  network: NetworkPlugin;
  volumes: VolumeManager;
  prober: ProberManager;
  recorder: EventRecorder;
  log: Logger;
  clock: Clock;
  rootDir: string;
  crashBackoff: Backoff;
  imageBackoff: Backoff;
  envSources: EnvSources;
  serviceEnv(pod: DeepReadonly<Pod>): Map<string, string>;
  nodeAllocatable(): ResourceList;
  hostIP(): string | undefined;
  dns: DnsSettings;
  pullSecrets(pod: DeepReadonly<Pod>): Promise<RegistryAuth[]>;
  memoryCapacityBytes: number;
  cpuCFSQuota: boolean;
  /** The node's /etc/hosts, for hostNetwork pods. */
  nodeHostsPath?: string;
}

/** Per-pod start failures (the reason cache), by container name. */
export type Failures = Map<string, StartFailure>;

export interface SyncOutcome {
  /** Re-sync after this long (a back-off expires). */
  requeueAfterMs?: number;
  /** The pod's IPs after this sync (a new sandbox's). */
  podIPs?: string[];
}

function podRef(pod: DeepReadonly<Pod>): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

function hostPorts(pod: DeepReadonly<Pod>): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol ?? 'TCP', hostIP: p.hostIP });
  }
  return out;
}

/** The grace period for killing a pod's containers: the deletion's, else the spec's. */
export function gracePeriodOf(pod: DeepReadonly<Pod> | undefined, rc?: RuntimeContainer): number {
  if (pod) return pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const l = Number(rc?.labels[LABEL.podTerminationGracePeriod]);
  return Number.isFinite(l) && rc?.labels[LABEL.podTerminationGracePeriod] !== undefined ? l : DEFAULT_GRACE_SECONDS;
}

export class RuntimeManager {
  // Guarded by nothing (single-threaded): when each (pod, image) pull last failed.
  private readonly pullFailures = new Map<string, number>();

  constructor(private readonly o: RuntimeManagerOptions) {}

  /** Forgets a pod's image back-off records. */
  forgetPod(uid: string): void {
    for (const k of [...this.pullFailures.keys()]) if (k.startsWith(`${uid}_`)) this.pullFailures.delete(k);
  }

  private event(pod: DeepReadonly<Pod>, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const ref = { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, ...(fieldPath ? { fieldPath } : {}) };
    this.o.recorder.event(ref, type, reason, message);
  }

  /** Runs a plan. Throws only for pod-level failures (sandbox, network); container failures land in `failures`. */
  async syncPod(pod: DeepReadonly<Pod>, status: RuntimePodStatus, actions: PodActions, failures: Failures): Promise<SyncOutcome> {
    const out: SyncOutcome = {};
    if (actions.killPod) {
      if (actions.createSandbox && status.sandboxes.length > 0) this.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await this.killPod(pod, status);
    } else {
      await Promise.all(
        [...actions.containersToKill].map(async ([id, k]) => {
          const rc = status.containers.find((c) => c.id === id);
          if (rc) await this.killContainer(pod, rc, undefined, k.message);
        }),
      );
    }
    if (!actions.createSandbox && actions.killPod) return out;

    let sandboxId = actions.sandboxId;
    let podIPs = status.sandboxes[0]?.ip ? [status.sandboxes[0].ip] : [];
    if (actions.createSandbox) {
      const created = await this.createSandbox(pod, actions.attempt);
      sandboxId = created.id;
      podIPs = created.ips;
      out.podIPs = podIPs;
    }
    if (!sandboxId) return out;
    const files = await this.writeFiles(pod, podIPs);

    const specs = new Map<string, DeepReadonly<Container>>();
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) specs.set(c.name, c);
    const start = async (name: string): Promise<number | undefined> => {
      const c = specs.get(name);
      if (!c) return undefined;
      return this.startContainer(pod, c, sandboxId!, status, podIPs, files, failures);
    };
    const waits: number[] = [];
    if (actions.nextInitContainer) {
      const w = await start(actions.nextInitContainer);
      if (w !== undefined) waits.push(w);
    }
    for (const name of actions.containersToStart) {
      const w = await start(name);
      if (w !== undefined) waits.push(w);
    }
    if (waits.length) out.requeueAfterMs = Math.max(100, Math.min(...waits));
    return out;
  }

  private async createSandbox(pod: DeepReadonly<Pod>, attempt: number): Promise<{ id: SandboxId; ips: string[] }> {
    const hostNetwork = pod.spec?.hostNetwork === true;
    const net = this.o.network;
    if (!hostNetwork) {
      const st = net.status();
      if (!st.ready) throw new RuntimeError('NetworkPluginNotReady', `network is not ready: ${st.message ?? net.name + ' not ready'}`);
    }
    const name = podHostname(pod, this.o.dns.clusterDomain);
    const sysctls: Record<string, string> = {};
    for (const s of pod.spec?.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
    let id: SandboxId;
    try {
      id = await this.o.runtime.runSandbox(pod as Pod, {
        attempt,
        hostname: name.hostname,
        networkMode: hostNetwork ? 'host' : net.sandboxNetworkMode,
        portMappings: !hostNetwork && net.sandboxNetworkMode === 'bridge' ? hostPorts(pod) : undefined,
        sysctls,
        labels: { ...(pod.metadata.labels ?? {}) },
      });
    } catch (e) {
      this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      throw e;
    }
    if (hostNetwork) {
      const ip = this.o.hostIP();
      return { id, ips: ip ? [ip] : [] };
    }
    try {
      const netns = await this.o.runtime.sandboxNetns(id);
      const info = await net.setUpPod(pod, id, netns, hostPorts(pod));
      return { id, ips: info.ips };
    } catch (e) {
      this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
      await this.o.runtime.remove(id).catch(() => undefined);
      throw e;
    }
  }

  private async writeFiles(pod: DeepReadonly<Pod>, podIPs: string[]): Promise<{ hosts: string; resolv: string }> {
    const uid = pod.metadata.uid ?? '';
    let hosts: string;
    if (pod.spec?.hostNetwork) {
      const nodeHosts = await readFile(this.o.nodeHostsPath ?? '/etc/hosts', 'utf8').catch(() => '');
      hosts = hostNetworkHostsFile(pod, nodeHosts);
    } else {
      hosts = managedHostsFile(pod, podIPs, podHostname(pod, this.o.dns.clusterDomain));
    }
    const dns = podDNS(pod, this.o.dns);
    return writePodFiles(this.o.rootDir, uid, hosts, formatResolvConf(dns.conf));
  }

  /** Starts one container; returns ms to wait before retrying when it could not (back-off), else undefined. */
  private async startContainer(
    pod: DeepReadonly<Pod>,
    c: DeepReadonly<Container>,
    sandboxId: SandboxId,
    status: RuntimePodStatus,
    podIPs: string[],
    files: { hosts: string; resolv: string },
    failures: Failures,
  ): Promise<number | undefined> {
    const uid = pod.metadata.uid ?? '';
    const fieldPath = `${(pod.spec?.initContainers ?? []).some((x) => x.name === c.name) ? 'spec.initContainers' : 'spec.containers'}{${c.name}}`;
    const hash = hashContainer(c);
    const last = latestContainer(status, c.name);

    // 1. crash-loop back-off, keyed like upstream's getStableKey.
    if (last?.state === 'exited' && last.finishedAt) {
      const key = `${pod.metadata.name}_${pod.metadata.namespace}_${uid}_${c.name}_${hash}`;
      const finished = last.finishedAt.getTime();
      if (this.o.crashBackoff.isInBackOffSince(key, finished)) {
        const delay = this.o.crashBackoff.get(key);
        failures.set(c.name, { reason: 'CrashLoopBackOff', message: `back-off ${formatGoDuration(delay)} restarting failed container=${c.name} pod=${podRef(pod)}` });
        this.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', fieldPath);
        return this.o.crashBackoff.remaining(key, finished);
      }
      this.o.crashBackoff.next(key, finished);
    }

    // 2. the image.
    const image = c.image ?? '';
    const policy = c.imagePullPolicy ?? (image.includes(':') && !image.endsWith(':latest') ? 'IfNotPresent' : 'Always');
    const imgKey = `${uid}_${image}`;
    const now = this.o.clock.now();
    // A failed pull is not retried until its back-off passed (counted from the failure).
    const pullFailedAt = this.pullFailures.get(imgKey);
    if (pullFailedAt !== undefined && this.o.imageBackoff.isInBackOffSince(imgKey, pullFailedAt)) {
      failures.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
      this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, fieldPath);
      return this.o.imageBackoff.remaining(imgKey, pullFailedAt);
    }
    try {
      const present = policy !== 'Always' ? await this.o.runtime.inspectImage(image) : undefined;
      if (present) {
        this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
      } else {
        if (policy !== 'Never') this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
        await this.o.runtime.ensureImage(image, policy, await this.o.pullSecrets(pod));
        this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}"`, fieldPath);
      }
      this.o.imageBackoff.reset(imgKey);
      this.pullFailures.delete(imgKey);
    } catch (e) {
      const code = e instanceof RuntimeError ? e.code : 'ErrImagePull';
      const msg = (e as Error).message;
      if (code === 'ErrImageNeverPull') {
        failures.set(c.name, { reason: code, message: msg });
        this.event(pod, 'Warning', 'ErrImageNeverPull', msg, fieldPath);
        return 10_000;
      }
      this.o.imageBackoff.next(imgKey, now);
      this.pullFailures.set(imgKey, now);
      failures.set(c.name, { reason: 'ErrImagePull', message: msg });
      this.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${msg}`, fieldPath);
      this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
      // Sync again soon, so the status moves on to ImagePullBackOff while the back-off runs.
      return 1000;
    }

    // 3. the configuration.
    let opts: RunOptions;
    try {
      opts = await this.runOptions(pod, c, podIPs, files, last ? last.attempt + 1 : 0, hash);
    } catch (e) {
      if (e instanceof EnvError || e instanceof ConfigError || e instanceof VolumeError) {
        failures.set(c.name, { reason: 'CreateContainerConfigError', message: e.message });
        this.event(pod, 'Warning', 'Failed', `Error: ${e.message}`, fieldPath);
        return 10_000;
      }
      throw e;
    }

    // 4. create, start, postStart.
    let id: string;
    try {
      id = await this.o.runtime.createContainer(sandboxId, pod as Pod, c as Container, opts);
    } catch (e) {
      failures.set(c.name, { reason: 'CreateContainerError', message: (e as Error).message });
      this.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`, fieldPath);
      return 10_000;
    }
    this.event(pod, 'Normal', 'Created', `Created container ${c.name}`, fieldPath);
    try {
      await this.o.runtime.start(id);
    } catch (e) {
      failures.set(c.name, { reason: 'RunContainerError', message: (e as Error).message });
      this.event(pod, 'Warning', 'Failed', `Error: ${(e as Error).message}`, fieldPath);
      return 10_000;
    }
    this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    this.o.prober.containerStarted(uid, c.name, id, new Date(this.o.clock.now()));
    failures.delete(c.name);

    const post = c.lifecycle?.postStart;
    if (post) {
      try {
        await runHandler(post, { runtime: this.o.runtime, containerId: id, container: c, podIP: podIPs[0], timeoutMs: gracePeriodOf(pod) * 1000 });
      } catch (e) {
        const msg = (e as Error).message;
        this.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${msg}`, fieldPath);
        failures.set(c.name, { reason: 'PostStartHookError', message: msg });
        await this.o.runtime.stop(id, 0).catch(() => undefined);
        return 10_000;
      }
    }
    return undefined;
  }

  private async runOptions(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, podIPs: string[], files: { hosts: string; resolv: string }, attempt: number, hash: string): Promise<RunOptions> {
    const uid = pod.metadata.uid ?? '';
    const env = await makeEnvironment({
      pod,
      container: c,
      serviceEnv: this.o.serviceEnv(pod),
      runtime: { podIP: podIPs[0], podIPs, hostIP: this.o.hostIP() },
      nodeAllocatable: this.o.nodeAllocatable(),
      sources: this.o.envSources,
    });
    if (env.invalidKeys.length) {
      this.event(pod, 'Warning', 'InvalidEnvironmentVariableNames', `Keys [${env.invalidKeys.join(', ')}] from the EnvFrom configMap ${pod.metadata.namespace}/ were skipped since they are considered invalid environment variable names.`);
    }
    const cmd = expandCommand(c, env.env);
    const sec = containerSecurity(pod, c);
    if (sec.runAsNonRoot) {
      const img = await this.o.runtime.inspectImage(c.image ?? '');
      const why = verifyRunAsNonRoot(sec, img?.user ?? '');
      if (why) throw new ConfigError(why);
    }
    const mounts = await this.mounts(pod, c, env.env);
    const labels: Record<string, string> = {
      [LABEL.hash]: hash,
      [LABEL.podTerminationGracePeriod]: String(pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS),
    };
    if (c.lifecycle?.preStop) labels[LABEL.preStopHandler] = JSON.stringify(c.lifecycle.preStop);
    const opts: RunOptions = {
      command: cmd.command,
      args: cmd.args,
      env: env.env,
      mounts,
      attempt,
      resources: containerResources(pod, c, { cpuCFSQuota: this.o.cpuCFSQuota, memoryCapacityBytes: this.o.memoryCapacityBytes }),
      privileged: sec.privileged,
      user: sec.user,
      groupAdd: sec.groupAdd,
      capAdd: sec.capAdd,
      capDrop: sec.capDrop,
      readOnlyRootfs: sec.readOnlyRootfs,
      noNewPrivileges: sec.noNewPrivileges,
      labels,
      pidMode: pod.spec?.hostPID ? 'host' : pod.spec?.shareProcessNamespace ? 'sandbox' : 'private',
      ipcMode: pod.spec?.hostIPC ? 'host' : 'sandbox',
      networkMode: 'sandbox',
    };
    if (!mounts.some((m) => m.containerPath === '/etc/hosts')) opts.hostsFile = files.hosts;
    if (!mounts.some((m) => m.containerPath === '/etc/resolv.conf')) opts.resolvConfFile = files.resolv;
    const tmp = c.terminationMessagePath ?? '/dev/termination-log';
    if (tmp) {
      opts.terminationMessagePath = tmp;
      opts.terminationMessageHostPath = await newTerminationMessageFile(this.o.rootDir, uid, c.name);
      labels[LABEL.terminationMessagePath] = tmp;
      labels[LABEL.terminationMessagePolicy] = c.terminationMessagePolicy ?? 'File';
      labels[LABEL.terminationMessageHostPath] = opts.terminationMessageHostPath;
    }
    return opts;
  }

  private async mounts(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, env: { name: string; value: string }[]): Promise<RunOptions['mounts']> {
    const vms = c.volumeMounts ?? [];
    if (vms.length === 0) return [];
    const volumes: Map<string, MountedVolume> = await this.o.volumes.setUpPodVolumes(pod as Pod);
    const out: RunOptions['mounts'] = [];
    for (const m of vms) {
      const v = volumes.get(m.name);
      if (!v) throw new ConfigError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
      let hostPath = v.hostPath;
      let sub = m.subPath ?? '';
      if (m.subPathExpr) sub = expand(m.subPathExpr, mappingOf(new Map(env.map((e) => [e.name, e.value]))));
      if (sub) {
        if (sub.startsWith('/') || sub.split('/').includes('..')) throw new ConfigError(`invalid subPath "${sub}" for volume "${m.name}": must be a relative path without '..'`);
        hostPath = join(hostPath, sub);
        // Upstream creates a missing subPath directory.
        await mkdir(hostPath, { recursive: true }).catch(() => undefined);
      }
      const propagation = m.mountPropagation === 'HostToContainer' ? 'rslave' : m.mountPropagation === 'Bidirectional' ? 'rshared' : undefined;
      out.push({ hostPath, containerPath: m.mountPath, readOnly: m.readOnly === true || v.readOnly, ...(propagation ? { propagation } : {}) });
    }
    return out;
  }

  /** Stops one container: preStop, then SIGTERM / SIGKILL within the grace period. */
  async killContainer(pod: DeepReadonly<Pod> | undefined, rc: RuntimeContainer, graceOverride: number | undefined, message: string): Promise<void> {
    if (rc.state !== 'running' && rc.state !== 'created' && rc.state !== 'unknown') return;
    let grace = graceOverride ?? gracePeriodOf(pod, rc);
    const spec = [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])].find((x) => x.name === rc.containerName);
    let preStop: DeepReadonly<LifecycleHandler> | undefined = spec?.lifecycle?.preStop;
    if (!preStop && rc.labels[LABEL.preStopHandler]) {
      try {
        preStop = JSON.parse(rc.labels[LABEL.preStopHandler]) as LifecycleHandler;
      } catch {
        preStop = undefined;
      }
    }
    if (pod) this.event(pod, 'Normal', 'Killing', `Stopping container ${rc.containerName}`, `spec.containers{${rc.containerName}}`);
    this.o.log.info('killing container', { pod: `${rc.podNamespace}/${rc.podName}`, container: rc.containerName, id: rc.id.slice(0, 12), gracePeriod: grace, why: message });
    if (preStop && rc.state === 'running' && grace > 0) {
      const t0 = this.o.clock.now();
      try {
        const podIP = this.podIPOf(rc);
        await runHandler(preStop, { runtime: this.o.runtime, containerId: rc.id, container: spec, podIP, timeoutMs: grace * 1000 });
      } catch (e) {
        if (pod) this.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${(e as Error).message}`, `spec.containers{${rc.containerName}}`);
      }
      grace = Math.max(MIN_GRACE_SECONDS, grace - Math.floor((this.o.clock.now() - t0) / 1000));
    }
    await this.o.runtime.stop(rc.id, grace);
  }

  private podIPOf(rc: RuntimeContainer): string | undefined {
    if (!rc.sandboxId) return undefined;
    return this.o.network.podIPs(rc.sandboxId)?.[0];
  }

  /**
   * Stops every container of the pod (in parallel), then tears down the
   * network of each sandbox and stops it. `pod` may be undefined for an
   * orphan (gone from every source): labels then carry the grace period
   * and preStop hooks.
   */
  async killPod(pod: DeepReadonly<Pod> | undefined, status: RuntimePodStatus, graceOverride?: number): Promise<void> {
    await Promise.all(status.containers.map((rc) => this.killContainer(pod, rc, graceOverride, 'need to kill pod')));
    const id = { name: status.name || pod?.metadata.name || '', namespace: status.namespace || pod?.metadata.namespace || '', uid: status.uid };
    for (const s of status.sandboxes) {
      if (!s.hostNetwork && this.o.network.podIPs(s.id) !== undefined) {
        let netns: string | undefined;
        if (s.ready) netns = await this.o.runtime.sandboxNetns(s.id).catch(() => undefined);
        try {
          await this.o.network.tearDownPod(id, s.id, netns);
        } catch (e) {
          this.o.log.error('failed to tear down the pod network; will retry', { pod: `${id.namespace}/${id.name}`, sandbox: s.id.slice(0, 12), err: (e as Error).message });
          throw e;
        }
      }
      if (s.ready) await this.o.runtime.stop(s.id, 0);
    }
  }

  /** Removes the pod's containers and sandboxes (after killPod), for pods that are gone. */
  async removePod(status: RuntimePodStatus): Promise<void> {
    for (const c of status.containers) await this.o.runtime.remove(c.id);
    for (const s of status.sandboxes) await this.o.runtime.remove(s.id);
  }

  /**
   * Garbage of a live pod: dead containers beyond the newest `keep` per
   * name, and dead sandboxes other than the newest (after their network is
   * released).
   */
  async gcPod(status: RuntimePodStatus, keep: number): Promise<void> {
    const byName = new Map<string, RuntimeContainer[]>();
    for (const c of status.containers) {
      let l = byName.get(c.containerName);
      if (!l) byName.set(c.containerName, (l = []));
      l.push(c);
    }
    for (const list of byName.values()) {
      // The newest `keep` dead ones stay (status, `logs --previous`); the newest of a name always stays.
      const removable = list.filter((c) => c.state === 'exited').slice(Math.max(1, keep)).filter((c) => c !== list[0]);
      for (const c of removable) await this.o.runtime.remove(c.id).catch(() => undefined);
    }
    const id = { name: status.name, namespace: status.namespace, uid: status.uid };
    for (const s of status.sandboxes.slice(1)) {
      if (s.ready) continue;
      if (this.o.network.podIPs(s.id) !== undefined) {
        try {
          await this.o.network.tearDownPod(id, s.id, undefined);
        } catch {
          continue;
        }
      }
      // Only once no container still points at it.
      if (!status.containers.some((c) => c.sandboxId === s.id && c.state === 'running')) await this.o.runtime.remove(s.id).catch(() => undefined);
    }
  }
}

/** A container whose configuration cannot be built (CreateContainerConfigError). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CreateContainerConfigError';
}
