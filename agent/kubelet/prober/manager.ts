/**
 * The kubelet's ProberManager (types.ts; upstream prober_manager.go): one
 * Worker per (pod, container, kind), results in a ResultsCache, and the
 * readiness/startup answers the status manager asks for.
 *
 * Lifecycle: addPod on every pod sync (idempotent; a changed probe spec
 * replaces its worker); containerStarted / containerStopped as the runtime
 * reports them; removePod when the pod is gone. Workers run only while
 * run(signal) is running; workers added before it start when it does.
 *
 * Semantics (upstream's):
 * - a new container starts with readiness failure, liveness success and
 *   startup unknown;
 * - isStarted: the container is running and its startup probe passed (or it
 *   has none); isReady: started, and its readiness probe passed (or it has
 *   none);
 * - liveness or startup failing failureThreshold times in a row calls
 *   onUnhealthy once for that container (the worker then holds until a new
 *   container starts);
 * - onChange fires when readiness or startup changes, so the pod's status
 *   is re-synced; when startup passes, the readiness probe runs at once.
 */
import type { Container, Pod, Probe } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock, type DeepReadonly } from '../../../controlplane/client/index.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { ContainerId, ProbeKind, ProbeResult, ProbeTargets, ProberManager } from '../types.js';
import { Prober } from './prober.js';
import { ResultsCache, probeKey } from './results.js';
import { kindTitle, type ProbeOutcome, type ProbeRunner } from './types.js';
import { Worker, type WorkerHost } from './worker.js';

export type UnhealthyHandler = (podUID: string, containerName: string, containerId: ContainerId, kind: ProbeKind, message: string) => void;
export type ChangeHandler = (podUID: string) => void;
/** Every failed attempt (upstream records a Warning "Unhealthy" event each time). */
export type ProbeFailureRecorder = (podUID: string, containerName: string, kind: ProbeKind, message: string) => void;

export interface ProberManagerOptions {
  /** Where probes reach the pod (IP) and run commands (exec). */
  targets: ProbeTargets;
  clock?: Clock;
  log?: Logger;
  /** Replaces the real exec/http/tcp prober (unit tests). */
  runner?: ProbeRunner;
  /** `kube-probe/<major>.<minor>` for httpGet probes. */
  userAgent?: string;
  recordFailure?: ProbeFailureRecorder;
}

const KINDS: readonly ProbeKind[] = ['liveness', 'readiness', 'startup'];
const INITIAL: Record<ProbeKind, ProbeResult> = { readiness: 'failure', liveness: 'success', startup: 'unknown' };

function probeOf(c: DeepReadonly<Container>, kind: ProbeKind): DeepReadonly<Probe> | undefined {
  return kind === 'liveness' ? c.livenessProbe : kind === 'readiness' ? c.readinessProbe : c.startupProbe;
}

/** Containers that may carry probes: app containers and restartable (sidecar) init containers. */
function probedContainers(pod: DeepReadonly<Pod>): DeepReadonly<Container>[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec?.containers ?? []), ...sidecars];
}

interface ContainerRecord {
  id: ContainerId;
  startedAtMs: number;
  running: boolean;
}

export class KubeletProberManager implements ProberManager, WorkerHost {
  // Immutable after construction.
  readonly clock: Clock;
  readonly runner: ProbeRunner;
  readonly log?: Logger;
  private readonly recordFailure?: ProbeFailureRecorder;
  private readonly results = new ResultsCache();
  // Handlers: appended by on*(), read on every change.
  private readonly unhealthyHandlers: UnhealthyHandler[] = [];
  private readonly changeHandlers: ChangeHandler[] = [];
  // Guarded by nothing (single-threaded); written by the public methods.
  private readonly workers = new Map<string, Worker>();
  /** pod UID → container name → the instance last reported. */
  private readonly containers = new Map<string, Map<string, ContainerRecord>>();
  private running = false;
  private readonly loops = new Set<Promise<void>>();

  constructor(opts: ProberManagerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.log;
    this.recordFailure = opts.recordFailure;
    this.runner = opts.runner ?? new Prober(opts.targets, { clock: this.clock, userAgent: opts.userAgent });
  }

  onUnhealthy(handler: UnhealthyHandler): void {
    this.unhealthyHandlers.push(handler);
  }

  onChange(handler: ChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const wanted = new Set<string>();
    for (const c of probedContainers(pod)) {
      for (const kind of KINDS) {
        const probe = probeOf(c, kind);
        if (!probe) continue;
        const key = probeKey(uid, c.name, kind);
        wanted.add(key);
        const existing = this.workers.get(key);
        if (existing && existing.specKey === JSON.stringify(probe)) {
          existing.pod = pod;
          existing.container = c;
          continue;
        }
        if (existing) this.stopWorker(key, existing);
        const w = new Worker(this, pod, c, kind, probe);
        this.workers.set(key, w);
        const rec = this.containers.get(uid)?.get(c.name);
        if (rec?.running) this.startInstance(w, rec);
        if (this.running) this.startLoop(w);
      }
    }
    // Probes that disappeared from the spec (a replaced pod object with the same UID).
    for (const [key, w] of this.workers) {
      if (w.podUID === uid && !wanted.has(key)) this.stopWorker(key, w);
    }
  }

  removePod(podUID: string): void {
    for (const [key, w] of this.workers) if (w.podUID === podUID) this.stopWorker(key, w);
    this.containers.delete(podUID);
  }

