/**
 * Pod sources (upstream pkg/kubelet/config and kubetypes): where the pods a
 * kubelet runs come from, and the annotations that say so.
 */
export type PodSource = 'api' | 'file' | 'http';

export const ANNOTATION = {
  /** api, file or http. */
  source: 'kubernetes.io/config.source',
  /** The static pod's content hash (= its UID). */
  hash: 'kubernetes.io/config.hash',
  /** When this kubelet first saw the pod. */
  seen: 'kubernetes.io/config.seen',
  /** On a mirror pod: the hash of the static pod it mirrors. */
  mirror: 'kubernetes.io/config.mirror',
} as const;

export function isStaticSource(s: PodSource): boolean {
  return s === 'file' || s === 'http';
}
