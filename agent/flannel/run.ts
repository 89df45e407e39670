/**
 * The flanneld daemon (v0.10 main.go, step by step):
 *
 *  1. the external interface (-iface / -iface-regex / default route) and the
 *     public IP;
 *  2. healthz/metrics on -healthz-ip:-healthz-port when the port is not 0;
 *  3. the network configuration from `<prefix>/config`, retried with
 *     back-off until an operator writes it (the log line says which key and
 *     the etcdctl command);
 *  4. the backend prepares (vxlan: the device, for its MAC), then a lease is
 *     acquired (reusing ours, or the previous run's subnet, else a random
 *     free one), then the backend configures the kernel for it;
 *  5. iptables: FORWARD accepts (-iptables-forward-rules) and, with
 *     -ip-masq, the masquerade chain, kept in place every -iptables-resync s;
 *  6. -subnet-file written;
 *  7. until SIGTERM: other hosts' leases → backend; renewal at expiration −
 *     -subnet-lease-renew-margin (1 min retries); our lease removed by
 *     someone else → exit 1.
 *
 * On SIGTERM the iptables chains go away and the TUN (udp) closes; the lease
 * and the vxlan device stay, as upstream leaves them, so a restart reuses
 * the same subnet and MAC and running pods keep their addresses.
 *
 * Every wait on etcd says what it waits for once per state change (repeats
 * at -v=2) and backs off 1 s → 2 s → … 16 s.
 *
 * With -kube-subnet-mgr (subnet/kube) the same steps run against the
 * Kubernetes API: the node is NODE_NAME's, the configuration is the
 * -net-config-path file, the lease is the node's spec.podCIDR (waited for),
 * published as node annotations, never renewed; the vxlan device of a new
 * run takes the VtepMAC the node's annotation still holds; other hosts come
 * from a node informer; once serving, the node gets NetworkUnavailable=False.
 */
import { realClock } from '../../controlplane/client/clock.js';
import { describeConfig } from '../../controlplane/client/kubeconfig.js';
import { RestClient } from '../../controlplane/client/rest.js';
import type { ParsedFlags } from '../../controlplane/machinery/flags/parsed.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import { openIptables } from '../../native/iptables/runner.js';
import type { IptablesRunner } from '../../native/iptables/types.js';
import { RtNetlinkClient } from '../../native/rtnetlink/index.js';
import type { RtNetlink } from '../../native/rtnetlink/types.js';
import { HostGwBackend } from './backend/hostgw/hostgw.js';
import { UdpBackend, UdpNetwork } from './backend/udp/udp.js';
import { VxlanBackend } from './backend/vxlan/vxlan.js';
import { lookupExtIface, ExtIfaceError, type ExtIfaceOptions } from './extiface.js';
import { ChainKeeper, forwardRules, masqRules } from './iptables.js';
import { formatIp4Net } from './lease/ip4.js';
import { ConfigInvalidError, ConfigMissingError, type Backend, type BackendNetwork, type ExternalInterface, type Lease, type LeaseAttrs, type NetworkConfig, type SubnetManager } from './lease/types.js';
import { FlannelMetrics, startHealthServer, type HealthServer } from './metrics.js';
import { EtcdV2SubnetManager } from './subnet/etcd/manager.js';
import { EtcdV2Client, type EtcdV2Options } from './subnet/etcd/v2client.js';
import { AnnotationPrefixError, annotationNames } from './subnet/kube/annotations.js';
import { KubeSubnetManager, PodCidrMismatchError, kubeRestConfig, resolveNodeName } from './subnet/kube/manager.js';
import { LeaseWatcher } from './subnet/watch.js';
import { readPreviousSubnet, writeSubnetEnv } from './subnetenv.js';

export class FlannelConfigError extends Error {
  override readonly name = 'FlannelConfigError';
}

export interface FlannelConfig {
  readonly etcd: EtcdV2Options;
  readonly etcdPrefix: string;
  readonly ext: ExtIfaceOptions;
  readonly subnetFile: string;
  readonly ipMasq: boolean;
  readonly renewMarginMs: number;
  readonly kubeSubnetMgr: boolean;
  /** -kube-subnet-mgr settings. */
  readonly kube: {
    readonly kubeconfigFile: string;
    readonly apiUrl: string;
    readonly annotationPrefix: string;
    readonly netConfigPath: string;
    /** NODE_NAME, POD_NAME, POD_NAMESPACE, KUBERNETES_SERVICE_* (tests pass their own). */
    readonly env: Readonly<Record<string, string | undefined>>;
  };
  readonly healthz: { readonly host: string; readonly port: number } | undefined;
  readonly iptablesResyncMs: number;
  readonly forwardRules: boolean;
  readonly log: Logger;
  /** Tests: called once the lease is served. */
  onReady?(info: { lease: string; backend: string; mtu: number; healthzPort?: number }): void;
}

