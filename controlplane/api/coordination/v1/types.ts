/** coordination.k8s.io/v1: Lease, used for leader election and node heartbeats. */
import type { ListMeta, ObjectMeta } from '../../../machinery/meta/types.js';
import type { TypedObject } from '../../core/v1/types.js';

/** RFC 3339 with microseconds (metav1.MicroTime), e.g. `2024-01-02T03:04:05.123456Z`. */
export type MicroTime = string;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: MicroTime;
  renewTime?: MicroTime;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}
export interface Lease extends TypedObject {
  metadata: ObjectMeta;
  spec?: LeaseSpec;
}
export interface LeaseList extends TypedObject {
  metadata: ListMeta;
  items: Lease[];
}
