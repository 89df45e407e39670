/**
 * PodFitsResources (NodeResourcesFit): the pod's effective request plus what
 * the node already carries must fit the node's allocatable, per resource; the
 * pod count must stay within allocatable "pods". Every shortfall is reported,
 * so a node short of cpu and memory counts toward both reasons.
 */
import type { NodeInfo } from '../nodeinfo.js';
import { podResources, type Resource } from '../resource.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';

export function insufficientResources(request: Resource, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPods) out.push(reasons.tooManyPods);
  const a = node.allocatable;
  const used = node.requested;
  if (request.milliCPU > 0 && request.milliCPU > a.milliCPU - used.milliCPU) out.push(reasons.insufficient('cpu'));
  if (request.memory > 0 && request.memory > a.memory - used.memory) out.push(reasons.insufficient('memory'));
  if (request.ephemeralStorage > 0 && request.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) out.push(reasons.insufficient('ephemeral-storage'));
  for (const [name, want] of request.scalar) {
    if (want > 0 && want > (a.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) out.push(reasons.insufficient(name));
  }
  return out;
}

export const podFitsResources: FilterPlugin = {
  name: 'PodFitsResources',
  prepare(pod) {
    const request = podResources(pod).request;
    return (node) => {
      const r = insufficientResources(request, node);
      return r.length ? r : undefined;
    };
  },
};
