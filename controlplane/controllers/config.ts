/**
 * Flags → ControllerManagerOptions, validated. Errors are ConfigErrors
 * naming the flag; main turns them into exit code 2 like any bad flag.
 */
import type { ParsedFlags } from '../machinery/flags/parsed.js';
import type { Logger } from '../machinery/log/index.js';
import { ControllersFlagError, validateControllers } from './names.js';
import { defaultNodeIpamOptions, nodeIpamOptionsFromFlags, type NodeIpamOptions } from './nodeipam/options.js';
import { defaultNodeLifecycleOptions, nodeLifecycleOptionsFromFlags, type NodeLifecycleOptions } from './nodelifecycle/options.js';
import { defaultPodGCOptions, podGCOptionsFromFlags, type PodGCOptions } from './podgc/options.js';

export class ControllerManagerConfigError extends Error {
  override readonly name = 'ControllerManagerConfigError';
  readonly code = 'InvalidControllerManagerConfig';
}

export interface Concurrency {
  deployment: number;
  endpoint: number;
  gc: number;
  rc: number;
  replicaset: number;
  serviceaccount: number;
  /** --concurrent-serviceaccount-token-syncs */
  serviceaccountToken: number;
  job: number;
}

export interface ControllerManagerOptions {
  master?: string;
  kubeconfig?: string;
  /** --address / --port for /healthz and /metrics; port 0 disables serving, -1 picks a free port (tests). */
  address: string;
  port: number;
  profiling: boolean;
  kubeApiQps: number;
  kubeApiBurst: number;
  kubeApiContentType?: string;
  /** --controllers, as given. */
  controllers: readonly string[];
  controllerStartIntervalMs: number;
  minResyncPeriodMs: number;
  enableGarbageCollector: boolean;
  concurrency: Concurrency;
  deploymentSyncPeriodMs: number;
  /** --horizontal-pod-autoscaler-sync-period, -upscale-delay, -downscale-delay. */
  hpa: { syncPeriodMs: number; upscaleDelayMs: number; downscaleDelayMs: number };
  /** --service-account-private-key-file: signs service account tokens; empty switches the token controller off. */
  serviceAccountPrivateKeyFile: string;
  /** --root-ca-file: put in each token secret as ca.crt. */
  rootCAFile: string;
  /** --cluster-signing-cert-file/--cluster-signing-key-file: the CA of csrsigning; empty switches it off. */
  clusterSigningCertFile: string;
  clusterSigningKeyFile: string;
  /** --node-monitor-*, --pod-eviction-timeout, --*node-eviction-rate, zone thresholds. */
  nodeLifecycle: NodeLifecycleOptions;
  /** --allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size, --cidr-allocator-type, --service-cluster-ip-range. */
  nodeIpam: NodeIpamOptions;
  /** --terminated-pod-gc-threshold (and the GC period, for tests). */
  podGC: PodGCOptions;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  lockNamespace: string;
  lockName: string;
  identity?: string;
  log: Logger;
  /** Called once serving, with the bound port (tests use port -1). */
  onServing?(port: number): void;
  /** Called once the controllers started (after leadership, with --leader-elect). */
  onStarted?(controllers: readonly string[]): void;
}

export function defaultOptions(log: Logger): ControllerManagerOptions {
  return {
    address: '0.0.0.0',
    port: 10252,
    profiling: true,
    kubeApiQps: 20,
    kubeApiBurst: 30,
    controllers: ['*'],
    controllerStartIntervalMs: 0,
    minResyncPeriodMs: 12 * 3600_000,
    enableGarbageCollector: false,
    concurrency: { deployment: 5, endpoint: 5, gc: 20, rc: 5, replicaset: 5, serviceaccount: 1, serviceaccountToken: 5, job: 5 },
    deploymentSyncPeriodMs: 30_000,
    hpa: { syncPeriodMs: 30_000, upscaleDelayMs: 180_000, downscaleDelayMs: 300_000 },
    serviceAccountPrivateKeyFile: '',
    rootCAFile: '',
    clusterSigningCertFile: '',
    clusterSigningKeyFile: '',
    nodeLifecycle: defaultNodeLifecycleOptions(),
    nodeIpam: defaultNodeIpamOptions(),
    podGC: defaultPodGCOptions(),
    leaderElect: false,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    lockNamespace: 'kube-system',
    lockName: 'kube-controller-manager',
    log,
  };
}

