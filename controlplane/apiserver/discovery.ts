/**
 * Discovery documents, built once from the scheme: legacy (/api, /apis,
 * /api/v1, /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io v2 and v2beta1,
 * chosen by the client's Accept; API-SURFACE.md §a.0, §b.1, §b.2).
 */
import type { Scheme, ResourceInfo } from '../api/scheme.js';

export interface DiscoveryDocs {
  apiVersions: unknown;
  apiGroupList: unknown;
  /** key: "v1" for the core group, "apps/v1" otherwise. */
  resourceLists: Map<string, unknown>;
  aggregatedCore(version: 'v2' | 'v2beta1'): unknown;
  aggregatedGroups(version: 'v2' | 'v2beta1'): unknown;
}

function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function legacyResources(infos: readonly ResourceInfo[]): unknown[] {
  const out: unknown[] = [];
  for (const r of infos) {
    const entry: Record<string, unknown> = {
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
    };
    if (r.shortNames.length) entry.shortNames = [...r.shortNames];
    if (r.categories.length) entry.categories = [...r.categories];
    entry.storageVersionHash = r.storageVersionHash;
    out.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind.kind, verbs: [...s.verbs] };
      if (s.kind.group !== r.group || s.kind.version !== r.version) {
        sub.group = s.kind.group;
        sub.version = s.kind.version;
      }
      out.push(sub);
    }
  }
  return out;
}

function aggregatedResources(infos: readonly ResourceInfo[]): unknown[] {
  return infos.map((r) => {
    const entry: Record<string, unknown> = {
      resource: r.resource,
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singular,
      verbs: [...r.verbs],
    };
    if (r.shortNames.length) entry.shortNames = [...r.shortNames];
    if (r.categories.length) entry.categories = [...r.categories];
    if (r.subresources.length) {
      entry.subresources = r.subresources.map((s) => ({
        subresource: s.name,
        responseKind: { group: s.kind.group, version: s.kind.version, kind: s.kind.kind },
        verbs: [...s.verbs],
      }));
    }
    return entry;
  });
}

export function buildDiscovery(scheme: Scheme, serverAddress: string): DiscoveryDocs {
  const groups = scheme.groups().filter((g) => g.name !== '');
  const resourceLists = new Map<string, unknown>();
  for (const g of scheme.groups()) {
    for (const v of g.versions) {
      const gv = gvString(g.name, v);
      resourceLists.set(gv, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: legacyResources(scheme.resourcesIn({ group: g.name, version: v })),
      });
    }
  }
  const aggItem = (name: string, versions: readonly string[]) => ({
    metadata: { name, creationTimestamp: null },
    versions: versions.map((v) => ({
      version: v,
      resources: aggregatedResources(scheme.resourcesIn({ group: name, version: v })),
      freshness: 'Current',
    })),
  });
  const core = scheme.group('');
  return {
    apiVersions: {
      kind: 'APIVersions',
      versions: core ? [...core.versions] : ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    },
    apiGroupList: {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => ({
        name: g.name,
        versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g.name}/${g.preferredVersion}`, version: g.preferredVersion },
      })),
    },
    resourceLists,
    aggregatedCore: (version) => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: core ? [aggItem('', core.versions)] : [],
    }),
    aggregatedGroups: (version) => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: groups.map((g) => aggItem(g.name, g.versions)),
    }),
  };
}

/** The group document served at /apis/<group>. */
export function groupDoc(scheme: Scheme, name: string): unknown | undefined {
  const g = scheme.group(name);
  if (!g || name === '') return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.name}/${g.preferredVersion}`, version: g.preferredVersion },
  };
}
