/**
 * The Service environment variables (kubelet envvars.FromServices): for each
 * Service with a cluster IP, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT`,
 * `<NAME>_SERVICE_PORT_<PORTNAME>` for named ports, and the Docker-link
 * variables `<NAME>_PORT=tcp://ip:port` (first port) plus
 * `<NAME>_PORT_<port>_<PROTO>{,_PROTO,_PORT,_ADDR}` for every port.
 *
 * Which services: those of the pod's namespace when enableServiceLinks is
 * not false, plus `kubernetes` from --master-service-namespace (always; a
 * same-named service of the pod's namespace wins). Pure.
 */
import type { Service } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';

export type EnvPair = { name: string; value: string };

/** `my-svc` → `MY_SVC`. */
export function envVarName(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

function hasClusterIP(s: DeepReadonly<Service>): boolean {
  const ip = s.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The variables of one service (in upstream's order). */
export function serviceEnv(s: DeepReadonly<Service>): EnvPair[] {
  const ports = s.spec?.ports ?? [];
  if (!hasClusterIP(s) || ports.length === 0) return [];
  const ip = s.spec!.clusterIP!;
  const prefix = envVarName(s.metadata.name ?? '');
  const out: EnvPair[] = [
    { name: `${prefix}_SERVICE_HOST`, value: ip },
    { name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) },
  ];
  for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envVarName(p.name)}`, value: String(p.port) });
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: proto }, { name: `${pp}_PORT`, value: String(p.port) }, { name: `${pp}_ADDR`, value: ip });
  });
  return out;
}

export interface ServiceLinkInput {
  namespace: string;
  enableServiceLinks: boolean;
  /** --master-service-namespace (default "default"). */
  masterServiceNamespace: string;
  /** Services of the pod's namespace and of the master namespace (others are ignored). */
  services: readonly DeepReadonly<Service>[];
}

/** The service environment of a pod, as a map (later services do not override earlier keys of a different service). */
export function serviceEnvMap(input: ServiceLinkInput): Map<string, string> {
  const chosen = new Map<string, DeepReadonly<Service>>();
  for (const s of input.services) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata.name ?? '';
    const ns = s.metadata.namespace ?? '';
    if (ns === input.masterServiceNamespace && name === 'kubernetes') {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (ns === input.namespace && input.enableServiceLinks) {
      chosen.set(name, s);
    }
  }
  const out = new Map<string, string>();
  for (const name of [...chosen.keys()].sort()) for (const e of serviceEnv(chosen.get(name)!)) out.set(e.name, e.value);
  return out;
}
