/**
 * FakeProberManager for tests of code that only consumes probe results
 * (pod workers, status): readiness and startup are set by hand, and
 * unhealthy() plays a liveness failure to the registered handlers.
 */
import type { Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { ContainerId, ProbeKind, ProberManager } from '../../types.js';
import type { ProbeOutcome, ProbeRequest, ProbeRunner } from '../types.js';

export class FakeProberManager implements ProberManager {
  readonly pods = new Map<string, Pod>();
  readonly started = new Map<string, ContainerId>();
  private readonly ready = new Map<string, boolean>();
  private readonly startedFlags = new Map<string, boolean>();
  private readonly unhealthyHandlers: Array<(podUID: string, containerName: string, containerId: ContainerId, kind: ProbeKind, message: string) => void> = [];
  private readonly changeHandlers: Array<(podUID: string) => void> = [];

  addPod(pod: Pod): void {
    this.pods.set(pod.metadata.uid ?? '', pod);
  }
  removePod(podUID: string): void {
    this.pods.delete(podUID);
  }
  containerStarted(podUID: string, containerName: string, containerId: ContainerId): void {
    this.started.set(`${podUID}/${containerName}`, containerId);
  }
  containerStopped(podUID: string, containerName: string): void {
    this.started.delete(`${podUID}/${containerName}`);
  }
  /** Unless set by setReady, a started container is ready. */
  isReady(podUID: string, containerName: string): boolean {
    const k = `${podUID}/${containerName}`;
    return this.started.has(k) && (this.ready.get(k) ?? true);
  }
  isStarted(podUID: string, containerName: string): boolean {
    const k = `${podUID}/${containerName}`;
    return this.started.has(k) && (this.startedFlags.get(k) ?? true);
  }
  onUnhealthy(handler: (podUID: string, containerName: string, containerId: ContainerId, kind: ProbeKind, message: string) => void): void {
    this.unhealthyHandlers.push(handler);
  }
  onChange(handler: (podUID: string) => void): void {
    this.changeHandlers.push(handler);
  }
  async run(signal: AbortSignal): Promise<void> {
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }

  setReady(podUID: string, containerName: string, ready: boolean): void {
    this.ready.set(`${podUID}/${containerName}`, ready);
    for (const h of this.changeHandlers) h(podUID);
  }
  setStarted(podUID: string, containerName: string, started: boolean): void {
    this.startedFlags.set(`${podUID}/${containerName}`, started);
    for (const h of this.changeHandlers) h(podUID);
  }
  unhealthy(podUID: string, containerName: string, kind: ProbeKind = 'liveness', message = 'Liveness probe failed: fake'): void {
    const id = this.started.get(`${podUID}/${containerName}`) ?? '';
    for (const h of this.unhealthyHandlers) h(podUID, containerName, id, kind, message);
  }
}

/**
 * A ProbeRunner that answers from a script per probe kind: each attempt
 * takes the next entry (the last one repeats). An entry is an outcome, an
 * Error (a probe error: thrown away), or 'hang' (never answers until the
 * worker stops).
 */
export type ScriptEntry = ProbeOutcome['result'] | ProbeOutcome | Error | 'hang';

export class ScriptedRunner implements ProbeRunner {
  readonly attempts: ProbeRequest[] = [];
  private readonly scripts = new Map<string, ScriptEntry[]>();

  /** key: `${containerName}/${kind}` or just kind. */
  script(key: string, ...entries: ScriptEntry[]): void {
    this.scripts.set(key, entries);
  }

  count(kind: ProbeKind, containerName?: string): number {
    return this.attempts.filter((a) => a.kind === kind && (!containerName || a.container.name === containerName)).length;
  }

  async run(req: ProbeRequest): Promise<ProbeOutcome> {
    this.attempts.push(req);
    const list = this.scripts.get(`${req.container.name}/${req.kind}`) ?? this.scripts.get(req.kind) ?? ['success'];
    const entry = list.length > 1 ? list.shift()! : list[0];
    if (entry === 'hang') {
      await new Promise<void>((r) => req.signal.addEventListener('abort', () => r(), { once: true }));
      throw new Error('stopped');
    }
    if (entry instanceof Error) throw entry;
    if (typeof entry === 'string') return { result: entry, output: entry === 'failure' ? 'scripted failure' : '' };
    return entry;
  }
}
