/**
 * metrics.k8s.io/v1beta1 in discovery. kubectl top needs the group in
 * /apis (ServerGroups) with a version it supports (v1beta1); the group and
 * version documents and the aggregated lists carry it too, so
 * `kubectl api-resources` and `kubectl get --raw` agree. The group comes last,
 * as an aggregated group does upstream, so `nodes` and `pods` keep resolving to
 * the core group.
 */
import type { DiscoveryDocs } from '../discovery.js';
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION } from './convert.js';

interface MetricsResource {
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
}

export const METRICS_RESOURCES: readonly MetricsResource[] = [
  { resource: 'nodes', kind: 'NodeMetrics', singular: 'nodemetrics', namespaced: false },
  { resource: 'pods', kind: 'PodMetrics', singular: 'podmetrics', namespaced: true },
];

const VERBS = ['get', 'list'];

const groupVersion = { groupVersion: METRICS_API_VERSION, version: METRICS_VERSION };

/** /apis/metrics.k8s.io */
export const metricsGroupDoc = {
  kind: 'APIGroup',
  apiVersion: 'v1',
  name: METRICS_GROUP,
  versions: [groupVersion],
  preferredVersion: groupVersion,
};

/** /apis/metrics.k8s.io/v1beta1 */
export const metricsResourceList = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: METRICS_API_VERSION,
  resources: METRICS_RESOURCES.map((r) => ({ name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...VERBS] })),
};

function aggregatedItem(): unknown {
  return {
    metadata: { name: METRICS_GROUP, creationTimestamp: null },
    versions: [
      {
        version: METRICS_VERSION,
        resources: METRICS_RESOURCES.map((r) => ({
          resource: r.resource,
          responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: [...VERBS],
        })),
        freshness: 'Current',
      },
    ],
  };
}

/** The scheme's discovery documents with metrics.k8s.io appended (legacy and aggregated). */
export function withMetricsDiscovery(docs: DiscoveryDocs): DiscoveryDocs {
  const list = docs.apiGroupList as { groups?: unknown[] };
  const resourceLists = new Map(docs.resourceLists);
  resourceLists.set(METRICS_API_VERSION, metricsResourceList);
  return {
    ...docs,
    apiGroupList: { ...list, groups: [...(list.groups ?? []), { name: METRICS_GROUP, versions: [groupVersion], preferredVersion: groupVersion }] },
    resourceLists,
    aggregatedGroups: (version) => {
      const agg = docs.aggregatedGroups(version) as { items?: unknown[] };
      return { ...agg, items: [...(agg.items ?? []), aggregatedItem()] };
    },
  };
}
