/**
 * LimitRanger (upstream plugin/pkg/admission/limitranger, v1.8): the
 * LimitRanges of the namespace default containers' requests and limits
 * (default, defaultRequest — themselves defaulted from max/min as upstream's
 * LimitRange defaulting does) and enforce min/max/maxLimitRequestRatio per
 * Container and per Pod, and min/max storage per PersistentVolumeClaim.
 */
import type { Quantity } from '../../machinery/quantity.js';
import type { Obj } from '../registry/types.js';
import type { ObjectAccess } from './objects.js';
import { addTo, toList, type ResourceList } from './resources.js';
import { admissionForbidden, is, type AdmissionPlugin } from './types.js';

type Rec = Record<string, unknown>;
interface Item { type?: string; default?: Rec; defaultRequest?: Rec; min?: Rec; max?: Rec; maxLimitRequestRatio?: Rec }
interface Container { resources?: { requests?: Rec; limits?: Rec }; [k: string]: unknown }

const itemsOf = (lr: Obj): Item[] => ((lr.spec as { limits?: Item[] } | undefined)?.limits ?? []);

/** An item's defaults after upstream's LimitRange defaulting. */
export function containerDefaults(item: Item): { limits: ResourceList; requests: ResourceList } {
  const limits = toList(item.default);
  for (const [k, v] of toList(item.max)) if (!limits.has(k)) limits.set(k, v);
  const requests = toList(item.defaultRequest);
  for (const [k, v] of limits) if (!requests.has(k)) requests.set(k, v);
  for (const [k, v] of toList(item.min)) if (!requests.has(k)) requests.set(k, v);
  return { limits, requests };
}

function minConstraint(type: string, k: string, min: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req.get(k);
  const l = lim.get(k);
  if (!r) return `minimum ${k} usage per ${type} is ${min.toString()}.  No request is specified.`;
  if (r.cmp(min) < 0) return `minimum ${k} usage per ${type} is ${min.toString()}, but request is ${r.toString()}.`;
  if (l && l.cmp(min) < 0) return `minimum ${k} usage per ${type} is ${min.toString()}, but limit is ${l.toString()}.`;
  return undefined;
}

function maxConstraint(type: string, k: string, max: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req.get(k);
  const l = lim.get(k);
  if (!l) return `maximum ${k} usage per ${type} is ${max.toString()}.  No limit is specified.`;
  if (l.cmp(max) > 0) return `maximum ${k} usage per ${type} is ${max.toString()}, but limit is ${l.toString()}.`;
  if (r && r.cmp(max) > 0) return `maximum ${k} usage per ${type} is ${max.toString()}, but request is ${r.toString()}.`;
  return undefined;
}

function ratioConstraint(type: string, k: string, ratio: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req.get(k);
  const l = lim.get(k);
  if (!l) return `${k} max limit to request ratio per ${type} is ${ratio.toString()}, but no limit is specified.`;
  if (!r || r.isZero()) return `${k} max limit to request ratio per ${type} is ${ratio.toString()}, but no request is specified or request is 0.`;
  const observed = Number(l.milliValue()) / Number(r.milliValue());
  if (observed > ratio.asNumber()) return `${k} max limit to request ratio per ${type} is ${ratio.toString()}, but provided ratio is ${observed.toFixed(6)}.`;
  return undefined;
}

function check(type: string, item: Item, req: ResourceList, lim: ResourceList, errs: string[]): void {
  for (const [k, v] of toList(item.min)) { const e = minConstraint(type, k, v, req, lim); if (e) errs.push(e); }
  for (const [k, v] of toList(item.max)) { const e = maxConstraint(type, k, v, req, lim); if (e) errs.push(e); }
  for (const [k, v] of toList(item.maxLimitRequestRatio)) { const e = ratioConstraint(type, k, v, req, lim); if (e) errs.push(e); }
}

/** Applies defaults to the pod's containers and returns what the ranges refuse. */
export function limitPod(pod: Obj, ranges: readonly Obj[]): string[] {
  const spec = (pod.spec ??= {}) as Rec;
  const containers = [...((spec.initContainers as Container[] | undefined) ?? []), ...((spec.containers as Container[] | undefined) ?? [])];
  const items = ranges.flatMap(itemsOf);
  for (const c of containers) {
    const res = (c.resources ??= {});
    // Upstream's pod defaulting (done at decoding there, before admission): a limit without request sets the request.
    for (const [k, v] of Object.entries(res.limits ?? {})) if (!(res.requests ?? {})[k]) res.requests = { ...(res.requests ?? {}), [k]: v };
    for (const item of items.filter((i) => i.type === 'Container')) {
      const d = containerDefaults(item);
      for (const [k, v] of d.limits) if (!(res.limits ?? {})[k]) res.limits = { ...(res.limits ?? {}), [k]: v.toString() };
      for (const [k, v] of d.requests) if (!(res.requests ?? {})[k]) res.requests = { ...(res.requests ?? {}), [k]: v.toString() };
    }
  }
  const errs: string[] = [];
  const podReq: ResourceList = new Map();
  const podLim: ResourceList = new Map();
  for (const c of (spec.containers as Container[] | undefined) ?? []) {
    const req = toList(c.resources?.requests);
    const lim = toList(c.resources?.limits);
    for (const item of items.filter((i) => i.type === 'Container')) check('Container', item, req, lim, errs);
    for (const [k, v] of req) addTo(podReq, k, v);
    for (const [k, v] of lim) addTo(podLim, k, v);
  }
  for (const item of items.filter((i) => i.type === 'Pod')) check('Pod', item, podReq, podLim, errs);
  return errs;
}

export function limitClaim(pvc: Obj, ranges: readonly Obj[]): string[] {
  const res = ((pvc.spec as Rec | undefined)?.resources ?? {}) as { requests?: Rec; limits?: Rec };
  const errs: string[] = [];
  for (const item of ranges.flatMap(itemsOf).filter((i) => i.type === 'PersistentVolumeClaim')) check('PersistentVolumeClaim', item, toList(res.requests), toList(res.limits), errs);
  return errs;
}

export function limitRanger(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    admit: async (a) => {
      if (a.subresource || !a.object) return;
      const pod = is(a, '', 'pods') && (a.operation === 'CREATE' || a.operation === 'UPDATE');
      const pvc = is(a, '', 'persistentvolumeclaims') && a.operation === 'CREATE';
      if (!pod && !pvc) return;
      const ranges = await objects.list('', 'limitranges', a.namespace);
      if (!ranges.length) return;
      // An update may not change resources: only creates are defaulted and checked (upstream skips unchanged pods too).
      if (pod && a.operation === 'UPDATE') return;
      const errs = pod ? limitPod(a.object, ranges) : limitClaim(a.object, ranges);
      if (errs.length) throw admissionForbidden(a, errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
    },
  };
}
