/**
 * Leader election on coordination.k8s.io/v1 Leases (client-go
 * tools/leaderelection), for --leader-elect.
 *
 * Design notes
 * - Expiry is judged on the local clock: a candidate remembers when it last
 *   saw the lease record change (observedTime) and treats the lease as expired
 *   when it has not changed for leaseDuration. Clock skew between hosts thus
 *   does not matter; only rates do.
 * - Writes are compare-and-swap on resourceVersion, so of two candidates
 *   racing for an expired lease exactly one wins (the other gets Conflict).
 * - The leader renews every retryPeriod; if it cannot renew for renewDeadline
 *   it stops leading (its leading signal aborts) before the others may take
 *   over at leaseDuration, which is why renewDeadline < leaseDuration.
 * - On shutdown (run's signal aborts) a leader releases the lease (upstream
 *   ReleaseOnCancel): holder cleared, duration 1 s, so a standby takes over at
 *   its next retry instead of waiting out the lease.
 * - tryAcquireOrRenew() is public so unit tests drive it step by step with a fake clock.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Lease, LeaseSpec } from '../api/coordination/v1/types.js';
import type { Logger } from '../machinery/log/index.js';
import { formatMicro } from '../machinery/meta/helpers.js';
import { realClock, jitter, type Clock } from './clock.js';
import { isAlreadyExists, isConflict, isNotFound } from './errors.js';
import type { ResourceClient } from './interfaces.js';

export interface LeaderCallbacks {
  /** Called when this candidate becomes leader; leading aborts when it stops. Should run the component until then. */
  onStartedLeading(leading: AbortSignal): void | Promise<void>;
  /** Called once leadership is lost or released. */
  onStoppedLeading?(): void;
  /** Called when the observed leader changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  /** The Lease client, bound to the lock's namespace (kube-system upstream). */
  leases: ResourceClient<Lease>;
  /** The Lease's name: kube-scheduler, kube-controller-manager. */
  name: string;
  /** Defaults to `${hostname}_${uuid}` as upstream components use. */
  identity?: string;
  /** --leader-elect-lease-duration, default 15 s. */
  leaseDurationMs?: number;
  /** --leader-elect-renew-deadline, default 10 s. */
  renewDeadlineMs?: number;
  /** --leader-elect-retry-period, default 2 s. */
  retryPeriodMs?: number;
  /** Release the lease when run()'s signal aborts. Default true. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  log?: Logger;
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

const JITTER = 1.2;

function toMicro(ms: number): string {
  return formatMicro(BigInt(Math.floor(ms)) * 1000n);
}

export class LeaderElector {
  readonly identity: string;
  // Immutable after construction.
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  // Observed state (owned by run / tryAcquireOrRenew).
  private observed?: Lease;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.identity = cfg.identity ?? defaultIdentity();
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    this.clock = cfg.clock ?? realClock;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new RangeError('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER * this.retryPeriodMs) throw new RangeError('renewDeadline must be greater than retryPeriod*JitterFactor');
  }

  /** The holder this candidate last observed ('' when none). */
  getLeader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  isLeader(): boolean {
    return this.getLeader() === this.identity;
  }

  /**
   * One attempt: create the lease, renew it, or take it over when expired.
   * Returns true when this candidate holds the lease afterwards.
   */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const leases = this.cfg.leases;
    const desired = (old?: LeaseSpec): LeaseSpec => {
      const spec: LeaseSpec = {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: toMicro(now),
        renewTime: toMicro(now),
        leaseTransitions: old?.leaseTransitions ?? 0,
      };
      if (old && old.holderIdentity === this.identity && old.acquireTime) spec.acquireTime = old.acquireTime;
      else if (old && old.holderIdentity) spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
      return spec;
    };

    let current: Lease;
    try {
      current = await leases.get(this.cfg.name, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        const created = await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.cfg.name }, spec: desired() }, { signal });
        this.observe(created, now);
        return true;
      } catch (e2) {
        if (isAlreadyExists(e2)) return false; // another candidate created it first
        throw e2;
      }
    }
    this.observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const expired = this.observedTime + (spec.leaseDurationSeconds ?? 0) * 1000 <= now;
    if (holder !== '' && holder !== this.identity && !expired) return false;

    const next: Lease = { ...current, spec: desired(spec) };
    try {
      const updated = await leases.update(next, { signal });
      this.observe(updated, now);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  private observe(l: Lease, now: number): void {
    const raw = JSON.stringify(l.spec ?? {});
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observedTime = now;
    }
    this.observed = l;
    const leader = l.spec?.holderIdentity ?? '';
    if (leader !== this.reportedLeader) {
      this.reportedLeader = leader;
      if (leader !== '') this.cfg.callbacks.onNewLeader?.(leader);
    }
  }

  /** Clears the holder so a standby can take over at once. Only when this candidate holds the lease. */
  async release(): Promise<void> {
    if (!this.isLeader() || !this.observed) return;
    const now = this.clock.now();
    const spec: LeaseSpec = {
      ...this.observed.spec,
      holderIdentity: undefined,
      leaseDurationSeconds: 1,
      acquireTime: toMicro(now),
      renewTime: toMicro(now),
    };
    delete spec.holderIdentity;
    try {
      const updated = await this.cfg.leases.update({ ...this.observed, spec });
      this.observe(updated, now);
    } catch (e) {
      this.cfg.log?.warn('failed to release lease', { lease: this.cfg.name, err: (e as Error).message });
    }
  }

  /**
   * Campaigns until elected, leads until renewal fails or the signal aborts,
   * then (if releaseOnCancel) releases. Returns after onStoppedLeading.
   * Like upstream, a candidate that lost the lease does not campaign again:
   * the owner restarts the process.
   */
  async run(signal: AbortSignal): Promise<void> {
    const log = this.cfg.log;
    if (!(await this.acquire(signal))) return;
    log?.info('successfully acquired lease', { lease: this.cfg.name, identity: this.identity });
    const leading = new AbortController();
    const stopLeading = () => leading.abort();
    signal.addEventListener('abort', stopLeading, { once: true });
    const component = (async () => {
      try {
        await this.cfg.callbacks.onStartedLeading(leading.signal);
      } catch (e) {
        log?.error('onStartedLeading failed', { err: (e as Error).message });
      }
    })();
    try {
      await this.renewLoop(leading.signal);
      if (!signal.aborted) log?.warn('failed to renew lease; stopped leading', { lease: this.cfg.name });
    } finally {
      signal.removeEventListener('abort', stopLeading);
      leading.abort();
      await component;
      if (signal.aborted && this.cfg.releaseOnCancel !== false) await this.release();
      this.cfg.callbacks.onStoppedLeading?.();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    let announced = false;
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew(signal)) return true;
        if (!announced) {
          this.cfg.log?.info('attempting to acquire leader lease; another candidate holds it', { lease: this.cfg.name, holder: this.getLeader() });
          announced = true;
        }
      } catch (e) {
        if (signal.aborted) return false;
        this.cfg.log?.v(2).info('error acquiring lease', { lease: this.cfg.name, err: (e as Error).message });
      }
      await this.clock.sleep(jitter(this.retryPeriodMs, JITTER), signal);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal could not succeed within renewDeadline, or on abort. */
  private async renewLoop(leading: AbortSignal): Promise<void> {
    while (!leading.aborted) {
      await this.clock.sleep(this.retryPeriodMs, leading);
      if (leading.aborted) return;
      const deadline = this.clock.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!leading.aborted && this.clock.now() < deadline) {
        try {
          if (await this.tryAcquireOrRenew(leading)) {
            renewed = true;
            break;
          }
          // Someone else holds it now: we are no longer leader.
          if (this.getLeader() !== this.identity) return;
        } catch (e) {
          if (leading.aborted) return;
          this.cfg.log?.v(2).info('error renewing lease', { lease: this.cfg.name, err: (e as Error).message });
        }
        await this.clock.sleep(Math.min(this.retryPeriodMs, Math.max(0, deadline - this.clock.now())), leading);
      }
      if (!renewed) return;
    }
  }
}
