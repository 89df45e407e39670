/**
 * What the runtime knows about one pod (kubecontainer.PodStatus): its
 * sandboxes and containers, newest first. Built from the PLEG's view of
 * Docker plus the network plugin's IPs; read by computePodActions and the
 * status generator. Plain data.
 */
import type { RuntimeContainer, SandboxId } from '../types.js';

export interface SandboxStatus {
  id: SandboxId;
  attempt: number;
  /** The pause container runs. */
  ready: boolean;
  hostNetwork: boolean;
  /** The pod IP the network plugin (or Docker's bridge) gave this sandbox. */
  ip?: string;
  createdAt?: Date;
}

export interface RuntimePodStatus {
  uid: string;
  name: string;
  namespace: string;
  sandboxes: SandboxStatus[];
  /** App and init containers, newest first. */
  containers: RuntimeContainer[];
}

export function emptyPodStatus(uid: string, name = '', namespace = ''): RuntimePodStatus {
  return { uid, name, namespace, sandboxes: [], containers: [] };
}

/** The newest container of that name (FindContainerStatusByName). */
export function latestContainer(s: RuntimePodStatus, name: string): RuntimeContainer | undefined {
  return s.containers.find((c) => c.containerName === name);
}

/** Every container of that name, newest first. */
export function containersNamed(s: RuntimePodStatus, name: string): RuntimeContainer[] {
  return s.containers.filter((c) => c.containerName === name);
}

function time(d: Date | undefined): number {
  return d ? d.getTime() : 0;
}

/** Sorts newest first: by attempt, then creation time. Mutates and returns the array. */
export function sortNewestFirst<T extends { attempt: number; createdAt?: Date }>(xs: T[]): T[] {
  return xs.sort((a, b) => b.attempt - a.attempt || time(b.createdAt) - time(a.createdAt));
}
