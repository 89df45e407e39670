/**
 * The Summary (stats/types.ts) from first-hand sources: cgroupfs for CPU and
 * memory (node = the root cgroup, containers = their Docker cgroups), statfs
 * for nodefs (--root-dir) and imagefs (Docker's data root), du for container
 * layers and volumes (cached, fs.ts). Upstream's summary provider
 * (pkg/kubelet/server/stats) built the same numbers from cAdvisor.
 *
 * - Only running containers are reported (an exited one has no cgroup), the
 *   pause container never: a pod appears while anything of it runs.
 * - CPU usageNanoCores is the rate between two readings at least a second
 *   apart; the first reading of a container has none.
 * - node.memory.availableBytes = machine memory − node working set: the
 *   `memory.available` eviction signal.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Pod } from '../../../controlplane/api/core/v1/types.js';
import { realClock, type Clock } from '../../../controlplane/client/clock.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { formatRFC3339 } from '../../../controlplane/machinery/meta/helpers.js';
import type { RuntimeContainer } from '../types.js';
import type { CgroupReader, MemoryReading } from './cgroup.js';
import { DiskUsageCache, statFs, type FsInfo } from './fs.js';
import type { ContainerStats, CPUStats, FsStats, MemoryStats, PodStats, Summary, VolumeStats } from './types.js';

/** What the provider needs from the container runtime. */
export interface StatsRuntime {
  /** This node's containers (running or not). */
  list(): Promise<RuntimeContainer[]>;
  /** Where a container's writable layer and log file are on the host. */
  containerFiles(id: string): Promise<{ upperDir?: string; logPath?: string } | undefined>;
  /** The runtime's image filesystem (a directory on it) and the bytes its images take. */
  imageFs(): Promise<{ root: string; imagesBytes: number } | undefined>;
}

export interface SummaryProvider {
  summary(): Promise<Summary>;
}

export interface StatsProviderOptions {
  nodeName: string;
  rootDir: string;
  memoryCapacityBytes: number;
  /** When the node (its root cgroup) started: boot time. */
  nodeStartTime: Date;
  cgroups: CgroupReader;
  runtime: StatsRuntime;
  /** The pods this kubelet runs (volumes, start times). */
  pods(): readonly DeepReadonly<Pod>[];
  /** How often du re-measures a layer or volume (--volume-stats-agg-period; 0 → every call). */
  duPeriodMs: number;
  clock?: Clock;
}

/** statfs + the used/inode numbers of what lives on it → FsStats. */
function fsStats(time: string, fs: FsInfo | undefined, used?: { bytes: number; inodes: number }): FsStats | undefined {
  if (!fs && !used) return undefined;
  const s: FsStats = { time };
  if (fs) {
    s.availableBytes = fs.availableBytes;
    s.capacityBytes = fs.capacityBytes;
    s.inodesFree = fs.inodesFree;
    s.inodes = fs.inodes;
  }
  if (used) {
    s.usedBytes = used.bytes;
    s.inodesUsed = used.inodes;
  } else if (fs) {
    s.usedBytes = fs.usedBytes;
    s.inodesUsed = fs.inodesUsed;
  }
  return s;
}

function memoryStats(time: string, m: MemoryReading | undefined, capacity?: number): MemoryStats | undefined {
  if (!m) return undefined;
  const s: MemoryStats = { time, usageBytes: m.usageBytes, workingSetBytes: m.workingSetBytes, rssBytes: m.rssBytes, pageFaults: m.pageFaults, majorPageFaults: m.majorPageFaults };
  const limit = capacity ?? m.limitBytes;
  if (limit !== undefined) s.availableBytes = Math.max(0, limit - m.workingSetBytes);
  return s;
}

export class StatsProvider implements SummaryProvider {
  private readonly clock: Clock;
  private readonly du: DiskUsageCache;
  /** Per cgroup path: the reading a rate is computed against, and the last rate. */
  private readonly cpu = new Map<string, { at: number; ns: number; rate?: number }>();

  constructor(private readonly o: StatsProviderOptions) {
    this.clock = o.clock ?? realClock;
    this.du = new DiskUsageCache(o.duPeriodMs, () => this.clock.now());
  }

  /** Pure arithmetic on two readings: nanocores = Δns / Δs. */
  static nanoCores(prev: { at: number; ns: number }, cur: { at: number; ns: number }): number | undefined {
    const dt = cur.at - prev.at;
    if (dt <= 0 || cur.ns < prev.ns) return undefined;
    return Math.round(((cur.ns - prev.ns) * 1000) / dt);
  }

