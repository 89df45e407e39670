/**
 * The real ProbeRunner: picks the handler (exec, httpGet, tcpSocket),
 * resolves a named port through the container's ports and the host through
 * the pod IP, and runs one attempt with the probe's timeout.
 */
import type { Container } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock, type DeepReadonly } from '../../../controlplane/client/index.js';
import type { IntOrString } from '../../../controlplane/machinery/intstr.js';
import type { ProbeTargets } from '../types.js';
import { execProbe } from './exec.js';
import { httpProbe, probeURL } from './http.js';
import { tcpProbe } from './tcp.js';
import { probeTiming, type ProbeOutcome, type ProbeRequest, type ProbeRunner } from './types.js';

/**
 * A probe's port: a number, or a name looked up in the container's ports
 * (falling back to a number written as a string), as upstream's
 * ResolveContainerPort. Throws when nothing valid comes out.
 */
export function resolveContainerPort(port: IntOrString | undefined, container: DeepReadonly<Container>): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else if (typeof port === 'string') {
    const byName = container.ports?.find((p) => p.name === port);
    if (byName) n = byName.containerPort;
    else if (/^-?\d+$/.test(port)) n = Number(port);
    else throw new Error(`port ${port} not found`);
  } else throw new Error('intOrString had no kind: <nil>');
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

export interface ProberOptions {
  clock?: Clock;
  /** `kube-probe/<major>.<minor>`. */
  userAgent?: string;
}

export class Prober implements ProbeRunner {
  private readonly clock: Clock;
  private readonly userAgent: string;

  constructor(
    private readonly targets: ProbeTargets,
    opts: ProberOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.userAgent = opts.userAgent ?? 'kube-probe/1.33';
  }

  async run(req: ProbeRequest): Promise<ProbeOutcome> {
    const { probe, container } = req;
    const { timeoutMs } = probeTiming(probe);
    if (probe.exec) {
      return execProbe(this.targets, this.clock, req.containerId, probe.exec.command ?? [], timeoutMs, req.signal);
    }
    if (probe.httpGet) {
      const h = probe.httpGet;
      const port = resolveContainerPort(h.port, container);
      const url = probeURL(h.scheme ?? 'HTTP', this.host(h.host, req), port, h.path);
      return httpProbe(url, { headers: h.httpHeaders, timeoutMs, userAgent: this.userAgent, signal: req.signal });
    }
    if (probe.tcpSocket) {
      const port = resolveContainerPort(probe.tcpSocket.port, container);
      return tcpProbe(this.host(probe.tcpSocket.host, req), port, timeoutMs, req.signal);
    }
    if (probe.grpc) throw new Error('grpc probes are not supported by this kubelet');
    throw new Error('missing probe handler');
  }

  /** The probe's host, else the pod IP; no IP yet is a probe error (the attempt is skipped). */
  private host(explicit: string | undefined, req: ProbeRequest): string {
    if (explicit) return explicit;
    const ip = this.targets.podIP(req.pod.metadata.uid ?? '');
    if (!ip) throw new Error(`pod ${req.pod.metadata.namespace ?? ''}/${req.pod.metadata.name ?? ''} has no IP yet`);
    return ip;
  }
}
