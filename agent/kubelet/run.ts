/**
 * The kubelet daemon: flags → KubeletConfig, then every part wired and run
 * until the signal aborts.
 *
 * Start-up order matters:
 *   1. the Docker engine must answer (retried, said once) and the pod infra
 *      image must exist (the local pause image is built when missing, so a
 *      fresh node needs no registry);
 *   2. handlers are registered before the sources start, so no pod is missed;
 *   3. the PLEG's first relist runs before pods are synced, so containers
 *      left by a previous kubelet are adopted rather than duplicated;
 *   4. the node registers and heartbeats in the background: pods of static
 *      manifests run even while the API server is unreachable.
 * Without --kubeconfig (file present) or --api-servers the kubelet runs
 * standalone: static pods only, no node object, no mirror pods.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from '../../controlplane/api/core/v1/types.js';
import { realClock } from '../../controlplane/client/clock.js';
import { EventBroadcaster, type EventRecorder } from '../../controlplane/client/events.js';
import { SharedInformerFactory } from '../../controlplane/client/factory.js';
import { describeConfig, loadRestConfig } from '../../controlplane/client/kubeconfig.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import type { DeepReadonly, Lister } from '../../controlplane/client/types.js';
import type { ParsedFlags } from '../../controlplane/machinery/flags/parsed.js';
import { KUBERNETES_VERSION } from '../../controlplane/machinery/flags/version.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import { openIptables } from '../../native/iptables/runner.js';
import { PAUSE_IMAGE } from '../../native/pause/pause.js';
import { bootstrapClientCertificate } from './bootstrap/bootstrap.js';
import { parseResolvConf, type DnsSettings } from './container/dns.js';
import { KubeletEvictionManager } from './eviction/manager.js';
import { ResourceMetrics } from './eviction/metrics.js';
import { EvictionConfigError, parseEvictionConfig } from './eviction/thresholds.js';
import type { Threshold } from './eviction/types.js';
import { ContainerGC } from './gc/containers.js';
import { DockerImageService } from './gc/docker.js';
import { ImageGCManager, validateImageGCPolicy, type ImageGCPolicy, type ImageInfo } from './gc/images.js';
import { Kubelet } from './kubelet.js';
import { selectNetwork } from './network/select.js';
import { NetworkStore } from './network/store.js';
import { GenericPLEG } from './pleg/generic.js';
import { runOnce } from './podworkers/runonce.js';
import { KubeletProberManager } from './prober/manager.js';
import { Backoff, CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS, IMAGE_BACKOFF_INITIAL_MS, IMAGE_BACKOFF_MAX_MS } from './runtime/backoff.js';
import { applyOwnOOMScoreAdj, ensureInfraImage, waitForDocker } from './runtime/docker/engine.js';
import { pullSecretAuths } from './runtime/docker/images.js';
import { DockerRuntime } from './runtime/docker/runtime.js';
import { RuntimeManager } from './runtime/manager.js';
import { fillTerminationMessage } from './runtime/termination.js';
import { CgroupFs } from './stats/cgroup.js';
import { DockerStatsRuntime } from './stats/docker.js';
import { StatsProvider } from './stats/provider.js';
import { FileSource } from './sources/file.js';
import { HttpSource } from './sources/http.js';
import { MirrorClient } from './sources/mirror.js';
import { PodManager } from './sources/podmanager.js';
import type { PodSource } from './sources/types.js';
import { apiReviews } from './server/reviews.js';
import { KubeletAuth } from './server/auth.js';
import { DockerAttacher, KubeletServer, RuntimeLocator, type Listening } from './server/index.js';
import { startHealthz } from './status/healthz.js';
import { KubeletStatusManager } from './status/manager.js';
import { NodeStatusReporter } from './status/node.js';
import { allocatableOf, buildNodeStatus, capacityOf, detectNodeIP, goArch, readMachineInfo } from './status/nodeinfo.js';
import type { RuntimeContainer } from './types.js';
import { DiskVolumeManager } from './volumes/manager.js';
import { clientLookup, clusterClientLookup, firstOf, firstOfCluster, listerLookup, type VolumeSources } from './volumes/sources.js';

export class KubeletConfigError extends Error {
  override readonly name = 'KubeletConfigError';
  readonly code = 'InvalidKubeletConfig';
}

export interface KubeletConfig {
  nodeName: string;
  rootDir: string;
  /** --kubeconfig when the file exists (or was set explicitly). */
  kubeconfig?: string;
  /** --bootstrap-kubeconfig: get a client certificate into --kubeconfig first (TLS bootstrapping, bootstrap/). */
  bootstrapKubeconfig?: string;
  /** --api-servers (first one). */
  master?: string;
  kubeApiQps: number;
  kubeApiBurst: number;
  eventQps: number;
  eventBurst: number;
  podManifestPath: string;
  fileCheckFrequencyMs: number;
  manifestUrl: string;
  manifestUrlHeader: string;
  httpCheckFrequencyMs: number;
  syncFrequencyMs: number;
  runOnce: boolean;
  dockerEndpoint: string;
  /** undefined: the local pause image (built when missing). */
  podInfraImage?: string;
  serializeImagePulls: boolean;
  registryQps: number;
  registryBurst: number;
  imagePullProgressDeadlineMs: number;
  allowPrivileged: boolean;
  hostNetworkSources: string[];
  hostPIDSources: string[];
  hostIPCSources: string[];
  clusterDNS: string[];
  clusterDomain: string;
  resolvConf: string;
  networkPlugin: '' | 'cni' | 'kubenet';
  cniConfDir: string;
  cniBinDirs: string[];
  podCIDR: string;
  nonMasqueradeCIDR: string;
  hairpinMode: 'promiscuous-bridge' | 'hairpin-veth' | 'none';
  /** Not a flag: the kubenet bridge (cbr0); tests use unique names. */
  kubenetBridge: string;
  cpuCFSQuota: boolean;
  maxPods: number;
  podsPerCore: number;
  kubeReserved: Record<string, string>;
  systemReserved: Record<string, string>;
  registerNode: boolean;
  registerSchedulable: boolean;
  nodeLabels: Record<string, string>;
  nodeStatusUpdateFrequencyMs: number;
  nodeIP: string;
  healthzBindAddress: string;
  /** 0 disables; -1 picks a free port (tests). */
  healthzPort: number;
  /** --enable-server: the kubelet's server (logs, exec, attach, port-forward, /pods, /metrics). */
  enableServer: boolean;
  /** --address */
  address: string;
  /** --port; 0 takes any free port (tests) and the node status reports the one taken. */
  port: number;
  /** --read-only-port; 0 disables. */
  readOnlyPort: number;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  /** --cert-dir: where the self-signed serving pair is kept when no --tls-* files are given. */
  certDir: string;
  enableDebuggingHandlers: boolean;
  streamingConnectionIdleTimeoutMs: number;
  /** --anonymous-auth, --client-ca-file, --authentication-token-webhook, --authorization-mode (server/auth.ts). */
  anonymousAuth: boolean;
  clientCAFile: string;
  authenticationTokenWebhook: boolean;
  authorizationMode: 'AlwaysAllow' | 'Webhook';
  masterServiceNamespace: string;
  maxDeadPerContainer: number;
  /** --eviction-hard/-soft/-soft-grace-period/-minimum-reclaim, parsed. */
  evictionThresholds: Threshold[];
  evictionPressureTransitionPeriodMs: number;
  evictionMaxPodGracePeriodSeconds: number;
  /** --image-gc-high-threshold, --image-gc-low-threshold, --minimum-image-ttl-duration. */
  imageGC: ImageGCPolicy;
  /** --minimum-container-ttl-duration, --maximum-dead-containers. */
  containerGCMinAgeMs: number;
  maxDeadContainers: number;
  /** --volume-stats-agg-period: how often du re-measures volumes and container layers. */
  volumeStatsAggPeriodMs: number;
  /** Not flags: the eviction manager's pass (10 s), image GC (5 min) and container GC (1 min) periods; tests shorten them. */
  evictionMonitoringPeriodMs: number;
  imageGCPeriodMs: number;
  containerGCPeriodMs: number;
  /** Not a flag: tests limit image GC to images they made (the Docker engine is shared). */
  imageGCOnly?: (img: ImageInfo) => boolean;
  /** --oom-score-adj: the kubelet's own. */
  oomScoreAdj: number;
  machineIdFiles: string[];
  bootIdFiles: string[];
  log: Logger;
  /** Tests: called with the healthz port once serving, and once the kubelet runs. */
  onHealthz?(port: number): void;
  onStarted?(k: Kubelet): void;
  /** Tests: called once the kubelet's server listens. */
  onServer?(l: Listening): void;
}

