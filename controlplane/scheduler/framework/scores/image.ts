/**
 * ImageLocalityPriority: nodes that already hold the pod's images start it
 * sooner. Each present image counts its size scaled by the share of nodes
 * holding it (so an image on every node doesn't pull all pods to one), and
 * the sum maps linearly onto 0–100 between 23 MB and 1000 MB per container
 * (upstream's thresholds: the range of most registry images).
 */
import { normalizeImage, type NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../types.js';

const MB = 1024 * 1024;
export const MIN_IMAGE_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_IMAGE_THRESHOLD = 1000 * MB;

export const imageLocalityPriority: ScorePlugin = {
  name: 'ImageLocalityPriority',
  prepare(pod, cluster) {
    const images = (pod.spec?.containers ?? []).map((c) => c.image).filter((i): i is string => Boolean(i)).map(normalizeImage);
    if (images.length === 0) return undefined;
    const total = cluster.nodes.length;
    const max = MAX_CONTAINER_IMAGE_THRESHOLD * images.length;
    return {
      score(n: NodeInfo) {
        if (n.images.size === 0 || total === 0) return 0;
        let sum = 0;
        for (const img of images) {
          const size = n.images.get(img);
          if (size !== undefined) sum += size * (cluster.imageNodeCount(img) / total);
        }
        const clamped = Math.min(Math.max(sum, MIN_IMAGE_THRESHOLD), max);
        return Math.floor((MAX_NODE_SCORE * (clamped - MIN_IMAGE_THRESHOLD)) / (max - MIN_IMAGE_THRESHOLD));
      },
    };
  },
};
