/** PodFitsHostPorts (NodePorts): a wanted hostPort must be free on the node for its protocol and IP. */
import { podHostPorts } from '../nodeinfo.js';
import { reasons } from '../reasons.js';
import type { FilterPlugin } from '../types.js';

const FAIL = [reasons.ports] as const;

export const podFitsHostPorts: FilterPlugin = {
  name: 'PodFitsHostPorts',
  prepare(pod) {
    const wanted = podHostPorts(pod);
    if (wanted.length === 0) return undefined;
    return (node) => (wanted.some((p) => node.portInUse(p)) ? FAIL : undefined);
  },
};
