/**
 * apps/v1 messages (k8s.io/api/apps/v1). Field syntax: see ../schema.ts.
 */
import type { PackageSchema } from '../schema.js';

export const apps: PackageSchema = {
  name: 'apps',
  messages: {
    Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus',
    DeploymentSpec: `replicas=1:i32? selector=2:LabelSelector?! template=3:PodTemplateSpec strategy=4:DeploymentStrategy
      minReadySeconds=5:i32 revisionHistoryLimit=6:i32? paused=7:b progressDeadlineSeconds=9:i32? podReplacementPolicy=10:s?`,
    DeploymentStrategy: 'type=1:s rollingUpdate=2:RollingUpdateDeployment?',
    RollingUpdateDeployment: 'maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?',
    DeploymentStatus: `observedGeneration=1:i64 replicas=2:i32 updatedReplicas=3:i32 availableReplicas=4:i32
      unavailableReplicas=5:i32 conditions=6:[DeploymentCondition] readyReplicas=7:i32 collisionCount=8:i32?
      terminatingReplicas=9:i32?`,
    DeploymentCondition: `type=1:s! status=2:s! reason=4:s message=5:s lastUpdateTime=6:Time lastTransitionTime=7:Time`,
    ReplicaSet: 'metadata=1:ObjectMeta spec=2:ReplicaSetSpec status=3:ReplicaSetStatus',
    ReplicaSetSpec: 'replicas=1:i32? selector=2:LabelSelector?! template=3:PodTemplateSpec minReadySeconds=4:i32',
    ReplicaSetStatus: `replicas=1:i32! fullyLabeledReplicas=2:i32 observedGeneration=3:i64 readyReplicas=4:i32
      availableReplicas=5:i32 conditions=6:[ReplicaSetCondition] terminatingReplicas=7:i32?`,
    ReplicaSetCondition: 'type=1:s! status=2:s! lastTransitionTime=3:Time reason=4:s message=5:s',
    DaemonSet: 'metadata=1:ObjectMeta spec=2:DaemonSetSpec status=3:DaemonSetStatus',
    DaemonSetSpec: `selector=1:LabelSelector?! template=2:PodTemplateSpec updateStrategy=3:DaemonSetUpdateStrategy
      minReadySeconds=4:i32 revisionHistoryLimit=6:i32?`,
    DaemonSetUpdateStrategy: 'type=1:s rollingUpdate=2:RollingUpdateDaemonSet?',
    RollingUpdateDaemonSet: 'maxUnavailable=1:IntOrString? maxSurge=2:IntOrString?',
    DaemonSetStatus: `currentNumberScheduled=1:i32! numberMisscheduled=2:i32! desiredNumberScheduled=3:i32! numberReady=4:i32!
      observedGeneration=5:i64 updatedNumberScheduled=6:i32 numberAvailable=7:i32 numberUnavailable=8:i32
      collisionCount=9:i32? conditions=10:[DaemonSetCondition]`,
    DaemonSetCondition: 'type=1:s! status=2:s! lastTransitionTime=3:Time reason=4:s message=5:s',
    StatefulSet: 'metadata=1:ObjectMeta spec=2:StatefulSetSpec status=3:StatefulSetStatus',
    StatefulSetSpec: `replicas=1:i32? selector=2:LabelSelector?! template=3:PodTemplateSpec
      volumeClaimTemplates=4:[PersistentVolumeClaim] serviceName=5:s! podManagementPolicy=6:s
      updateStrategy=7:StatefulSetUpdateStrategy revisionHistoryLimit=8:i32? minReadySeconds=9:i32
      persistentVolumeClaimRetentionPolicy=10:StatefulSetPersistentVolumeClaimRetentionPolicy?
      ordinals=11:StatefulSetOrdinals?`,
    StatefulSetUpdateStrategy: 'type=1:s rollingUpdate=2:RollingUpdateStatefulSetStrategy?',
    RollingUpdateStatefulSetStrategy: 'partition=1:i32? maxUnavailable=2:IntOrString?',
    StatefulSetPersistentVolumeClaimRetentionPolicy: 'whenDeleted=1:s whenScaled=2:s',
    StatefulSetOrdinals: 'start=1:i32!',
    StatefulSetStatus: `observedGeneration=1:i64 replicas=2:i32! readyReplicas=3:i32 currentReplicas=4:i32
      updatedReplicas=5:i32 currentRevision=6:s updateRevision=7:s collisionCount=9:i32?
      conditions=10:[StatefulSetCondition] availableReplicas=11:i32!`,
    StatefulSetCondition: 'type=1:s! status=2:s! lastTransitionTime=3:Time reason=4:s message=5:s',
    ControllerRevision: 'metadata=1:ObjectMeta data=2:RawExtension revision=3:i64!',
  },
};
