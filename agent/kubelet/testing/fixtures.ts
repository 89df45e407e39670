/**
 * Fixtures for unit tests of the kubelet's logic: runtime containers and
 * pod statuses as the PLEG would report them, without Docker.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { hashContainer } from '../runtime/hash.js';
import type { RuntimePodStatus, SandboxStatus } from '../runtime/podstatus.js';
import type { RuntimeContainer } from '../types.js';

let seq = 0;

export function rc(name: string, over: Partial<RuntimeContainer> = {}): RuntimeContainer {
  seq++;
  return {
    id: over.id ?? `c${seq}`,
    podUID: 'uid-1',
    podNamespace: 'default',
    podName: 'p',
    containerName: name,
    isSandbox: false,
    attempt: 0,
    image: 'img',
    imageID: 'sha256:abc',
    state: 'running',
    labels: {},
    inspected: true,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)),
    ...over,
  };
}

export function exited(name: string, exitCode: number, over: Partial<RuntimeContainer> = {}): RuntimeContainer {
  return rc(name, { state: 'exited', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date(Date.UTC(2025, 0, 1, 0, 1)), ...over });
}

export function sandbox(over: Partial<SandboxStatus> = {}): SandboxStatus {
  return { id: 'sb1', attempt: 0, ready: true, hostNetwork: false, ip: '10.1.0.5', ...over };
}

export function podStatus(sandboxes: SandboxStatus[], containers: RuntimeContainer[]): RuntimePodStatus {
  return { uid: 'uid-1', name: 'p', namespace: 'default', sandboxes, containers };
}

export function testPod(spec: Partial<NonNullable<Pod['spec']>> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1', ...meta },
    spec: { containers: [{ name: 'a', image: 'img' }], ...spec },
  };
}

/** A running container whose spec hash matches the pod's container of that name. */
export function runningFor(pod: Pod, name: string, over: Partial<RuntimeContainer> = {}): RuntimeContainer {
  const c = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x) => x.name === name)!;
  return rc(name, { specHash: hashContainer(c), ...over });
}
