/**
 * The EndpointSlices a Service should have (upstream endpointslice
 * reconciler, simplified). Pure.
 *
 * - One endpoint per pod with an IP: ready (Ready and not terminating, or
 *   any pod with publishNotReadyAddresses), serving (Ready), terminating
 *   (being deleted). Finished pods that can never be ready are left out.
 * - Pods are grouped by the port set their Service ports resolve to; each
 *   group is cut into slices of at most 100 endpoints (the default
 *   --max-endpoints-per-slice), sorted by address, so equal inputs give
 *   equal slices and an unchanged Service costs no write.
 */
import type { Pod, Service } from '../../api/core/v1/types.js';
import type { Endpoint, EndpointPort } from '../../api/discovery/v1/types.js';
import { findPort } from '../endpoints/subsets.js';
import { isPodReady } from '../common/pods.js';
import type { RO } from '../common/types.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface DesiredSlice {
  /** The port set's canonical key (matches existing slices to desired ones). */
  key: string;
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export function portsKey(ports: readonly RO<EndpointPort>[]): string {
  return [...ports]
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}`)
    .sort()
    .join(',');
}

function mayBecomeReady(pod: RO<Pod>): boolean {
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

export function desiredSlices(svc: RO<Service>, pods: readonly RO<Pod>[], max = MAX_ENDPOINTS_PER_SLICE): DesiredSlice[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || ip.includes(':')) continue; // IPv4 slices only: kubets is single-stack
    const ready = isPodReady(pod);
    if (!ready && !publishNotReady && !mayBecomeReady(pod)) continue;
    const terminating = Boolean(pod.metadata.deletionTimestamp);
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: [...ports].sort((a, b) => portsKey([a]).localeCompare(portsKey([b]))), endpoints: [] }));
    const e: Endpoint = {
      addresses: [ip],
      conditions: { ready: (publishNotReady || ready) && !terminating, serving: ready, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (pod.spec?.nodeName) e.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name) e.hostname = pod.spec.hostname;
    g.endpoints.push(e);
  }
  const out: DesiredSlice[] = [];
  for (const [key, g] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const sorted = g.endpoints.sort((a, b) => a.addresses[0].localeCompare(b.addresses[0]) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? ''));
    for (let i = 0; i < sorted.length; i += max) out.push({ key, ports: g.ports, endpoints: sorted.slice(i, i + max) });
  }
  return out;
}
