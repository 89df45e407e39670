/**
 * ResourceQuota (upstream plugin/pkg/admission/resourcequota, v1.8 evaluators):
 * a create that would take a namespace's usage over a quota's hard limits is
 * refused with upstream's "exceeded quota" message; otherwise the usage is
 * charged to status.used with a compare-and-swap write, so concurrent creates
 * cannot both take the last unit. kubets has no resourcequota controller yet,
 * so this plugin also keeps status.used true: it recomputes it from the
 * namespace's objects when a quota is created or changed, when a charged
 * create fails, and after a delete.
 */
import { Quantity } from '../../machinery/quantity.js';
import type { Obj } from '../registry/types.js';
import type { ObjectAccess } from './objects.js';
import { addTo, prettyPrint, toJSON, toList, type ResourceList } from './resources.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './types.js';

type Rec = Record<string, unknown>;
interface Container { resources?: { requests?: Rec; limits?: Rec } }

/** Resources counted by object count (1.8 names), by `group/resource`. */
const COUNTED: Record<string, string> = {
  '/pods': 'pods',
  '/services': 'services',
  '/replicationcontrollers': 'replicationcontrollers',
  '/resourcequotas': 'resourcequotas',
  '/secrets': 'secrets',
  '/configmaps': 'configmaps',
  '/persistentvolumeclaims': 'persistentvolumeclaims',
};

const ONE = Quantity.fromInt(1);
const COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'requests.ephemeral-storage', 'limits.ephemeral-storage', 'ephemeral-storage'];

function isTerminal(pod: Obj): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function containersOf(pod: Obj): Container[] {
  return ((pod.spec as { containers?: Container[] } | undefined)?.containers ?? []);
}

function initContainersOf(pod: Obj): Container[] {
  return ((pod.spec as { initContainers?: Container[] } | undefined)?.initContainers ?? []);
}

/** requests/limits of a pod: sum of containers, at least the largest init container. */
function podCompute(pod: Obj, field: 'requests' | 'limits'): ResourceList {
  const sum: ResourceList = new Map();
  for (const c of containersOf(pod)) for (const [k, v] of toList(c.resources?.[field])) addTo(sum, k, v);
  for (const c of initContainersOf(pod)) for (const [k, v] of toList(c.resources?.[field])) if (!sum.has(k) || sum.get(k)!.cmp(v) < 0) sum.set(k, v);
  return sum;
}

export function isBestEffort(pod: Obj): boolean {
  return [...containersOf(pod), ...initContainersOf(pod)].every((c) => toList(c.resources?.requests).size === 0 && toList(c.resources?.limits).size === 0);
}

/** What one object uses, in quota resource names. */
export function usageOf(group: string, resource: string, o: Obj): ResourceList {
  const u: ResourceList = new Map();
  const key = `${group}/${resource}`;
  if (key === '/pods' && isTerminal(o)) return u;
  const counted = COUNTED[key];
  if (counted) u.set(counted, ONE);
  u.set(group ? `count/${resource}.${group}` : `count/${resource}`, ONE);
  if (key === '/pods') {
    for (const [k, v] of podCompute(o, 'requests')) {
      u.set(`requests.${k}`, v);
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') u.set(k, v);
    }
    for (const [k, v] of podCompute(o, 'limits')) u.set(`limits.${k}`, v);
  }
  if (key === '/services') {
    const spec = (o.spec ?? {}) as { type?: string; ports?: unknown[] };
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') u.set('services.nodeports', Quantity.fromInt(spec.ports?.length ?? 0));
    if (spec.type === 'LoadBalancer') u.set('services.loadbalancers', ONE);
  }
  if (key === '/persistentvolumeclaims') {
    const st = toList((o.spec as { resources?: { requests?: Rec } } | undefined)?.resources?.requests).get('storage');
    if (st) u.set('requests.storage', st);
  }
  return u;
}

/** Does the quota's scope list select this object? Scoped quotas track pods only. */
export function scopesMatch(quota: Obj, group: string, resource: string, o: Obj): boolean {
  const scopes = ((quota.spec as { scopes?: string[] } | undefined)?.scopes ?? []);
  if (!scopes.length) return true;
  if (group !== '' || resource !== 'pods') return false;
  const terminating = typeof (o.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds === 'number';
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return terminating;
      case 'NotTerminating':
        return !terminating;
      case 'BestEffort':
        return isBestEffort(o);
      case 'NotBestEffort':
        return !isBestEffort(o);
      default:
        return false;
    }
  });
}

/** Compute resources a quota constrains that some container of the pod does not state. */
function missingCompute(hard: ResourceList, pod: Obj): string[] {
  const missing: string[] = [];
  for (const k of hard.keys()) {
    if (!COMPUTE.includes(k)) continue;
    const [field, name] = k.startsWith('limits.') ? (['limits', k.slice(7)] as const) : (['requests', k.replace(/^requests\./, '')] as const);
    if (containersOf(pod).some((c) => !(c.resources?.[field] ?? {})[name])) missing.push(k);
  }
  return missing;
}

