/**
 * The Kubelet: wires sources → pod manager → pod workers → syncPod, with the
 * PLEG, the status manager, the prober and the volume manager around it
 * (upstream kubelet.go syncLoop / syncPod / HandlePodCleanups).
 *
 * Design notes
 * - Everything that changes a pod ends as podWorkers.update(uid): a source
 *   change, a PLEG event, a probe result, the --sync-frequency tick, a
 *   back-off expiring, a ConfigMap/Secret it mounts changing. The pod's
 *   worker runs syncPod one at a time.
 * - syncPod reads the desired pod (pod manager) and the runtime's state as
 *   of a relist newer than the worker's last action (PLEG), reports the
 *   status that state means, then runs computePodActions (pure) and the
 *   RuntimeManager (apply). The PLEG event the actions cause brings the
 *   next sync, which reports the new state.
 * - A pod with a deletionTimestamp (or refused, or finished) is killed; once
 *   nothing of it runs, its volumes are torn down and the status manager
 *   deletes it from the API (grace 0). A pod gone from every source is killed
 *   and its containers removed; the worker ends.
 * - Static pods (file/http) get a mirror pod in the API; their status goes
 *   to it. They run whether or not the API answers.
 * - Housekeeping (every 2 s, once every source has reported): orphaned
 *   containers (a pod deleted while the kubelet was down) get a worker that
 *   kills them; dead containers beyond --maximum-dead-containers-per-container
 *   are removed; orphaned pod directories and mirror pods are cleaned up.
 * - Adoption: after a restart the PLEG finds this node's containers by
 *   their labels; computePodActions sees them running with an unchanged
 *   spec hash and leaves them alone.
 */
import { readdir, rm } from 'node:fs/promises';
import type { Pod, PodStatus, Service } from '../../controlplane/api/core/v1/types.js';
import { realClock, type Clock } from '../../controlplane/client/clock.js';
import type { EventRecorder } from '../../controlplane/client/events.js';
import type { Lister, DeepReadonly } from '../../controlplane/client/types.js';
import type { Logger } from '../../controlplane/machinery/log/index.js';
import { NAMESPACE_INDEX } from '../../controlplane/client/indexer.js';
import { podDir, podsDir } from './container/podfiles.js';
import { canRunPod, type Admission, type AdmitSettings } from './container/security.js';
import { serviceEnvMap } from './container/servicelinks.js';
import type { NetworkPlugin } from './network/types.js';
import type { PodLifecycleEventGenerator } from './pleg/types.js';
import { PodWorkers, type SyncResult } from './podworkers/podworkers.js';
import { computePodActions } from './runtime/actions.js';
import { Backoff } from './runtime/backoff.js';
import { RuntimeError } from './runtime/errors.js';
import { emptyPodStatus, type RuntimePodStatus } from './runtime/podstatus.js';
import type { Failures, RuntimeManager } from './runtime/manager.js';
import type { MirrorClient } from './sources/mirror.js';
import { mirrorMatches } from './sources/mirror.js';
import { fullName, type PodManager } from './sources/podmanager.js';
import { isStaticSource, type PodSource } from './sources/types.js';
import { generatePodStatus } from './status/generate.js';
import type { ApiTarget, StatusManager } from './status/manager.js';
import type { ContainerRuntime, ProberManager, VolumeManager } from './types.js';
import { VolumeError } from './types.js';

export const HOUSEKEEPING_MS = 2000;

export interface KubeletDeps {
  nodeName: string;
  rootDir: string;
  runtime: ContainerRuntime;
  runtimeManager: RuntimeManager;
  network: NetworkPlugin;
  volumes: VolumeManager;
  prober: ProberManager;
  pleg: PodLifecycleEventGenerator;
  podManager: PodManager;
  statusManager: StatusManager;
  recorder: EventRecorder;
  /** Mirror pods for static pods; undefined without an API server. */
  mirrors?: MirrorClient;
  /** Services (all namespaces) for the service environment variables. */
  services?: Lister<DeepReadonly<Service>>;
  admit: AdmitSettings;
  masterServiceNamespace: string;
  /** Sources that must report before orphans are cleaned up. */
  sources: PodSource[];
  syncFrequencyMs: number;
  maxDeadPerContainer: number;
  crashBackoff: Backoff;
  imageBackoff: Backoff;
  hostIP(): string | undefined;
  log: Logger;
  clock?: Clock;
  /** Concurrent pod syncs. */
  maxConcurrentSyncs?: number;
  /** Admission of a new pod beyond canRunPod (the eviction manager's); a refusal fails the pod. */
  admitPod?(pod: DeepReadonly<Pod>): Admission;
}

