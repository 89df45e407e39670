/**
 * The results cache (upstream prober/results): the current result of each
 * (pod, container, kind), tagged with the container instance it is about, so
 * a result for a container that has since been replaced is never read as
 * the new one's.
 */
import type { ContainerId, ProbeKind, ProbeResult } from '../types.js';

export interface CachedResult {
  containerId: ContainerId;
  result: ProbeResult;
}

export function probeKey(podUID: string, containerName: string, kind: ProbeKind): string {
  return `${podUID}/${containerName}/${kind}`;
}

export class ResultsCache {
  private readonly results = new Map<string, CachedResult>();

  get(key: string): CachedResult | undefined {
    return this.results.get(key);
  }

  /** Stores a result; returns whether it differs from what was cached (result or container). */
  set(key: string, containerId: ContainerId, result: ProbeResult): boolean {
    const prev = this.results.get(key);
    this.results.set(key, { containerId, result });
    return !prev || prev.result !== result || prev.containerId !== containerId;
  }

  remove(key: string): void {
    this.results.delete(key);
  }
}
