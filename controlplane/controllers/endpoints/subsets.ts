/**
 * The Endpoints of a Service from its pods (upstream endpoint controller
 * syncService + endpoints.RepackSubsets). Pure.
 *
 * - A pod without an IP is skipped; a pod being deleted too, unless the
 *   Service publishes not-ready addresses.
 * - Each Service port resolves against the pod: a numeric targetPort is used
 *   as is, a named one is looked up among the containers' ports (name and
 *   protocol must match; a pod without it is left out of that port).
 * - Ready pods (or every pod with publishNotReadyAddresses) are addresses;
 *   others are notReadyAddresses while they may still become ready
 *   (restartPolicy Never/OnFailure pods that finished never will).
 * - Repacking: addresses sharing the same port set form one subset;
 *   addresses and ports are sorted, so equal inputs give equal output and an
 *   unchanged Service costs no write.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from '../../api/core/v1/types.js';
import { isPodReady } from '../common/pods.js';
import type { RO } from '../common/types.js';

/** The container port a Service port targets on this pod, or undefined when the pod has none by that name. */
export function findPort(pod: RO<Pod>, sp: RO<ServicePort>): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^[0-9]+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Whether a not-ready pod still belongs in notReadyAddresses (shouldPodBeInEndpoints). */
function mayBecomeReady(pod: RO<Pod>): boolean {
  const phase = pod.status?.phase;
  switch (pod.spec?.restartPolicy ?? 'Always') {
    case 'Never':
      return phase !== 'Failed' && phase !== 'Succeeded';
    case 'OnFailure':
      return phase !== 'Succeeded';
    default:
      return true;
  }
}

function addressOf(pod: RO<Pod>, svc: RO<Service>): EndpointAddress {
  const a: EndpointAddress = {
    ip: pod.status!.podIP!,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  // A pod's hostname is published when it names this (headless) Service as its subdomain.
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace) a.hostname = pod.spec.hostname;
  return a;
}

interface Entry {
  address: EndpointAddress;
  ready: boolean;
  ports: EndpointPort[];
}

export function computeSubsets(svc: RO<Service>, pods: readonly RO<Pod>[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const headless = svc.spec?.clusterIP === 'None';
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!pod.status?.podIP) continue;
    if (!tolerateUnready && pod.metadata.deletionTimestamp) continue;
    const ready = tolerateUnready || isPodReady(pod);
    if (!ready && !mayBecomeReady(pod)) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A port-less headless Service still lists its pods (DNS only); otherwise a pod serving none of the ports is left out.
    if (ports.length === 0 && !(headless && (svc.spec?.ports ?? []).length === 0)) continue;
    entries.push({ address: addressOf(pod, svc), ready, ports });
  }
  return repack(entries);
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.protocol ?? ''}/${p.port}`;
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One subset per distinct port set; sorted throughout. */
function repack(entries: readonly Entry[]): EndpointSubset[] {
  const groups = new Map<string, { ports: EndpointPort[]; ready: Map<string, EndpointAddress>; notReady: Map<string, EndpointAddress> }>();
  for (const e of entries) {
    const ports = [...e.ports].sort((a, b) => cmpStr(portKey(a), portKey(b)));
    const key = ports.map(portKey).join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, ready: new Map(), notReady: new Map() }));
    const addrKey = `${e.address.ip}/${e.address.targetRef?.uid ?? ''}`;
    // An address both ready and not (two pods, one IP) counts as ready.
    if (e.ready) {
      g.ready.set(addrKey, e.address);
      g.notReady.delete(addrKey);
    } else if (!g.ready.has(addrKey)) g.notReady.set(addrKey, e.address);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => cmpStr(a.ip, b.ip) || cmpStr(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
  const subsets: EndpointSubset[] = [];
  for (const [, g] of [...groups].sort((a, b) => cmpStr(a[0], b[0]))) {
    const s: EndpointSubset = {};
    if (g.ready.size) s.addresses = [...g.ready.values()].sort(byIP);
    if (g.notReady.size) s.notReadyAddresses = [...g.notReady.values()].sort(byIP);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  return subsets;
}
