/**
 * The relisting PLEG (upstream pleg/generic.go), fed by Docker events.
 *
 * Design notes
 * - One relist = one `docker ps -a` filtered by this node's label. Only
 *   containers that are new or whose listed state changed are inspected
 *   (exit code, times, OOM, termination message), so a steady node costs one
 *   list per second, not one call per container (PERF-ANCHORS §5: polling
 *   per pod is the anti-pattern).
 * - Relists happen every `relistPeriodMs` (1 s, as upstream) and as soon as
 *   a Docker event arrives or a worker asks (kick / statusNewerThan);
 *   requests during a relist coalesce into one more relist after it.
 * - The cache timestamp is the relist's *start*: a status "newer than t"
 *   comes from a list issued after t.
 * - Events per pod are computed by comparing each container's state before
 *   and after; handlers only enqueue pod workers.
 * - Docker down: relist fails, logged once per change of state, retried
 *   every period; healthy() turns false after 3 minutes without a good
 *   relist (upstream's relist threshold).
 */
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { Logger } from '../../../controlplane/machinery/log/index.js';
import { sortNewestFirst, type RuntimePodStatus, type SandboxStatus } from '../runtime/podstatus.js';
import type { ContainerRuntime, RuntimeContainer } from '../types.js';
import type { PodLifecycleEvent, PodLifecycleEventGenerator, PodLifecycleEventType } from './types.js';

export const RELIST_PERIOD_MS = 1000;
export const RELIST_THRESHOLD_MS = 3 * 60_000;
const INSPECT_CONCURRENCY = 8;

export interface GenericPLEGOptions {
  runtime: ContainerRuntime;
  log: Logger;
  /** The pod IPs of a sandbox: the network plugin's record, else what Docker reports. */
  sandboxIPs: (sandbox: RuntimeContainer) => string[] | undefined;
  /** Fills in what inspect cannot know (the termination message file); may be slow. */
  enrich?: (c: RuntimeContainer) => Promise<void>;
  relistPeriodMs?: number;
  clock?: Clock;
}

interface Waiter {
  after: number;
  resolve: () => void;
}

export class GenericPLEG implements PodLifecycleEventGenerator {
  // Owned by relist().
  private readonly containers = new Map<string, RuntimeContainer>();
  private readonly pods = new Map<string, RuntimePodStatus>();
  private lastRelistStart = 0;
  private lastGoodRelist = 0;
  private lastError = '';
  /** Containers to inspect again on the next relist, whatever the list says. */
  private readonly stale = new Set<string>();
  // Relist scheduling: `again` asks for one more relist after the current one (or before the next wait).
  private relisting = false;
  private again = false;
  private wake?: () => void;
  private readonly waiters: Waiter[] = [];
  private readonly handlers: ((e: PodLifecycleEvent) => void)[] = [];
  // Immutable after construction.
  private readonly clock: Clock;
  private readonly period: number;

  constructor(private readonly o: GenericPLEGOptions) {
    this.clock = o.clock ?? realClock;
    this.period = o.relistPeriodMs ?? RELIST_PERIOD_MS;
  }

  onEvent(h: (e: PodLifecycleEvent) => void): void {
    this.handlers.push(h);
  }

  cachedStatus(uid: string): RuntimePodStatus | undefined {
    return this.pods.get(uid);
  }

  podUIDs(): string[] {
    return [...this.pods.keys()];
  }

  kick(): void {
    // Remembered even when no wait is armed (between two relists), so a request is never lost.
    this.again = true;
    if (!this.relisting) this.wake?.();
  }

  healthy(): { ok: boolean; message?: string } {
    if (this.lastGoodRelist === 0) return { ok: true };
    const age = this.clock.now() - this.lastGoodRelist;
    if (age > RELIST_THRESHOLD_MS) return { ok: false, message: `PLEG is not healthy: pleg was last seen active ${Math.round(age / 1000)}s ago; threshold is ${RELIST_THRESHOLD_MS / 1000}s` };
    return { ok: true };
  }

