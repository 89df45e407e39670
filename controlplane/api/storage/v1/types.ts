/** storage.k8s.io/v1: StorageClass. */
import type { ListMeta, ObjectMeta } from '../../../machinery/meta/types.js';
import type { PersistentVolumeReclaimPolicy, TypedObject } from '../../core/v1/types.js';

export interface StorageClass extends TypedObject {
  metadata: ObjectMeta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: PersistentVolumeReclaimPolicy;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}
export interface StorageClassList extends TypedObject {
  metadata: ListMeta;
  items: StorageClass[];
}
