/**
 * Pod CPU usage for the autoscaler, read the way heapster did in 1.8: from
 * each node's kubelet summary (/stats/summary, reached through the API
 * server's node proxy), one request per node per sync. A pod the summary
 * does not list, or lists without CPU usage, has no metric (the replica
 * calculator then treats it pessimistically).
 */
import type { Pod } from '../../api/core/v1/types.js';
import type { Client } from '../../client/interfaces.js';
import { resources } from '../../client/resources.js';
import type { RO } from '../common/types.js';

/** Namespace/name → millicores, and when the newest sample was taken. */
export interface PodCPUMetrics {
  usageMilli: Map<string, number>;
  timestampMs: number | undefined;
}

export interface PodMetricsSource {
  podCPU(pods: readonly RO<Pod>[], signal?: AbortSignal): Promise<PodCPUMetrics>;
}

/** The parts of the kubelet's stats/summary this reads (upstream's Summary shape). */
interface Summary {
  pods?: {
    podRef?: { name?: string; namespace?: string };
    cpu?: { time?: string; usageNanoCores?: number };
    containers?: { name?: string; cpu?: { time?: string; usageNanoCores?: number } }[];
  }[];
}

/** A node whose summary cannot be read contributes no metrics (its pods count as missing), and says why once per sync. */
export class KubeletSummaryMetrics implements PodMetricsSource {
  constructor(
    private readonly client: Client,
    private readonly onNodeError: (node: string, err: Error) => void = () => undefined,
  ) {}

  async podCPU(pods: readonly RO<Pod>[], signal?: AbortSignal): Promise<PodCPUMetrics> {
    const nodes = new Set<string>();
    for (const p of pods) if (p.spec?.nodeName) nodes.add(p.spec.nodeName);
    const usageMilli = new Map<string, number>();
    let timestampMs: number | undefined;
    await Promise.all(
      [...nodes].map(async (node) => {
        let s: Summary;
        try {
          s = await this.client.resource(resources.nodes).getSubresource<Summary>(node, 'proxy/stats/summary', { signal });
        } catch (e) {
          this.onNodeError(node, e as Error);
          return;
        }
        for (const p of s.pods ?? []) {
          const key = `${p.podRef?.namespace ?? ''}/${p.podRef?.name ?? ''}`;
          // Prefer the sum of the containers (what the request covers) over the pod cgroup's figure.
          const containers = (p.containers ?? []).filter((c) => typeof c.cpu?.usageNanoCores === 'number');
          let nano: number | undefined;
          let time: string | undefined;
          if (containers.length > 0) {
            nano = containers.reduce((a, c) => a + (c.cpu!.usageNanoCores as number), 0);
            time = containers[0].cpu?.time;
          } else if (typeof p.cpu?.usageNanoCores === 'number') {
            nano = p.cpu.usageNanoCores;
            time = p.cpu.time;
          }
          if (nano === undefined) continue;
          usageMilli.set(key, Math.round(nano / 1e6));
          const t = time ? Date.parse(time) : NaN;
          if (!Number.isNaN(t) && (timestampMs === undefined || t > timestampMs)) timestampMs = t;
        }
      }),
    );
    return { usageMilli, timestampMs };
  }
}