function positive(f: ParsedFlags, name: string): number {
  const n = f.number(name);
  if (!Number.isInteger(n) || n < 1) throw new ControllerManagerConfigError(`invalid value for --${name}: ${n} (must be a positive integer)`);
  return n;
}

export function optionsFromFlags(f: ParsedFlags, log: Logger): ControllerManagerOptions {
  const o = defaultOptions(log);
  o.master = f.string('master') || undefined;
  o.kubeconfig = f.string('kubeconfig') || undefined;
  o.address = f.string('address');
  o.port = f.number('port');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new ControllerManagerConfigError(`invalid value for --port: ${o.port} (0 disables serving, else 1-65535)`);
  o.profiling = f.bool('profiling');
  o.kubeApiQps = f.number('kube-api-qps');
  o.kubeApiBurst = f.number('kube-api-burst');
  o.kubeApiContentType = f.string('kube-api-content-type');
  o.controllers = f.list('controllers').map((s) => s.trim()).filter((s) => s !== '');
  try {
    validateControllers(o.controllers);
  } catch (e) {
    if (e instanceof ControllersFlagError) throw new ControllerManagerConfigError(`invalid value for --controllers: ${e.message}`);
    throw e;
  }
  o.controllerStartIntervalMs = f.duration('controller-start-interval');
  o.minResyncPeriodMs = f.duration('min-resync-period');
  o.enableGarbageCollector = f.bool('enable-garbage-collector');
  o.concurrency = {
    deployment: positive(f, 'concurrent-deployment-syncs'),
    endpoint: positive(f, 'concurrent-endpoint-syncs'),
    gc: positive(f, 'concurrent-gc-syncs'),
    rc: positive(f, 'concurrent-rc-syncs'),
    replicaset: positive(f, 'concurrent-replicaset-syncs'),
    serviceaccount: 1,
    serviceaccountToken: positive(f, 'concurrent-serviceaccount-token-syncs'),
    job: 5,
  };
  o.serviceAccountPrivateKeyFile = f.string('service-account-private-key-file');
  o.rootCAFile = f.string('root-ca-file');
  o.clusterSigningCertFile = f.string('cluster-signing-cert-file');
  o.clusterSigningKeyFile = f.string('cluster-signing-key-file');
  o.deploymentSyncPeriodMs = f.duration('deployment-controller-sync-period');
  o.hpa = {
    syncPeriodMs: f.duration('horizontal-pod-autoscaler-sync-period'),
    upscaleDelayMs: f.duration('horizontal-pod-autoscaler-upscale-delay'),
    downscaleDelayMs: f.duration('horizontal-pod-autoscaler-downscale-delay'),
  };
  const fail = (msg: string): never => {
    throw new ControllerManagerConfigError(msg);
  };
  o.nodeLifecycle = nodeLifecycleOptionsFromFlags(f, fail);
  o.nodeIpam = nodeIpamOptionsFromFlags(f, fail);
  o.podGC = podGCOptionsFromFlags(f);
  o.leaderElect = f.bool('leader-elect');
  o.leaseDurationMs = f.duration('leader-elect-lease-duration');
  o.renewDeadlineMs = f.duration('leader-elect-renew-deadline');
  o.retryPeriodMs = f.duration('leader-elect-retry-period');
  if (o.leaderElect && o.leaseDurationMs <= o.renewDeadlineMs) throw new ControllerManagerConfigError('--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline');
  if (o.leaderElect && o.retryPeriodMs <= 0) throw new ControllerManagerConfigError('--leader-elect-retry-period must be positive');
  return o;
}
