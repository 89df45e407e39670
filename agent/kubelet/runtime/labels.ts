/**
 * How the kubelet finds its containers again (dockershim naming and labels):
 * a restarted kubelet lists Docker containers by these labels and adopts
 * them, so nothing it made is restarted or duplicated.
 *
 * Names: `k8s_<container>_<pod>_<namespace>_<podUID>_<attempt>`, the
 * sandbox's container name being `POD`. Kubernetes names never contain `_`,
 * so the name splits back unambiguously. Docker has no annotations, so the
 * container annotations are labels with the `annotation.` prefix, as
 * dockershim stores them.
 *
 * `io.kubets.node` is ours: several kubelets may share one Docker engine
 * (tests, a second "host" on the same engine); each sees only its own.
 */
export const LABEL = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  podUID: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
  /** `podsandbox` or `container`. */
  dockerType: 'io.kubernetes.docker.type',
  sandboxId: 'io.kubernetes.sandbox.id',
  node: 'io.kubets.node',
  hash: 'annotation.io.kubernetes.container.hash',
  restartCount: 'annotation.io.kubernetes.container.restartCount',
  terminationMessagePath: 'annotation.io.kubernetes.container.terminationMessagePath',
  terminationMessagePolicy: 'annotation.io.kubernetes.container.terminationMessagePolicy',
  podTerminationGracePeriod: 'annotation.io.kubernetes.pod.terminationGracePeriod',
  /** JSON of the preStop handler, so an orphaned container still gets its hook. */
  preStopHandler: 'annotation.io.kubernetes.container.preStopHandler',
  /** Host file behind terminationMessagePath. */
  terminationMessageHostPath: 'annotation.io.kubets.container.terminationMessageHostPath',
  sandboxAttempt: 'annotation.io.kubets.sandbox.attempt',
} as const;

export const SANDBOX_NAME = 'POD';
export const TYPE_SANDBOX = 'podsandbox';
export const TYPE_CONTAINER = 'container';

export interface PodIdentity {
  name: string;
  namespace: string;
  uid: string;
}

export function containerName(pod: PodIdentity, container: string, attempt: number): string {
  return `k8s_${container}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;
}

export function sandboxName(pod: PodIdentity, attempt: number): string {
  return containerName(pod, SANDBOX_NAME, attempt);
}

/** Parses a `k8s_…` name (with or without Docker's leading `/`). */
export function parseContainerName(name: string): { container: string; pod: PodIdentity; attempt: number } | undefined {
  const parts = name.replace(/^\//, '').split('_');
  if (parts.length < 6 || parts[0] !== 'k8s') return undefined;
  const attempt = Number(parts[5]);
  if (!Number.isInteger(attempt)) return undefined;
  return { container: parts[1], pod: { name: parts[2], namespace: parts[3], uid: parts[4] }, attempt };
}

export function identityLabels(pod: PodIdentity, container: string, node: string): Record<string, string> {
  return {
    [LABEL.podName]: pod.name,
    [LABEL.podNamespace]: pod.namespace,
    [LABEL.podUID]: pod.uid,
    [LABEL.containerName]: container,
    [LABEL.dockerType]: container === SANDBOX_NAME ? TYPE_SANDBOX : TYPE_CONTAINER,
    [LABEL.node]: node,
  };
}
