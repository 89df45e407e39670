/**
 * apps/v1 defaulting (upstream pkg/apis/apps/v1/defaults.go). Each function
 * MUTATES its argument; pod templates get the PodSpec defaults (not the
 * pod-only ones such as enableServiceLinks), as upstream does.
 */
import { setDefault, setDefaultString } from '../../defaulting.js';
import { defaultPersistentVolumeClaim, defaultPodTemplateSpec } from '../../core/v1/defaults.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './types.js';

export function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  spec.strategy ??= {};
  setDefaultString(spec.strategy, 'type', 'RollingUpdate');
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    setDefault(spec.strategy.rollingUpdate, 'maxUnavailable', '25%');
    setDefault(spec.strategy.rollingUpdate, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  if (!rs.spec) return;
  setDefault(rs.spec, 'replicas', 1);
  defaultPodTemplateSpec(rs.spec.template);
}

export function defaultStatefulSet(s: StatefulSet): void {
  const spec = s.spec;
  if (!spec) return;
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  spec.updateStrategy ??= {};
  setDefaultString(spec.updateStrategy, 'type', 'RollingUpdate');
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    setDefault(spec.updateStrategy.rollingUpdate, 'partition', 0);
  }
  // StatefulSetAutoDeletePVC is on by default since 1.27, so upstream shows this policy.
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  setDefaultString(spec.persistentVolumeClaimRetentionPolicy, 'whenDeleted', 'Retain');
  setDefaultString(spec.persistentVolumeClaimRetentionPolicy, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  for (const pvc of spec.volumeClaimTemplates ?? []) defaultPersistentVolumeClaim(pvc);
  defaultPodTemplateSpec(spec.template);
}

export function defaultDaemonSet(ds: DaemonSet): void {
  const spec = ds.spec;
  if (!spec) return;
  spec.updateStrategy ??= {};
  setDefaultString(spec.updateStrategy, 'type', 'RollingUpdate');
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    setDefault(spec.updateStrategy.rollingUpdate, 'maxUnavailable', 1);
    setDefault(spec.updateStrategy.rollingUpdate, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(spec.template);
}

export function defaultControllerRevision(_r: ControllerRevision): void {
  // Nothing to default: revisions are written by controllers, complete.
}
