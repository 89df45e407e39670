/**
 * Volume filters over the pod's PersistentVolumeClaims and the volumes they
 * are bound to.
 *
 * - NoVolumeZoneConflict (VolumeZone): a bound PV labelled with a zone or
 *   region (values may list several zones joined by "__") only fits nodes in
 *   one of them; nodes with no zone/region labels at all are not judged.
 * - CheckVolumeBinding (VolumeBinding, bound-claims half): a bound PV's
 *   spec.nodeAffinity must match the node. An unbound claim makes the pod
 *   unschedulable everywhere until the claim is bound; kubets has no
 *   delayed-binding (WaitForFirstConsumer) provisioning, so the scheduler
 *   never binds claims itself.
 * A claim or volume that does not exist fails every node with upstream's
 * not-found message.
 */
import { nodeSelectorTermsMatch, REGION_LABELS, ZONE_LABELS } from '../helpers.js';
import { reasons } from '../reasons.js';
import type { ClusterView, FilterPlugin, NodeFilter } from '../types.js';
import type { RPersistentVolume, RPod } from '../../types.js';

type Bound = { kind: 'ok'; pvs: RPersistentVolume[] } | { kind: 'fail'; reason: string };

function boundVolumes(pod: RPod, cluster: ClusterView, requireBound: boolean): Bound | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  const pvs: RPersistentVolume[] = [];
  let hasClaims = false;
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim?.claimName;
    if (!claimName) continue;
    hasClaims = true;
    const pvc = cluster.pvc(ns, claimName);
    if (!pvc) return { kind: 'fail', reason: reasons.claimNotFound(claimName) };
    const pvName = pvc.spec?.volumeName;
    if (!pvName) {
      if (requireBound) return { kind: 'fail', reason: reasons.unboundClaims };
      continue;
    }
    const pv = cluster.pv(pvName);
    if (!pv) return { kind: 'fail', reason: reasons.volumeNotFound(pvName) };
    pvs.push(pv);
  }
  return hasClaims ? { kind: 'ok', pvs } : undefined;
}

const TOPOLOGY_LABELS: readonly string[] = [...ZONE_LABELS, ...REGION_LABELS];

export const noVolumeZoneConflict: FilterPlugin = {
  name: 'NoVolumeZoneConflict',
  prepare(pod, cluster): NodeFilter | undefined {
    const b = boundVolumes(pod, cluster, false);
    if (!b) return undefined;
    if (b.kind === 'fail') {
      const r = [b.reason];
      return () => r;
    }
    const constraints: { key: string; values: Set<string> }[] = [];
    for (const pv of b.pvs) {
      for (const [k, v] of Object.entries(pv.metadata.labels ?? {})) {
        if (TOPOLOGY_LABELS.includes(k)) constraints.push({ key: k, values: new Set(v.split('__').map((s) => s.trim())) });
      }
    }
    if (constraints.length === 0) return undefined;
    const fail = [reasons.volumeZone];
    return (node) => {
      const labels = node.labels;
      if (!TOPOLOGY_LABELS.some((k) => Object.hasOwn(labels, k))) return undefined;
      for (const c of constraints) if (!c.values.has(labels[c.key] ?? '')) return fail;
      return undefined;
    };
  },
};

export const checkVolumeBinding: FilterPlugin = {
  name: 'CheckVolumeBinding',
  prepare(pod, cluster): NodeFilter | undefined {
    const b = boundVolumes(pod, cluster, true);
    if (!b) return undefined;
    if (b.kind === 'fail') {
      const r = [b.reason];
      return () => r;
    }
    const terms = b.pvs.map((pv) => pv.spec?.nodeAffinity?.required?.nodeSelectorTerms).filter((t) => t !== undefined);
    if (terms.length === 0) return undefined;
    const fail = [reasons.volumeNodeAffinity];
    return (node) => (node.node && terms.every((t) => nodeSelectorTermsMatch(t, node.node!)) ? undefined : fail);
  },
};

/** NoDiskConflict guards GCE PD / EBS / RBD / iSCSI read-write sharing; kubets mounts none of those, so it has nothing to check. */
export const noDiskConflict: FilterPlugin = { name: 'NoDiskConflict', prepare: () => undefined };
