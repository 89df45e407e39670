/**
 * The prober's own vocabulary: one probe attempt (ProbeRunner) is separate
 * from the scheduling and threshold logic (worker.ts), so thresholds, gating
 * and timing are unit-tested with a scripted runner and a fake clock, and
 * the real exec/tcp/http probes are tested against real sockets.
 */
import type { Container, Pod, Probe } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/index.js';
import type { ContainerId, ProbeKind } from '../types.js';

/** One attempt's answer. Upstream's "warning" (redirects not followed) counts as success. */
export interface ProbeOutcome {
  result: 'success' | 'failure';
  /** What the event says: the command output, `HTTP probe failed with statuscode: 500`, the dial error. */
  output: string;
}

export interface ProbeRequest {
  kind: ProbeKind;
  pod: DeepReadonly<Pod>;
  container: DeepReadonly<Container>;
  probe: DeepReadonly<Probe>;
  containerId: ContainerId;
  /** Aborted when the worker stops; the attempt should give up promptly. */
  signal: AbortSignal;
}

export interface ProbeRunner {
  /**
   * Runs one attempt. Rejects when the probe could not be run at all (no pod
   * IP yet, exec into a container that is gone, unsupported handler): that
   * attempt is thrown away and changes nothing, as upstream's probe errors.
   */
  run(req: ProbeRequest): Promise<ProbeOutcome>;
}

/** Upstream's defaults (also filled by API defaulting; static pods may skip it). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  timeoutSeconds: 1,
  periodSeconds: 10,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** A probe's timing with defaults applied and upstream's minimums (1 s period and timeout, thresholds ≥ 1). */
export function probeTiming(p: DeepReadonly<Probe>): ProbeTiming {
  const n = (v: number | undefined, d: number, min: number) => Math.max(min, Number.isFinite(v) ? (v as number) : d);
  return {
    initialDelayMs: n(p.initialDelaySeconds, PROBE_DEFAULTS.initialDelaySeconds, 0) * 1000,
    periodMs: n(p.periodSeconds || undefined, PROBE_DEFAULTS.periodSeconds, 1) * 1000,
    timeoutMs: n(p.timeoutSeconds || undefined, PROBE_DEFAULTS.timeoutSeconds, 1) * 1000,
    successThreshold: n(p.successThreshold || undefined, PROBE_DEFAULTS.successThreshold, 1),
    failureThreshold: n(p.failureThreshold || undefined, PROBE_DEFAULTS.failureThreshold, 1),
  };
}

/** `Liveness`, `Readiness`, `Startup`: how events name the kinds. */
export function kindTitle(kind: ProbeKind): string {
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}
