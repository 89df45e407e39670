/** An in-memory ObjectAccess for unit tests of authn/authz/admission. */
import { StatusError } from '../../../machinery/errors.js';
import type { Obj } from '../../registry/types.js';
import type { ObjectAccess } from '../objects.js';

export function memoryObjects(initial: Obj[] = []): ObjectAccess & { objects: Obj[] } {
  const objects = initial.map((o) => structuredClone(o));
  const groupOf = (o: Obj) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0] : '');
  const plural = (kind: string) => {
    const k = kind.toLowerCase();
    if (k.endsWith('s')) return `${k}es`;
    if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
    return `${k}s`;
  };
  const matches = (o: Obj, group: string, resource: string, ns: string) => groupOf(o) === group && plural(o.kind ?? '') === resource && (!ns || (o.metadata?.namespace ?? '') === ns);
  let rv = 1;
  return {
    objects,
    async get(group, resource, ns, name) {
      const o = objects.find((x) => matches(x, group, resource, ns) && x.metadata?.name === name);
      return o ? structuredClone(o) : undefined;
    },
    async list(group, resource, ns) {
      return objects.filter((x) => matches(x, group, resource, ns)).map((o) => structuredClone(o));
    },
    async create(_group, _resource, ns, obj) {
      const o = structuredClone(obj);
      o.metadata = { ...(o.metadata ?? {}), resourceVersion: String(++rv) };
      if (ns) o.metadata.namespace = ns;
      objects.push(o);
      return structuredClone(o);
    },
    async update(group, resource, ns, name, fn) {
      const i = objects.findIndex((x) => matches(x, group, resource, ns) && x.metadata?.name === name);
      if (i < 0) throw new StatusError(404, 'NotFound', `${resource} "${name}" not found`);
      const next = fn(structuredClone(objects[i]));
      next.metadata = { ...(next.metadata ?? {}), resourceVersion: String(++rv) };
      objects[i] = next;
      return structuredClone(next);
    },
  };
}
