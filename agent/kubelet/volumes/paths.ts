/**
 * Where volumes live on the node: upstream's layout under --root-dir, so a
 * node's disk reads the same as a real kubelet's and tools that know it work:
 *
 *   <root>/pods/<podUID>/volumes/<plugin with / escaped as ~>/<volume name>
 *
 * e.g. /var/lib/kubelet/pods/1f2e…/volumes/kubernetes.io~configmap/config.
 * Volumes backed by a PersistentVolume are named by the PV, not by the pod's
 * volume name (upstream does the same, so two pods sharing a PV share a name).
 */
import { join } from 'node:path';

/** Upstream's plugin names (pkg/volume/<plugin>). */
export const PLUGIN = {
  emptyDir: 'kubernetes.io/empty-dir',
  hostPath: 'kubernetes.io/host-path',
  configMap: 'kubernetes.io/configmap',
  secret: 'kubernetes.io/secret',
  downwardAPI: 'kubernetes.io/downward-api',
  projected: 'kubernetes.io/projected',
  nfs: 'kubernetes.io/nfs',
  local: 'kubernetes.io/local-volume',
} as const;
export type PluginName = (typeof PLUGIN)[keyof typeof PLUGIN];

/** `kubernetes.io/empty-dir` → `kubernetes.io~empty-dir` (upstream's EscapeQualifiedName). */
export function escapePluginName(name: string): string {
  return name.replaceAll('/', '~');
}

/**
 * A pod UID or volume name used as one path component. Anything that could
 * climb out of the pods directory is refused: UIDs of static pods come from
 * files on disk, and teardown removes whatever directory this names.
 */
export function assertPathComponent(what: string, s: string): void {
  if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    throw new Error(`invalid ${what} ${JSON.stringify(s)}: not usable as a directory name`);
  }
}

/** Path arithmetic for one --root-dir; pure, touches nothing. */
export class PodDirs {
  constructor(readonly rootDir: string) {}

  podsDir(): string {
    return join(this.rootDir, 'pods');
  }

  podDir(podUID: string): string {
    assertPathComponent('pod UID', podUID);
    return join(this.podsDir(), podUID);
  }

  volumesDir(podUID: string): string {
    return join(this.podDir(podUID), 'volumes');
  }

  volumeDir(podUID: string, plugin: PluginName, name: string): string {
    assertPathComponent('volume name', name);
    return join(this.volumesDir(podUID), escapePluginName(plugin), name);
  }
}
