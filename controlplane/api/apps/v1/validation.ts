/**
 * apps/v1 validation (upstream pkg/apis/apps/validation). Pure; returns
 * FieldError[] with upstream's paths and messages.
 */
import { selectorFromLabelSelector, validateLabelSelector } from '../../../machinery/labels.js';
import type { LabelSelector } from '../../../machinery/meta/types.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../machinery/meta/validation.js';
import type { PodTemplateSpec } from '../../core/v1/types.js';
import { validatePodTemplateSpec } from '../../core/v1/validation.js';
import {
  deepEqual,
  enumField,
  type FieldError,
  FieldPath,
  fieldErrors,
  immutable,
  intOrPercent,
  intOrPercentValue,
  nonNegative,
  notMoreThan100Percent,
} from '../../validationutil.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from './types.js';

const spec = FieldPath.root('spec');

function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/**
 * The selector/template rules every workload shares: selector required and
 * non-empty, template labels matched by it, restartPolicy Always, no
 * activeDeadlineSeconds. `what` names the kind in upstream's messages.
 */
export function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  emptyWhat: string,
  deadlineWhat: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const sp = spec.child('selector');
  const tp = spec.child('template');
  if (!selector) errs.push(fieldErrors.required(sp, ''));
  else {
    errs.push(...validateLabelSelector(selector, sp));
    if (isEmptySelector(selector)) errs.push(fieldErrors.invalid(sp, selector, `empty selector is invalid for ${emptyWhat}`));
  }
  if (!template) return [...errs, fieldErrors.required(tp, '')];
  if (selector && !isEmptySelector(selector) && errs.length === 0) {
    const labels = template.metadata?.labels ?? {};
    if (!selectorFromLabelSelector(selector).matches(labels)) {
      errs.push(fieldErrors.invalid(tp.child('metadata', 'labels'), labels, '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validatePodTemplateSpec(template, tp));
  const rp = template.spec?.restartPolicy;
  if (template.spec && rp !== 'Always') errs.push(fieldErrors.notSupported(tp.child('spec', 'restartPolicy'), rp ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(fieldErrors.forbidden(tp.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${deadlineWhat} is not Supported`));
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, { namespaced: true });
  const s = d.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, 'deployment', 'ReplicaSet'));
  const st = s.strategy ?? {};
  const stp = spec.child('strategy');
  errs.push(...enumField(st.type, ['Recreate', 'RollingUpdate'], stp.child('type')));
  if (st.type === 'Recreate' && st.rollingUpdate) errs.push(fieldErrors.forbidden(stp.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  if (st.type === 'RollingUpdate') {
    const ru = st.rollingUpdate ?? {};
    const rp = stp.child('rollingUpdate');
    errs.push(...intOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')), ...intOrPercent(ru.maxSurge, rp.child('maxSurge')));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(fieldErrors.invalid(rp.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
  }
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, spec.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(fieldErrors.invalid(spec.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [
    ...validateObjectMetaUpdate(d.metadata, old.metadata),
    ...validateDeployment(d),
    ...immutable(d.spec?.selector, old.spec?.selector, spec.child('selector')),
  ];
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, { namespaced: true });
  const s = rs.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  // Upstream's ReplicaSet message really does say "deployment".
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, 'deployment', 'ReplicaSet'));
  return errs;
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(rs.metadata, old.metadata),
    ...validateReplicaSet(rs),
    ...immutable(rs.spec?.selector, old.spec?.selector, spec.child('selector')),
  ];
}

export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(ss.metadata, { namespaced: true });
  const s = ss.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  errs.push(...enumField(s.podManagementPolicy, ['OrderedReady', 'Parallel'], spec.child('podManagementPolicy')));
  const us = s.updateStrategy ?? {};
  const up = spec.child('updateStrategy');
  errs.push(...enumField(us.type, ['OnDelete', 'RollingUpdate'], up.child('type')));
  if (us.type === 'OnDelete' && us.rollingUpdate) errs.push(fieldErrors.invalid(up.child('rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  if (us.type === 'RollingUpdate' && us.rollingUpdate) {
    errs.push(...nonNegative(us.rollingUpdate.partition, up.child('rollingUpdate', 'partition')));
    errs.push(...intOrPercent(us.rollingUpdate.maxUnavailable, up.child('rollingUpdate', 'maxUnavailable')));
  }
  errs.push(...nonNegative(s.replicas, spec.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  if (s.ordinals?.start !== undefined) errs.push(...nonNegative(s.ordinals.start, spec.child('ordinals', 'start')));
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, 'statefulset', 'StatefulSet'));
  return errs;
}

const STS_UPDATE_MSG =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(ss.metadata, old.metadata), ...validateStatefulSet(ss)];
  const strip = (s: StatefulSet['spec']) => ({
    ...s,
    replicas: undefined,
    ordinals: undefined,
    template: undefined,
    updateStrategy: undefined,
    persistentVolumeClaimRetentionPolicy: undefined,
    minReadySeconds: undefined,
    // Upstream also lets revisionHistoryLimit change in practice (it is defaulted); keep it mutable.
    revisionHistoryLimit: undefined,
  });
  if (!deepEqual(strip(ss.spec), strip(old.spec))) errs.push(fieldErrors.forbidden(spec, STS_UPDATE_MSG));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, { namespaced: true });
  const s = ds.spec;
  if (!s) return [...errs, fieldErrors.required(spec, '')];
  errs.push(...validateSelectorAndTemplate(s.selector, s.template, 'daemonset', 'DaemonSet'));
  const us = s.updateStrategy ?? {};
  const up = spec.child('updateStrategy');
  errs.push(...enumField(us.type, ['OnDelete', 'RollingUpdate'], up.child('type')));
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate ?? {};
    const rp = up.child('rollingUpdate');
    errs.push(...intOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')), ...intOrPercent(ru.maxSurge, rp.child('maxSurge')));
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
      errs.push(fieldErrors.invalid(rp.child('maxUnavailable'), ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  errs.push(...nonNegative(s.minReadySeconds, spec.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, spec.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ds.metadata, old.metadata),
    ...validateDaemonSet(ds),
    ...immutable(ds.spec?.selector, old.spec?.selector, spec.child('selector')),
  ];
}

export function validateControllerRevision(r: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(r.metadata, { namespaced: true });
  errs.push(...nonNegative(r.revision, FieldPath.root('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(r: ControllerRevision, old: ControllerRevision): FieldError[] {
  return [...validateObjectMetaUpdate(r.metadata, old.metadata), ...validateControllerRevision(r), ...immutable(r.data, old.data, FieldPath.root('data'))];
}
