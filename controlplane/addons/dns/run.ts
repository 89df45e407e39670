/**
 * The kube-dns daemon: informers on Services and Endpoints (and the kube-dns
 * ConfigMap with --config-map), the DNS sockets, the status server, and the
 * --config-dir poller, until the signal aborts.
 *
 * Order matters: the DNS sockets open before the caches sync (a name asked
 * too early is NXDOMAIN for 30 s at worst, as with upstream, whose skydns
 * also serves at once), but /healthz only says ok once every informer synced,
 * so a readiness probe or a supervisor waits for a full zone. Informers retry
 * on their own when the API server goes away, logging once per change.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMap, Endpoints, Service } from '../../api/core/v1/types.js';
import { SharedInformer } from '../../client/informer.js';
import { defaultIndexers } from '../../client/factory.js';
import { describeConfig, loadRestConfig } from '../../client/kubeconfig.js';
import { RestClient } from '../../client/rest.js';
import { resources } from '../../client/resources.js';
import { startStatusServer, type RunningStatusServer } from '../../machinery/debug/statusserver.js';
import type { DnsOptions } from './config.js';
import { DnsMetrics } from './metrics.js';
import { endpointsIndexers, serviceIndexers, type ClusterState } from './records/state.js';
import { DnsHandler } from './server/handler.js';
import { listenDns, type DnsListener } from './server/listen.js';
import { describeDynamicConfig, emptyDynamicConfig, formatNameserver, parseDynamicConfig, resolvConfNameservers, type DynamicConfig, type Nameserver } from './upstream.js';

/** The files a mounted kube-dns ConfigMap puts in --config-dir. */
const CONFIG_KEYS = ['stubDomains', 'upstreamNameservers'] as const;