  private async cpuStats(path: string, time: string): Promise<CPUStats | undefined> {
    const ns = await this.o.cgroups.cpuUsageNs(path);
    if (ns === undefined) return undefined;
    const now = this.clock.now();
    const prev = this.cpu.get(path);
    let rate = prev?.rate;
    if (!prev) this.cpu.set(path, { at: now, ns });
    else if (now - prev.at >= 1000) {
      rate = StatsProvider.nanoCores(prev, { at: now, ns }) ?? prev.rate;
      this.cpu.set(path, { at: now, ns, rate });
    }
    const s: CPUStats = { time, usageCoreNanoSeconds: ns };
    if (rate !== undefined) s.usageNanoCores = rate;
    return s;
  }

  async summary(): Promise<Summary> {
    const now = this.clock.now();
    const time = formatRFC3339(new Date(now));
    const [containers, nodeMem, nodeCpu, nodeFs, image] = await Promise.all([
      this.o.runtime.list(),
      this.o.cgroups.memory(''),
      this.cpuStats('', time),
      statFs(this.o.rootDir),
      this.o.runtime.imageFs().catch(() => undefined),
    ]);
    const imageFsInfo = image ? await statFs(image.root) : undefined;
    const summary: Summary = {
      node: {
        nodeName: this.o.nodeName,
        startTime: formatRFC3339(this.o.nodeStartTime),
        cpu: nodeCpu,
        memory: memoryStats(time, nodeMem, this.o.memoryCapacityBytes),
        fs: fsStats(time, nodeFs),
        runtime: { imageFs: fsStats(time, imageFsInfo, image ? { bytes: image.imagesBytes, inodes: imageFsInfo?.inodesUsed ?? 0 } : undefined) },
      },
      pods: [],
    };
    if (!summary.node.runtime?.imageFs) delete summary.node.runtime;

    const byPod = new Map<string, RuntimeContainer[]>();
    for (const c of containers) {
      if (c.state !== 'running') continue;
      let l = byPod.get(c.podUID);
      if (!l) byPod.set(c.podUID, (l = []));
      l.push(c);
    }
    const pods = new Map(this.o.pods().map((p) => [p.metadata.uid ?? '', p]));
    const usedPaths = new Set<string>();
    const seenCgroups = new Set<string>(['']);
    for (const [uid, list] of byPod) {
      const any = list[0];
      const pod = pods.get(uid);
      const sandbox = list.find((c) => c.isSandbox);
      const started = pod?.status?.startTime ?? formatRFC3339(sandbox?.createdAt ?? any.createdAt ?? new Date(now));
      const ps: PodStats = { podRef: { name: any.podName, namespace: any.podNamespace, uid }, startTime: started, containers: [] };
      for (const c of list) {
        if (c.isSandbox) continue;
        const cs: ContainerStats = { name: c.containerName, startTime: formatRFC3339(c.startedAt ?? c.createdAt ?? new Date(now)) };
        const path = await this.o.cgroups.containerPath(c.id);
        if (path !== undefined) {
          seenCgroups.add(path);
          cs.cpu = await this.cpuStats(path, time);
          cs.memory = memoryStats(time, await this.o.cgroups.memory(path));
        }
        const files = await this.o.runtime.containerFiles(c.id).catch(() => undefined);
        if (files?.upperDir) {
          usedPaths.add(files.upperDir);
          cs.rootfs = fsStats(time, imageFsInfo, await this.du.get(files.upperDir));
        }
        if (files?.logPath) {
          usedPaths.add(files.logPath);
          cs.logs = fsStats(time, await statFs(dirname(files.logPath)), await this.du.get(files.logPath));
        }
        ps.containers.push(cs);
      }
      const volumes = await this.volumeStats(uid, time, usedPaths);
      if (volumes.length) ps.volume = volumes;
      summary.pods.push(ps);
    }
    for (const k of this.cpu.keys()) if (!seenCgroups.has(k)) this.cpu.delete(k);
    this.du.retain(usedPaths);
    return summary;
  }

  /** Every volume directory of the pod (<root>/pods/<uid>/volumes/<plugin>/<name>). */
  private async volumeStats(uid: string, time: string, used: Set<string>): Promise<VolumeStats[]> {
    const out: VolumeStats[] = [];
    const base = join(this.o.rootDir, 'pods', uid, 'volumes');
    let plugins: string[] = [];
    try {
      plugins = await readdir(base);
    } catch {
      return out;
    }
    for (const plugin of plugins.sort()) {
      let names: string[] = [];
      try {
        names = await readdir(join(base, plugin));
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        const dir = join(base, plugin, name);
        used.add(dir);
        const fs = fsStats(time, await statFs(dir), await this.du.get(dir));
        if (fs) out.push({ name, ...fs });
      }
    }
    return out;
  }
}