function enumOf<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw new KubeletConfigError(`invalid value for --${flag}: ${JSON.stringify(v)} (one of: ${allowed.map((a) => a || '""').join(', ')})`);
  return v as T;
}

export function kubeletConfigFromFlags(f: ParsedFlags, log: Logger): KubeletConfig {
  const nodeName = (f.string('hostname-override') || hostname()).toLowerCase();
  const kubeconfigFlag = f.string('kubeconfig');
  const kubeconfigSet = f.isSet('kubeconfig');
  const bootstrapKubeconfig = f.string('bootstrap-kubeconfig') || undefined;
  if (bootstrapKubeconfig && !existsSync(bootstrapKubeconfig)) throw new KubeletConfigError(`--bootstrap-kubeconfig=${bootstrapKubeconfig}: no such file`);
  if (kubeconfigSet && !bootstrapKubeconfig && !existsSync(kubeconfigFlag)) throw new KubeletConfigError(`--kubeconfig=${kubeconfigFlag}: no such file`);
  const apiServers = f.list('api-servers').filter(Boolean);
  const port = f.number('healthz-port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KubeletConfigError(`invalid value for --healthz-port: ${port}`);
  const serverPort = f.number('port');
  if (!Number.isInteger(serverPort) || serverPort < 0 || serverPort > 65535) throw new KubeletConfigError(`invalid value for --port: ${serverPort}`);
  const readOnlyPort = f.number('read-only-port');
  if (!Number.isInteger(readOnlyPort) || readOnlyPort < 0 || readOnlyPort > 65535) throw new KubeletConfigError(`invalid value for --read-only-port: ${readOnlyPort}`);
  if (Boolean(f.string('tls-cert-file')) !== Boolean(f.string('tls-private-key-file'))) throw new KubeletConfigError('--tls-cert-file and --tls-private-key-file must be given together');
  const maxPods = f.number('max-pods');
  if (!Number.isInteger(maxPods) || maxPods < 0) throw new KubeletConfigError(`invalid value for --max-pods: ${maxPods}`);
  const pluginFlag = f.string('network-plugin');
  const networkPlugin = enumOf(pluginFlag, ['', 'cni', 'kubenet'] as const, 'network-plugin');
  if (f.bool('runonce') && f.isSet('enable-server') && f.bool('enable-server')) throw new KubeletConfigError('--runonce is exclusive with --enable-server');
  const binDirs = [...f.string('cni-bin-dir').split(/[,:]/).filter(Boolean)];
  if ((f.bool('authentication-token-webhook') || f.string('authorization-mode') === 'Webhook') && !(kubeconfigSet || existsSync(kubeconfigFlag)) && apiServers.length === 0) {
    throw new KubeletConfigError('--authentication-token-webhook and --authorization-mode=Webhook ask the API server: give --kubeconfig or --api-servers');
  }
  let evictionThresholds: Threshold[];
  try {
    evictionThresholds = parseEvictionConfig({ hard: f.eviction('eviction-hard'), soft: f.eviction('eviction-soft'), softGracePeriod: f.map('eviction-soft-grace-period'), minimumReclaim: f.map('eviction-minimum-reclaim') });
  } catch (e) {
    if (e instanceof EvictionConfigError) throw new KubeletConfigError(e.message);
    throw e;
  }
  const imageGC: ImageGCPolicy = { highThresholdPercent: f.number('image-gc-high-threshold'), lowThresholdPercent: f.number('image-gc-low-threshold'), minAgeMs: f.duration('minimum-image-ttl-duration') };
  const badImageGC = validateImageGCPolicy(imageGC);
  if (badImageGC) throw new KubeletConfigError(badImageGC);
  return {
    nodeName,
    rootDir: f.string('root-dir'),
    kubeconfig: kubeconfigSet || bootstrapKubeconfig || existsSync(kubeconfigFlag) ? kubeconfigFlag : undefined,
    bootstrapKubeconfig,
    master: apiServers[0],
    kubeApiQps: f.number('kube-api-qps'),
    kubeApiBurst: f.number('kube-api-burst'),
    eventQps: f.number('event-qps'),
    eventBurst: f.number('event-burst'),
    podManifestPath: f.string('pod-manifest-path'),
    fileCheckFrequencyMs: f.duration('file-check-frequency'),
    manifestUrl: f.string('manifest-url'),
    manifestUrlHeader: f.string('manifest-url-header'),
    httpCheckFrequencyMs: f.duration('http-check-frequency'),
    syncFrequencyMs: f.duration('sync-frequency'),
    runOnce: f.bool('runonce'),
    dockerEndpoint: f.string('docker-endpoint'),
    // The default is the locally built image; an operator's own image is pulled (or, when
    // unreachable, built locally under that name).
    podInfraImage: f.isSet('pod-infra-container-image') ? f.string('pod-infra-container-image') : undefined,
    serializeImagePulls: f.bool('serialize-image-pulls'),
    registryQps: f.number('registry-qps'),
    registryBurst: f.number('registry-burst'),
    imagePullProgressDeadlineMs: f.duration('image-pull-progress-deadline'),
    allowPrivileged: f.bool('allow-privileged'),
    hostNetworkSources: [...f.list('host-network-sources')],
    hostPIDSources: [...f.list('host-pid-sources')],
    hostIPCSources: [...f.list('host-ipc-sources')],
    clusterDNS: [...f.list('cluster-dns')].filter(Boolean),
    clusterDomain: f.string('cluster-domain'),
    resolvConf: f.string('resolv-conf'),
    networkPlugin,
    cniConfDir: f.string('cni-conf-dir'),
    cniBinDirs: binDirs,
    podCIDR: f.string('pod-cidr'),
    nonMasqueradeCIDR: f.string('non-masquerade-cidr'),
    hairpinMode: enumOf(f.string('hairpin-mode'), ['promiscuous-bridge', 'hairpin-veth', 'none'] as const, 'hairpin-mode'),
    kubenetBridge: 'cbr0',
    cpuCFSQuota: f.bool('cpu-cfs-quota'),
    maxPods,
    podsPerCore: f.number('pods-per-core'),
    kubeReserved: { ...f.map('kube-reserved') },
    systemReserved: { ...f.map('system-reserved') },
    registerNode: f.bool('register-node'),
    registerSchedulable: f.bool('register-schedulable'),
    nodeLabels: { ...f.map('node-labels') },
    nodeStatusUpdateFrequencyMs: f.duration('node-status-update-frequency'),
    nodeIP: f.string('node-ip'),
    healthzBindAddress: f.string('healthz-bind-address'),
    healthzPort: port,
    enableServer: !f.bool('runonce') && f.bool('enable-server'),
    address: f.string('address'),
    port: serverPort,
    readOnlyPort,
    tlsCertFile: f.string('tls-cert-file'),
    tlsPrivateKeyFile: f.string('tls-private-key-file'),
    certDir: f.string('cert-dir'),
    anonymousAuth: f.bool('anonymous-auth'),
    clientCAFile: f.string('client-ca-file'),
    authenticationTokenWebhook: f.bool('authentication-token-webhook'),
    authorizationMode: enumOf(f.string('authorization-mode'), ['AlwaysAllow', 'Webhook'] as const, 'authorization-mode'),
    enableDebuggingHandlers: f.bool('enable-debugging-handlers'),
    streamingConnectionIdleTimeoutMs: f.duration('streaming-connection-idle-timeout'),
    masterServiceNamespace: f.string('master-service-namespace'),
    maxDeadPerContainer: f.number('maximum-dead-containers-per-container'),
    evictionThresholds,
    evictionPressureTransitionPeriodMs: f.duration('eviction-pressure-transition-period'),
    evictionMaxPodGracePeriodSeconds: f.number('eviction-max-pod-grace-period'),
    imageGC,
    containerGCMinAgeMs: f.duration('minimum-container-ttl-duration'),
    maxDeadContainers: f.number('maximum-dead-containers'),
    volumeStatsAggPeriodMs: f.duration('volume-stats-agg-period'),
    evictionMonitoringPeriodMs: 10_000,
    imageGCPeriodMs: 5 * 60_000,
    containerGCPeriodMs: 60_000,
    oomScoreAdj: f.number('oom-score-adj'),
    machineIdFiles: f.string('machine-id-file').split(',').filter(Boolean),
    bootIdFiles: f.string('boot-id-file').split(',').filter(Boolean),
    log,
  };
}

function listerOrGet<T extends ConfigMap | Secret | PersistentVolumeClaim>(lister: Lister<DeepReadonly<T>> | undefined, get: ReturnType<typeof clientLookup<T>> | undefined) {
  const ls = [lister ? listerLookup<T>(lister) : undefined, get].filter((x): x is NonNullable<typeof x> => x !== undefined);
  return ls.length ? firstOf<T>(...ls) : { get: async () => undefined };
}

/** Runs the kubelet until signal aborts. Resolves 0 normally, or runonce's exit code. */
export async function runKubelet(cfg: KubeletConfig, signal: AbortSignal): Promise<number> {
  const log = cfg.log;
  await mkdir(cfg.rootDir, { recursive: true });
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  // Every informer, loop and watch listens on it: more than Node's default warning threshold.
  setMaxListeners(200, stop.signal);

  // --- API client (or standalone)
  let client: RestClient | undefined;
  let eventClient: RestClient | undefined;
  if (!cfg.runOnce && cfg.bootstrapKubeconfig && cfg.kubeconfig) {
    // TLS bootstrapping: blocks until --kubeconfig holds a signed client certificate.
    await bootstrapClientCertificate({ nodeName: cfg.nodeName, bootstrapKubeconfig: cfg.bootstrapKubeconfig, kubeconfig: cfg.kubeconfig, certDir: cfg.certDir, log: log.child({ component: 'bootstrap' }) }, signal);
  }
  if (!cfg.runOnce && (cfg.kubeconfig || cfg.master)) {
    const rc = loadRestConfig({ kubeconfig: cfg.kubeconfig, master: cfg.master });
    log.info('connecting to the API server', { config: describeConfig(rc), node: cfg.nodeName });
    client = new RestClient(rc, { qps: cfg.kubeApiQps, burst: cfg.kubeApiBurst, userAgent: 'kubelet', log });
    eventClient = new RestClient(rc, { qps: cfg.kubeApiQps, burst: cfg.kubeApiBurst, userAgent: 'kubelet', log });
  } else if (!cfg.runOnce) {
    log.warn('no API server configured (no --kubeconfig file, no --api-servers): running standalone, static pods only');
  }

  // --- runtime
  const oomScoreAdjFloor = applyOwnOOMScoreAdj(cfg.oomScoreAdj, log);
  const runtime = new DockerRuntime({
    oomScoreAdjFloor,
    endpoint: cfg.dockerEndpoint,
    node: cfg.nodeName,
    podInfraImage: cfg.podInfraImage ?? PAUSE_IMAGE,
    serializeImagePulls: cfg.serializeImagePulls,
    registryQps: cfg.registryQps,
    registryBurst: cfg.registryBurst,
    pullProgressDeadlineMs: cfg.imagePullProgressDeadlineMs,
    log,
  });
  const runtimeVersion = await waitForDocker(runtime, log, stop.signal);
  if (!runtimeVersion) return 0;
  const infraImage = await ensureInfraImage(runtime, cfg.dockerEndpoint, cfg.podInfraImage, log);
  if (stop.signal.aborted) return 0;
  log.info('container runtime ready', { runtime: runtimeVersion, podInfraImage: infraImage });

  // --- node facts
  const machine = readMachineInfo({ rootDir: cfg.rootDir, machineIdFiles: cfg.machineIdFiles, bootIdFiles: cfg.bootIdFiles });
  const capacity = capacityOf({ machine, maxPods: cfg.maxPods, podsPerCore: cfg.podsPerCore });
  const allocatable = allocatableOf(capacity, cfg.kubeReserved, cfg.systemReserved);
  const nodeIP = detectNodeIP(cfg.nodeIP);
  let hostResolv = { nameservers: [] as string[], searches: [] as string[], options: [] as string[] };
  if (cfg.resolvConf) {
    try {
      hostResolv = parseResolvConf(readFileSync(cfg.resolvConf, 'utf8'));
    } catch (e) {
      log.warn('cannot read --resolv-conf; pods with dnsPolicy Default get no nameserver', { file: cfg.resolvConf, err: (e as Error).message });
    }
  }
  const dns: DnsSettings = { clusterDNS: cfg.clusterDNS, clusterDomain: cfg.clusterDomain, host: hostResolv };

  // --- network
  const store = new NetworkStore(join(cfg.rootDir, 'network'));
  store.load();
  const { network, auto } = selectNetwork({
    plugin: cfg.networkPlugin,
    withApi: client !== undefined,
    podCIDR: cfg.podCIDR,
    cniConfDir: cfg.cniConfDir,
    cniBinDirs: cfg.cniBinDirs,
    kubenetBridge: cfg.kubenetBridge,
    nonMasqueradeCIDR: cfg.nonMasqueradeCIDR,
    hairpinMode: cfg.hairpinMode,
    rootDir: cfg.rootDir,
    store,
    sandboxIP: async (id) => (await runtime.inspect(id))?.ip,
    iptables: () => openIptables(),
    log,
  });
  if (cfg.podCIDR && network.setPodCIDR) await network.setPodCIDR(cfg.podCIDR);
  log.info('network plugin', { plugin: network.name, podCIDR: cfg.podCIDR || '(from the node)' });

  // --- informers
  const factory = client ? new SharedInformerFactory(client, { log }) : undefined;
  const podsInf = factory?.informerFor(resources.pods, { fieldSelector: `spec.nodeName=${cfg.nodeName}` });
  const servicesInf = factory?.informerFor(resources.services);
  const cmInf = factory?.informerFor(resources.configmaps);
  const secretInf = factory?.informerFor(resources.secrets);
  const configMaps = listerOrGet<ConfigMap>(cmInf?.lister as Lister<DeepReadonly<ConfigMap>> | undefined, client ? clientLookup(client, resources.configmaps) : undefined);
  const secrets = listerOrGet<Secret>(secretInf?.lister as Lister<DeepReadonly<Secret>> | undefined, client ? clientLookup(client, resources.secrets) : undefined);
  const volumeSources: VolumeSources = {
    configMaps,
    secrets,
    persistentVolumeClaims: client ? clientLookup<PersistentVolumeClaim>(client, resources.persistentvolumeclaims) : { get: async () => undefined },
    persistentVolumes: client ? firstOfCluster<PersistentVolume>(clusterClientLookup(client, resources.persistentvolumes)) : { get: async () => undefined },
  };

  // --- events
  const broadcaster = eventClient ? new EventBroadcaster(eventClient, { qps: cfg.eventQps, burst: cfg.eventBurst, log }) : undefined;
  const recorder: EventRecorder = broadcaster?.newRecorder({ component: 'kubelet', host: cfg.nodeName }) ?? { event: () => undefined };

  // --- the parts
  const podManager = new PodManager();
  const pleg = new GenericPLEG({
    runtime,
    log,
    sandboxIPs: (s: RuntimeContainer) => network.podIPs(s.id) ?? (s.ip ? [s.ip] : undefined),
    enrich: (c) => fillTerminationMessage(runtime, c),
  });
  let kubelet: Kubelet | undefined;
  const prober = new KubeletProberManager({
    targets: {
      podIP: (uid) => kubelet?.podIP(uid),
      exec: async (id, cmd, timeoutMs) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (b: Buffer) => chunks.push(b));
        const exitCode = await runtime.exec(id, cmd, { stdout: out, stderr: out }, timeoutMs);
        return { exitCode, output: Buffer.concat(chunks).toString('utf8') };
      },
    },
    log,
    userAgent: `kube-probe/${KUBERNETES_VERSION.replace(/^v/, '').split('.').slice(0, 2).join('.')}`,
    recordFailure: (uid, container, kind, message) => {
      const d = podManager.get(uid);
      if (!d) return;
      recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace: d.pod.metadata.namespace, name: d.pod.metadata.name, uid, fieldPath: `spec.containers{${container}}` }, 'Warning', 'Unhealthy', `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message}`);
    },
  });
  const volumes = new DiskVolumeManager({ rootDir: cfg.rootDir, sources: volumeSources, log, nodeAllocatable: () => allocatable });
  const crashBackoff = new Backoff(CRASH_BACKOFF_INITIAL_MS, CRASH_BACKOFF_MAX_MS);
  const imageBackoff = new Backoff(IMAGE_BACKOFF_INITIAL_MS, IMAGE_BACKOFF_MAX_MS);
  const runtimeManager = new RuntimeManager({
    runtime,
    network,
    volumes,
    prober,
    recorder,
    log,
    clock: realClock,
    rootDir: cfg.rootDir,
    crashBackoff,
    imageBackoff,
    envSources: { configMap: (ns, n) => configMaps.get(ns, n), secret: (ns, n) => secrets.get(ns, n) },
    serviceEnv: (pod) => kubelet?.serviceEnv(pod) ?? new Map(),
    nodeAllocatable: () => allocatable,
    hostIP: () => nodeIP,
    dns,
    pullSecrets: (pod) => pullSecretAuths(pod, secrets.get),
    memoryCapacityBytes: machine.memoryBytes,
    cpuCFSQuota: cfg.cpuCFSQuota,
  });
  const statusManager = new KubeletStatusManager({ client: client ?? nullClient(), target: (uid) => (client ? kubelet?.statusTarget(uid) : undefined), log });
  const sources: PodSource[] = [];
  // The eviction manager (below) answers admission; the kubelet asks only once it exists.
  let evictionManager: KubeletEvictionManager | undefined;
  if (podsInf) sources.push('api');
  if (cfg.podManifestPath) sources.push('file');
  if (cfg.manifestUrl) sources.push('http');
  kubelet = new Kubelet({
    nodeName: cfg.nodeName,
    rootDir: cfg.rootDir,
    runtime,
    runtimeManager,
    network,
    volumes,
    prober,
    pleg,
    podManager,
    statusManager,
    recorder,
    mirrors: client ? new MirrorClient(client) : undefined,
    services: servicesInf?.lister as Lister<DeepReadonly<Service>> | undefined,
    admit: { allowPrivileged: cfg.allowPrivileged, hostNetworkSources: cfg.hostNetworkSources, hostPIDSources: cfg.hostPIDSources, hostIPCSources: cfg.hostIPCSources },
    masterServiceNamespace: cfg.masterServiceNamespace,
    sources,
    syncFrequencyMs: cfg.syncFrequencyMs,
    maxDeadPerContainer: cfg.maxDeadPerContainer,
    crashBackoff,
    imageBackoff,
    hostIP: () => nodeIP,
    log,
    admitPod: (pod) => evictionManager?.admit(pod) ?? { admit: true },
  });

  // --- resource management: stats (/stats/summary), eviction, image and container GC
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const resourceMetrics = new ResourceMetrics(metricsRegistry);
  const statsRuntime = new DockerStatsRuntime(runtime.docker, () => runtime.list());
  const statsProvider = new StatsProvider({
    nodeName: cfg.nodeName,
    rootDir: cfg.rootDir,
    memoryCapacityBytes: machine.memoryBytes,
    nodeStartTime: new Date(Date.now() - uptime() * 1000),
    cgroups: new CgroupFs(),
    runtime: statsRuntime,
    pods: () => podManager.all().map((d) => d.pod),
    duPeriodMs: cfg.volumeStatsAggPeriodMs,
  });
  const nodeRef = { kind: 'Node', apiVersion: 'v1', name: cfg.nodeName, uid: cfg.nodeName };
  const k = kubelet;
  const containerGC = new ContainerGC({
    policy: { minAgeMs: cfg.containerGCMinAgeMs, maxPerPodContainer: cfg.maxDeadPerContainer, maxContainers: cfg.maxDeadContainers },
    list: () => runtime.list(),
    remove: (id) => runtime.remove(id),
    podExists: (uid) => k.podExists(uid),
    allSourcesReady: () => k.sourcesReady(),
    busy: (uid) => k.workers.busy(uid),
    periodMs: cfg.containerGCPeriodMs,
    metrics: resourceMetrics,
    log,
  });
  const imageGC = new ImageGCManager({
    policy: cfg.imageGC,
    images: new DockerImageService(runtime.docker, () => statsRuntime.dataRoot()),
    podInfraImage: infraImage,
    only: cfg.imageGCOnly,
    periodMs: cfg.imageGCPeriodMs,
    recorder,
    nodeRef,
    metrics: resourceMetrics,
    log,
  });
  evictionManager = new KubeletEvictionManager({
    thresholds: cfg.evictionThresholds,
    pressureTransitionPeriodMs: cfg.evictionPressureTransitionPeriodMs,
    maxPodGracePeriodSeconds: cfg.evictionMaxPodGracePeriodSeconds,
    monitoringPeriodMs: cfg.evictionMonitoringPeriodMs,
    summary: statsProvider,
    hasDedicatedImageFs: async () => (await stat(cfg.rootDir)).dev !== (await stat(await statsRuntime.dataRoot())).dev,
    activePods: () => k.activePods(),
    evictPod: (pod, status, grace) => k.evictPod(pod, status, grace),
    podCleanedUp: (uid) => k.podCleanedUp(uid),
    reclaim: { deleteAllUnusedContainers: () => containerGC.deleteAllUnusedContainers(), deleteUnusedImages: () => imageGC.deleteUnusedImages() },
    recorder,
    nodeRef,
    metrics: resourceMetrics,
    log,
  });
  const pressure = evictionManager;
  if (cfg.evictionThresholds.length) log.info('eviction thresholds', { thresholds: cfg.evictionThresholds.map((t) => `${t.signal}<${t.value.quantity ?? `${(t.value.percentage ?? 0) * 100}%`}${t.gracePeriodMs ? `/${t.gracePeriodMs / 1000}s` : ''}`).join(',') });

  // --- sources feed the pod manager
  const fileSource = cfg.podManifestPath ? new FileSource({ path: cfg.podManifestPath, nodeName: cfg.nodeName, periodMs: cfg.fileCheckFrequencyMs, update: (pods) => podManager.setSource('file', pods), log }) : undefined;
  const httpSource = cfg.manifestUrl ? new HttpSource({ url: cfg.manifestUrl, header: cfg.manifestUrlHeader, nodeName: cfg.nodeName, periodMs: cfg.httpCheckFrequencyMs, update: (pods) => podManager.setSource('http', pods), log }) : undefined;

  if (cfg.runOnce) {
    const code = await runOnce({ kubelet, podManager, pleg, fileSource, httpSource, log, signal: stop.signal });
    signal.removeEventListener('abort', onAbort);
    return code;
  }

  // --- healthz
  const healthz = cfg.healthzPort !== 0 ? await startHealthz(cfg.healthzBindAddress, Math.max(0, cfg.healthzPort), [{ name: 'pleg', check: () => pleg.healthy() }]) : undefined;
  if (healthz) cfg.onHealthz?.(healthz.port);

  // --- the kubelet's server: the API server's pods/log, exec, attach and port-forward land here.
  // It listens before the node registers, so the node status names the port actually taken.
  let server: KubeletServer | undefined;
  let serverPort = cfg.port;
  if (cfg.enableServer) {
    const secured = cfg.clientCAFile !== '' || cfg.authenticationTokenWebhook || cfg.authorizationMode !== 'AlwaysAllow' || !cfg.anonymousAuth;
    const auth = secured
      ? new KubeletAuth({
          anonymous: cfg.anonymousAuth,
          clientCertificates: cfg.clientCAFile !== '',
          tokenWebhook: cfg.authenticationTokenWebhook,
          authorization: cfg.authorizationMode,
          nodeName: cfg.nodeName,
          reviews: client ? apiReviews(client) : undefined,
        })
      : undefined;
    server = new KubeletServer({
      address: cfg.address,
      port: cfg.port,
      readOnlyPort: cfg.readOnlyPort,
      auth,
      tls: {
        certFile: cfg.tlsCertFile || undefined,
        keyFile: cfg.tlsPrivateKeyFile || undefined,
        certDir: cfg.certDir,
        hostname: cfg.nodeName,
        addresses: nodeIP ? [nodeIP] : [],
        clientCA: cfg.clientCAFile ? readFileSync(cfg.clientCAFile) : undefined,
      },
      enableDebuggingHandlers: cfg.enableDebuggingHandlers,
      runtime,
      locator: new RuntimeLocator(runtime, () => kubelet?.podsWithStatus() ?? []),
      pods: () => kubelet?.podsWithStatus() ?? [],
      attacher: new DockerAttacher(runtime.docker),
      machineInfo: () => machine,
      metrics: metricsRegistry,
      statsSummary: () => statsProvider.summary(),
      healthz: () => pleg.healthy(),
      streamingConnectionIdleTimeoutMs: cfg.streamingConnectionIdleTimeoutMs,
      log,
    });
    let listening: Listening;
    try {
      listening = await server.start();
    } catch (e) {
      await healthz?.close();
      throw new Error(`the kubelet's server cannot listen on ${cfg.address}:${cfg.port} (--address, --port, --read-only-port=${cfg.readOnlyPort}): ${(e as Error).message}`);
    }
    serverPort = listening.port;
    cfg.onServer?.(listening);
  }

  // --- node registration and status
  const reporter = client
    ? new NodeStatusReporter({
        client,
        nodeName: cfg.nodeName,
        register: cfg.registerNode,
        registerSchedulable: cfg.registerSchedulable,
        labels: { 'kubernetes.io/hostname': cfg.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': goArch(), 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': goArch(), ...cfg.nodeLabels },
        periodMs: cfg.nodeStatusUpdateFrequencyMs,
        onPodCIDR: async (cidr) => {
          if (!cfg.podCIDR && network.setPodCIDR) await network.setPodCIDR(cidr);
        },
        status: async (previous) => {
          let images: { names: string[]; sizeBytes: number }[] | undefined;
          try {
            images = (await runtime.docker.listImages()).map((i) => ({ names: [...(i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), ...(i.RepoDigests ?? [])], sizeBytes: i.Size })).filter((i) => i.names.length > 0).sort((a, b) => b.sizeBytes - a.sizeBytes);
          } catch {
            images = undefined;
          }
          const problems: string[] = [];
          const ns = network.status();
          if (!ns.ready) problems.push(`runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:${ns.message ?? ''}`);
          const h = pleg.healthy();
          if (!h.ok) problems.push(h.message ?? 'PLEG is not healthy');
          return buildNodeStatus({
            machine,
            maxPods: cfg.maxPods,
            podsPerCore: cfg.podsPerCore,
            kubeReserved: cfg.kubeReserved,
            systemReserved: cfg.systemReserved,
            addresses: [...(nodeIP ? [{ type: 'InternalIP', address: nodeIP }] : []), { type: 'Hostname', address: cfg.nodeName }],
            kubeletVersion: KUBERNETES_VERSION,
            runtimeVersion,
            kubeletPort: serverPort,
            notReady: problems.length ? problems.join(', ') : undefined,
            images,
            pressure: { memory: pressure.isUnderMemoryPressure(), disk: pressure.isUnderDiskPressure() },
            previous,
            now: new Date(),
          });
        },
        log,
      })
    : undefined;

  // --- run
  const background: Promise<unknown>[] = [];
  background.push(pleg.run(stop.signal));
  background.push(prober.run(stop.signal));
  background.push(statusManager.run(stop.signal));
  if (broadcaster) background.push(broadcaster.run(stop.signal));
  if (reporter) background.push(reporter.run(stop.signal));
  background.push(pressure.run(stop.signal), imageGC.run(stop.signal), containerGC.run(stop.signal));
  // Adopt before syncing: the first relist must have happened (statusNewerThan waits for it anyway).
  await pleg.statusNewerThan('', 0, stop.signal);
  if (factory) {
    factory.start(stop.signal);
    background.push(
      (async () => {
        if (!(await factory.waitForCacheSync(stop.signal)) || !podsInf) return;
        // API pods are handled only once Services, ConfigMaps and Secrets are cached too, so a
        // container is never created without its service variables. Handlers added after the sync
        // hear an add for every cached pod.
        podsInf.onAdd((p) => podManager.apiUpsert(p as DeepReadonly<Pod>));
        podsInf.onUpdate((_o, p) => podManager.apiUpsert(p as DeepReadonly<Pod>));
        podsInf.onDelete((p) => podManager.apiDelete(p as DeepReadonly<Pod>));
        podManager.markReported('api');
        cmInf?.onUpdate((_o, n) => kubelet?.objectChanged('ConfigMap', n.metadata.namespace ?? '', n.metadata.name ?? ''));
        secretInf?.onUpdate((_o, n) => kubelet?.objectChanged('Secret', n.metadata.namespace ?? '', n.metadata.name ?? ''));
      })(),
    );
  }
  if (fileSource) background.push(fileSource.run(stop.signal));
  if (httpSource) background.push(httpSource.run(stop.signal));
  if (auto && reporter) {
    // The first node status pass reports the node's pod CIDR, if it has one; without one, Docker's bridge serves pods.
    const a = auto;
    background.push(
      (async () => {
        for (let i = 0; i < 20 && !stop.signal.aborted && !reporter.isRegistered; i++) await realClock.sleep(250, stop.signal);
        await realClock.sleep(500, stop.signal);
        if (!stop.signal.aborted && a.name === 'auto') {
          a.useBridge();
          log.info("the node has no pod CIDR and no --network-plugin is set: pods use Docker's bridge");
        }
      })(),
    );
  }
  cfg.onStarted?.(kubelet);
  log.info('kubelet started', { node: cfg.nodeName, rootDir: cfg.rootDir, sources: sources.join(',') || 'none' });
  try {
    await kubelet.run(stop.signal);
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await factory?.shutdown();
    await Promise.allSettled(background);
    await broadcaster?.flush().catch(() => undefined);
    await healthz?.close();
    await server?.close();
    client?.close();
    eventClient?.close();
  }
  return 0;
}

/** A client for standalone mode: every call fails (nothing is ever written). */
function nullClient(): RestClient {
  return new RestClient({ server: 'http://127.0.0.1:1', source: 'standalone' });
}