/** Resources whose objects feed a quota's hard keys. */
function trackedResources(hard: ResourceList): { group: string; resource: string }[] {
  const out = new Map<string, { group: string; resource: string }>();
  for (const k of hard.keys()) {
    if (k.startsWith('count/')) {
      const [res, ...g] = k.slice(6).split('.');
      out.set(k, { group: g.join('.'), resource: res });
      continue;
    }
    const counted = Object.entries(COUNTED).find(([, n]) => n === k);
    if (counted) out.set(counted[0], { group: '', resource: counted[0].slice(1) });
    else if (COMPUTE.includes(k)) out.set('/pods', { group: '', resource: 'pods' });
    else if (k.startsWith('services.')) out.set('/services', { group: '', resource: 'services' });
    else if (k === 'requests.storage') out.set('/persistentvolumeclaims', { group: '', resource: 'persistentvolumeclaims' });
  }
  return [...out.values()];
}

export function resourceQuota(objects: ObjectAccess): AdmissionPlugin {
  /** status.used from the namespace's objects, as the quota controller would. */
  const recompute = async (ns: string): Promise<void> => {
    for (const q of await objects.list('', 'resourcequotas', ns, true)) {
      const hard = toList((q.spec as { hard?: Rec } | undefined)?.hard);
      const used: ResourceList = new Map([...hard.keys()].map((k) => [k, Quantity.zero()]));
      for (const t of trackedResources(hard)) {
        for (const o of await objects.list(t.group, t.resource, ns, true)) {
          if (!scopesMatch(q, t.group, t.resource, o)) continue;
          for (const [k, v] of usageOf(t.group, t.resource, o)) if (hard.has(k)) addTo(used, k, v);
        }
      }
      await objects
        .update('', 'resourcequotas', ns, q.metadata!.name!, (cur) => ({ ...cur, status: { hard: (cur.spec as { hard?: Rec } | undefined)?.hard ?? {}, used: toJSON(used) } }), { subresource: 'status' })
        .catch(() => undefined); // deleted meanwhile: nothing to keep
    }
  };

  const charge = async (a: AdmissionAttributes, delta: ResourceList): Promise<void> => {
    const quotas = (await objects.list('', 'resourcequotas', a.namespace, true))
      .filter((q) => scopesMatch(q, a.group, a.resource, a.object!))
      .sort((x, y) => (x.metadata!.name! < y.metadata!.name! ? -1 : 1));
    for (const q of quotas) {
      const hard = toList((q.spec as { hard?: Rec } | undefined)?.hard);
      if (a.group === '' && a.resource === 'pods') {
        const missing = missingCompute(hard, a.object!);
        if (missing.length) throw admissionForbidden(a, `failed quota: ${q.metadata!.name!}: must specify ${missing.sort().join(',')}`);
      }
    }
    for (const q of quotas) {
      const name = q.metadata!.name!;
      const hard = toList((q.spec as { hard?: Rec } | undefined)?.hard);
      const relevant = [...delta.keys()].filter((k) => hard.has(k));
      if (!relevant.length) continue;
      if (relevant.some((k) => !(k in (((q.status as { used?: Rec } | undefined)?.used) ?? {})))) await recompute(a.namespace);
      const check = (cur: Obj): Obj => {
        const curHard = toList((cur.spec as { hard?: Rec } | undefined)?.hard);
        const used = toList((cur.status as { used?: Rec } | undefined)?.used);
        const next = new Map(used);
        const exceeded: string[] = [];
        for (const k of relevant) {
          const n = (used.get(k) ?? Quantity.zero()).add(delta.get(k)!);
          next.set(k, n);
          if (curHard.has(k) && n.cmp(curHard.get(k)!) > 0) exceeded.push(k);
        }
        if (exceeded.length) {
          throw admissionForbidden(a, `exceeded quota: ${name}, requested: ${prettyPrint(delta, exceeded)}, used: ${prettyPrint(used, exceeded)}, limited: ${prettyPrint(curHard, exceeded)}`);
        }
        return { ...cur, status: { hard: (cur.spec as { hard?: Rec } | undefined)?.hard ?? {}, used: toJSON(next) } };
      };
      if (a.dryRun) check((await objects.get('', 'resourcequotas', a.namespace, name)) ?? q);
      else await objects.update('', 'resourcequotas', a.namespace, name, check, { subresource: 'status' });
    }
  };

  return {
    name: 'ResourceQuota',
    admit: async (a) => {
      if (a.operation !== 'CREATE' || a.subresource || !a.namespace || !a.object) return;
      const delta = usageOf(a.group, a.resource, a.object);
      if (delta.size) await charge(a, delta);
    },
    after: async (a, ok) => {
      if (a.dryRun || !a.namespace || a.subresource) return;
      const quotaChanged = ok && a.group === '' && a.resource === 'resourcequotas' && a.operation !== 'DELETE';
      const released = (a.operation === 'CREATE' && !ok) || (a.operation === 'DELETE' && ok) || (a.operation === 'UPDATE' && ok && a.group === '' && a.resource === 'pods' && isTerminal(a.object ?? {}));
      if (quotaChanged || released) await recompute(a.namespace);
    },
  };
}
