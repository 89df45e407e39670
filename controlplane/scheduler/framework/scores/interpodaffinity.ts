/**
 * InterPodAffinityPriority. Every running pod contributes to the topology
 * domain of its node:
 * - +weight / −weight for each preferred affinity / anti-affinity term of the
 *   incoming pod that it matches;
 * - symmetry: +hardPodAffinitySymmetricWeight for each of its required
 *   affinity terms the incoming pod matches, and ± weight for its preferred
 *   affinity / anti-affinity terms the incoming pod matches.
 * A node's raw score is the sum over the domains it belongs to; scores are
 * mapped onto 0–100 between the lowest and the highest.
 */
import { podTerms, termMatchesPod, type AffinityTerm } from '../helpers.js';
import type { NodeInfo, PodEntry } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../types.js';
import type { RPod } from '../../types.js';

export const interPodAffinityPriority: ScorePlugin = {
  name: 'InterPodAffinityPriority',
  prepare(pod, cluster) {
    const own = podTerms(pod);
    const ownTerms = own.preferredAffinity.length + own.preferredAntiAffinity.length > 0;
    const hard = cluster.hardPodAffinityWeight;
    /** topologyKey → value → score */
    const domains = new Map<string, Map<string, number>>();
    const add = (key: string, node: NodeInfo, w: number) => {
      const v = node.labels[key];
      if (v === undefined || w === 0) return;
      let m = domains.get(key);
      if (!m) domains.set(key, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + w);
    };
    const addMatching = (terms: readonly AffinityTerm[], target: RPod, node: NodeInfo, sign: number) => {
      for (const t of terms) if (termMatchesPod(t, target)) add(t.topologyKey, node, sign * t.weight);
    };
    const visit = (e: PodEntry, node: NodeInfo) => {
      if (ownTerms) {
        addMatching(own.preferredAffinity, e.pod, node, 1);
        addMatching(own.preferredAntiAffinity, e.pod, node, -1);
      }
      const theirs = podTerms(e.pod);
      if (hard > 0) for (const t of theirs.requiredAffinity) if (termMatchesPod(t, pod)) add(t.topologyKey, node, hard);
      addMatching(theirs.preferredAffinity, pod, node, 1);
      addMatching(theirs.preferredAntiAffinity, pod, node, -1);
    };
    for (const n of cluster.nodes) {
      if (ownTerms) for (const e of n.pods.values()) visit(e, n);
      else for (const e of n.podsWithAffinity()) visit(e, n);
    }
    if (domains.size === 0) return undefined;
    return {
      score(n: NodeInfo) {
        let s = 0;
        for (const [key, m] of domains) {
          const v = n.labels[key];
          if (v !== undefined) s += m.get(v) ?? 0;
        }
        return s;
      },
      normalize(scores) {
        let min = Infinity;
        let max = -Infinity;
        for (const s of scores) {
          min = Math.min(min, s);
          max = Math.max(max, s);
        }
        const diff = max - min;
        for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.floor((MAX_NODE_SCORE * (scores[i] - min)) / diff) : 0;
      },
    };
  },
};
