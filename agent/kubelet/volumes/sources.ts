/**
 * Where the volume manager reads ConfigMaps, Secrets, PVCs and PVs: a small
 * lookup seam, backed in production by the client library's listers (an
 * informer cache, so a refresh on every pod sync costs no API call) with an
 * optional direct GET behind it, and by plain maps in unit tests.
 *
 * Objects handed out may be shared cache entries: they are DeepReadonly and
 * never mutated here.
 */
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from '../../../controlplane/api/core/v1/types.js';
import { isNotFound, type Client, type DeepReadonly, type KubeObject, type Lister, type ResourceRef } from '../../../controlplane/client/index.js';

export interface NamespacedLookup<T> {
  /** The object, or undefined when it does not exist. Rejects only when it could not be asked (apiserver down). */
  get(namespace: string, name: string): Promise<DeepReadonly<T> | undefined>;
}

export interface ClusterLookup<T> {
  get(name: string): Promise<DeepReadonly<T> | undefined>;
}

export interface VolumeSources {
  configMaps: NamespacedLookup<ConfigMap>;
  secrets: NamespacedLookup<Secret>;
  persistentVolumeClaims: NamespacedLookup<PersistentVolumeClaim>;
  persistentVolumes: ClusterLookup<PersistentVolume>;
}

/** A namespaced lookup over an informer's lister (keys are `namespace/name`). */
export function listerLookup<T>(lister: Lister<DeepReadonly<T>>): NamespacedLookup<T> {
  return { get: async (namespace, name) => lister.get(`${namespace}/${name}`) };
}

/** A cluster-scoped lookup over an informer's lister (keys are `name`). */
export function clusterListerLookup<T>(lister: Lister<DeepReadonly<T>>): ClusterLookup<T> {
  return { get: async (name) => lister.get(name) };
}

/** A namespaced lookup that GETs from the apiserver each time; 404 → undefined. */
export function clientLookup<T extends KubeObject>(client: Client, r: ResourceRef<T>): NamespacedLookup<T> {
  return {
    get: async (namespace, name) => {
      try {
        return (await client.resource(r, namespace).get(name)) as DeepReadonly<T>;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}

/** A cluster-scoped lookup that GETs from the apiserver; 404 → undefined. */
export function clusterClientLookup<T extends KubeObject>(client: Client, r: ResourceRef<T>): ClusterLookup<T> {
  return {
    get: async (name) => {
      try {
        return (await client.resource(r).get(name)) as DeepReadonly<T>;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}

/**
 * The first lookup that has the object: e.g. the lister first, then a GET
 * for an object the cache has not seen yet (just created, or the informer
 * not synced). A miss costs the fallback a request, so use it only where
 * misses are rare.
 */
export function firstOf<T>(...lookups: NamespacedLookup<T>[]): NamespacedLookup<T> {
  return {
    get: async (namespace, name) => {
      for (const l of lookups) {
        const o = await l.get(namespace, name);
        if (o !== undefined) return o;
      }
      return undefined;
    },
  };
}

export function firstOfCluster<T>(...lookups: ClusterLookup<T>[]): ClusterLookup<T> {
  return {
    get: async (name) => {
      for (const l of lookups) {
        const o = await l.get(name);
        if (o !== undefined) return o;
      }
      return undefined;
    },
  };
}
