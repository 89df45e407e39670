/** autoscaling/v1: HorizontalPodAutoscaler (CPU only) and Scale, the body of every scale subresource (deployments/scale …). */
import type { ListMeta, ObjectMeta, Time } from '../../../machinery/meta/types.js';
import type { TypedObject } from '../../core/v1/types.js';

export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}
export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: CrossVersionObjectReference;
  minReplicas?: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage?: number;
}
export interface HorizontalPodAutoscalerStatus {
  observedGeneration?: number;
  lastScaleTime?: Time;
  currentReplicas: number;
  desiredReplicas: number;
  currentCPUUtilizationPercentage?: number;
}
export interface HorizontalPodAutoscaler extends TypedObject {
  metadata: ObjectMeta;
  spec?: HorizontalPodAutoscalerSpec;
  status?: HorizontalPodAutoscalerStatus;
}
export interface HorizontalPodAutoscalerList extends TypedObject {
  metadata: ListMeta;
  items: HorizontalPodAutoscaler[];
}

export interface Scale extends TypedObject {
  metadata: ObjectMeta;
  spec?: { replicas?: number };
  /** selector is the label query in string form (`app=web`), as upstream serializes it. */
  status?: { replicas: number; selector?: string };
}