/** Why a pod was failed by the kubelet (eviction, or refused at admission), and its kill grace. */
export interface Eviction {
  reason: string;
  message: string;
  /** undefined: the pod's own terminationGracePeriodSeconds. */
  graceSeconds?: number;
}

export class Kubelet {
  readonly workers: PodWorkers;
  // Guarded by nothing (single-threaded); per pod UID.
  private readonly failures = new Map<string, Failures>();
  private readonly lastSync = new Map<string, number>();
  private readonly lastCheck = new Map<string, number>();
  private readonly unhealthy = new Set<string>();
  private readonly mirrorUIDs = new Map<string, string>();
  /** Pods whose refusal was already announced with an event. */
  private readonly rejectedReported = new Set<string>();
  /** Pods failed by the eviction manager (or refused by its admission), per UID. */
  private readonly evictions = new Map<string, Eviction>();
  /** Pods that passed admitPod once (admission is for new pods only). */
  private readonly admitted = new Set<string>();
  // Immutable after construction.
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly d: KubeletDeps) {
    this.clock = d.clock ?? realClock;
    this.log = d.log;
    this.workers = new PodWorkers((uid, signal) => this.syncPod(uid, signal), { log: d.log, clock: this.clock, maxConcurrent: d.maxConcurrentSyncs });
    d.podManager.onChange((uid) => this.workers.update(uid));
    // Events of pods no source knows (yet) are ignored: after a restart the runtime is listed before the
    // API informer synced, and those containers must not look orphaned. Housekeeping handles real orphans.
    d.pleg.onEvent((e) => {
      if (d.podManager.get(e.podUID) || this.workers.has(e.podUID)) this.workers.update(e.podUID);
    });
    d.prober.onChange((uid) => this.workers.update(uid));
    d.prober.onUnhealthy((uid, name, id, kind, message) => {
      this.log.info('container failed its probe and will be restarted', { podUID: uid, container: name, probe: kind, message });
      this.unhealthy.add(id);
      this.workers.update(uid);
    });
  }

  /** Where a pod's status is written: the API pod, or a static pod's mirror. */
  statusTarget(uid: string): ApiTarget | undefined {
    const desired = this.d.podManager.get(uid);
    if (!desired) return undefined;
    const pod = desired.pod;
    if (isStaticSource(desired.source)) {
      const mirror = this.d.podManager.mirrorOf(pod);
      if (!mirror || !mirrorMatches(mirror, pod)) return undefined;
      return { namespace: mirror.metadata.namespace ?? 'default', name: mirror.metadata.name ?? '', uid: mirror.metadata.uid ?? '', status: mirror.status };
    }
    return { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', uid, status: pod.status };
  }

  /** The pods this kubelet runs, each with the status last written for it (the server's /pods, logs and exec). */
  podsWithStatus(): Pod[] {
    return this.d.podManager.all().map((d) => {
      const status = this.statusTarget(d.pod.metadata.uid ?? '')?.status ?? d.pod.status;
      return { ...(d.pod as Pod), status: status as Pod['status'] };
    });
  }

  /** The service environment of a pod (Services of its namespace + the master service). */
  serviceEnv(pod: DeepReadonly<Pod>): Map<string, string> {
    const lister = this.d.services;
    if (!lister) return new Map();
    const ns = pod.metadata.namespace ?? 'default';
    const services = [...lister.byIndex(NAMESPACE_INDEX, ns)];
    if (ns !== this.d.masterServiceNamespace) services.push(...lister.byIndex(NAMESPACE_INDEX, this.d.masterServiceNamespace));
    return serviceEnvMap({ namespace: ns, enableServiceLinks: pod.spec?.enableServiceLinks !== false, masterServiceNamespace: this.d.masterServiceNamespace, services });
  }

  private failuresOf(uid: string): Failures {
    let f = this.failures.get(uid);
    if (!f) this.failures.set(uid, (f = new Map()));
    return f;
  }

  /** The pod IPs of the newest ready sandbox. */
  private podIPs(rs: RuntimePodStatus): string[] {
    const s = rs.sandboxes[0];
    if (!s?.ready) return [];
    if (s.ip) return [s.ip];
    return [];
  }

  private status(pod: DeepReadonly<Pod>, rs: RuntimePodStatus, rejected?: { reason: string; message: string }): PodStatus {
    const evicted = this.evictions.get(pod.metadata.uid ?? '');
    const uid = pod.metadata.uid ?? '';
    // A static pod's API status lives on its mirror: start from that so conditions keep their times.
    const target = this.statusTarget(uid);
    const base = target?.status ? ({ ...pod, status: target.status } as DeepReadonly<Pod>) : pod;
    return generatePodStatus({
      pod: base,
      runtime: rs,
      failures: this.failures.get(uid) ?? new Map(),
      isReady: (c) => this.d.prober.isReady(uid, c),
      isStarted: (c) => this.d.prober.isStarted(uid, c),
      podIPs: this.podIPs(rs),
      hostIP: this.d.hostIP(),
      now: new Date(this.clock.now()),
      rejected,
      evicted: evicted ? { reason: evicted.reason, message: evicted.message } : undefined,
    });
  }

  /** One pod's sync; see the header. */
  async syncPod(uid: string, signal: AbortSignal): Promise<SyncResult> {
    const since = this.lastSync.get(uid) ?? 0;
    const t0 = this.clock.now();
    const rs = await this.d.pleg.statusNewerThan(uid, since, signal);
    if (!rs || signal.aborted) return {};
    const vlog = this.log.v(4);
    if (vlog.enabled) vlog.info('sync pod', { podUID: uid, waitedForRelistMs: this.clock.now() - t0 });
    const desired = this.d.podManager.get(uid);
    if (!desired) {
      // Gone from every source — but only believe it once every source has reported.
      if (!this.d.podManager.sourcesReady(this.d.sources)) return { done: true };
      return this.removePod(uid, rs);
    }
    const pod = desired.pod;
    const admission = canRunPod(pod, desired.source, this.d.admit);
    const rejected = admission.admit ? undefined : { reason: admission.reason, message: admission.message };
    if (rejected && !this.rejectedReported.has(uid)) {
      this.rejectedReported.add(uid);
      this.event(pod, 'Warning', rejected.reason, rejected.message);
    }
    if (!rejected) this.admitNew(uid, pod, rs);

    // Adopted or restarted containers: the prober learns about every running one (idempotent).
    for (const c of rs.containers) if (c.state === 'running') this.d.prober.containerStarted(uid, c.containerName, c.id, c.startedAt ?? new Date(this.clock.now()));

    const status = this.status(pod, rs, rejected);
    this.d.statusManager.setPodStatus(uid, status);
    if (isStaticSource(desired.source)) await this.syncMirror(uid, pod);

    const finished = status.phase === 'Succeeded' || status.phase === 'Failed';
    if (pod.metadata.deletionTimestamp || rejected || finished) return this.terminate(uid, pod, rs, signal);

    try {
      await this.d.volumes.setUpPodVolumes(pod as Pod);
      await this.d.volumes.refresh(pod as Pod);
    } catch (e) {
      if (!(e instanceof VolumeError)) throw e;
      this.event(pod, 'Warning', e.reason, e.message);
      return { requeueAfterMs: 2000 };
    }
    this.d.prober.addPod(pod as Pod);

    const actions = computePodActions(pod, rs, { unhealthy: this.unhealthy });
    const acting = actions.killPod || actions.createSandbox || actions.containersToKill.size > 0 || actions.containersToStart.length > 0 || actions.nextInitContainer !== undefined;
    if (!acting) {
      await this.checkNetwork(uid, pod, rs);
      return {};
    }
    let out;
    try {
      out = await this.d.runtimeManager.syncPod(pod, rs, actions, this.failuresOf(uid));
    } catch (e) {
      if (e instanceof RuntimeError && e.code === 'NetworkPluginNotReady') {
        this.log.v(2).info('network not ready; pod waits', { pod: fullName(pod), err: e.message });
        this.lastSync.set(uid, this.clock.now());
        return { requeueAfterMs: 2000 };
      }
      throw e;
    } finally {
      this.lastSync.set(uid, this.clock.now());
      for (const id of actions.containersToKill.keys()) this.unhealthy.delete(id);
      this.d.pleg.kick();
      if (vlog.enabled) vlog.info('pod actions applied', { pod: fullName(pod), createSandbox: actions.createSandbox, start: actions.containersToStart.join(','), ms: this.clock.now() - t0 });
    }
    return { requeueAfterMs: out.requeueAfterMs };
  }

  /** CNI CHECK on the periodic sync (at most once per --sync-frequency per pod). */
  private async checkNetwork(uid: string, pod: DeepReadonly<Pod>, rs: RuntimePodStatus): Promise<void> {
    const s = rs.sandboxes[0];
    if (!s?.ready || s.hostNetwork) return;
    const now = this.clock.now();
    if (now - (this.lastCheck.get(uid) ?? 0) < this.d.syncFrequencyMs) return;
    this.lastCheck.set(uid, now);
    try {
      const netns = await this.d.runtime.sandboxNetns(s.id);
      await this.d.network.checkPod(pod, s.id, netns);
    } catch (e) {
      this.event(pod, 'Warning', 'NetworkNotReady', (e as Error).message);
    }
  }

  private event(pod: DeepReadonly<Pod>, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.d.recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid }, type, reason, message);
  }

  /** Mirror pod upkeep for a static pod (create, replace an outdated one). */
  private async syncMirror(uid: string, pod: DeepReadonly<Pod>): Promise<void> {
    const client = this.d.mirrors;
    if (!client) return;
    const mirror = this.d.podManager.mirrorOf(pod);
    try {
      if (mirror && !mirrorMatches(mirror, pod)) {
        if (!mirror.metadata.deletionTimestamp) await client.delete(mirror.metadata.namespace ?? 'default', mirror.metadata.name ?? '', mirror.metadata.uid);
        return;
      }
      if (!mirror && !pod.metadata.deletionTimestamp) await client.create(pod);
    } catch (e) {
      this.log.v(1).info('mirror pod upkeep failed; will retry', { pod: fullName(pod), err: (e as Error).message });
    }
    if (mirror && mirror.metadata.uid !== this.mirrorUIDs.get(uid)) {
      this.mirrorUIDs.set(uid, mirror.metadata.uid ?? '');
      this.d.statusManager.markDirty(uid);
    }
  }

  /** A pod being deleted, refused or finished: stop it; once nothing runs, release it. */
  private async terminate(uid: string, pod: DeepReadonly<Pod>, rs: RuntimePodStatus, signal: AbortSignal): Promise<SyncResult> {
    const running = rs.containers.some((c) => c.state === 'running' || c.state === 'created') || rs.sandboxes.some((s) => s.ready);
    if (running) {
      // The grace period counts from the deletion request, as upstream.
      let grace: number | undefined;
      if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds !== undefined) {
        const deadline = Date.parse(pod.metadata.deletionTimestamp);
        if (Number.isFinite(deadline)) grace = Math.max(0, Math.ceil((deadline - this.clock.now()) / 1000));
        grace = Math.min(grace ?? pod.metadata.deletionGracePeriodSeconds, pod.metadata.deletionGracePeriodSeconds);
      }
      // An evicted pod is killed with the eviction manager's grace period (0 for a hard threshold).
      const evictionGrace = this.evictions.get(uid)?.graceSeconds;
      if (evictionGrace !== undefined) grace = grace === undefined ? evictionGrace : Math.min(grace, evictionGrace);
      try {
        await this.d.runtimeManager.killPod(pod, rs, grace);
      } finally {
        this.lastSync.set(uid, this.clock.now());
        this.d.pleg.kick();
      }
      return {};
    }
    if (!pod.metadata.deletionTimestamp) {
      // Finished but still an API object: its volumes go now (tmpfs memory back), the object stays.
      await this.d.volumes.releaseVolumes?.(uid);
      return {};
    }
    // Nothing runs any more: release the pod.
    this.d.prober.removePod(uid);
    await this.d.volumes.tearDownPodVolumes(uid);
    const final = this.status(pod, rs);
    this.d.statusManager.setPodStatus(uid, final);
    const target = this.statusTarget(uid);
    if (target && !signal.aborted) this.d.statusManager.requestDeletion(uid, { namespace: target.namespace, name: target.name, uid: target.uid });
    return {};
  }

  /** A pod gone from every source: kill it, remove its containers, forget it. */
  private async removePod(uid: string, rs: RuntimePodStatus): Promise<SyncResult> {
    if (rs.containers.length > 0 || rs.sandboxes.length > 0) {
      this.log.info('killing and removing the containers of a pod that is gone', { podUID: uid, pod: `${rs.namespace}/${rs.name}` });
      await this.d.runtimeManager.killPod(undefined, rs);
      await this.d.runtimeManager.removePod(rs);
    }
    this.d.prober.removePod(uid);
    await this.d.volumes.tearDownPodVolumes(uid);
    await rm(podDir(this.d.rootDir, uid), { recursive: true, force: true });
    this.d.statusManager.forget(uid);
    this.d.runtimeManager.forgetPod(uid);
    this.failures.delete(uid);
    this.rejectedReported.delete(uid);
    this.evictions.delete(uid);
    this.admitted.delete(uid);
    this.lastSync.delete(uid);
    this.lastCheck.delete(uid);
    this.mirrorUIDs.delete(uid);
    this.d.pleg.kick();
    return { done: true };
  }

  /** Periodic cleanup (upstream HandlePodCleanups). */
  async housekeeping(): Promise<void> {
    if (!this.d.podManager.sourcesReady(this.d.sources)) return;
    const desired = this.d.podManager.uids();
    // Orphaned containers: a worker finds the pod gone and removes them.
    for (const uid of this.d.pleg.podUIDs()) if (!desired.has(uid) && !this.workers.has(uid)) this.workers.update(uid);
    // Dead containers and sandboxes of live pods.
    for (const uid of desired) {
      const rs = this.d.pleg.cachedStatus(uid);
      // Not while the pod's worker acts on it: it may be about to read what GC would remove.
      if (rs && !this.workers.busy(uid)) await this.d.runtimeManager.gcPod(rs, this.d.maxDeadPerContainer).catch((e: unknown) => this.log.warn('container garbage collection failed', { podUID: uid, err: (e as Error).message }));
    }
    // Pod directories of pods with no containers left.
    const running = new Set(this.d.pleg.podUIDs());
    let onDisk: string[] = [];
    try {
      onDisk = await readdir(podsDir(this.d.rootDir));
    } catch {
      onDisk = [];
    }
    for (const uid of onDisk) {
      if (desired.has(uid) || running.has(uid) || this.workers.has(uid)) continue;
      await this.d.volumes.tearDownPodVolumes(uid).catch((e: unknown) => this.log.warn('orphaned pod volumes could not be removed', { podUID: uid, err: (e as Error).message }));
      await rm(podDir(this.d.rootDir, uid), { recursive: true, force: true }).catch(() => undefined);
    }
    // Mirror pods whose static pod is gone.
    if (this.d.mirrors) {
      for (const m of this.d.podManager.mirrorPods()) {
        const st = this.d.podManager.staticByFullName(fullName(m));
        if (st || m.metadata.deletionTimestamp) continue;
        this.log.info('deleting an orphaned mirror pod', { pod: fullName(m) });
        await this.d.mirrors.delete(m.metadata.namespace ?? 'default', m.metadata.name ?? '', m.metadata.uid).catch(() => undefined);
      }
    }
    this.d.crashBackoff.gc();
    this.d.imageBackoff.gc();
  }

  /**
   * A ConfigMap or Secret changed: pods that mount it (directly or through a
   * projected volume) sync now, so the file updates without waiting for the
   * --sync-frequency tick. Env vars are fixed at container start, as upstream.
   */
  objectChanged(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): void {
    for (const { pod } of this.d.podManager.all()) {
      if ((pod.metadata.namespace ?? 'default') !== namespace) continue;
      const uses = (pod.spec?.volumes ?? []).some((v) =>
        kind === 'ConfigMap'
          ? v.configMap?.name === name || (v.projected?.sources ?? []).some((s) => s.configMap?.name === name)
          : v.secret?.secretName === name || (v.projected?.sources ?? []).some((s) => s.secret?.name === name),
      );
      if (uses) this.workers.update(pod.metadata.uid ?? '');
    }
  }

  /**
   * Admission of a pod the kubelet has not started yet (upstream
   * HandlePodAdditions → canAdmitPod → rejectPod): a refusal fails the pod
   * for good, with the reason and "Pod <message>" on its status.
   */
  private admitNew(uid: string, pod: DeepReadonly<Pod>, rs: RuntimePodStatus): void {
    if (!this.d.admitPod || this.admitted.has(uid) || this.evictions.has(uid)) return;
    const phase = this.statusTarget(uid)?.status?.phase ?? pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp) return;
    // Already running (adopted after a restart): admitted before.
    if (rs.containers.length > 0 || rs.sandboxes.length > 0) {
      this.admitted.add(uid);
      return;
    }
    const a = this.d.admitPod(pod);
    if (a.admit) {
      this.admitted.add(uid);
      return;
    }
    this.evictions.set(uid, { reason: a.reason, message: `Pod ${a.message}`, graceSeconds: 0 });
    this.event(pod, 'Warning', a.reason, a.message);
  }

  /**
   * The eviction manager's kill (upstream killPodNow): the pod's status
   * becomes Failed with the given reason/message and its worker kills it.
   */
  evictPod(pod: DeepReadonly<Pod>, status: { reason: string; message: string }, graceSeconds: number | undefined): void {
    const uid = pod.metadata.uid ?? '';
    this.evictions.set(uid, { ...status, graceSeconds });
    this.workers.update(uid);
  }

  /** Pods that may be evicted: known, admitted, not finished, not deleted, not already evicted. */
  activePods(): DeepReadonly<Pod>[] {
    return this.podsWithStatus().filter((p) => {
      const uid = p.metadata.uid ?? '';
      if (this.evictions.has(uid) || p.metadata.deletionTimestamp) return false;
      return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    });
  }

  /** Nothing of the pod runs any more (as of the last relist). */
  podCleanedUp(uid: string): boolean {
    const rs = this.d.pleg.cachedStatus(uid);
    if (!rs) return true;
    const stopped = !rs.containers.some((c) => c.state === 'running' || c.state === 'created') && !rs.sandboxes.some((s) => s.ready);
    // Memory-backed emptyDirs hold their memory until released: the eviction manager must not count it as still in use.
    return stopped && !(this.d.volumes.holdsVolumes?.(uid) ?? false);
  }

  /** Whether a source still has the pod (container GC). */
  podExists(uid: string): boolean {
    return this.d.podManager.get(uid) !== undefined || this.workers.has(uid);
  }

  /** Every pod source has reported at least once. */
  sourcesReady(): boolean {
    return this.d.podManager.sourcesReady(this.d.sources);
  }

  /** Syncs every desired pod (the --sync-frequency tick). */
  syncAll(): void {
    for (const uid of this.d.podManager.uids()) this.workers.update(uid);
  }

  async run(signal: AbortSignal): Promise<void> {
    const workers = this.workers.run(signal);
    const loops = [
      this.every(this.d.syncFrequencyMs, signal, async () => this.syncAll()),
      this.every(HOUSEKEEPING_MS, signal, () => this.housekeeping()),
    ];
    await Promise.all([workers, ...loops]);
  }

  private async every(ms: number, signal: AbortSignal, f: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      await this.clock.sleep(ms, signal);
      if (signal.aborted) return;
      try {
        await f();
      } catch (e) {
        this.log.error('kubelet periodic task failed', { err: (e as Error).message });
      }
    }
  }

  /** A pod's current runtime view (for runonce and tests). */
  runtimeStatus(uid: string): RuntimePodStatus {
    return this.d.pleg.cachedStatus(uid) ?? emptyPodStatus(uid);
  }

  /** For ProbeTargets: the pod's IP as the runtime last reported it. */
  podIP(uid: string): string | undefined {
    const rs = this.d.pleg.cachedStatus(uid);
    return rs ? this.podIPs(rs)[0] : undefined;
  }
}
