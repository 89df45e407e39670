/**
 * The kubelet's stats Summary API (upstream pkg/kubelet/apis/stats/v1alpha1),
 * served at /stats/summary and read by metrics-server (`kubectl top`) and by
 * the eviction manager. Field names and nesting follow upstream's JSON; all
 * quantities are plain numbers (bytes, nanoseconds, inodes), times RFC 3339.
 */

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

export interface NodeStats {
  nodeName: string;
  systemContainers?: ContainerStats[];
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  network?: NetworkStats;
  /** The filesystem of --root-dir (nodefs). */
  fs?: FsStats;
  runtime?: RuntimeStats;
}

export interface RuntimeStats {
  /** The filesystem holding the runtime's images and container layers (Docker's data root). */
  imageFs?: FsStats;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime: string;
  containers: ContainerStats[];
  network?: NetworkStats;
  volume?: VolumeStats[];
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  /** The container's writable layer, on the imagefs. */
  rootfs?: FsStats;
  /** The container's log, on the filesystem that holds it. */
  logs?: FsStats;
  userDefinedMetrics?: unknown[];
}

export interface CPUStats {
  time: string;
  /** Average over the last sampling interval, in nanocores (1e9 = one core). */
  usageNanoCores?: number;
  /** Cumulative CPU time, nanoseconds. */
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  /** usage − inactive_file: what the kernel cannot simply drop (the eviction signal's basis). */
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface NetworkStats {
  time: string;
  name?: string;
  rxBytes?: number;
  rxErrors?: number;
  txBytes?: number;
  txErrors?: number;
}

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface VolumeStats extends FsStats {
  name: string;
}
