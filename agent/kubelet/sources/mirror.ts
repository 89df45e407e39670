/**
 * Mirror pods (upstream pod/mirror_client.go): a static pod is shown in the
 * API as a read-only copy carrying `kubernetes.io/config.mirror: <hash>`,
 * so `kubectl get pods` lists it and its status has somewhere to go. The
 * copy has no UID of its own choosing (the API assigns one) and is
 * re-created when deleted or when the static pod's hash changes.
 */
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { isAlreadyExists, isNotFound } from '../../../controlplane/client/errors.js';
import type { Client } from '../../../controlplane/client/interfaces.js';
import { resources } from '../../../controlplane/client/resources.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { ANNOTATION } from './types.js';

export function mirrorFor(pod: DeepReadonly<Pod>): Pod {
  const copy = structuredClone(pod) as Pod;
  const hash = copy.metadata.annotations?.[ANNOTATION.hash] ?? copy.metadata.uid ?? '';
  copy.metadata = {
    name: copy.metadata.name,
    namespace: copy.metadata.namespace,
    labels: copy.metadata.labels,
    annotations: { ...(copy.metadata.annotations ?? {}), [ANNOTATION.mirror]: hash },
  };
  delete copy.status;
  return copy;
}

/** Whether an existing mirror still stands for this static pod. */
export function mirrorMatches(mirror: DeepReadonly<Pod>, pod: DeepReadonly<Pod>): boolean {
  const hash = pod.metadata.annotations?.[ANNOTATION.hash] ?? pod.metadata.uid;
  return mirror.metadata.annotations?.[ANNOTATION.mirror] === hash && !mirror.metadata.deletionTimestamp;
}

export class MirrorClient {
  constructor(private readonly client: Client) {}

  async create(pod: DeepReadonly<Pod>): Promise<void> {
    try {
      await this.client.resource(resources.pods, pod.metadata.namespace ?? 'default').create(mirrorFor(pod));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  /** Deletes the mirror pod (by UID precondition when known). */
  async delete(namespace: string, name: string, uid?: string): Promise<void> {
    try {
      await this.client.resource(resources.pods, namespace).delete(name, { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
