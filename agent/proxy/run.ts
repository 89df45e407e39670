/**
 * The kube-proxy daemon: flags → ProxyConfig, then the proxier of the chosen
 * mode fed by Services and Endpoints informers until the signal aborts.
 *
 * Start-up order (v1.8 ProxyServer.Run, kept where it matters):
 *  1. --cleanup(-iptables): remove every rule and chain of every mode, exit;
 *  2. --oom-score-adj for this process (logged and ignored where refused);
 *  3. mode: ipvs needs the kernel's IPVS (else "Can't use ipvs proxier,
 *     trying iptables proxier"); iptables needs the tools and the
 *     route_localnet sysctl (else userspace) — then rules of the other modes
 *     are cleaned up, as upstream does on a mode switch;
 *  4. conntrack sysctls (nf_conntrack_max from --conntrack-max-per-core ×
 *     CPUs, at least --conntrack-min; TCP timeouts). In a network namespace
 *     or a container /proc/sys may refuse: logged once, not fatal;
 *  5. healthz and metrics servers;
 *  6. informers, the config adapters (handlers registered before start),
 *     then the proxier's sync loop. Nothing is written until both informers
 *     listed (see base.ts).
 * Exit: 0 after a clean stop; 1 when it cannot run; 2 for bad flags.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { stringify } from 'yaml';
import { realClock } from '../../controlplane/client/clock.js';
import { SharedInformerFactory } from '../../controlplane/client/factory.js';
import { describeConfig, loadRestConfig } from '../../controlplane/client/kubeconfig.js';
import { RestClient } from '../../controlplane/client/rest.js';
import { resources } from '../../controlplane/client/resources.js';
import type { ParsedFlags } from '../../controlplane/machinery/flags/parsed.js';
import type { PortRange } from '../../controlplane/machinery/flags/types.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import { ExecConntrack } from '../../native/conntrack/index.js';
import { openIptables } from '../../native/iptables/runner.js';
import { IptablesError, type IptablesRunner } from '../../native/iptables/types.js';
import { IpvsUnsupportedError, openIpvs, type Ipvs } from '../../native/ipvs/index.js';
import { RtNetlinkClient } from '../../native/rtnetlink/index.js';
import { readSysctl, readSysctlInt, Sysctl, writeSysctl } from '../../native/sysctl/sysctl.js';
import { cleanupLeftovers } from './cleanup.js';
import { EndpointsConfig, ServiceConfig } from './config.js';
import { chooseHostIP } from './hostip.js';
import { IptablesProxier } from './iptables/proxier.js';
import type { IptablesConfig } from './iptables/rules.js';
import { DummyLinkBinder } from './ipvs/binder.js';
import { IPVS_DUMMY_LINK } from './ipvs/plan.js';
import { IpvsProxier } from './ipvs/proxier.js';
import { ProxyMetrics } from './metrics.js';
import { HealthState, observers, splitBindAddress, startHealthzServer, startMetricsServer, type Listening } from './server.js';
import type { Proxier, ProxyMode, SyncObserver } from './types.js';
import { UserspaceProxier } from './userspace/proxier.js';

export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
  readonly code = 'InvalidProxyConfig';
}

export interface ProxyConfig {
  master?: string;
  kubeconfig?: string;
  kubeApiQps: number;
  kubeApiBurst: number;
  kubeApiContentType: string;
  hostname: string;
  bindAddress: string;
  /** undefined = disabled (--healthz-port=0). Port 0 picks a free one (tests). */
  healthz?: { host: string; port: number };
  metrics?: { host: string; port: number };
  profiling: boolean;
  mode: '' | ProxyMode;
  portRange: PortRange;
  clusterCIDR: string;
  masqueradeAll: boolean;
  masqueradeBit: number;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  ipvsSyncPeriodMs: number;
  ipvsMinSyncPeriodMs: number;
  ipvsScheduler: string;
  configSyncPeriodMs: number;
  conntrackMax: number;
  conntrackMaxPerCore: number;
  conntrackMin: number;
  conntrackTcpEstablishedS: number;
  conntrackTcpCloseWaitS: number;
  udpTimeoutMs: number;
  oomScoreAdj: number;
  cleanup: boolean;
  configFile: string;
  writeConfigTo: string;
  log: Logger;
  /** Tests: called once serving, with the bound ports and the mode in use. */
  onReady?(info: { mode: ProxyMode; healthzPort?: number; metricsPort?: number }): void;
}

