/** Builders shared by the kube-proxy tests: Services, Endpoints, a quiet logger. */
import type { Endpoints, EndpointSubset, Service, ServicePort, ServiceSpec } from '../../../controlplane/api/core/v1/types.js';
import { createLogger, defaultLogOptions, type Logger } from '../../../controlplane/machinery/log/index.js';

export function quietLogger(name = 'kube-proxy'): Logger {
  const v = Number(process.env.PROXY_TEST_V ?? -1);
  const sink = { write: (s: string) => (v >= 0 ? process.stderr.write(s) : true) };
  return createLogger({ ...defaultLogOptions(name), v: Math.max(0, v) }, { stderr: sink });
}

export function svc(ns: string, name: string, spec: Partial<ServiceSpec> & { ports: ServicePort[] }, extra: Partial<Service> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, resourceVersion: '1', ...(extra.metadata ?? {}) }, spec: { type: 'ClusterIP', ...spec }, ...(extra.status ? { status: extra.status } : {}) };
}

export function eps(ns: string, name: string, subsets: EndpointSubset[]): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name, resourceVersion: '1' }, subsets };
}

/** One subset: these IPs (optionally `ip@node`) on these ports. */
export function subset(ips: string[], ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[]): EndpointSubset {
  return {
    addresses: ips.map((s) => {
      const [ip, node] = s.split('@');
      return node ? { ip, nodeName: node } : { ip };
    }),
    ports,
  };
}
