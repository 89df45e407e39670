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
export const IMPLEMENTED: ReadonlySet<string> = new Set(['replicaset', 'replicationcontroller', 'deployment', 'endpoint', 'endpointslice', 'garbagecollector', 'serviceaccount', 'serviceaccount-token', 'job', 'ttl-after-finished', 'nodelifecycle', 'nodeipam', 'podgc', 'daemonset', 'statefulset', 'cronjob', 'horizontalpodautoscaling', 'csrsigning', 'csrapproving']);

/** Not run here because another component does the work. */
export const DONE_ELSEWHERE: Readonly<Record<string, string>> = {
  namespace: 'kube-apiserver empties and removes terminating namespaces itself',
  node: 'it runs as nodelifecycle and nodeipam (1.8\'s combined "node" controller, split as upstream 1.10 did)',
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

/** Older names that also select a controller: 1.8's "node" was node lifecycle and CIDR allocation in one. */
export const ALIASES: Readonly<Record<string, readonly string[]>> = { nodelifecycle: ['node'], nodeipam: ['node'] };

/** IsControllerEnabled: the first explicit mention (of the name or an alias) wins; else `*` enables the default-on ones. */
export function isControllerEnabled(name: string, list: readonly string[]): boolean {
  let star = false;
  const names = [name, ...(ALIASES[name] ?? [])];
  for (const raw of list) {
    const item = raw.trim();
    if (names.includes(item)) return true;
    if (names.some((n) => item === `-${n}`)) return false;
    if (item === '*') star = true;
  }
  return star && !DISABLED_BY_DEFAULT.has(name);
}

/** Enabled controllers in list order of KNOWN_CONTROLLERS. */
export function enabledControllers(list: readonly string[]): string[] {
  return KNOWN_CONTROLLERS.filter((n) => isControllerEnabled(n, list));
}