export function flannelConfigFromFlags(f: ParsedFlags, log: Logger): FlannelConfig {
  const bad = (m: string): never => {
    throw new FlannelConfigError(m);
  };
  const endpoints = f.list('etcd-endpoints').map((s) => s.trim()).filter((s) => s !== '');
  if (!f.bool('kube-subnet-mgr')) {
    if (endpoints.length === 0) bad('-etcd-endpoints is empty');
    for (const e of endpoints) {
      let u: URL | undefined;
      try {
        u = new URL(e);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) bad(`invalid etcd endpoint ${JSON.stringify(e)} in -etcd-endpoints (want http://host:port or https://host:port)`);
    }
  }
  const prefix = f.string('etcd-prefix');
  if (!prefix.startsWith('/')) bad(`-etcd-prefix must start with "/", got ${JSON.stringify(prefix)}`);
  const margin = f.number('subnet-lease-renew-margin');
  if (!(margin > 0) || margin >= 24 * 60) bad('-subnet-lease-renew-margin must be between 1 and 1439 minutes');
  const port = f.number('healthz-port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) bad(`invalid -healthz-port ${port}`);
  const resync = f.number('iptables-resync');
  if (!(resync > 0)) bad('-iptables-resync must be > 0 seconds');
  for (const re of f.list('iface-regex')) {
    try {
      new RegExp(re);
    } catch (e) {
      bad(`invalid -iface-regex ${JSON.stringify(re)}: ${(e as Error).message}`);
    }
  }
  if (f.bool('kube-subnet-mgr')) {
    try {
      annotationNames(f.string('kube-annotation-prefix'));
    } catch (e) {
      if (e instanceof AnnotationPrefixError) bad(e.message);
      throw e;
    }
    if (f.string('net-config-path') === '') bad('-net-config-path is empty');
  }
  const opt = (name: string): string | undefined => f.string(name) || undefined;
  return {
    etcd: {
      endpoints,
      ...(opt('etcd-cafile') ? { caFile: opt('etcd-cafile') } : {}),
      ...(opt('etcd-certfile') ? { certFile: opt('etcd-certfile') } : {}),
      ...(opt('etcd-keyfile') ? { keyFile: opt('etcd-keyfile') } : {}),
      ...(opt('etcd-username') ? { username: opt('etcd-username'), password: f.string('etcd-password') } : {}),
    },
    etcdPrefix: prefix,
    ext: { iface: f.list('iface').filter((s) => s !== ''), ifaceRegex: f.list('iface-regex').filter((s) => s !== ''), publicIP: f.string('public-ip') },
    subnetFile: f.string('subnet-file'),
    ipMasq: f.bool('ip-masq'),
    renewMarginMs: margin * 60_000,
    kubeSubnetMgr: f.bool('kube-subnet-mgr'),
    kube: {
      kubeconfigFile: f.string('kubeconfig-file'),
      apiUrl: f.string('kube-api-url'),
      annotationPrefix: f.string('kube-annotation-prefix'),
      netConfigPath: f.string('net-config-path'),
      env: process.env,
    },
    healthz: port === 0 ? undefined : { host: f.string('healthz-ip') || '0.0.0.0', port },
    iptablesResyncMs: resync * 1000,
    forwardRules: f.bool('iptables-forward-rules'),
    log,
  };
}

const BACKOFF_MIN = 1000;
const BACKOFF_MAX = 16_000;
const RENEW_RETRY_MS = 60_000;

/** Says a waiting state once per change; repeats go to -v=2. */
class StateLog {
  private last: string | undefined;
  constructor(private readonly log: Logger) {}
  problem(key: string, msg: string): void {
    if (key === this.last) this.log.v(2).info(msg);
    else this.log.error(msg);
    this.last = key;
  }
  fine(msg?: string): void {
    if (this.last !== undefined && msg) this.log.info(msg);
    this.last = undefined;
  }
}

function etcdctlHint(key: string): string {
  return `write it, e.g.: ETCDCTL_API=2 etcdctl set ${key} '{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}' (etcd 3.x must run with --enable-v2)`;
}

function describe(c: NetworkConfig): string {
  return `Network=${formatIp4Net(c.network)} SubnetLen=${c.subnetLen} SubnetMin=${formatIp4Net({ ip: c.subnetMin, prefixLen: c.subnetLen })} SubnetMax=${formatIp4Net({ ip: c.subnetMax, prefixLen: c.subnetLen })} Backend=${JSON.stringify(c.backend)} (type ${c.backendType})`;
}

function makeBackend(c: NetworkConfig, nl: RtNetlink, ext: ExternalInterface, log: Logger): Backend {
  switch (c.backendType) {
    case 'vxlan':
      return new VxlanBackend(nl, ext, log);
    case 'host-gw':
      return new HostGwBackend(nl, ext, log);
    case 'udp':
      return new UdpBackend(nl, ext, log);
  }
}

/** Calls fn until it succeeds or the signal aborts (then undefined), backing off and logging per state. */
async function retrying<T>(signal: AbortSignal, state: StateLog, what: (e: unknown) => { key: string; msg: string }, fn: () => Promise<T>, recovered?: string): Promise<T | undefined> {
  let delay = BACKOFF_MIN;
  while (!signal.aborted) {
    try {
      const v = await fn();
      state.fine(recovered);
      return v;
    } catch (e) {
      if (signal.aborted) return undefined;
      const w = what(e);
      state.problem(w.key, `${w.msg} (retrying in ${delay / 1000}s)`);
      await realClock.sleep(delay, signal);
      delay = Math.min(delay * 2, BACKOFF_MAX);
    }
  }
  return undefined;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runFlannel(cfg: FlannelConfig, signal: AbortSignal): Promise<number> {
  const { log } = cfg;
  const nl = RtNetlinkClient.open();
  const metrics = new FlannelMetrics();
  let health: HealthServer | undefined;
  let bn: BackendNetwork | undefined;
  const keepers: ChainKeeper[] = [];
  let kubeClient: RestClient | undefined;
  try {
    let ext: ExternalInterface;
    try {
      ext = await lookupExtIface(nl, cfg.ext);
    } catch (e) {
      if (e instanceof ExtIfaceError) throw new FlannelConfigError(`failed to find the interface to use: ${e.message}`);
      throw e;
    }
    log.info(`Using interface with name ${ext.name} and address ${ext.ifaceAddr}`, { mtu: ext.mtu });
    if (cfg.ext.publicIP) log.info(`Using ${ext.extAddr} as external address`);
    else log.info(`Defaulting external address to interface address (${ext.ifaceAddr})`);

    if (cfg.healthz) {
      health = await startHealthServer(cfg.healthz.host, cfg.healthz.port, metrics);
      log.info(`Serving /healthz and /metrics on ${cfg.healthz.host}:${health.port}`);
    }

    const state = new StateLog(log);
    const etcdDown = (op: string) => (e: unknown) => {
      metrics.storeErrors.inc({ op });
      return { key: `${op}:${(e as Error).name}:${errText(e)}`, msg: `${op}: ${errText(e)}` };
    };
    let sm: SubnetManager;
    if (cfg.kubeSubnetMgr) {
      let rc;
      try {
        rc = kubeRestConfig({ kubeconfigFile: cfg.kube.kubeconfigFile, apiUrl: cfg.kube.apiUrl, env: cfg.kube.env });
      } catch (e) {
        throw new FlannelConfigError(`-kube-subnet-mgr: cannot reach the Kubernetes API: ${errText(e)} (set -kubeconfig-file or -kube-api-url outside a pod)`);
      }
      log.info(`Kubernetes API: ${describeConfig(rc)}`);
      const client = new RestClient(rc);
      kubeClient = client;
      const nodeName = await retrying(signal, state, etcdDown('find the node name'), () => resolveNodeName(client, cfg.kube.env, signal));
      if (nodeName === undefined) return 0;
      sm = new KubeSubnetManager(client, { nodeName, netConfigPath: cfg.kube.netConfigPath, annotationPrefix: cfg.kube.annotationPrefix, log, server: rc.server });
    } else {
      sm = new EtcdV2SubnetManager(new EtcdV2Client(cfg.etcd), { prefix: cfg.etcdPrefix, log });
    }
    log.info(`Subnet manager: ${sm.description}`);

    // 3. network configuration
    const netConfig = await retrying(
      signal,
      state,
      (e) => {
        if (e instanceof ConfigMissingError) return { key: 'config-missing', msg: `Couldn't fetch network config: ${e.message}; ${e.hint ?? etcdctlHint(e.key)}` };
        if (e instanceof ConfigInvalidError) return { key: `config-invalid:${e.message}`, msg: `Invalid network config in ${sm.configKey}: ${e.message}` };
        return etcdDown('fetch network config')(e);
      },
      () => sm.getNetworkConfig(signal),
      'Network config found',
    );
    if (!netConfig) return 0;
    log.info(`Network config: ${describe(netConfig)}`);

    // 4. backend + lease
    const backend = makeBackend(netConfig, nl, ext, log);
    let previousAttrs: LeaseAttrs | undefined;
    if (sm.previousAttrs) {
      const got = await retrying(signal, state, etcdDown('read the previous lease attributes'), async () => ({ attrs: await sm.previousAttrs!(signal) }));
      if (!got) return 0;
      previousAttrs = got.attrs;
    }
    const attrs = await backend.leaseAttrs(netConfig, previousAttrs);
    const previous = await readPreviousSubnet(cfg.subnetFile);
    let lease: Lease | undefined = await retrying(
      signal,
      state,
      (e) => (e instanceof PodCidrMismatchError ? { key: `podcidr:${e.message}`, msg: `Cannot use the pod CIDR: ${e.message}` } : etcdDown('acquire lease')(e)),
      () => sm.acquireLease(netConfig, attrs, previous, signal),
      `${sm.store} answers again`,
    );
    if (!lease) return 0;
    const own = lease.subnet;
    log.info(`Acquired lease ${formatIp4Net(own)}`, { expires: lease.expiration ? new Date(lease.expiration).toISOString() : 'never' });
    if (lease.expiration) metrics.leaseExpiration.set(lease.expiration / 1000);
    bn = await backend.register(netConfig, lease);
    log.info(`Backend ${backend.type} ready`, { mtu: bn.mtu });

    // 5. iptables
    if (cfg.forwardRules || cfg.ipMasq) {
      let ipt: IptablesRunner | undefined;
      try {
        ipt = await openIptables({ mode: 'auto' });
      } catch (e) {
        log.error(`Failed to set up iptables, running without flannel's iptables rules: ${errText(e)}`);
      }
      if (ipt) {
        if (cfg.ipMasq) keepers.push(new ChainKeeper(ipt, masqRules(netConfig.network, own, true)));
        if (cfg.forwardRules) keepers.push(new ChainKeeper(ipt, forwardRules(netConfig.network)));
        for (const k of keepers) {
          try {
            if (await k.ensure()) metrics.iptablesRestores.inc({ chain: k.rules.chain });
            log.info(`iptables: ${k.rules.table} ${k.rules.chain} in place (${k.rules.rules.length} rules, jumped to from ${k.rules.from})`);
          } catch (e) {
            log.error(`Failed to set up iptables chain ${k.rules.chain}: ${errText(e)}`);
          }
        }
      }
    }

    // 6. subnet file
    await writeSubnetEnv(cfg.subnetFile, { network: netConfig.network, subnet: own, mtu: bn.mtu, ipMasq: cfg.ipMasq });
    log.info(`Wrote ${cfg.subnetFile}`, { FLANNEL_SUBNET: formatIp4Net(own), FLANNEL_MTU: bn.mtu });
    health?.setReady(true);
    cfg.onReady?.({ lease: formatIp4Net(own), backend: backend.type, mtu: bn.mtu, ...(health ? { healthzPort: health.port } : {}) });

    // 7. run
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let exitCode = 0;
    const network = bn;

    const watchLoop = async (): Promise<void> => {
      const watcher = new LeaseWatcher(own);
      const wstate = new StateLog(log);
      let delay = BACKOFF_MIN;
      while (!stop.signal.aborted) {
        try {
          for await (const r of sm.watchLeases(stop.signal)) {
            delay = BACKOFF_MIN;
            wstate.fine('Watching subnet leases again');
            const step = watcher.apply(r);
            if (step.ownRemoved) {
              log.error(
                cfg.kubeSubnetMgr
                  ? `Lease ${formatIp4Net(own)} has been revoked (our node was deleted or lost its pod CIDR). Shutting down daemon.`
                  : `Lease ${formatIp4Net(own)} has been revoked (deleted or expired in etcd). Shutting down daemon.`,
              );
              exitCode = 1;
              stop.abort();
              return;
            }
            if (step.ownUpdated && step.ownUpdated.expiration && lease) lease = { ...lease, expiration: step.ownUpdated.expiration };
            if ('snapshot' in r) {
              try {
                await network.prune(watcher.leases);
              } catch (e) {
                log.error(`Error removing stale state: ${errText(e)}`);
              }
            }
            if (step.events.length > 0) {
              for (const ev of step.events) metrics.leaseEvents.inc({ type: ev.type });
              try {
                await network.handle(step.events);
              } catch (e) {
                log.error(`Error applying lease events: ${errText(e)}`);
              }
              metrics.remoteLeases.set(watcher.leases.length);
            }
          }
        } catch (e) {
          if (stop.signal.aborted) return;
          metrics.storeErrors.inc({ op: 'watch leases' });
          wstate.problem(`watch:${errText(e)}`, `Watch of subnet leases failed: ${errText(e)} (retrying in ${delay / 1000}s)`);
          await realClock.sleep(delay, stop.signal);
          delay = Math.min(delay * 2, BACKOFF_MAX);
        }
      }
    };

    const renewLoop = async (): Promise<void> => {
      while (!stop.signal.aborted && lease?.expiration !== undefined) {
        const wait = Math.max(0, lease.expiration - Date.now() - cfg.renewMarginMs);
        await realClock.sleep(wait, stop.signal);
        if (stop.signal.aborted) return;
        try {
          lease = await sm.renewLease(lease, stop.signal);
          metrics.renewals.inc({ result: 'ok' });
          if (lease.expiration) metrics.leaseExpiration.set(lease.expiration / 1000);
          log.info(`Lease renewed, new expiration: ${lease.expiration ? new Date(lease.expiration).toISOString() : 'never'}`);
        } catch (e) {
          if (stop.signal.aborted) return;
          metrics.renewals.inc({ result: 'error' });
          log.error(`Error renewing lease (trying again in 1 min): ${errText(e)}`);
          await realClock.sleep(RENEW_RETRY_MS, stop.signal);
        }
      }
    };

    const iptablesLoop = async (): Promise<void> => {
      if (keepers.length === 0) return;
      while (!stop.signal.aborted) {
        await realClock.sleep(cfg.iptablesResyncMs, stop.signal);
        if (stop.signal.aborted) return;
        for (const k of keepers) {
          try {
            if (await k.ensure()) {
              metrics.iptablesRestores.inc({ chain: k.rules.chain });
              log.info(`iptables: ${k.rules.chain} was changed by someone else; rewrote it`);
            }
          } catch (e) {
            log.error(`Failed to ensure iptables chain ${k.rules.chain}: ${errText(e)}`);
          }
        }
      }
    };

    const udpStats = async (): Promise<void> => {
      if (!(network instanceof UdpNetwork)) return;
      while (!stop.signal.aborted) {
        for (const [k, v] of Object.entries(network.stats)) metrics.udpPackets.set({ what: k }, v);
        await realClock.sleep(5000, stop.signal);
      }
    };

    const backendRun = async (): Promise<void> => {
      try {
        await network.run(stop.signal);
      } catch (e) {
        if (stop.signal.aborted) return;
        log.error(`Backend ${backend.type} failed: ${errText(e)}`);
        exitCode = 1;
        stop.abort();
      }
    };

    const readyLoop = async (): Promise<void> => {
      if (!sm.markReady) return;
      const rstate = new StateLog(log);
      await retrying(stop.signal, rstate, etcdDown('set the node condition NetworkUnavailable=False'), () => sm.markReady!(stop.signal), 'Node condition set');
    };

    await Promise.all([watchLoop(), renewLoop(), iptablesLoop(), udpStats(), backendRun(), readyLoop()]);
    signal.removeEventListener('abort', onAbort);
    if (exitCode === 0) {
      log.info(
        cfg.kubeSubnetMgr
          ? `Exiting cleanly; lease ${formatIp4Net(own)} is the node's pod CIDR and its annotations stay, so a restart reuses both`
          : `Exiting cleanly; lease ${formatIp4Net(own)} stays in etcd until it expires, so a restart reuses it`,
      );
    }
    return exitCode;
  } finally {
    health?.setReady(false);
    for (const k of keepers) {
      try {
        await k.teardown();
      } catch (e) {
        log.error(`Failed to tear down iptables chain ${k.rules.chain}: ${errText(e)}`);
      }
    }
    await bn?.close();
    await health?.close();
    kubeClient?.close();
    nl.close();
  }
}
