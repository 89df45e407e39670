/** URL paths of the REST API, from scheme facts. Pure; shared by the REST client and tests. */
import type { ResourceInfo } from '../api/scheme.js';

/** /api/v1 or /apis/<group>/<version>. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/**
 * The collection or object path: /api/v1/namespaces/ns/pods[/name[/sub]];
 * cluster-scoped resources (and namespaced ones across all namespaces) drop
 * the namespaces/ns part.
 */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string, sub?: string): string {
  let p = groupVersionPath(info.group, info.version);
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.resource}`;
  if (name !== undefined) {
    if (name === '') throw new TypeError(`${info.resource}: resource name may not be empty`);
    p += `/${encodeURIComponent(name)}`;
    if (sub) p += `/${sub}`;
  }
  return p;
}