const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function proxyConfigFromFlags(f: ParsedFlags, log: Logger): ProxyConfig {
  const bad = (msg: string): never => {
    throw new ProxyConfigError(msg);
  };
  const masqueradeBit = f.number('iptables-masquerade-bit');
  if (!Number.isInteger(masqueradeBit) || masqueradeBit < 0 || masqueradeBit > 31) bad(`invalid value for --iptables-masquerade-bit: ${masqueradeBit} (must be within [0, 31])`);
  const syncPeriodMs = f.duration('iptables-sync-period');
  if (!(syncPeriodMs > 0)) bad('--iptables-sync-period must be greater than 0');
  const minSyncPeriodMs = f.duration('iptables-min-sync-period');
  if (minSyncPeriodMs < 0) bad('--iptables-min-sync-period must be >= 0');
  if (minSyncPeriodMs > syncPeriodMs) bad(`--iptables-min-sync-period (${minSyncPeriodMs}ms) must be <= --iptables-sync-period (${syncPeriodMs}ms)`);
  const ipvsSyncPeriodMs = f.duration('ipvs-sync-period');
  if (!(ipvsSyncPeriodMs > 0)) bad('--ipvs-sync-period must be greater than 0');
  const ipvsMinSyncPeriodMs = f.duration('ipvs-min-sync-period');
  if (ipvsMinSyncPeriodMs > ipvsSyncPeriodMs) bad('--ipvs-min-sync-period must be <= --ipvs-sync-period');
  const configSyncPeriodMs = f.duration('config-sync-period');
  if (!(configSyncPeriodMs > 0)) bad('--config-sync-period must be greater than 0');
  const udpTimeoutMs = f.duration('udp-timeout');
  if (!(udpTimeoutMs > 0)) bad('--udp-timeout must be greater than 0');
  const oomScoreAdj = f.number('oom-score-adj');
  if (!Number.isInteger(oomScoreAdj) || oomScoreAdj < -1000 || oomScoreAdj > 1000) bad(`invalid value for --oom-score-adj: ${oomScoreAdj} (must be within [-1000, 1000])`);
  for (const n of ['conntrack-max', 'conntrack-max-per-core', 'conntrack-min'] as const) if (f.number(n) < 0) bad(`--${n} must be >= 0`);
  const clusterCIDR = f.string('cluster-cidr');
  if (clusterCIDR && !CIDR4.test(clusterCIDR) && !clusterCIDR.includes(':')) bad(`invalid value for --cluster-cidr: ${clusterCIDR}`);
  const healthzPort = f.number('healthz-port');
  if (!Number.isInteger(healthzPort) || healthzPort < 0 || healthzPort > 65535) bad(`invalid value for --healthz-port: ${healthzPort}`);
  const metricsAddr = f.string('metrics-bind-address');
  const kubeconfig = f.string('kubeconfig');
  if (kubeconfig && !existsSync(kubeconfig)) bad(`--kubeconfig=${kubeconfig}: no such file`);
  return {
    master: f.string('master') || undefined,
    kubeconfig: kubeconfig || undefined,
    kubeApiQps: f.number('kube-api-qps'),
    kubeApiBurst: f.number('kube-api-burst'),
    kubeApiContentType: f.string('kube-api-content-type'),
    hostname: (f.string('hostname-override') || hostname()).trim().toLowerCase(),
    bindAddress: f.string('bind-address'),
    healthz: healthzPort === 0 ? undefined : { host: f.string('healthz-bind-address') || '0.0.0.0', port: healthzPort },
    metrics: metricsAddr === '' ? undefined : splitBindAddress(metricsAddr, 10249),
    profiling: f.bool('profiling'),
    mode: f.string('proxy-mode') as '' | ProxyMode,
    portRange: f.portRange('proxy-port-range'),
    clusterCIDR,
    masqueradeAll: f.bool('masquerade-all'),
    masqueradeBit,
    syncPeriodMs,
    minSyncPeriodMs,
    ipvsSyncPeriodMs,
    ipvsMinSyncPeriodMs,
    ipvsScheduler: f.string('ipvs-scheduler'),
    configSyncPeriodMs,
    conntrackMax: f.number('conntrack-max'),
    conntrackMaxPerCore: f.number('conntrack-max-per-core'),
    conntrackMin: f.number('conntrack-min'),
    conntrackTcpEstablishedS: Math.floor(f.duration('conntrack-tcp-timeout-established') / 1000),
    conntrackTcpCloseWaitS: Math.floor(f.duration('conntrack-tcp-timeout-close-wait') / 1000),
    udpTimeoutMs,
    oomScoreAdj,
    cleanup: f.bool('cleanup-iptables') || f.bool('cleanup'),
    configFile: f.string('config'),
    writeConfigTo: f.string('write-config-to'),
    log,
  };
}

