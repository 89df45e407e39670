/**
 * How authentication, authorization and admission read (and, for quota, write)
 * cluster state: through the API server's own registries, so reads of
 * resourceVersion=0 come from the watch cache when it is on, as upstream's
 * informers would. Callers pass group and resource; the version is the
 * preferred one of the scheme.
 */
import { StatusError } from '../../machinery/errors.js';
import type { Scheme, ResourceInfo } from '../../api/scheme.js';
import type { GenericStore } from '../registry/generic.js';
import type { Obj } from '../registry/types.js';

export interface ObjectAccess {
  /** The object, or undefined when it does not exist (or its resource is switched off). */
  get(group: string, resource: string, ns: string, name: string): Promise<Obj | undefined>;
  /** Every object of the resource in ns ('' = all namespaces); from the watch cache (maybe slightly stale) unless fresh. */
  list(group: string, resource: string, ns: string, fresh?: boolean): Promise<Obj[]>;
  create(group: string, resource: string, ns: string, obj: Obj): Promise<Obj>;
  /** Read-modify-write with compare-and-swap, retried on conflicts. */
  update(group: string, resource: string, ns: string, name: string, fn: (cur: Obj) => Obj, opts?: { subresource?: string }): Promise<Obj>;
}

export function registryObjects(scheme: Scheme, registry: (info: ResourceInfo) => GenericStore): ObjectAccess {
  const reg = (group: string, resource: string): GenericStore | undefined => {
    const info = scheme.forResource(group, resource);
    return info ? registry(info) : undefined;
  };
  const must = (group: string, resource: string): GenericStore => {
    const r = reg(group, resource);
    if (!r) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${group ? `${resource}.${group}` : resource} is not served)`);
    return r;
  };
  return {
    async get(group, resource, ns, name) {
      const r = reg(group, resource);
      if (!r) return undefined;
      try {
        return await r.get(ns, name);
      } catch (e) {
        if (e instanceof StatusError && e.reason === 'NotFound') return undefined;
        throw e;
      }
    },
    async list(group, resource, ns, fresh) {
      const r = reg(group, resource);
      if (!r) return [];
      return (await r.list(ns, fresh ? {} : { resourceVersion: '0' })).items;
    },
    create: (group, resource, ns, obj) => must(group, resource).create(ns, obj),
    update: (group, resource, ns, name, fn, opts) => must(group, resource).guaranteedUpdate(ns, name, fn, { subresource: opts?.subresource }),
  };
}
