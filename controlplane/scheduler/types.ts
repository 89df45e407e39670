/**
 * The scheduler's vocabulary. Everything the scheduler reads comes from
 * shared informer caches, so pods and nodes are DeepReadonly: the scheduler
 * never mutates a cached object (it builds a Binding or a status patch instead).
 */
import type { StatefulSet, ReplicaSet } from '../api/apps/v1/types.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Service } from '../api/core/v1/types.js';
import type { DeepReadonly } from '../client/types.js';

export type RPod = DeepReadonly<Pod>;
export type RNode = DeepReadonly<Node>;
export type RService = DeepReadonly<Service>;
export type RReplicationController = DeepReadonly<ReplicationController>;
export type RReplicaSet = DeepReadonly<ReplicaSet>;
export type RStatefulSet = DeepReadonly<StatefulSet>;
export type RPersistentVolume = DeepReadonly<PersistentVolume>;
export type RPersistentVolumeClaim = DeepReadonly<PersistentVolumeClaim>;

/** `namespace/name` of a pod: the queue's and the cache's key. */
export function podKey(p: RPod): string {
  return `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
