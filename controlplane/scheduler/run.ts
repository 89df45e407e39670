/**
 * The kube-scheduler daemon: wires the client, informers, cache, queue,
 * algorithm, event recorder, HTTP endpoint and (optionally) leader election
 * around the Scheduler loop.
 *
 * Order matters: handlers are registered before the informers start, so no
 * event is missed; the loop starts only after every informer synced (a
 * decision on a half-filled cache would overcommit nodes). Informers and the
 * endpoint run whether or not this instance leads, so a standby takes over
 * with a warm cache.
 */
import { setMaxListeners } from 'node:events';
import { LeaderElector } from '../client/leaderelection.js';
import { EventBroadcaster } from '../client/events.js';
import { SharedInformerFactory } from '../client/factory.js';
import { NAMESPACE_INDEX } from '../client/indexer.js';
import { loadRestConfig, describeConfig } from '../client/kubeconfig.js';
import { RestClient } from '../client/rest.js';
import { resources } from '../client/resources.js';
import { SchedulerCache } from './cache/cache.js';
import type { SchedulerOptions } from './config.js';
import { Algorithm } from './framework/algorithm.js';
import type { ClusterView } from './framework/types.js';
import { SchedulerMetrics } from './metrics.js';
import { SchedulingQueue } from './queue/queue.js';
import { Scheduler } from './scheduler.js';
import { startServer, type RunningServer } from './server.js';

export type RunOutcome = 'stopped' | 'lost-leadership';

/** Runs until signal aborts ('stopped') or, with leader election, until leadership is lost. Throws on bad configuration. */
export async function runScheduler(opts: SchedulerOptions, signal: AbortSignal): Promise<RunOutcome> {
  const log = opts.log;
  const restConfig = loadRestConfig({ kubeconfig: opts.kubeconfig, master: opts.master });
  log.info('connecting to the API server', { config: describeConfig(restConfig), qps: opts.kubeApiQps, burst: opts.kubeApiBurst });
  log.info('scheduling algorithm', {
    source: opts.profileSource,
    predicates: opts.profile.filters.map((f) => f.name).join(','),
    priorities: opts.profile.scores.map((s) => `${s.plugin.name}:${s.weight}`).join(','),
  });
  const client = new RestClient(restConfig, { qps: opts.kubeApiQps, burst: opts.kubeApiBurst, contentType: opts.kubeApiContentType, userAgent: 'kube-scheduler', log });

  // Everything below stops on `stop`: the caller's signal, or lost leadership.
  const stop = new AbortController();
  // Every informer, timer loop and watch listens on it: more than Node's default warning threshold of 10.
  setMaxListeners(100, stop.signal);
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });

  const factory = new SharedInformerFactory(client, { log });
  // Finished pods hold no resources; the apiserver's field selector keeps them out of the cache.
  const pods = factory.informerFor(resources.pods, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
  const nodes = factory.informerFor(resources.nodes);
  const services = factory.informerFor(resources.services);
  const rcs = factory.informerFor(resources.replicationcontrollers);
  const rss = factory.informerFor(resources.replicasets);
  const sts = factory.informerFor(resources.statefulsets);
  const pvcs = factory.informerFor(resources.persistentvolumeclaims);
  const pvs = factory.informerFor(resources.persistentvolumes);

  const metrics = new SchedulerMetrics(true);
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue();
  const algorithm = new Algorithm(opts.profile, { percentageOfNodesToScore: opts.percentageOfNodesToScore });
  const cluster: ClusterView = {
    get nodes() {
      return cache.nodes;
    },
    nodeInfo: (name) => cache.nodeInfo(name),
    servicesIn: (ns) => services.lister.byIndex(NAMESPACE_INDEX, ns),
    replicationControllersIn: (ns) => rcs.lister.byIndex(NAMESPACE_INDEX, ns),
    replicaSetsIn: (ns) => rss.lister.byIndex(NAMESPACE_INDEX, ns),
    statefulSetsIn: (ns) => sts.lister.byIndex(NAMESPACE_INDEX, ns),
    pvc: (ns, name) => pvcs.lister.get(`${ns}/${name}`),
    pv: (name) => pvs.lister.get(name),
    imageNodeCount: (img) => cache.imageNodeCount(img),
    hardPodAffinityWeight: opts.hardPodAffinitySymmetricWeight,
  };
  // Events get their own client and rate limiter, as upstream's eventClient: a burst of
  // Scheduled events must not eat the tokens binds need.
  const eventClient = new RestClient(restConfig, { qps: opts.kubeApiQps, burst: opts.kubeApiBurst, contentType: opts.kubeApiContentType, userAgent: 'kube-scheduler', log });
  const broadcaster = new EventBroadcaster(eventClient, { qps: 10, burst: 25, log });
  const recorder = broadcaster.newRecorder({ component: opts.schedulerName });
  const scheduler = new Scheduler({ client, cache, queue, algorithm, cluster, recorder, metrics, log, schedulerName: opts.schedulerName, observer: opts.observer });

  pods.onAdd(scheduler.onPodAdd);
  pods.onUpdate(scheduler.onPodUpdate);
  pods.onDelete(scheduler.onPodDelete);
  nodes.onAdd(scheduler.onNodeAdd);
  nodes.onUpdate(scheduler.onNodeUpdate);
  nodes.onDelete(scheduler.onNodeDelete);
  for (const inf of [services, pvcs, pvs]) {
    inf.onAdd(scheduler.onClusterChange);
    inf.onUpdate(scheduler.onClusterChange);
  }

  let server: RunningServer | undefined;
  if (opts.port !== 0) {
    server = await startServer({ address: opts.address, port: opts.port < 0 ? 0 : opts.port, profiling: opts.profiling, metrics, log });
    opts.onServing?.(server.port);
  }

  factory.start(stop.signal);
  const background = [broadcaster.run(stop.signal), queue.run(stop.signal), cache.run(stop.signal, (keys) => {
    metrics.expiredAssumptions.inc(keys.length);
    log.warn('assumed pods expired without their binding being observed', { pods: keys.join(',') });
  })];

  let outcome: RunOutcome = 'stopped';
  try {
    if (await factory.waitForCacheSync(stop.signal)) {
      log.info('caches synced', { nodes: cache.nodes.length, pods: cache.podCount });
      opts.onSynced?.();
      if (opts.leaderElect) {
        const elector = new LeaderElector({
          leases: client.resource(resources.leases, opts.lockNamespace),
          name: opts.lockName,
          identity: opts.identity,
          leaseDurationMs: opts.leaseDurationMs,
          renewDeadlineMs: opts.renewDeadlineMs,
          retryPeriodMs: opts.retryPeriodMs,
          log,
          callbacks: {
            onStartedLeading: async (leading) => {
              metrics.leader.set({ name: opts.lockName }, 1);
              await scheduler.run(leading);
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
        await scheduler.run(stop.signal);
      }
    }
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await factory.shutdown();
    await Promise.allSettled(background);
    await broadcaster.flush().catch(() => undefined);
    await server?.close();
    client.close();
    eventClient.close();
  }
  return outcome;
}
