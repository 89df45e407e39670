/**
 * MatchInterPodAffinity (InterPodAffinity filter), three checks in upstream's order:
 *
 * 1. the pod's required affinity: for every term the node must carry the
 *    term's topologyKey, and the (key, value) domain must already hold a pod
 *    matching all terms. Exception: when no such pod exists anywhere and the
 *    pod matches its own terms, it may go anywhere (the first replica of a
 *    group that wants to be together).
 * 2. the pod's required anti-affinity: no pod matching a term may run in the
 *    node's domain of that term's topologyKey.
 * 3. symmetry: pods already running with required anti-affinity that matches
 *    this pod forbid their own domain to it.
 *
 * prepare() counts domains once per pod by walking the pods of every node
 * (only pods with affinity for check 3); the per-node closure does map lookups.
 */
import { podTerms, termMatchesPod, topologyPair, type AffinityTerm } from '../helpers.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';
import type { RPod } from '../../types.js';

const AFFINITY = [reasons.affinity] as const;
const ANTI = [reasons.antiAffinity] as const;
const EXISTING = [reasons.existingAntiAffinity] as const;

function matchesAll(terms: readonly AffinityTerm[], pod: RPod): boolean {
  for (const t of terms) if (!termMatchesPod(t, pod)) return false;
  return true;
}

export const matchInterPodAffinity: FilterPlugin = {
  name: 'MatchInterPodAffinity',
  prepare(pod, cluster) {
    const { requiredAffinity: aff, requiredAntiAffinity: anti } = podTerms(pod);
    const forbidden = new Set<string>();
    for (const n of cluster.nodes) {
      for (const e of n.podsWithRequiredAntiAffinity()) {
        for (const t of podTerms(e.pod).requiredAntiAffinity) {
          const v = n.labels[t.topologyKey];
          if (v !== undefined && termMatchesPod(t, pod)) forbidden.add(topologyPair(t.topologyKey, v));
        }
      }
    }
    if (aff.length === 0 && anti.length === 0 && forbidden.size === 0) return undefined;

    const affinityDomains = new Set<string>();
    const antiDomains = new Set<string>();
    if (aff.length > 0 || anti.length > 0) {
      for (const n of cluster.nodes) {
        if (n.pods.size === 0) continue;
        const labels = n.labels;
        for (const e of n.pods.values()) {
          if (aff.length > 0 && matchesAll(aff, e.pod)) {
            for (const t of aff) {
              const v = labels[t.topologyKey];
              if (v !== undefined) affinityDomains.add(topologyPair(t.topologyKey, v));
            }
          }
          for (const t of anti) {
            const v = labels[t.topologyKey];
            if (v !== undefined && termMatchesPod(t, e.pod)) antiDomains.add(topologyPair(t.topologyKey, v));
          }
        }
      }
    }
    const selfMatch = aff.length > 0 && affinityDomains.size === 0 && matchesAll(aff, pod);

    return (node) => {
      const labels = node.labels;
      if (aff.length > 0) {
        let exist = true;
        for (const t of aff) {
          const v = labels[t.topologyKey];
          if (v === undefined) return AFFINITY; // every topology label must be on the node
          if (!affinityDomains.has(topologyPair(t.topologyKey, v))) exist = false;
        }
        if (!exist && !selfMatch) return AFFINITY;
      }
      for (const t of anti) {
        const v = labels[t.topologyKey];
        if (v !== undefined && antiDomains.has(topologyPair(t.topologyKey, v))) return ANTI;
      }
      if (forbidden.size > 0) {
        for (const [k, v] of Object.entries(labels)) if (forbidden.has(topologyPair(k, v))) return EXISTING;
      }
      return undefined;
    };
  },
};
