/**
 * A StatefulSet pod's identity (upstream stateful_set_utils.go): the name
 * `<set>-<ordinal>`, hostname = that name and subdomain = the governing
 * service, the statefulset.kubernetes.io/pod-name label, and storage — one
 * PersistentVolumeClaim `<template>-<set>-<ordinal>` per volumeClaimTemplate,
 * mounted as the volume named after the template. All pure.
 */
import type { StatefulSet } from '../../api/apps/v1/types.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from '../../api/core/v1/types.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/history.js';
import { newControllerRef } from '../common/owners.js';
import { podFromTemplate } from '../common/pods.js';
import type { RO } from '../common/types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

/** The ordinal of a pod of this set, or -1 when the name is not `<set>-<n>`. */
export function ordinalOf(setName: string, podName: string | undefined): number {
  if (!podName || !podName.startsWith(`${setName}-`)) return -1;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : -1;
}

export function podName(set: RO<StatefulSet>, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${ordinal}`;
}

export function claimName(set: RO<StatefulSet>, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata.name ?? ''}-${ordinal}`;
}

/** The claims a pod of this ordinal uses (getPersistentVolumeClaims): the set's selector labels added. */
export function claimsFor(set: RO<StatefulSet>, ordinal: number): PersistentVolumeClaim[] {
  const out: PersistentVolumeClaim[] = [];
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const c = structuredClone(t) as PersistentVolumeClaim;
    const name = claimName(set, t.metadata.name ?? '', ordinal);
    c.apiVersion = 'v1';
    c.kind = 'PersistentVolumeClaim';
    c.metadata = { ...c.metadata, name, namespace: set.metadata.namespace, labels: { ...(c.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) } };
    delete c.status;
    out.push(c);
  }
  return out;
}

/** identityMatches: the pod's name, namespace, hostname, subdomain and pod-name label are its ordinal's. */
export function identityMatches(set: RO<StatefulSet>, pod: RO<Pod>): boolean {
  const ord = ordinalOf(set.metadata.name ?? '', pod.metadata.name);
  return (
    ord >= 0 &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.spec?.hostname === pod.metadata.name &&
    (pod.spec?.subdomain ?? '') === (set.spec?.serviceName ?? '') &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** storageMatches: every claim template is mounted from its ordinal's claim. */
export function storageMatches(set: RO<StatefulSet>, pod: RO<Pod>): boolean {
  const ord = ordinalOf(set.metadata.name ?? '', pod.metadata.name);
  if (ord < 0) return false;
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const v = pod.spec?.volumes?.find((x) => x.name === t.metadata.name);
    if (!v || v.persistentVolumeClaim?.claimName !== claimName(set, t.metadata.name ?? '', ord)) return false;
  }
  return true;
}

/** Sets the identity fields of pod for its ordinal (updateIdentity). Mutates pod. */
export function setIdentity(set: RO<StatefulSet>, pod: Pod): void {
  pod.metadata.namespace = set.metadata.namespace;
  pod.spec ??= { containers: [] };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  else delete pod.spec.subdomain;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name ?? '' };
}

/** Mounts each claim template's claim, replacing a template volume of the same name (updateStorage). Mutates pod. */
export function setStorage(set: RO<StatefulSet>, pod: Pod, ordinal: number): void {
  const templates = set.spec?.volumeClaimTemplates ?? [];
  if (templates.length === 0) return;
  pod.spec ??= { containers: [] };
  const names = new Set(templates.map((t) => t.metadata.name ?? ''));
  const volumes: Volume[] = (pod.spec.volumes ?? []).filter((v) => !names.has(v.name));
  for (const t of templates) volumes.push({ name: t.metadata.name ?? '', persistentVolumeClaim: { claimName: claimName(set, t.metadata.name ?? '', ordinal) } });
  pod.spec.volumes = volumes;
}

/** The pod of this ordinal from a template, at a revision (newVersionedStatefulSetPod's parts). */
export function newStatefulPod(set: RO<StatefulSet>, template: RO<PodTemplateSpec>, revisionName: string, ordinal: number): Pod {
  const pod = podFromTemplate(template, set.metadata.namespace ?? '', set.metadata.name ?? '', newControllerRef(set, 'apps/v1', 'StatefulSet'));
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  setIdentity(set, pod);
  setStorage(set, pod, ordinal);
  pod.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = revisionName;
  return pod;
}

/** The revision a pod was made from (its controller-revision-hash label: the revision's name). */
export function podRevision(pod: RO<Pod>): string {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}