/** v1.8's KubeProxyConfiguration (componentconfig/v1alpha1) for --write-config-to. */
export function kubeProxyConfiguration(c: ProxyConfig): Record<string, unknown> {
  const dur = (ms: number) => `${ms / 1000}s`;
  return {
    apiVersion: 'componentconfig/v1alpha1',
    kind: 'KubeProxyConfiguration',
    bindAddress: c.bindAddress,
    clientConnection: { acceptContentTypes: '', burst: c.kubeApiBurst, contentType: c.kubeApiContentType, kubeconfig: c.kubeconfig ?? '', qps: c.kubeApiQps },
    clusterCIDR: c.clusterCIDR,
    configSyncPeriod: dur(c.configSyncPeriodMs),
    conntrack: { max: c.conntrackMax, maxPerCore: c.conntrackMaxPerCore, min: c.conntrackMin, tcpCloseWaitTimeout: `${c.conntrackTcpCloseWaitS}s`, tcpEstablishedTimeout: `${c.conntrackTcpEstablishedS}s` },
    enableProfiling: c.profiling,
    healthzBindAddress: c.healthz ? `${c.healthz.host}:${c.healthz.port}` : '',
    hostnameOverride: c.hostname,
    iptables: { masqueradeAll: c.masqueradeAll, masqueradeBit: c.masqueradeBit, minSyncPeriod: dur(c.minSyncPeriodMs), syncPeriod: dur(c.syncPeriodMs) },
    ipvs: { minSyncPeriod: dur(c.ipvsMinSyncPeriodMs), scheduler: c.ipvsScheduler, syncPeriod: dur(c.ipvsSyncPeriodMs) },
    metricsBindAddress: c.metrics ? `${c.metrics.host}:${c.metrics.port}` : '',
    mode: c.mode,
    oomScoreAdj: c.oomScoreAdj,
    portRange: c.portRange.size > 0 ? `${c.portRange.base}-${c.portRange.base + c.portRange.size - 1}` : '',
    resourceContainer: '',
    udpTimeout: dur(c.udpTimeoutMs),
  };
}

/** nf_conntrack_max wanted by the flags; 0 = leave as is (v1.8 getConntrackMax). */
export function conntrackMaxFor(c: Pick<ProxyConfig, 'conntrackMax' | 'conntrackMaxPerCore' | 'conntrackMin'>, cpus: number): number {
  if (c.conntrackMax > 0) return c.conntrackMax;
  if (c.conntrackMaxPerCore > 0) return Math.max(c.conntrackMaxPerCore * cpus, c.conntrackMin);
  return 0;
}

