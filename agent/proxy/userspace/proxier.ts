/**
 * The userspace proxier (--proxy-mode=userspace; v1.8 pkg/proxy/userspace,
 * removed upstream in 1.26): kube-proxy itself carries every connection.
 *
 * A sync (same runner and change tracking as the iptables mode):
 *  1. opens a proxy socket for every new service port (TCP or UDP, on
 *     --bind-address, port from --proxy-port-range or the kernel) and closes
 *     those of removed ports (UDP: and clears their conntrack entries);
 *  2. hands each port's endpoints and affinity to the load balancer;
 *  3. rewrites the portal chains (rules.ts) in one iptables-restore, and on
 *     the first sync (or after a failure) ensures the jumps into them.
 * A port that cannot be opened is logged and retried on the next sync; the
 * others still work.
 *
 * The sockets live in the process's network namespace: run the daemon in the
 * node's namespace (tests use `nsenter --net=…`).
 */
import type { Conntrack } from '../../../native/conntrack/index.js';
import type { IptablesRunner } from '../../../native/iptables/types.js';
import type { PortRange } from '../../../controlplane/machinery/flags/types.js';
import { BaseProxier, type BaseProxierOptions, type MapUpdate, type RulesResult } from '../base.js';
import { cleanupLeftovers } from '../cleanup.js';
import { runConntrackCleanup } from '../conntrack.js';
import type { ProxyMode, ServicePortInfo, ServicePortKey } from '../types.js';
import { RoundRobinLoadBalancer } from './loadbalancer.js';
import { PortAllocator } from './ports.js';
import { planPortals, USERSPACE_JUMPS, type Portal } from './rules.js';
import { TcpProxySocket, UdpProxySocket, type ProxySocket } from './socket.js';

export interface UserspaceProxierOptions extends BaseProxierOptions {
  iptables: IptablesRunner;
  conntrack?: Conntrack;
  /** --bind-address: where proxy sockets listen (0.0.0.0 = everywhere). */
  bindAddress: string;
  /** The node's IP: DNAT target for traffic from the node itself. */
  hostIP: string;
  /** --proxy-port-range; size 0 = kernel's choice. */
  portRange: PortRange;
  /** --udp-timeout (ms). */
  udpTimeoutMs: number;
  rand?: () => number;
}

interface Served {
  readonly info: ServicePortInfo;
  readonly socket: ProxySocket;
  /** Allocated from the range (0 when the kernel chose). */
  readonly allocated: number;
}

/** How many ports of the range to try before giving up on one service in one sync. */
const BIND_ATTEMPTS = 16;

export class UserspaceProxier extends BaseProxier {
  readonly mode: ProxyMode = 'userspace';
  private readonly ipt: IptablesRunner;
  private readonly ct: Conntrack | undefined;
  private readonly opts: UserspaceProxierOptions;
  readonly lb: RoundRobinLoadBalancer;
  private readonly ports: PortAllocator;
  // Owned by syncProxyRules.
  private readonly served = new Map<ServicePortKey, Served>();
  private jumpsEnsured = false;

  constructor(opts: UserspaceProxierOptions) {
    super(opts);
    this.opts = opts;
    this.ipt = opts.iptables;
    this.ct = opts.conntrack;
    this.lb = new RoundRobinLoadBalancer(() => this.clock.now(), opts.rand);
    this.ports = new PortAllocator(opts.portRange, opts.rand);
  }

  /** The proxy port of a service port, when it is served (tests). */
  proxyPort(key: ServicePortKey): number | undefined {
    return this.served.get(key)?.socket.port;
  }

  protected async syncProxyRules(_u: MapUpdate): Promise<RulesResult> {
    const removedUDP: ServicePortInfo[] = [];
    // Close what went away or changed protocol (a socket cannot switch).
    for (const [key, s] of this.served) {
      const info = this.serviceMap.get(key);
      if (info && info.protocol === s.info.protocol) continue;
      await this.stop(key, s);
      if (s.info.protocol === 'UDP') removedUDP.push(s.info);
    }
    for (const [key, info] of this.serviceMap) {
      const cur = this.served.get(key);
      if (cur) {
        if (cur.info !== info) this.served.set(key, { ...cur, info });
      } else if (info.protocol === 'TCP' || info.protocol === 'UDP') {
        await this.start(info);
      }
      if (this.served.has(key)) {
        this.lb.setAffinity(key, info.affinitySeconds);
        this.lb.setEndpoints(key, this.endpointsMap.get(key) ?? []);
      }
    }
    this.lb.cleanupStaleAffinity();
    const portals: Portal[] = [...this.served.values()].map((s) => ({ service: s.info, proxyPort: s.socket.port }));
    const plan = planPortals(portals, { bindAddress: this.opts.bindAddress, hostIP: this.opts.hostIP });
    try {
      await this.ipt.restore(plan.text, { noflush: true });
      if (!this.jumpsEnsured) {
        for (const j of USERSPACE_JUMPS) await this.ipt.ensureRule(j.position, j.table, j.chain, j.args);
        this.jumpsEnsured = true;
      }
    } catch (e) {
      this.jumpsEnsured = false;
      throw e;
    }
    const filters = removedUDP.map((s) => ({ protocol: 'udp' as const, origDst: s.clusterIP }));
    await runConntrackCleanup(this.ct, filters, this.log);
    return { full: true, rulesWritten: plan.rules };
  }

  private async start(info: ServicePortInfo): Promise<void> {
    const ctx = { key: info.key, lb: this.lb, log: this.log };
    for (let attempt = 0; attempt < (this.ports.hasRange ? BIND_ATTEMPTS : 1); attempt++) {
      const want = this.ports.allocate();
      try {
        const socket =
          info.protocol === 'UDP'
            ? await UdpProxySocket.listen(ctx, this.opts.bindAddress, want, this.opts.udpTimeoutMs)
            : await TcpProxySocket.listen(ctx, this.opts.bindAddress, want);
        this.served.set(info.key, { info, socket, allocated: want });
        this.log.v(2).info('opened proxy socket', { service: info.key, protocol: info.protocol, port: socket.port });
        return;
      } catch (e) {
        // A busy port stays marked used (someone else holds it); try the next.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !this.ports.hasRange) {
          if (want) this.ports.release(want);
          this.log.error('failed to open a proxy socket; retrying on the next sync', { service: info.key, err: (e as Error).message });
          return;
        }
      }
    }
    this.log.error('no free port in --proxy-port-range for a service', { service: info.key });
  }

  private async stop(key: ServicePortKey, s: Served): Promise<void> {
    this.served.delete(key);
    this.lb.remove(key);
    await s.socket.close();
    if (s.allocated) this.ports.release(s.allocated);
    this.log.v(2).info('closed proxy socket', { service: key });
  }

  protected override async close(): Promise<void> {
    for (const [key, s] of [...this.served]) await this.stop(key, s);
  }

  async cleanup(): Promise<void> {
    await this.close();
    await cleanupLeftovers(this.ipt, this.log);
    this.jumpsEnsured = false;
  }
}
