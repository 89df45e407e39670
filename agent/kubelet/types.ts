/**
 * The kubelet's seams (ARCHITECTURE.md, STYLE.md §1c): each responsibility is
 * a Manager behind an interface, implemented in its own folder, with a fake in
 * testing/. The pod sync loop (podworkers/) drives the runtime through a pure
 * plan (runtime/computePodActions), asks the VolumeManager for mounts before
 * creating containers, and the ProberManager for readiness and liveness.
 */
import type { Pod, Container } from '../../controlplane/api/core/v1/types.js';

// ---- runtime ----------------------------------------------------------------

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type SandboxId = string;
export type ContainerId = string;

export interface RegistryAuth {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
}

export interface Streams {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  tty?: boolean;
  /** Terminal size changes (exec/attach with a tty). */
  resize?: AsyncIterable<{ width: number; height: number }>;
}

/** How a container is created: everything the kubelet computed from the pod spec. */
export interface RunOptions {
  /** Expanded command and args ($(VAR) resolved). */
  command?: string[];
  args?: string[];
  env: { name: string; value: string }[];
  /** Host path per mount, resolved by the VolumeManager (subPath applied). */
  mounts: { hostPath: string; containerPath: string; readOnly: boolean; propagation?: 'private' | 'rslave' | 'rshared' }[];
  /** restart count, so names and labels are unique per attempt */
  attempt: number;
  /** cgroup settings derived from resources and QoS (container/resources.ts). */
  resources: { cpuShares?: number; cpuQuota?: number; cpuPeriod?: number; memoryLimitBytes?: number; oomScoreAdj?: number };
  privileged?: boolean;
  /** /etc/hosts and resolv.conf files the kubelet wrote for the pod. */
  hostsFile?: string;
  resolvConfFile?: string;
  terminationMessagePath?: string;
  /** Host file backing terminationMessagePath. */
  terminationMessageHostPath?: string;
  /** Labels the kubelet wants on the container besides the identity ones (hash, restart count, hooks). */
  labels?: Record<string, string>;
  /** securityContext as computed by container/security.ts. */
  user?: string;
  groupAdd?: string[];
  capAdd?: string[];
  capDrop?: string[];
  readOnlyRootfs?: boolean;
  noNewPrivileges?: boolean;
  /** Join the sandbox's PID namespace (shareProcessNamespace), or the host's (hostPID). */
  pidMode?: 'sandbox' | 'host' | 'private';
  ipcMode?: 'sandbox' | 'host';
  networkMode?: 'sandbox' | 'host';
}

/** A container as the runtime reports it, found by the labels the kubelet put on it. */
export interface RuntimeContainer {
  id: ContainerId;
  /** Pod UID, namespace, name and container name from the labels; `POD` for the sandbox (pause) container. */
  podUID: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  isSandbox: boolean;
  /** Restart count of an app container; the sandbox's attempt number. */
  attempt: number;
  image: string;
  imageID: string;
  state: 'created' | 'running' | 'exited' | 'unknown';
  createdAt?: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  reason?: string; // OOMKilled, Error, Completed
  message?: string;
  /** Hash of the container spec it was created from (changes → restart). */
  specHash?: string;
  /** The sandbox it belongs to (app containers). */
  sandboxId?: SandboxId;
  /** Every label, for what the fields above do not carry (hooks, grace period, termination message). */
  labels: Readonly<Record<string, string>>;
  /** Main process id while running (sandbox: for its network namespace). */
  pid?: number;
  /** Sandboxes: the network the runtime gave it (docker bridge mode), and whether it uses the host's. */
  ip?: string;
  hostNetwork?: boolean;
  /** Whether this came from inspect (full state) or only from a list (no exit code, times). */
  inspected: boolean;
}

export type RuntimeEventType = 'create' | 'start' | 'die' | 'destroy' | 'oom';
export interface RuntimeEvent {
  type: RuntimeEventType;
  containerId: ContainerId;
  podUID?: string;
  at: Date;
}

/** How the pause container is made (runtime/docker applies it). */
export interface SandboxOptions {
  attempt: number;
  hostname: string;
  /** 'none': the network plugin sets up its namespace; 'bridge': Docker's default bridge; 'host': hostNetwork. */
  networkMode: 'none' | 'bridge' | 'host';
  /** hostPort mappings, only when networkMode is 'bridge' (CNI modes use the portmap plugin). */
  portMappings?: { containerPort: number; hostPort: number; protocol: string; hostIP?: string }[];
  sysctls?: Record<string, string>;
  /** Extra labels (the pod's own, as dockershim copies them). */
  labels?: Record<string, string>;
}

