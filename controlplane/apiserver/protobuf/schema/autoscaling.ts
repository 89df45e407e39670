/**
 * autoscaling/v1 and autoscaling/v2 messages. The two versions reuse message names with different
 * fields, so each is its own package. Field syntax: see ../schema.ts.
 * Not modelled: v1's annotation-only metric types, and v2 HPAScalingRules.tolerance (1.33 alpha).
 */
import type { PackageSchema } from '../schema.js';

export const autoscalingV1: PackageSchema = {
  name: 'autoscalingv1',
  messages: {
    CrossVersionObjectReference: 'kind=1:s! name=2:s! apiVersion=3:s',
    HorizontalPodAutoscaler: 'metadata=1:ObjectMeta spec=2:HorizontalPodAutoscalerSpec status=3:HorizontalPodAutoscalerStatus',
    HorizontalPodAutoscalerSpec: `scaleTargetRef=1:CrossVersionObjectReference minReplicas=2:i32? maxReplicas=3:i32!
      targetCPUUtilizationPercentage=4:i32?`,
    HorizontalPodAutoscalerStatus: `observedGeneration=1:i64? lastScaleTime=2:Time? currentReplicas=3:i32!
      desiredReplicas=4:i32! currentCPUUtilizationPercentage=5:i32?`,
    Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
    ScaleSpec: 'replicas=1:i32',
    ScaleStatus: 'replicas=1:i32! selector=2:s',
  },
};

export const autoscalingV2: PackageSchema = {
  name: 'autoscalingv2',
  messages: {
    CrossVersionObjectReference: 'kind=1:s! name=2:s! apiVersion=3:s',
    HorizontalPodAutoscaler: 'metadata=1:ObjectMeta spec=2:HorizontalPodAutoscalerSpec status=3:HorizontalPodAutoscalerStatus',
    HorizontalPodAutoscalerSpec: `scaleTargetRef=1:CrossVersionObjectReference minReplicas=2:i32? maxReplicas=3:i32!
      metrics=4:[MetricSpec] behavior=5:HorizontalPodAutoscalerBehavior?`,
    MetricSpec: `type=1:s! object=2:ObjectMetricSource? pods=3:PodsMetricSource? resource=4:ResourceMetricSource?
      external=5:ExternalMetricSource? containerResource=7:ContainerResourceMetricSource?`,
    HorizontalPodAutoscalerBehavior: 'scaleUp=1:HPAScalingRules? scaleDown=2:HPAScalingRules?',
    HPAScalingRules: 'selectPolicy=1:s? policies=2:[HPAScalingPolicy] stabilizationWindowSeconds=3:i32?',
    HPAScalingPolicy: 'type=1:s! value=2:i32! periodSeconds=3:i32!',
    ObjectMetricSource: 'describedObject=1:CrossVersionObjectReference target=2:MetricTarget metric=3:MetricIdentifier',
    PodsMetricSource: 'metric=1:MetricIdentifier target=2:MetricTarget',
    ResourceMetricSource: 'name=1:s! target=2:MetricTarget',
    ContainerResourceMetricSource: 'name=1:s! target=2:MetricTarget container=3:s!',
    ExternalMetricSource: 'metric=1:MetricIdentifier target=2:MetricTarget',
    MetricIdentifier: 'name=1:s! selector=2:LabelSelector?',
    MetricTarget: 'type=1:s! value=2:Quantity? averageValue=3:Quantity? averageUtilization=4:i32?',
    HorizontalPodAutoscalerStatus: `observedGeneration=1:i64? lastScaleTime=2:Time? currentReplicas=3:i32
      desiredReplicas=4:i32! currentMetrics=5:[MetricStatus]! conditions=6:[HorizontalPodAutoscalerCondition]`,
    HorizontalPodAutoscalerCondition: 'type=1:s! status=2:s! lastTransitionTime=3:Time reason=4:s message=5:s',
    MetricStatus: `type=1:s! object=2:ObjectMetricStatus? pods=3:PodsMetricStatus? resource=4:ResourceMetricStatus?
      external=5:ExternalMetricStatus? containerResource=7:ContainerResourceMetricStatus?`,
    ObjectMetricStatus: 'metric=1:MetricIdentifier current=2:MetricValueStatus describedObject=3:CrossVersionObjectReference',
    PodsMetricStatus: 'metric=1:MetricIdentifier current=2:MetricValueStatus',
    ResourceMetricStatus: 'name=1:s! current=2:MetricValueStatus',
    ContainerResourceMetricStatus: 'name=1:s! current=2:MetricValueStatus container=3:s!',
    ExternalMetricStatus: 'metric=1:MetricIdentifier current=2:MetricValueStatus',
    MetricValueStatus: 'value=1:Quantity? averageValue=2:Quantity? averageUtilization=3:i32?',
  },
};
