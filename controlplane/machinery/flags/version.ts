/**
 * What `--version` prints. The upstream version is the release whose flags and
 * defaults the daemon follows (the seeds use Kubernetes v1.8.7 and flannel
 * v0.10.0); the kubets version comes from package.json, found by walking up
 * from this file so it works from source (tsx) and from dist/ alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes release whose flags and defaults the control plane and kubelet/kube-proxy follow. */
export const KUBERNETES_VERSION = 'v1.8.7';
/** The flannel release whose flags flanneld follows. */
export const FLANNEL_VERSION = 'v0.10.0';

let cached: string | undefined;

/** The `version` field of kubets' package.json, or "unknown" when it cannot be found. */
export function kubetsVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'kubets' && 'version' in pkg) {
        cached = String(pkg.version);
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = 'unknown');
    dir = parent;
  }
}

/** `Kubernetes v1.8.7-kubets (kube-scheduler, kubets 0.1.0)`; flanneld prints `v0.10.0-kubets (…)` like flannel. */
export function versionLine(component: string, upstream: 'kubernetes' | 'flannel'): string {
  const v = `${upstream === 'flannel' ? FLANNEL_VERSION : 'Kubernetes ' + KUBERNETES_VERSION}-kubets`;
  return `${v} (${component}, kubets ${kubetsVersion()})`;
}