export interface ContainerRuntime {
  /** Runtime name and version for node status: `docker://20.10.24`. */
  version(): Promise<{ name: string; version: string; apiVersion: string }>;
  /** Whether the image is present; its user (for runAsNonRoot). */
  inspectImage(ref: string): Promise<{ id: string; user: string } | undefined>;
  /** Pulls per policy; throws RuntimeError ErrImagePull / ErrImageNeverPull. */
  ensureImage(ref: string, policy: PullPolicy, auth?: RegistryAuth[]): Promise<void>;
  /** Creates and starts the pause container. */
  runSandbox(pod: Pod, opts: SandboxOptions): Promise<SandboxId>;
  /** The network namespace path of a running sandbox (/proc/<pid>/ns/net), for CNI. */
  sandboxNetns(id: SandboxId): Promise<string>;
  createContainer(sandbox: SandboxId, pod: Pod, c: Container, opts: RunOptions): Promise<ContainerId>;
  start(id: ContainerId): Promise<void>;
  /** SIGTERM, then SIGKILL after graceSeconds. */
  stop(id: ContainerId, graceSeconds: number): Promise<void>;
  remove(id: ContainerId): Promise<void>;
  /** Every container this kubelet made (cheap: no exit codes or times; `inspected` false). */
  list(): Promise<RuntimeContainer[]>;
  inspect(id: ContainerId): Promise<RuntimeContainer | undefined>;
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  exec(id: ContainerId, cmd: string[], streams: Streams, timeoutMs?: number): Promise<number>;
  logs(id: ContainerId, opts: { follow?: boolean; tailLines?: number; sinceSeconds?: number; timestamps?: boolean; previous?: boolean }): Promise<NodeJS.ReadableStream>;
}

// ---- volumes ----------------------------------------------------------------

export interface MountedVolume {
  /** Where the volume's content is on the host (a directory, or a file for hostPath File). */
  hostPath: string;
  readOnly: boolean;
}

/** Raised when a volume cannot be prepared yet (missing ConfigMap/Secret/PVC); the pod waits and an event says why. */
export class VolumeError extends Error {
  override readonly name = 'VolumeError';
  constructor(
    readonly volume: string,
    /** Event reason, e.g. FailedMount. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface VolumeManager {
  /** Prepares every volume of the pod under --root-dir/pods/<uid>/volumes; host path per volume name. */
  setUpPodVolumes(pod: Pod): Promise<Map<string, MountedVolume>>;
  /** Brings configMap/secret/downwardAPI/projected contents up to date (called on every pod sync). */
  refresh(pod: Pod): Promise<void>;
  /** Removes the pod's volumes (unmounting tmpfs) once its containers are gone. */
  tearDownPodVolumes(podUID: string): Promise<void>;
  /**
   * Unmounts and removes only the volumes of a pod that finished but is still
   * an API object (upstream --keep-terminated-pod-volumes=false): memory-backed
   * emptyDirs give their memory back. The pod directory (termination messages) stays.
   */
  releaseVolumes?(podUID: string): Promise<void>;
  /** Whether the pod still has a volumes directory (set up and not yet released). */
  holdsVolumes?(podUID: string): boolean;
  /** Pod UIDs that have volume directories on disk (for cleaning up orphans after a restart). */
  podsOnDisk(): Promise<string[]>;
}

// ---- probes -----------------------------------------------------------------

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** What probes need from the rest of the kubelet. */
export interface ProbeTargets {
  podIP(podUID: string): string | undefined;
  exec(containerId: ContainerId, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

export interface ProberManager {
  /** Starts workers for the pod's probes (idempotent; spec changes restart them). */
  addPod(pod: Pod): void;
  removePod(podUID: string): void;
  /** A container (re)started: its probes start over (initialDelaySeconds counts from now). */
  containerStarted(podUID: string, containerName: string, containerId: ContainerId, startedAt: Date): void;
  /** That container exited (PLEG 'die'): its probes pause until the next containerStarted; it reads not ready, not started. */
  containerStopped(podUID: string, containerName: string, containerId: ContainerId): void;
  /** Readiness as the status manager reports it: true without a readiness probe once started. */
  isReady(podUID: string, containerName: string): boolean;
  /** Startup probe passed (or none). */
  isStarted(podUID: string, containerName: string): boolean;
  /** Called when liveness (or startup) fails failureThreshold times: the container must be restarted. */
  onUnhealthy(handler: (podUID: string, containerName: string, containerId: ContainerId, kind: ProbeKind, message: string) => void): void;
  /** Called whenever a readiness result changes, so the pod's status is re-synced. */
  onChange(handler: (podUID: string) => void): void;
  run(signal: AbortSignal): Promise<void>;
}
