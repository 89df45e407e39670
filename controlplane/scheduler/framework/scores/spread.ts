/**
 * SelectorSpreadPriority: pods of one Service, ReplicationController,
 * ReplicaSet or StatefulSet should not pile onto one node or one zone.
 * A node's raw score is how many non-terminating pods of the same namespace
 * match every selector that selects the incoming pod. Normalising: fewer is
 * better, 100 × (max − count) / max per node; when nodes carry zone labels the
 * zone's total weighs two thirds (upstream zoneWeighting) and the node's one third.
 */
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../../../machinery/labels.js';
import type { LabelSelector } from '../../../machinery/meta/types.js';
import { zoneKey } from '../helpers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type ClusterView, type ScorePlugin } from '../types.js';
import type { RPod } from '../../types.js';

const ZONE_WEIGHTING = 2 / 3;

/** Selectors of the Services and controllers that select this pod (upstream getSelectors). */
export function spreadSelectors(pod: RPod, cluster: ClusterView): Selector[] {
  const ns = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels;
  const out: Selector[] = [];
  const addSet = (set: Readonly<Record<string, string>> | undefined) => {
    if (!set || Object.keys(set).length === 0) return;
    const s = selectorFromSet(set);
    if (s.matches(labels)) out.push(s);
  };
  const addLS = (ls: LabelSelector | undefined) => {
    if (!ls) return;
    try {
      const s = selectorFromLabelSelector(ls);
      if (!s.isEmpty() && s.matches(labels)) out.push(s);
    } catch {
      // An invalid selector selects nothing.
    }
  };
  for (const s of cluster.servicesIn(ns)) addSet(s.spec?.selector);
  for (const rc of cluster.replicationControllersIn(ns)) addSet(rc.spec?.selector);
  for (const rs of cluster.replicaSetsIn(ns)) addLS(rs.spec?.selector as LabelSelector | undefined);
  for (const ss of cluster.statefulSetsIn(ns)) addLS(ss.spec?.selector as LabelSelector | undefined);
  return out;
}

export const selectorSpread: ScorePlugin = {
  name: 'SelectorSpreadPriority',
  prepare(pod, cluster) {
    const selectors = spreadSelectors(pod, cluster);
    if (selectors.length === 0) return undefined;
    const ns = pod.metadata.namespace ?? 'default';
    return {
      score(n: NodeInfo) {
        let count = 0;
        for (const e of n.pods.values()) {
          const p = e.pod;
          if ((p.metadata.namespace ?? 'default') !== ns || p.metadata.deletionTimestamp) continue;
          if (selectors.every((s) => s.matches(p.metadata.labels))) count++;
        }
        return count;
      },
      normalize(scores, nodes) {
        let maxNode = 0;
        const zoneCounts = new Map<string, number>();
        const zones: string[] = [];
        for (let i = 0; i < scores.length; i++) {
          maxNode = Math.max(maxNode, scores[i]);
          const z = zoneKey(nodes[i].labels);
          zones.push(z);
          if (z !== '') zoneCounts.set(z, (zoneCounts.get(z) ?? 0) + scores[i]);
        }
        let maxZone = 0;
        for (const c of zoneCounts.values()) maxZone = Math.max(maxZone, c);
        for (let i = 0; i < scores.length; i++) {
          let f = maxNode > 0 ? (MAX_NODE_SCORE * (maxNode - scores[i])) / maxNode : MAX_NODE_SCORE;
          if (zoneCounts.size > 0 && zones[i] !== '') {
            const zc = zoneCounts.get(zones[i]) ?? 0;
            const zoneScore = maxZone > 0 ? (MAX_NODE_SCORE * (maxZone - zc)) / maxZone : MAX_NODE_SCORE;
            f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
          }
          scores[i] = Math.floor(f);
        }
      },
    };
  },
};
