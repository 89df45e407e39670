/** storage.k8s.io/v1 defaulting. Mutates. */
import { setDefaultString } from '../../defaulting.js';
import type { StorageClass } from './types.js';

export function defaultStorageClass(sc: StorageClass): void {
  setDefaultString(sc, 'reclaimPolicy', 'Delete');
  setDefaultString(sc, 'volumeBindingMode', 'Immediate');
}
