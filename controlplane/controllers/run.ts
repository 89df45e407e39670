/**
 * The kube-controller-manager daemon: wires the clients, the shared
 * informers, the event broadcaster, the HTTP endpoint and (optionally)
 * leader election around the enabled controllers.
 *
 * Order matters: controllers are constructed (their informer handlers
 * registered) before the informer factory starts, so no event is missed;
 * each controller waits for the caches it reads before its workers start.
 * With --leader-elect, controllers are built and run only while leading, as
 * upstream does; the HTTP endpoint serves either way.
 *
 * Each controller gets its own REST client, hence its own
 * --kube-api-qps/--kube-api-burst token bucket (upstream's per-controller
 * clients): a garbage collector deleting 10,000 pods cannot starve the
 * endpoints controller.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { realClock } from '../client/clock.js';
import { EventBroadcaster } from '../client/events.js';
import { SharedInformerFactory } from '../client/factory.js';
import { describeConfig, loadRestConfig } from '../client/kubeconfig.js';
import { LeaderElector } from '../client/leaderelection.js';
import { RestClient } from '../client/rest.js';
import { resources } from '../client/resources.js';
import { InstrumentedQueue } from './common/queue.js';
import type { Controller, ControllerContext } from './common/types.js';
import type { ControllerManagerOptions } from './config.js';
import { CSRApprovingController } from './certificates/approver.js';
import { CSRSigningController } from './certificates/signer.js';
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetController } from './daemonset/controller.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { GarbageCollector } from './garbagecollector/collector.js';
import { JobController } from './job/controller.js';
import { TTLAfterFinishedController } from './job/ttl.js';
import { ControllerManagerMetrics } from './metrics.js';
import { DONE_ELSEWHERE, enabledControllers, IMPLEMENTED } from './names.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { PodGCController } from './podgc/controller.js';
import { PodAutoscalerController } from './podautoscaler/controller.js';
import { ReplicaController } from './replicaset/controller.js';
import { replicaSetKind, replicationControllerKind } from './replicaset/kinds.js';
import { startServer, type RunningServer } from './server.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { TokensController } from './serviceaccount/tokens.js';
import { StatefulSetController } from './statefulset/controller.js';

export type RunOutcome = 'stopped' | 'lost-leadership';

/** The event source each controller reports as (upstream's component names, as `kubectl describe` shows them). */
const EVENT_COMPONENT: Readonly<Record<string, string>> = {
  replicationcontroller: 'replication-controller',
  garbagecollector: 'garbage-collector-controller',
  serviceaccount: 'service-account-controller',
  nodelifecycle: 'node-controller',
  nodeipam: 'cidrAllocator',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
};

/** Builds one implemented controller, or undefined when it is switched off by another flag. */
function build(name: string, ctx: ControllerContext, opts: ControllerManagerOptions, metrics: ControllerManagerMetrics): Controller | undefined {
  const c = opts.concurrency;
  switch (name) {
    case 'replicaset':
      return new ReplicaController(ctx, replicaSetKind, { workers: c.replicaset });
    case 'replicationcontroller':
      return new ReplicaController(ctx, replicationControllerKind, { workers: c.rc });
    case 'deployment':
      return new DeploymentController(ctx, { workers: c.deployment, resyncMs: opts.deploymentSyncPeriodMs });
    case 'endpoint':
      return new EndpointsController(ctx, { workers: c.endpoint });
    case 'endpointslice':
      return new EndpointSliceController(ctx, c.endpoint);
    case 'serviceaccount':
      return new ServiceAccountsController(ctx, { workers: c.serviceaccount });
    case 'job':
      return new JobController(ctx, { workers: c.job });
    case 'ttl-after-finished':
      return new TTLAfterFinishedController(ctx);
    case 'garbagecollector':
      return opts.enableGarbageCollector ? new GarbageCollector(ctx, { workers: c.gc }) : undefined;
    case 'nodelifecycle':
      return new NodeLifecycleController(ctx, { ...opts.nodeLifecycle, registry: metrics.registry });
    case 'nodeipam':
      return opts.nodeIpam.allocateNodeCIDRs ? new NodeIpamController(ctx, { ...opts.nodeIpam, registry: metrics.registry }) : undefined;
    case 'podgc':
      return new PodGCController(ctx, { ...opts.podGC, registry: metrics.registry });
    case 'daemonset':
      return new DaemonSetController(ctx);
    case 'statefulset':
      return new StatefulSetController(ctx);
    case 'cronjob':
      return new CronJobController(ctx);
    case 'serviceaccount-token':
      if (!opts.serviceAccountPrivateKeyFile) return undefined;
      return new TokensController(ctx, {
        privateKeyPEM: readFileSync(opts.serviceAccountPrivateKeyFile),
        rootCA: opts.rootCAFile ? readFileSync(opts.rootCAFile) : undefined,
        workers: c.serviceaccountToken,
      });
    case 'horizontalpodautoscaling':
      return new PodAutoscalerController(ctx, opts.hpa);
    case 'csrsigning':
      if (!opts.clusterSigningCertFile || !opts.clusterSigningKeyFile) return undefined;
      return new CSRSigningController(ctx, { certFile: opts.clusterSigningCertFile, keyFile: opts.clusterSigningKeyFile });
    case 'csrapproving':
      return new CSRApprovingController(ctx);
  }
  return undefined;
}