  containerStarted(podUID: string, containerName: string, containerId: ContainerId, startedAt: Date): void {
    let recs = this.containers.get(podUID);
    if (!recs) this.containers.set(podUID, (recs = new Map()));
    const prev = recs.get(containerName);
    // Re-announcing the running instance (a caller that reports on every sync) changes nothing.
    const isNewInstance = !prev || prev.id !== containerId || !prev.running;
    const rec: ContainerRecord = { id: containerId, startedAtMs: startedAt.getTime(), running: true };
    recs.set(containerName, rec);
    let changed = false;
    for (const kind of KINDS) {
      const w = this.workers.get(probeKey(podUID, containerName, kind));
      if (w) changed = this.startInstance(w, rec) || changed;
    }
    // A container without probes becomes ready by starting: that is a change too.
    if (changed || (isNewInstance && !this.hasWorker(podUID, containerName, 'readiness'))) this.emitChange(podUID);
  }

  /**
   * The container exited (the PLEG saw it die): its probes pause until the
   * next containerStarted, and it reads not ready and not started. Not
   * calling this is safe but slower: probes of a dead container fail or
   * error, and onUnhealthy may name a container that is already gone.
   */
  containerStopped(podUID: string, containerName: string, containerId: ContainerId): void {
    const rec = this.containers.get(podUID)?.get(containerName);
    if (!rec || rec.id !== containerId || !rec.running) return;
    rec.running = false;
    for (const kind of KINDS) {
      const key = probeKey(podUID, containerName, kind);
      const w = this.workers.get(key);
      if (!w) continue;
      w.containerStopped();
      if (kind === 'readiness') this.results.set(key, containerId, 'failure');
    }
    this.emitChange(podUID);
  }

  isStarted(podUID: string, containerName: string): boolean {
    const rec = this.containers.get(podUID)?.get(containerName);
    if (!rec?.running) return false;
    if (!this.hasWorker(podUID, containerName, 'startup')) return true;
    return this.resultFor(podUID, containerName, 'startup', rec.id) === 'success';
  }

  isReady(podUID: string, containerName: string): boolean {
    if (!this.isStarted(podUID, containerName)) return false;
    if (!this.hasWorker(podUID, containerName, 'readiness')) return true;
    const rec = this.containers.get(podUID)!.get(containerName)!;
    return this.resultFor(podUID, containerName, 'readiness', rec.id) === 'success';
  }

  /** The cached result of one probe (tests and diagnostics); undefined before the container started. */
  result(podUID: string, containerName: string, kind: ProbeKind): ProbeResult | undefined {
    return this.results.get(probeKey(podUID, containerName, kind))?.result;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    for (const w of this.workers.values()) this.startLoop(w);
    if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    this.running = false;
    for (const w of this.workers.values()) w.stop();
    await Promise.all([...this.loops]);
  }

  // ---- WorkerHost ----------------------------------------------------------

  report(w: Worker, containerId: ContainerId, outcome: ProbeOutcome): void {
    if (this.workers.get(probeKey(w.podUID, w.containerName, w.kind)) !== w) return; // a replaced worker
    const key = probeKey(w.podUID, w.containerName, w.kind);
    const changed = this.results.set(key, containerId, outcome.result);
    if (w.kind !== 'liveness' && changed) {
      if (w.kind === 'startup' && outcome.result === 'success') {
        // Readiness was gated on startup: probe it now rather than a period from now.
        this.workers.get(probeKey(w.podUID, w.containerName, 'readiness'))?.trigger();
      }
      this.emitChange(w.podUID);
    }
    if ((w.kind === 'liveness' || w.kind === 'startup') && outcome.result === 'failure') {
      const message = `${kindTitle(w.kind)} probe failed: ${outcome.output}`;
      for (const h of this.unhealthyHandlers) this.call(() => h(w.podUID, w.containerName, containerId, w.kind, message));
    }
  }

  failedAttempt(w: Worker, outcome: ProbeOutcome): void {
    const rec = this.recordFailure;
    if (rec) this.call(() => rec(w.podUID, w.containerName, w.kind, `${kindTitle(w.kind)} probe failed: ${outcome.output}`));
  }

  // ---- internals -----------------------------------------------------------

  /** Points a worker at a container instance; a new instance starts from the kind's initial result. Returns whether the cached result changed. */
  private startInstance(w: Worker, rec: ContainerRecord): boolean {
    const isNew = w.currentContainerId !== rec.id;
    w.containerStarted(rec.id, rec.startedAtMs);
    const key = probeKey(w.podUID, w.containerName, w.kind);
    if (!isNew && this.results.get(key)?.containerId === rec.id) return false;
    return this.results.set(key, rec.id, INITIAL[w.kind]);
  }

  private hasWorker(podUID: string, containerName: string, kind: ProbeKind): boolean {
    return this.workers.has(probeKey(podUID, containerName, kind));
  }

  private resultFor(podUID: string, containerName: string, kind: ProbeKind, id: ContainerId): ProbeResult | undefined {
    const r = this.results.get(probeKey(podUID, containerName, kind));
    return r && r.containerId === id ? r.result : undefined;
  }

  private stopWorker(key: string, w: Worker): void {
    w.stop();
    this.workers.delete(key);
    this.results.remove(key);
  }

  private startLoop(w: Worker): void {
    if (w.stopped) return;
    const loop: Promise<void> = w
      .run()
      .catch((e: unknown) => this.log?.error('probe worker crashed', { pod: w.podUID, container: w.containerName, probe: w.kind, err: String(e) }))
      .then(() => {
        this.loops.delete(loop);
      });
    this.loops.add(loop);
  }

  private emitChange(podUID: string): void {
    for (const h of this.changeHandlers) this.call(() => h(podUID));
  }

  /** Handlers are the caller's code: one that throws is logged and does not break probing. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log?.error('prober handler threw', { err: String(e) });
    }
  }
}
