/**
 * QoS class and the cgroup settings of a container (kubelet qos/ and
 * kuberuntime_container_linux.go): cpu shares from the request (or the limit
 * when only a limit is set), a CFS quota from the limit when --cpu-cfs-quota,
 * the memory limit, and oom_score_adj by QoS class. Pure.
 */
import type { Container, Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { Quantity } from '../../../controlplane/machinery/quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];
export const MIN_SHARES = 2;
const SHARES_PER_CPU = 1024n;
/** CFS period in µs (100 ms), as upstream's quotaPeriod. */
export const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;
/** oom_score_adj values (pkg/kubelet/qos/policy.go). */
export const GUARANTEED_OOM_SCORE_ADJ = -998;
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;
export const SANDBOX_OOM_SCORE_ADJ = -998;

function q(s: string | undefined): Quantity {
  return s === undefined ? Quantity.zero() : (Quantity.tryParse(s) ?? Quantity.zero());
}

/** The pod's QoS class (qos.GetPodQOS): sums of requests and limits over every container, cpu and memory only. */
export function podQOSClass(pod: DeepReadonly<Pod>): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const [name, v] of Object.entries(c.resources?.requests ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const x = q(v);
      if (x.sign() > 0) requests.set(name, (requests.get(name) ?? Quantity.zero()).add(x));
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(c.resources?.limits ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const x = q(v);
      if (x.sign() > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? Quantity.zero()).add(x));
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, r] of requests) {
      const l = limits.get(name);
      if (!l || l.cmp(r) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

export function milliCPUToShares(milli: bigint): number {
  if (milli === 0n) return MIN_SHARES;
  const shares = Number((milli * SHARES_PER_CPU) / 1000n);
  return shares < MIN_SHARES ? MIN_SHARES : shares;
}

export function milliCPUToQuota(milli: bigint, periodUs = CFS_PERIOD_US): number {
  if (milli === 0n) return 0;
  const quota = Number((milli * BigInt(periodUs)) / 1000n);
  return quota < MIN_QUOTA_US ? MIN_QUOTA_US : quota;
}

/** oom_score_adj of a container (qos.GetContainerOOMScoreAdjust). */
export function containerOOMScoreAdj(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, memoryCapacityBytes: number): number {
  const cls = podQOSClass(pod);
  if (cls === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (cls === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  const req = Number(q(c.resources?.requests?.memory).value());
  if (memoryCapacityBytes <= 0) return BESTEFFORT_OOM_SCORE_ADJ - 1;
  const adj = 1000 - Math.trunc((1000 * req) / memoryCapacityBytes);
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

export interface ContainerResources {
  cpuShares: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  oomScoreAdj: number;
}

export function containerResources(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, opts: { cpuCFSQuota: boolean; memoryCapacityBytes: number }): ContainerResources {
  const cpuReq = q(c.resources?.requests?.cpu);
  const cpuLim = q(c.resources?.limits?.cpu);
  const out: ContainerResources = {
    cpuShares: milliCPUToShares(cpuReq.isZero() && !cpuLim.isZero() ? cpuLim.milliValue() : cpuReq.milliValue()),
    oomScoreAdj: containerOOMScoreAdj(pod, c, opts.memoryCapacityBytes),
  };
  const mem = q(c.resources?.limits?.memory);
  if (!mem.isZero()) out.memoryLimitBytes = Number(mem.value());
  if (opts.cpuCFSQuota && !cpuLim.isZero()) {
    out.cpuQuota = milliCPUToQuota(cpuLim.milliValue());
    out.cpuPeriod = CFS_PERIOD_US;
  }
  return out;
}