/** Runs until signal aborts ('stopped') or, with leader election, until leadership is lost. Throws on bad configuration. */
export async function runControllerManager(opts: ControllerManagerOptions, signal: AbortSignal): Promise<RunOutcome> {
  const log = opts.log;
  const restConfig = loadRestConfig({ kubeconfig: opts.kubeconfig, master: opts.master });
  log.info('connecting to the API server', { config: describeConfig(restConfig), qps: opts.kubeApiQps, burst: opts.kubeApiBurst });
  // The client speaks JSON only: say so once here rather than once per controller's client.
  let contentType = opts.kubeApiContentType;
  if (contentType && contentType !== 'application/json') {
    log.warn(`--kube-api-content-type=${contentType} is not supported by this client yet; using application/json`);
    contentType = 'application/json';
  }
  const clients: RestClient[] = [];
  const newClient = (who: string) => {
    const c = new RestClient(restConfig, { qps: opts.kubeApiQps, burst: opts.kubeApiBurst, contentType, userAgent: `kube-controller-manager/${who}`, log });
    clients.push(c);
    return c;
  };

  // Everything below stops on `stop`: the caller's signal, or lost leadership.
  const stop = new AbortController();
  // Dozens of informers, timers and watches listen on these signals: above Node's default warning threshold.
  setMaxListeners(1000, stop.signal);
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });

  const metrics = new ControllerManagerMetrics(true);
  const factory = new SharedInformerFactory(newClient('shared-informers'), { resyncMs: opts.minResyncPeriodMs, log });
  const broadcaster = new EventBroadcaster(newClient('events'), { log });
  const background: Promise<void>[] = [broadcaster.run(stop.signal)];

  let server: RunningServer | undefined;
  if (opts.port !== 0) {
    server = await startServer({ address: opts.address, port: opts.port < 0 ? 0 : opts.port, profiling: opts.profiling, metrics, log });
    opts.onServing?.(server.port);
  }

  const runControllers = async (leading: AbortSignal): Promise<void> => {
    setMaxListeners(1000, leading);
    const enabled = enabledControllers(opts.controllers);
    const controllers: Controller[] = [];
    for (const name of enabled) {
      if (!IMPLEMENTED.has(name)) {
        // One line each; a warning when asked for by name, information when only `*` brought it in.
        const named = opts.controllers.includes(name);
        if (DONE_ELSEWHERE[name]) log.info(`controller "${name}" is not run here: ${DONE_ELSEWHERE[name]}`);
        else if (named) log.warn(`controller "${name}" is not implemented in kubets; skipping`);
        else log.info(`controller "${name}" is not implemented in kubets; skipping`);
        continue;
      }
      const ctx: ControllerContext = {
        client: newClient(name),
        informers: factory,
        clock: realClock,
        log: log.child({ controller: name }),
        recorder: broadcaster.newRecorder({ component: EVENT_COMPONENT[name] ?? `${name}-controller` }),
        newQueue: (q, o) => new InstrumentedQueue(q, metrics, realClock, o),
      };
      const c = build(name, ctx, opts, metrics);
      if (!c) {
        log.info(`controller "${name}" is disabled`, name === 'garbagecollector' ? { reason: '--enable-garbage-collector=false' } : name === 'serviceaccount-token' ? { reason: 'no --service-account-private-key-file' } : name === 'csrsigning' ? { reason: 'no --cluster-signing-cert-file/--cluster-signing-key-file' } : {});
        continue;
      }
      controllers.push(c);
    }
    factory.start(leading);
    const running: Promise<void>[] = [];
    for (const c of controllers) {
      log.info('Started controller', { controller: c.name });
      metrics.running.set({ name: c.name, manager: 'kube-controller-manager' }, 1);
      running.push(
        c.run(leading).catch((e: unknown) => {
          log.error('controller failed', { controller: c.name, err: (e as Error).stack ?? String(e) });
        }),
      );
      // --controller-start-interval: spread the start-up load of many controllers.
      if (opts.controllerStartIntervalMs > 0) await realClock.sleep(opts.controllerStartIntervalMs, leading);
    }
    opts.onStarted?.(controllers.map((c) => c.name));
    await Promise.all(running);
    for (const c of controllers) metrics.running.set({ name: c.name, manager: 'kube-controller-manager' }, 0);
  };

  let outcome: RunOutcome = 'stopped';
  try {
    if (opts.leaderElect) {
      const elector = new LeaderElector({
        leases: newClient('leader-election').resource(resources.leases, opts.lockNamespace),
        name: opts.lockName,
        identity: opts.identity,
        leaseDurationMs: opts.leaseDurationMs,
        renewDeadlineMs: opts.renewDeadlineMs,
        retryPeriodMs: opts.retryPeriodMs,
        log,
        callbacks: {
          onStartedLeading: async (leading) => {
            metrics.leader.set({ name: opts.lockName }, 1);
            await runControllers(leading);
          },
          onStoppedLeading: () => metrics.leader.set({ name: opts.lockName }, 0),
          onNewLeader: (id) => log.info('new leader elected', { lease: `${opts.lockNamespace}/${opts.lockName}`, identity: id }),
        },
      });
      await elector.run(stop.signal);
      if (!signal.aborted) {
        log.error('leaderelection lost', { lease: `${opts.lockNamespace}/${opts.lockName}` });
        outcome = 'lost-leadership';
      }
    } else {
      await runControllers(stop.signal);
    }
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await factory.shutdown();
    await Promise.allSettled(background);
    await broadcaster.flush().catch(() => undefined);
    await server?.close();
    for (const c of clients) c.close();
  }
  return outcome;
}
