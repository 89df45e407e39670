/**
 * Controller names as --controllers spells them (upstream's list of the
 * seed's era, plus later names kubeadm-era scripts pass), which of them
 * kubets implements, and the `*` / `foo` / `-foo` selection rule.
 */

/** Every name --controllers accepts. */
export const KNOWN_CONTROLLERS = [
  'attachdetach',
  'bootstrapsigner',
  'clusterrole-aggregation',
  'cronjob',
  'csrapproving',
  'csrcleaner',
  'csrsigning',
  'daemonset',
  'deployment',
  'disruption',
  'endpoint',
  'endpointslice',
  'endpointslicemirroring',
  'ephemeral-volume',
  'garbagecollector',
  'horizontalpodautoscaling',
  'job',
  'namespace',
  'node',
  'nodeipam',
  'nodelifecycle',
  'persistentvolume-binder',
  'persistentvolume-expander',
  'podgc',
  'pv-protection',
  'pvc-protection',
  'replicaset',
  'replicationcontroller',
  'resourcequota',
  'root-ca-cert-publisher',
  'route',
  'service',
  'serviceaccount',
  'serviceaccount-token',
  'statefulset',
  'tokencleaner',
  'ttl',
  'ttl-after-finished',
] as const;

export type ControllerName = (typeof KNOWN_CONTROLLERS)[number];

/** Off unless named explicitly (upstream ControllersDisabledByDefault). */
export const DISABLED_BY_DEFAULT: ReadonlySet<string> = new Set(['bootstrapsigner', 'tokencleaner']);

/** What kubets runs. */
export const IMPLEMENTED: ReadonlySet<string> = new Set(['replicaset', 'replicationcontroller', 'deployment', 'endpoint', 'endpointslice', 'garbagecollector', 'serviceaccount', 'job', 'ttl-after-finished']);

/** Not run here because another component does the work. */
export const DONE_ELSEWHERE: Readonly<Record<string, string>> = {
  namespace: 'kube-apiserver empties and removes terminating namespaces itself',
};

export class ControllersFlagError extends Error {
  override readonly name = 'ControllersFlagError';
  readonly code = 'InvalidControllers';
}

/** Checks every --controllers entry names a known controller (or is `*`). */
export function validateControllers(list: readonly string[]): void {
  const known = new Set<string>(KNOWN_CONTROLLERS);
  for (const raw of list) {
    const item = raw.trim();
    if (item === '*') continue;
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (!known.has(name)) throw new ControllersFlagError(`"${name}" is not in the list of known controllers`);
  }
}

/** IsControllerEnabled: the first explicit mention wins; else `*` enables the default-on ones. */
export function isControllerEnabled(name: string, list: readonly string[]): boolean {
  let star = false;
  for (const raw of list) {
    const item = raw.trim();
    if (item === name) return true;
    if (item === `-${name}`) return false;
    if (item === '*') star = true;
  }
  return star && !DISABLED_BY_DEFAULT.has(name);
}

/** Enabled controllers in list order of KNOWN_CONTROLLERS. */
export function enabledControllers(list: readonly string[]): string[] {
  return KNOWN_CONTROLLERS.filter((n) => isControllerEnabled(n, list));
}
