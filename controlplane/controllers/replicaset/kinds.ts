/**
 * The two kinds the replica controller manages, behind one adapter:
 * apps/v1 ReplicaSet (LabelSelector) and v1 ReplicationController (a plain
 * label map). Upstream runs the very same controller for both, converting
 * RCs to ReplicaSets; an adapter keeps the wire types honest instead.
 */
import type { ReplicaSet } from '../../api/apps/v1/types.js';
import type { PodTemplateSpec, ReplicationController } from '../../api/core/v1/types.js';
import { resources, type ResourceRef } from '../../client/resources.js';
import { nothing, selectorFromLabelSelector, selectorFromSet, type Selector } from '../../machinery/labels.js';
import type { KubeObject, LabelSelector } from '../../machinery/meta/types.js';
import type { RO } from '../common/types.js';

export interface ReplicaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** The status fields both kinds share. */
export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaCondition[];
}

export interface ReplicaKind<T extends KubeObject> {
  /** --controllers name and the controller's log/event name. */
  readonly controllerName: 'replicaset' | 'replicationcontroller';
  readonly apiVersion: string;
  readonly kind: string;
  readonly ref: ResourceRef<T>;
  /** Throws LabelSelectorError for a selector that does not parse. */
  selector(o: RO<T>): Selector;
  replicas(o: RO<T>): number;
  minReadySeconds(o: RO<T>): number;
  template(o: RO<T>): RO<PodTemplateSpec> | undefined;
  status(o: RO<T>): RO<ReplicaStatus> | undefined;
  /** A copy of o with this status (for updateStatus). */
  withStatus(o: RO<T>, s: ReplicaStatus): T;
}

export const replicaSetKind: ReplicaKind<ReplicaSet> = {
  controllerName: 'replicaset',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  ref: resources.replicasets,
  selector: (o) => selectorFromLabelSelector(o.spec?.selector as LabelSelector | undefined),
  replicas: (o) => o.spec?.replicas ?? 1,
  minReadySeconds: (o) => o.spec?.minReadySeconds ?? 0,
  template: (o) => o.spec?.template,
  status: (o) => o.status,
  withStatus: (o, s) => ({ ...(structuredClone(o) as ReplicaSet), status: s }),
};

export const replicationControllerKind: ReplicaKind<ReplicationController> = {
  controllerName: 'replicationcontroller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  ref: resources.replicationcontrollers,
  // An RC without a selector selects nothing (validation defaults it from the template labels).
  selector: (o) => (o.spec?.selector && Object.keys(o.spec.selector).length > 0 ? selectorFromSet(o.spec.selector) : nothing()),
  replicas: (o) => o.spec?.replicas ?? 1,
  minReadySeconds: (o) => o.spec?.minReadySeconds ?? 0,
  template: (o) => o.spec?.template,
  status: (o) => o.status,
  withStatus: (o, s) => ({ ...(structuredClone(o) as ReplicationController), status: s }),
};