/** Sets one sysctl, logging (not failing) when /proc/sys refuses. */
async function trySysctl(name: string, value: number, log: Logger): Promise<void> {
  try {
    const cur = await readSysctl(name);
    if (cur === String(value)) return;
    await writeSysctl(name, value);
    log.info('set sysctl', { name, value });
  } catch (e) {
    log.warn('cannot set sysctl; leaving it as is (read-only /proc/sys, e.g. in a container or a network namespace)', { name, value, err: (e as Error).message });
  }
}

async function applyConntrack(c: ProxyConfig, log: Logger): Promise<void> {
  const max = conntrackMaxFor(c, availableParallelism());
  if (max > 0) {
    await trySysctl(Sysctl.conntrackMax, max, log);
    // The hash table should hold a quarter of max (v1.8 setIntSysCtl + hashsize); /sys may be read-only.
    try {
      const p = '/sys/module/nf_conntrack/parameters/hashsize';
      const hs = Number(readFileSync(p, 'utf8').trim());
      if (Number.isFinite(hs) && hs < Math.floor(max / 4)) {
        writeFileSync(p, String(Math.floor(max / 4)));
        log.info('set conntrack hashsize', { hashsize: Math.floor(max / 4) });
      }
    } catch (e) {
      log.warn('cannot set the conntrack hashsize; you may need to adjust it manually', { err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
  }
  if (c.conntrackTcpEstablishedS > 0) await trySysctl(Sysctl.conntrackTcpEstablished, c.conntrackTcpEstablishedS, log);
  if (c.conntrackTcpCloseWaitS > 0) await trySysctl(Sysctl.conntrackTcpCloseWait, c.conntrackTcpCloseWaitS, log);
}

function applyOomScoreAdj(value: number, log: Logger): void {
  try {
    writeFileSync('/proc/self/oom_score_adj', String(value));
  } catch (e) {
    log.warn('cannot set oom_score_adj', { value, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
  }
}

/** Everything of every mode, as --cleanup does (v1.8 CleanupLeftovers). Returns an exit code. */
async function cleanupAll(log: Logger): Promise<number> {
  let code = 0;
  for (const mode of ['legacy', 'nft'] as const) {
    try {
      await cleanupLeftovers(await openIptables({ mode }), log);
    } catch (e) {
      // A backend whose tools are not installed holds no rules of ours.
      if (e instanceof IptablesError && e.code === 'NotInstalled') {
        log.v(2).info('iptables backend not installed; nothing to clean', { backend: mode });
        continue;
      }
      log.error('cleanup failed', { backend: mode, err: (e as Error).message });
      code = 1;
    }
  }
  let ipvs: Ipvs | undefined;
  try {
    ipvs = await openIpvs();
    // Only the dummy link's VIPs are certainly ours; flushing every virtual service is what v1.8 did.
    await ipvs.flush();
    const nl = RtNetlinkClient.open();
    try {
      await new DummyLinkBinder(nl).deleteLink();
    } finally {
      nl.close();
    }
  } catch (e) {
    if (!(e instanceof IpvsUnsupportedError)) {
      log.error('ipvs cleanup failed', { err: (e as Error).message });
      code = 1;
    }
  } finally {
    ipvs?.close();
  }
  return code;
}

/** Whether the iptables proxier can run here (v1.8 CanUseIPTablesProxier: tools present, route_localnet exists). */
async function canUseIptables(log: Logger): Promise<IptablesRunner | undefined> {
  try {
    const ipt = await openIptables({ mode: 'auto' });
    await readSysctl(Sysctl.routeLocalnet);
    return ipt;
  } catch (e) {
    log.warn("Can't use iptables proxy, using userspace proxier", { err: (e as Error).message });
    return undefined;
  }
}

interface Built {
  proxier: Proxier;
  /** The runner the mode writes with, for removing the other modes' rules. */
  iptables?: IptablesRunner;
  close(): void;
}

async function buildProxier(c: ProxyConfig, observer: SyncObserver): Promise<Built> {
  const log = c.log;
  const base = { hostname: c.hostname, log, observer, clock: realClock };
  const iptCfg: IptablesConfig = { masqueradeBit: c.masqueradeBit, masqueradeAll: c.masqueradeAll, clusterCIDR: c.clusterCIDR, dropInvalid: await dropInvalid(), randomFully: true };
  const conntrack = new ExecConntrack();
  let mode = c.mode;
  if (mode === 'ipvs') {
    try {
      const ipvs = await openIpvs();
      const ipt = await openIptables({ mode: 'auto' });
      const nl = RtNetlinkClient.open();
      log.info('Using ipvs Proxier.');
      await trySysctl('net/ipv4/vs/conntrack', 1, log);
      const proxier = new IpvsProxier({
        ...base,
        minSyncPeriodMs: c.ipvsMinSyncPeriodMs,
        syncPeriodMs: c.ipvsSyncPeriodMs,
        ipvs,
        binder: new DummyLinkBinder(nl),
        iptables: ipt,
        conntrack,
        config: iptCfg,
        scheduler: c.ipvsScheduler,
        nodeIPs: async () => (await nl.addresses({ family: 4 })).map((a) => a.cidr.split('/')[0]).filter((ip) => !ip.startsWith('127.')),
      });
      return {
        proxier,
        iptables: ipt,
        close: () => {
          ipvs.close();
          nl.close();
        },
      };
    } catch (e) {
      if (!(e instanceof IpvsUnsupportedError)) throw e;
      log.warn("Can't use ipvs proxier, trying iptables proxier", { reason: e.message });
      mode = 'iptables';
    }
  }
  if (mode === '' || mode === 'iptables') {
    const ipt = await canUseIptables(log);
    if (ipt) {
      log.info('Using iptables Proxier.', { backend: ipt.mode });
      await trySysctl(Sysctl.routeLocalnet, 1, log);
      try {
        if ((await readSysctlInt(Sysctl.bridgeNfCallIptables)) !== 1) log.warn('missing br-netfilter module or unset sysctl br-nf-call-iptables; proxy may not work as intended');
      } catch {
        log.warn('missing br-netfilter module or unset sysctl br-nf-call-iptables; proxy may not work as intended');
      }
      const proxier = new IptablesProxier({ ...base, minSyncPeriodMs: c.minSyncPeriodMs, syncPeriodMs: c.syncPeriodMs, iptables: ipt, conntrack, config: iptCfg });
      return { proxier, iptables: ipt, close: () => undefined };
    }
  }
  log.info('Using userspace Proxier.');
  const ipt = await openIptables({ mode: 'auto' });
  const hostIP = c.bindAddress !== '0.0.0.0' && c.bindAddress !== '::' ? c.bindAddress : chooseHostIP();
  if (!hostIP) throw new ProxyConfigError('cannot find the node IP for the userspace proxier (no non-loopback IPv4 address); set --bind-address');
  const proxier = new UserspaceProxier({
    ...base,
    minSyncPeriodMs: c.minSyncPeriodMs,
    syncPeriodMs: c.syncPeriodMs,
    iptables: ipt,
    conntrack,
    bindAddress: c.bindAddress,
    hostIP,
    portRange: c.portRange,
    udpTimeoutMs: c.udpTimeoutMs,
  });
  return { proxier, iptables: ipt, close: () => undefined };
}

/** KUBE-FORWARD's INVALID drop is skipped when the kernel is told to be liberal with TCP windows. */
async function dropInvalid(): Promise<boolean> {
  try {
    return (await readSysctlInt('net/netfilter/nf_conntrack_tcp_be_liberal')) === 0;
  } catch {
    return true;
  }
}

/** Runs kube-proxy until signal aborts. Resolves to the exit code. */
export async function runProxy(c: ProxyConfig, signal: AbortSignal): Promise<number> {
  const log = c.log;
  if (c.configFile) log.warn('--config is not supported by kubets; the command-line flags are used', { config: c.configFile });
  if (c.writeConfigTo) {
    writeFileSync(c.writeConfigTo, stringify(kubeProxyConfiguration(c)));
    log.info('wrote configuration', { file: c.writeConfigTo });
    return 0;
  }
  if (c.cleanup) return cleanupAll(log);
  applyOomScoreAdj(c.oomScoreAdj, log);

  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  setMaxListeners(50, stop.signal);

  const rc = loadRestConfig({ kubeconfig: c.kubeconfig, master: c.master });
  log.info('connecting to the API server', { config: describeConfig(rc), node: c.hostname });
  const client = new RestClient(rc, { qps: c.kubeApiQps, burst: c.kubeApiBurst, contentType: c.kubeApiContentType, userAgent: 'kube-proxy', log });

  const metrics = new ProxyMetrics(true);
  const health = new HealthState(2 * (c.mode === 'ipvs' ? c.ipvsSyncPeriodMs : c.syncPeriodMs));
  const servers: Listening[] = [];
  let built: Built | undefined;
  const factory = new SharedInformerFactory(client, { resyncMs: c.configSyncPeriodMs, log });
  try {
    built = await buildProxier(c, observers(health, metrics));
    const proxier = built.proxier;
    // Rules of the modes not in use would shadow ours (v1.8 cleans them up when switching).
    if (proxier.mode !== 'ipvs') await cleanupIpvsQuietly(log);
    // (The IPVS mode reuses some iptables-mode chain names; it starts from a clean slate.)
    if (built.iptables) await cleanupLeftovers(built.iptables, log, proxier.mode === 'userspace' ? 'iptables' : proxier.mode === 'iptables' ? 'userspace' : 'all');
    await applyConntrack(c, log);

    const healthz = c.healthz ? await startHealthzServer(health, c.healthz.host, c.healthz.port) : undefined;
    if (healthz) servers.push(healthz);
    const metricsServer = c.metrics ? await startMetricsServer({ metrics, mode: () => proxier.mode, profiling: c.profiling, host: c.metrics.host, port: c.metrics.port, log }) : undefined;
    if (metricsServer) servers.push(metricsServer);

    const svcInf = factory.informerFor(resources.services);
    const epInf = factory.informerFor(resources.endpoints);
    const serviceConfig = new ServiceConfig(svcInf, log);
    const endpointsConfig = new EndpointsConfig(epInf, log);
    serviceConfig.register(proxier);
    endpointsConfig.register(proxier);
    factory.start(stop.signal);
    const background = [serviceConfig.run(stop.signal), endpointsConfig.run(stop.signal)];
    c.onReady?.({ mode: proxier.mode, healthzPort: healthz?.port, metricsPort: metricsServer?.port });
    log.info('kube-proxy started', { mode: proxier.mode, node: c.hostname });
    await proxier.run(stop.signal);
    await Promise.allSettled(background);
    return 0;
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await factory.shutdown();
    for (const s of servers) await s.close();
    built?.close();
    client.close();
  }
}

async function cleanupIpvsQuietly(log: Logger): Promise<void> {
  let ipvs: Ipvs | undefined;
  try {
    ipvs = await openIpvs();
    const nl = RtNetlinkClient.open();
    try {
      if (await nl.link(IPVS_DUMMY_LINK)) {
        await ipvs.flush();
        await new DummyLinkBinder(nl).deleteLink();
        log.info('cleaned up IPVS rules left by the ipvs mode');
      }
    } finally {
      nl.close();
    }
  } catch (e) {
    if (!(e instanceof IpvsUnsupportedError)) log.warn('cannot check for IPVS leftovers', { err: (e as Error).message });
  } finally {
    ipvs?.close();
  }
}
