/**
 * One probe worker per (pod, container, kind) (upstream prober/worker.go).
 *
 * The loop: nothing happens until the manager says a container started;
 * then the first attempt runs once initialDelaySeconds have passed since the
 * container's start, and every periodSeconds after an attempt began. The
 * kubelet's own start does not reset anything: a restarted kubelet adopting a
 * running container probes it straight away (its start is long past).
 *
 * Per attempt (doProbe), in upstream's order:
 *  - on hold (liveness/startup already failed this container): nothing until
 *    a new container starts;
 *  - pod being deleted: liveness/startup report success and hold, so a
 *    terminating pod is not restarted by its own probes;
 *  - startup gating: liveness and readiness wait until the startup probe has
 *    passed; the startup probe stops once it has;
 *  - the attempt; a probe error (no pod IP, exec into a vanished container)
 *    is thrown away; otherwise a run of identical results is counted and the
 *    cached result changes only once the run reaches successThreshold or
 *    failureThreshold;
 *  - a liveness/startup failure that crossed the threshold puts the worker on
 *    hold (upstream: avoid exec'ing into a container being killed).
 *
 * Guarded by nothing (single-threaded), but an attempt is async: results of
 * an attempt that finishes after the container changed or the worker stopped
 * are dropped.
 */
import type { Container, Pod, Probe } from '../../../controlplane/api/core/v1/types.js';
import type { Clock, DeepReadonly } from '../../../controlplane/client/index.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import type { ContainerId, ProbeKind } from '../types.js';
import { probeTiming, type ProbeOutcome, type ProbeRunner, type ProbeTiming } from './types.js';

/** What a worker needs from its manager. */
export interface WorkerHost {
  readonly clock: Clock;
  readonly runner: ProbeRunner;
  readonly log?: Logger;
  /** Startup passed (or there is no startup probe) for the container's current instance. */
  isStarted(podUID: string, containerName: string): boolean;
  /** A threshold was crossed: store the result and tell whoever listens. */
  report(w: Worker, containerId: ContainerId, outcome: ProbeOutcome): void;
  /** Every failed attempt, for the Unhealthy event (upstream records one per failure). */
  failedAttempt(w: Worker, outcome: ProbeOutcome): void;
}

/** Resolves after ms (Infinity = never) or at wake(), whichever is first; a wake() with no waiter is remembered. */
class Waker {
  private resolveWait?: () => void;
  private pending = false;

  wake(): void {
    if (this.resolveWait) this.resolveWait();
    else this.pending = true;
  }

  /** Forgets wakes that came before now: the loop is about to look at the state anyway. */
  clear(): void {
    this.pending = false;
  }

  wait(clock: Clock, ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let cancel = () => {};
      this.resolveWait = () => {
        this.resolveWait = undefined;
        cancel();
        resolve();
      };
      const done = this.resolveWait;
      if (Number.isFinite(ms)) cancel = clock.setTimer(() => done(), Math.max(0, ms));
    });
  }
}

export class Worker {
  // Immutable after construction.
  readonly podUID: string;
  readonly containerName: string;
  readonly kind: ProbeKind;
  readonly probe: DeepReadonly<Probe>;
  /** The probe spec as JSON: a different one means a new worker. */
  readonly specKey: string;
  private readonly timing: ProbeTiming;
  private readonly waker = new Waker();
  private readonly stopper = new AbortController();

  // Latest pod and container spec (updated by the manager on addPod).
  pod: DeepReadonly<Pod>;
  container: DeepReadonly<Container>;

  // The container instance being probed (set by the manager).
  private containerId: ContainerId | undefined;
  private startedAtMs = 0;
  private running = false;

  // Owned by doProbe.
  private lastResult: ProbeOutcome['result'] | undefined;
  private resultRun = 0;
  private onHold = false;

  constructor(
    private readonly host: WorkerHost,
    pod: DeepReadonly<Pod>,
    container: DeepReadonly<Container>,
    kind: ProbeKind,
    probe: DeepReadonly<Probe>,
  ) {
    this.pod = pod;
    this.container = container;
    this.podUID = pod.metadata.uid ?? '';
    this.containerName = container.name;
    this.kind = kind;
    this.probe = probe;
    this.specKey = JSON.stringify(probe);
    this.timing = probeTiming(probe);
  }

  get currentContainerId(): ContainerId | undefined {
    return this.containerId;
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  /** A new container instance (or the same one re-announced): counting starts over and probing resumes. */
  containerStarted(id: ContainerId, startedAtMs: number): void {
    const isNew = id !== this.containerId || !this.running;
    this.containerId = id;
    this.startedAtMs = startedAtMs;
    this.running = true;
    if (isNew) {
      this.lastResult = undefined;
      this.resultRun = 0;
      this.onHold = false;
    }
    this.waker.wake();
  }

  /** The container exited: nothing to probe until the next start. */
  containerStopped(): void {
    this.running = false;
    this.waker.wake();
  }

  /** Probe now rather than at the next period (readiness right after startup passes). */
  trigger(): void {
    this.waker.wake();
  }

  stop(): void {
    this.stopper.abort();
    this.waker.wake();
  }

  async run(): Promise<void> {
    while (!this.stopped) {
      this.waker.clear();
      let delay = Infinity;
      if (this.running && this.containerId !== undefined) {
        const now = this.host.clock.now();
        const due = this.startedAtMs + this.timing.initialDelayMs;
        if (now < due) delay = due - now;
        else {
          await this.doProbe();
          delay = now + this.timing.periodMs - this.host.clock.now();
        }
      }
      if (this.stopped) break;
      await this.waker.wait(this.host.clock, delay);
    }
  }

  /** One attempt with upstream's gating and threshold rules (see the header). */
  async doProbe(): Promise<void> {
    if (this.onHold || !this.running || this.containerId === undefined) return;
    const id = this.containerId;
    if (this.pod.metadata.deletionTimestamp && (this.kind === 'liveness' || this.kind === 'startup')) {
      // Quiet shutdown: a pod being deleted is not restarted by its own probes.
      this.host.report(this, id, { result: 'success', output: '' });
      this.onHold = true;
      return;
    }
    const started = this.host.isStarted(this.podUID, this.containerName);
    if (this.kind === 'startup' ? started : !started) return;

    let outcome: ProbeOutcome;
    try {
      outcome = await this.host.runner.run({
        kind: this.kind,
        pod: this.pod,
        container: this.container,
        probe: this.probe,
        containerId: id,
        signal: this.stopper.signal,
      });
    } catch (e) {
      this.host.log?.v(3).info('probe error; result thrown away', { pod: this.pod.metadata.name, container: this.containerName, probe: this.kind, err: String(e) });
      return;
    }
    // The container changed (or the worker stopped) while the attempt ran: it is about nothing current.
    if (this.stopped || id !== this.containerId || !this.running || this.onHold) return;

    if (outcome.result === 'failure') this.host.failedAttempt(this, outcome);
    if (this.lastResult === outcome.result) this.resultRun++;
    else {
      this.lastResult = outcome.result;
      this.resultRun = 1;
    }
    if (
      (outcome.result === 'failure' && this.resultRun < this.timing.failureThreshold) ||
      (outcome.result === 'success' && this.resultRun < this.timing.successThreshold)
    ) {
      return; // below the threshold: the cached result stays as it was
    }
    this.host.report(this, id, outcome);
    if ((this.kind === 'liveness' || this.kind === 'startup') && outcome.result === 'failure') {
      // The container will be restarted; stop probing it until a new one starts.
      this.onHold = true;
      this.resultRun = 0;
    }
  }
}
