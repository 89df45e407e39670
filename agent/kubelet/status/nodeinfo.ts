/**
 * What the node reports about itself (upstream kubelet_node_status.go):
 * capacity from /proc and the filesystem, allocatable = capacity −
 * --kube-reserved − --system-reserved, addresses, nodeInfo and the
 * conditions. The gathering reads files once; buildNodeStatus is pure.
 */
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { NodeAddress, NodeCondition, NodeStatus, NodeSystemInfo, ResourceList } from '../../../controlplane/api/core/v1/types.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';
import { formatRFC3339 } from '../../../controlplane/machinery/meta/helpers.js';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding --root-dir. */
  ephemeralStorageBytes?: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
}

function firstReadable(paths: readonly string[]): string {
  for (const p of paths) {
    try {
      const s = readFileSync(p, 'utf8').trim();
      if (s) return s;
    } catch {
      // next
    }
  }
  return '';
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

export function goArch(): string {
  return GO_ARCH[process.arch] ?? process.arch;
}

export function readMachineInfo(opts: { rootDir: string; machineIdFiles: readonly string[]; bootIdFiles: readonly string[] }): MachineInfo {
  const meminfo = firstReadable(['/proc/meminfo']);
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(meminfo);
  let storage: number | undefined;
  try {
    const st = statfsSync(opts.rootDir);
    storage = st.blocks * st.bsize;
  } catch {
    storage = undefined;
  }
  const osRelease = firstReadable(['/etc/os-release']);
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux';
  return {
    cpus: os.cpus().length,
    memoryBytes: m ? Number(m[1]) * 1024 : os.totalmem(),
    ephemeralStorageBytes: storage,
    machineID: firstReadable(opts.machineIdFiles),
    systemUUID: firstReadable(['/sys/class/dmi/id/product_uuid']),
    bootID: firstReadable(opts.bootIdFiles),
    kernelVersion: os.release(),
    osImage: pretty,
    architecture: goArch(),
  };
}

export interface NodeStatusInput {
  machine: MachineInfo;
  maxPods: number;
  podsPerCore: number;
  kubeReserved: Readonly<Record<string, string>>;
  systemReserved: Readonly<Record<string, string>>;
  addresses: NodeAddress[];
  kubeletVersion: string;
  runtimeVersion: string;
  kubeletPort: number;
  /** Why the node is not ready (runtime, network, PLEG), or undefined. */
  notReady?: string;
  images?: { names: string[]; sizeBytes: number }[];
  /** The eviction manager's pressure conditions (both false without one). */
  pressure?: { memory: boolean; disk: boolean };
  previous?: NodeStatus;
  now: Date;
}

export function capacityOf(i: Pick<NodeStatusInput, 'machine' | 'maxPods' | 'podsPerCore'>): ResourceList {
  let pods = i.maxPods;
  if (i.podsPerCore > 0) pods = Math.min(pods, i.podsPerCore * i.machine.cpus);
  const cap: ResourceList = { cpu: String(i.machine.cpus), memory: `${Math.floor(i.machine.memoryBytes / 1024)}Ki`, pods: String(pods) };
  if (i.machine.ephemeralStorageBytes !== undefined) cap['ephemeral-storage'] = `${Math.floor(i.machine.ephemeralStorageBytes / 1024)}Ki`;
  return cap;
}

/** capacity − reservations, never below zero. */
export function allocatableOf(capacity: ResourceList, ...reserved: Readonly<Record<string, string>>[]): ResourceList {
  const out: ResourceList = {};
  for (const [name, v] of Object.entries(capacity)) {
    let q = Quantity.parse(v);
    for (const r of reserved) if (r[name]) q = q.sub(Quantity.parse(r[name]));
    if (q.sign() < 0) q = Quantity.zero();
    out[name] = q.toString();
  }
  return out;
}

function cond(type: string, ok: boolean, reason: string, message: string, prev: NodeStatus | undefined, now: string, okStatus: 'True' | 'False'): NodeCondition {
  const status = ok ? okStatus : okStatus === 'True' ? 'False' : 'True';
  const old = prev?.conditions?.find((c) => c.type === type);
  return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now };
}

export function buildNodeStatus(i: NodeStatusInput): NodeStatus {
  const now = formatRFC3339(i.now);
  const capacity = capacityOf(i);
  const info: NodeSystemInfo = {
    machineID: i.machine.machineID,
    systemUUID: i.machine.systemUUID,
    bootID: i.machine.bootID,
    kernelVersion: i.machine.kernelVersion,
    osImage: i.machine.osImage,
    containerRuntimeVersion: i.runtimeVersion,
    kubeletVersion: i.kubeletVersion,
    kubeProxyVersion: i.kubeletVersion,
    operatingSystem: 'linux',
    architecture: i.machine.architecture,
  };
  const ready = i.notReady === undefined;
  const status: NodeStatus = {
    capacity,
    allocatable: allocatableOf(capacity, i.kubeReserved, i.systemReserved),
    conditions: [
      i.pressure?.memory
        ? cond('MemoryPressure', false, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', i.previous, now, 'False')
        : cond('MemoryPressure', true, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', i.previous, now, 'False'),
      i.pressure?.disk
        ? cond('DiskPressure', false, 'KubeletHasDiskPressure', 'kubelet has disk pressure', i.previous, now, 'False')
        : cond('DiskPressure', true, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', i.previous, now, 'False'),
      cond('PIDPressure', true, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', i.previous, now, 'False'),
      cond('Ready', ready, ready ? 'KubeletReady' : 'KubeletNotReady', ready ? 'kubelet is posting ready status' : i.notReady!, i.previous, now, 'True'),
    ],
    addresses: i.addresses,
    daemonEndpoints: { kubeletEndpoint: { Port: i.kubeletPort } },
    nodeInfo: info,
  };
  if (i.images) status.images = i.images.slice(0, 50).map((x) => ({ names: x.names, sizeBytes: x.sizeBytes }));
  return status;
}

/** The node's IP: --node-ip, else the first non-internal IPv4 address (the default-route interface preferred by order). */
export function detectNodeIP(flag: string): string | undefined {
  if (flag) return flag;
  const ifs = os.networkInterfaces();
  const names = Object.keys(ifs).filter((n) => !/^(docker|cbr|cni|veth|kt-|flannel|br-)/.test(n));
  for (const n of names) for (const a of ifs[n] ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}