export async function runDns(opts: DnsOptions, signal: AbortSignal): Promise<void> {
  const log = opts.log;
  const restConfig = loadRestConfig({ kubeconfig: opts.kubeconfig, master: opts.master });
  log.info('connecting to the API server', { config: describeConfig(restConfig) });
  const client = new RestClient(restConfig, { userAgent: 'kube-dns', log });

  const stop = new AbortController();
  setMaxListeners(50, stop.signal);
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();

  const services = new SharedInformer<Service>(client.resource(resources.services), {
    indexers: { ...defaultIndexers(resources.services), ...serviceIndexers },
    log: log.child({ informer: 'services' }),
    name: 'services',
  });
  const endpoints = new SharedInformer<Endpoints>(client.resource(resources.endpoints), {
    indexers: { ...defaultIndexers(resources.endpoints), ...endpointsIndexers },
    log: log.child({ informer: 'endpoints' }),
    name: 'endpoints',
  });
  const informers: SharedInformer<Service | Endpoints | ConfigMap>[] = [services as never, endpoints as never];
  const state: ClusterState = { services: services.lister, endpoints: endpoints.lister };

  const metrics = new DnsMetrics(opts.processMetrics);
  const count = () => {
    metrics.objects.set({ resource: 'services' }, services.indexer.size);
    metrics.objects.set({ resource: 'endpoints' }, endpoints.indexer.size);
  };
  for (const inf of [services, endpoints] as const) {
    inf.onAdd(count);
    inf.onDelete(count);
  }

  // Upstreams: --nameservers, else resolv.conf, read once as upstream does.
  let defaults: Nameserver[] = opts.nameservers ?? [];
  if (!opts.nameservers) {
    try {
      defaults = resolvConfNameservers(readFileSync(opts.resolvConf, 'utf8'));
    } catch (e) {
      log.warn('cannot read the upstream nameservers; names outside the cluster will get SERVFAIL', { file: opts.resolvConf, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
  }
  log.info('upstream nameservers', { from: opts.nameservers ? '--nameservers' : opts.resolvConf, servers: defaults.map(formatNameserver).join(',') || '(none)' });

  // The dynamic configuration: replaced as a whole on each valid change, kept on a bad one.
  let dynamic: DynamicConfig = emptyDynamicConfig();
  let lastConfigText = '';
  const applyConfig = (source: string, data: Readonly<Record<string, string>> | undefined) => {
    const text = JSON.stringify(data ?? {});
    if (text === lastConfigText) return;
    lastConfigText = text;
    try {
      dynamic = data ? parseDynamicConfig(data) : emptyDynamicConfig();
      log.info('configuration changed', { source, config: describeDynamicConfig(dynamic) });
    } catch (e) {
      log.error('invalid configuration, keeping the previous one', { source, err: (e as Error).message });
    }
  };
  if (opts.configMap) {
    const { namespace, name } = opts.configMap;
    log.info('using configuration read from ConfigMap', { configmap: `${namespace}/${name}` });
    const cms = new SharedInformer<ConfigMap>(client.resource(resources.configmaps, namespace), {
      fieldSelector: `metadata.name=${name}`,
      log: log.child({ informer: 'configmaps' }),
      name: 'configmaps',
    });
    const source = `configmap ${namespace}/${name}`;
    cms.onAdd((cm) => applyConfig(source, cm.data));
    cms.onUpdate((_, cm) => applyConfig(source, cm.data));
    cms.onDelete(() => applyConfig(source, undefined));
    informers.push(cms as never);
  }

  const handler = new DnsHandler({
    state,
    zone: { domain: opts.domain, ttl: opts.ttl, serial: Math.floor(Date.now() / 1000) },
    metrics,
    upstreams: () => defaults,
    dynamic: () => dynamic,
    forwardTimeoutMs: opts.forwardTimeoutMs,
    log,
  });

  let dns: DnsListener | undefined;
  let status: RunningStatusServer | undefined;
  const running = informers.map((i) => i.run(stop.signal));
  let poller: Promise<void> | undefined;
  try {
    dns = await listenDns({ address: opts.dnsBindAddress, port: opts.dnsPort, handler, log });
    log.info('serving DNS', { zone: opts.domain, address: opts.dnsBindAddress, port: dns.port, protocols: 'udp,tcp' });
    if (opts.healthzPort !== 0) {
      status = await startStatusServer({
        address: opts.healthzAddress,
        port: opts.healthzPort < 0 ? 0 : opts.healthzPort,
        profiling: opts.profiling,
        metrics,
        health: () => {
          const waiting = [services, endpoints, ...informers.slice(2)].filter((i) => !i.hasSynced());
          return waiting.length ? `waiting for the caches to sync (${waiting.length} informer(s))` : undefined;
        },
        log,
      });
    }
    opts.onServing?.({ dns: dns.port, healthz: status?.port });
    if (opts.configDir) poller = pollConfigDir(opts.configDir, opts.configPeriodMs, stop.signal, (d) => applyConfig(`directory ${opts.configDir}`, d), log);

    const slow = setTimeout(() => log.warn('the caches have not synced yet; still trying', { timeout: `${opts.initialSyncTimeoutMs / 1000}s` }), opts.initialSyncTimeoutMs);
    const synced = (await Promise.all(informers.map((i) => i.waitForSync(stop.signal)))).every(Boolean);
    clearTimeout(slow);
    if (synced) {
      count();
      log.info('caches synced', { services: services.indexer.size, endpoints: endpoints.indexer.size });
      opts.onSynced?.();
    }
    if (!stop.signal.aborted) await new Promise<void>((r) => stop.signal.addEventListener('abort', () => r(), { once: true }));
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await Promise.allSettled(running);
    await poller;
    await dns?.close();
    await status?.close();
    client.close();
  }
}

/** Reads --config-dir every period (the kubelet updates a mounted ConfigMap in place); missing files are empty keys. */
async function pollConfigDir(dir: string, periodMs: number, signal: AbortSignal, apply: (d: Record<string, string>) => void, log: ReturnType<DnsOptions['log']['child']>): Promise<void> {
  let lastErr = '';
  while (!signal.aborted) {
    const data: Record<string, string> = {};
    let err = '';
    for (const k of CONFIG_KEYS) {
      try {
        data[k] = readFileSync(join(dir, k), 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') err = `${k}: ${code ?? (e as Error).message}`;
      }
    }
    if (err !== lastErr) {
      if (err) log.warn('cannot read the configuration directory', { dir, err });
      lastErr = err;
    }
    if (!err) apply(data);
    await new Promise<void>((r) => {
      const t = setTimeout(r, periodMs);
      signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  }
}