  async statusNewerThan(uid: string, since: number, signal: AbortSignal): Promise<RuntimePodStatus | undefined> {
    if (signal.aborted) return undefined;
    if (this.lastRelistStart <= since) {
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        const w: Waiter = {
          after: since,
          resolve: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        this.waiters.push(w);
        signal.addEventListener('abort', onAbort, { once: true });
        this.kick();
      });
      if (signal.aborted) return undefined;
    }
    return this.pods.get(uid) ?? { uid, name: '', namespace: '', sandboxes: [], containers: [] };
  }

  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    const events = this.watchEvents(signal);
    try {
      while (!signal.aborted) {
        this.again = false;
        await this.relistOnce();
        if (this.again) {
          this.again = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const cancel = this.clock.setTimer(() => resolve(), this.period);
          this.wake = () => {
            cancel();
            resolve();
          };
        });
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const w of this.waiters.splice(0)) w.resolve();
      await events;
    }
  }

  /** Docker events only trigger relists; the relist is the single source of truth. */
  private async watchEvents(signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      try {
        for await (const e of this.o.runtime.events(signal)) {
          // Docker may report an OOM kill after the exit: the container is inspected again.
          if (e.type === 'oom' || e.type === 'die') this.stale.add(e.containerId);
          this.kick();
        }
        if (failing) this.o.log.info('docker event stream re-established');
        failing = false;
      } catch (e) {
        if (!failing) this.o.log.warn('docker event stream failed; relying on periodic relist until it is back', { err: (e as Error).message });
        failing = true;
      }
      await this.clock.sleep(failing ? 5000 : 100, signal);
    }
  }

  private async relistOnce(): Promise<void> {
    this.relisting = true;
    const start = this.clock.now();
    try {
      await this.relist();
      this.lastRelistStart = start;
      this.lastGoodRelist = this.clock.now();
      if (this.lastError) this.o.log.info('container runtime relist recovered');
      this.lastError = '';
      const ready = this.waiters.filter((w) => w.after < start);
      for (const w of ready) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    } catch (e) {
      const msg = (e as Error).message;
      if (msg !== this.lastError) this.o.log.error('container runtime relist failed', { err: msg });
      this.lastError = msg;
    } finally {
      this.relisting = false;
    }
  }

  private async relist(): Promise<void> {
    const listed = await this.o.runtime.list();
    const seen = new Set<string>();
    const toInspect: RuntimeContainer[] = [];
    const stale = new Set(this.stale);
    this.stale.clear();
    for (const c of listed) {
      seen.add(c.id);
      const old = this.containers.get(c.id);
      if (!old || old.state !== c.state || !old.inspected || stale.has(c.id)) toInspect.push(c);
    }
    const fresh = new Map<string, RuntimeContainer>();
    for (let i = 0; i < toInspect.length; i += INSPECT_CONCURRENCY) {
      await Promise.all(
        toInspect.slice(i, i + INSPECT_CONCURRENCY).map(async (c) => {
          const full = await this.o.runtime.inspect(c.id).catch(() => undefined);
          // Gone between list and inspect: keep the listed view; the next relist settles it.
          const rc = full ?? c;
          if (rc.state === 'exited' && this.o.enrich) await this.o.enrich(rc).catch(() => undefined);
          fresh.set(c.id, rc);
        }),
      );
    }
    const before = new Map<string, Map<string, string>>();
    for (const [uid, p] of this.pods) before.set(uid, signatures(p));
    for (const id of [...this.containers.keys()]) if (!seen.has(id)) this.containers.delete(id);
    for (const [id, c] of fresh) this.containers.set(id, c);

    const byPod = new Map<string, RuntimeContainer[]>();
    for (const c of this.containers.values()) {
      let l = byPod.get(c.podUID);
      if (!l) byPod.set(c.podUID, (l = []));
      l.push(c);
    }
    const pods = new Map<string, RuntimePodStatus>();
    for (const [uid, cs] of byPod) pods.set(uid, this.podStatus(uid, cs));

    const events: PodLifecycleEvent[] = [];
    for (const uid of new Set([...before.keys(), ...pods.keys()])) {
      const old = before.get(uid) ?? new Map<string, string>();
      const p = pods.get(uid);
      const now = p ? signatures(p) : new Map<string, string>();
      for (const id of new Set([...old.keys(), ...now.keys()])) {
        const t = eventType(old.get(id), now.get(id));
        if (t) events.push({ podUID: uid, type: t, data: id });
      }
    }
    this.pods.clear();
    for (const [k, v] of pods) this.pods.set(k, v);
    for (const e of events) {
      for (const h of this.handlers) {
        try {
          h(e);
        } catch (err) {
          this.o.log.error('PLEG event handler failed', { err: (err as Error).message });
        }
      }
    }
  }

  private podStatus(uid: string, cs: RuntimeContainer[]): RuntimePodStatus {
    const sandboxes: SandboxStatus[] = [];
    const containers: RuntimeContainer[] = [];
    for (const c of cs) {
      if (!c.isSandbox) {
        containers.push(c);
        continue;
      }
      const s: SandboxStatus = { id: c.id, attempt: c.attempt, ready: c.state === 'running', hostNetwork: c.hostNetwork === true, createdAt: c.createdAt };
      const ips = this.o.sandboxIPs(c);
      if (ips?.length) s.ip = ips[0];
      sandboxes.push(s);
    }
    const first = cs[0];
    return { uid, name: first?.podName ?? '', namespace: first?.podNamespace ?? '', sandboxes: sortNewestFirst(sandboxes), containers: sortNewestFirst(containers) };
  }
}

/** Per container: `state|exitCode|reason`, so a late OOM verdict is a change too. */
function signatures(p: RuntimePodStatus): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of p.containers) m.set(c.id, `${c.state}|${c.exitCode ?? ''}|${c.reason ?? ''}`);
  for (const s of p.sandboxes) m.set(s.id, s.ready ? 'running' : 'exited');
  return m;
}

function eventType(before: string | undefined, after: string | undefined): PodLifecycleEventType | undefined {
  if (before === after) return undefined;
  const b = before?.split('|')[0];
  const a = after?.split('|')[0];
  if (a === undefined) return b === 'exited' ? 'ContainerRemoved' : 'ContainerDied';
  if (a === b) return 'ContainerChanged';
  if (a === 'running') return 'ContainerStarted';
  if (a === 'exited') return 'ContainerDied';
  return 'ContainerChanged';
}
