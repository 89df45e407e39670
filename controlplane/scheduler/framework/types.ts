/**
 * The plugin seams of the scheduling framework. Filters and scorers are pure
 * functions over NodeInfos and a read-only ClusterView: "prepare" runs once
 * per pod (upstream PreFilter / PreScore) and returns a closure evaluated per
 * node, so per-pod work (parsing selectors, counting matching pods) is done
 * once, and a plugin with nothing to say about a pod returns undefined and
 * costs nothing per node.
 */
import type { NodeInfo } from './nodeinfo.js';
import type { RPersistentVolume, RPersistentVolumeClaim, RPod, RReplicaSet, RReplicationController, RService, RStatefulSet } from '../types.js';

/** What plugins may read besides the NodeInfos: listers of the objects some plugins consult. */
export interface ClusterView {
  /** Every node with a Node object, in a stable order. */
  readonly nodes: readonly NodeInfo[];
  nodeInfo(name: string): NodeInfo | undefined;
  servicesIn(namespace: string): readonly RService[];
  replicationControllersIn(namespace: string): readonly RReplicationController[];
  replicaSetsIn(namespace: string): readonly RReplicaSet[];
  statefulSetsIn(namespace: string): readonly RStatefulSet[];
  pvc(namespace: string, name: string): RPersistentVolumeClaim | undefined;
  pv(name: string): RPersistentVolume | undefined;
  /** How many nodes hold this (normalized) image: ImageLocality scales by it. */
  imageNodeCount(image: string): number;
  /** --hard-pod-affinity-symmetric-weight (or the policy's hardPodAffinitySymmetricWeight). */
  readonly hardPodAffinityWeight: number;
}

/** Reasons a node does not fit (upstream's messages), or undefined when it fits. */
export type NodeFilter = (node: NodeInfo) => readonly string[] | undefined;

export interface FilterPlugin {
  /** The upstream predicate name (Policy files use it). */
  readonly name: string;
  /** Once per pod; undefined = nothing to check for this pod. */
  prepare(pod: RPod, cluster: ClusterView): NodeFilter | undefined;
}

export interface NodeScorer {
  /** The raw score of one feasible node. */
  score(node: NodeInfo): number;
  /** Maps raw scores (index i belongs to nodes[i]) onto 0–100 in place; absent = raw scores already are 0–100. */
  normalize?(scores: Float64Array, nodes: readonly NodeInfo[]): void;
}

export interface ScorePlugin {
  /** The upstream priority name. */
  readonly name: string;
  /** Once per pod, given the feasible nodes; undefined = scores 0 everywhere (skipped). */
  prepare(pod: RPod, cluster: ClusterView, feasible: readonly NodeInfo[]): NodeScorer | undefined;
}

export interface WeightedScore {
  plugin: ScorePlugin;
  weight: number;
}

/** What one scheduler runs: filters in order and weighted scorers. */
export interface Profile {
  filters: readonly FilterPlugin[];
  scores: readonly WeightedScore[];
}

export const MAX_NODE_SCORE = 100;
