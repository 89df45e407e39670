/**
 * Named predicates and priorities (the names a v1 Policy file uses), the two
 * algorithm providers, and Policy parsing.
 *
 * Filters run in upstream's fixed predicate order whatever order a policy
 * lists them in, cheap node-local checks first and MatchInterPodAffinity last,
 * and a node stops at its first failing filter (alwaysCheckAllPredicates=false).
 */
import { checkNodeCondition, checkNodeDiskPressure, checkNodeMemoryPressure, checkNodePIDPressure } from './filters/conditions.js';
import { matchInterPodAffinity } from './filters/interpodaffinity.js';
import { hostName, matchNodeSelector } from './filters/nodeaffinity.js';
import { podFitsHostPorts } from './filters/ports.js';
import { podFitsResources } from './filters/resources.js';
import { podToleratesNodeTaints } from './filters/taints.js';
import { checkNodeUnschedulable } from './filters/unschedulable.js';
import { checkVolumeBinding, noDiskConflict, noVolumeZoneConflict } from './filters/volumes.js';
import { imageLocalityPriority } from './scores/image.js';
import { interPodAffinityPriority } from './scores/interpodaffinity.js';
import { nodeAffinityPriority } from './scores/nodeaffinity.js';
import { balancedResourceAllocation, leastRequested, mostRequested } from './scores/resources.js';
import { selectorSpread } from './scores/spread.js';
import { taintTolerationPriority } from './scores/taints.js';
import type { FilterPlugin, Profile, ScorePlugin, WeightedScore } from './types.js';

/** Predicates that are no-ops in kubets (cloud volume limits, label/service affinity of old policies): accepted so existing policy files load. */
const noop = (name: string): FilterPlugin => ({ name, prepare: () => undefined });

/** Every predicate name, in upstream's evaluation order. GeneralPredicates expands to its four members. */
const PREDICATE_ORDER: readonly FilterPlugin[] = [
  checkNodeCondition,
  checkNodeUnschedulable,
  hostName,
  podFitsHostPorts,
  matchNodeSelector,
  podFitsResources,
  noDiskConflict,
  podToleratesNodeTaints,
  noop('PodToleratesNodeNoExecuteTaints'),
  noop('CheckNodeLabelPresence'),
  noop('CheckServiceAffinity'),
  noop('MaxEBSVolumeCount'),
  noop('MaxGCEPDVolumeCount'),
  noop('MaxAzureDiskVolumeCount'),
  noop('MaxCSIVolumeCountPred'),
  checkVolumeBinding,
  noVolumeZoneConflict,
  checkNodeMemoryPressure,
  checkNodePIDPressure,
  checkNodeDiskPressure,
  matchInterPodAffinity,
];

const GENERAL_PREDICATES = ['PodFitsResources', 'HostName', 'PodFitsHostPorts', 'MatchNodeSelector'];
/** PodFitsPorts is the pre-1.7 name of PodFitsHostPorts. */
const PREDICATE_ALIASES: Readonly<Record<string, string>> = { PodFitsPorts: 'PodFitsHostPorts' };

const equalPriority: ScorePlugin = { name: 'EqualPriority', prepare: () => ({ score: () => 1 }) };
/** The preferAvoidPods annotation is not honoured; the priority is accepted and scores every node alike. */
const nodePreferAvoidPods: ScorePlugin = { name: 'NodePreferAvoidPodsPriority', prepare: () => undefined };

const PRIORITIES: readonly ScorePlugin[] = [
  leastRequested,
  mostRequested,
  balancedResourceAllocation,
  selectorSpread,
  nodeAffinityPriority,
  interPodAffinityPriority,
  taintTolerationPriority,
  imageLocalityPriority,
  equalPriority,
  nodePreferAvoidPods,
];
/** ServiceSpreadingPriority is the old name of the service half of SelectorSpreadPriority. */
const PRIORITY_ALIASES: Readonly<Record<string, string>> = { ServiceSpreadingPriority: 'SelectorSpreadPriority' };

export const PREDICATE_NAMES: readonly string[] = [...PREDICATE_ORDER.map((p) => p.name), 'GeneralPredicates', ...Object.keys(PREDICATE_ALIASES)];
export const PRIORITY_NAMES: readonly string[] = [...PRIORITIES.map((p) => p.name), ...Object.keys(PRIORITY_ALIASES)];

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'InvalidPolicy';
}

/** The filters for these predicate names, in evaluation order; throws PolicyError naming an unknown one. */
export function filtersFor(names: readonly string[]): FilterPlugin[] {
  const wanted = new Set<string>();
  for (const raw of names) {
    const n = PREDICATE_ALIASES[raw] ?? raw;
    if (n === 'GeneralPredicates') GENERAL_PREDICATES.forEach((g) => wanted.add(g));
    else if (PREDICATE_ORDER.some((p) => p.name === n)) wanted.add(n);
    else throw new PolicyError(`invalid predicate name "${raw}" specified - no corresponding function found`);
  }
  return PREDICATE_ORDER.filter((p) => wanted.has(p.name));
}

export function scoreFor(name: string, weight: number): WeightedScore {
  const n = PRIORITY_ALIASES[name] ?? name;
  const plugin = PRIORITIES.find((p) => p.name === n);
  if (!plugin) throw new PolicyError(`invalid priority name "${name}" specified - no corresponding function found`);
  if (!Number.isInteger(weight) || weight <= 0) throw new PolicyError(`priority "${name}": weight must be a positive integer, got ${weight}`);
  return { plugin, weight };
}

const DEFAULT_PREDICATES = [
  'NoVolumeZoneConflict',
  'MaxEBSVolumeCount',
  'MaxGCEPDVolumeCount',
  'MaxAzureDiskVolumeCount',
  'MatchInterPodAffinity',
  'NoDiskConflict',
  'GeneralPredicates',
  'CheckNodeMemoryPressure',
  'CheckNodeDiskPressure',
  'CheckNodePIDPressure',
  'CheckNodeCondition',
  'CheckNodeUnschedulable',
  'PodToleratesNodeTaints',
  'CheckVolumeBinding',
];

function defaultPriorities(resourceScore: string): WeightedScore[] {
  return [
    scoreFor('SelectorSpreadPriority', 1),
    scoreFor('InterPodAffinityPriority', 1),
    scoreFor(resourceScore, 1),
    scoreFor('BalancedResourceAllocation', 1),
    scoreFor('NodePreferAvoidPodsPriority', 10000),
    scoreFor('NodeAffinityPriority', 1),
    scoreFor('TaintTolerationPriority', 1),
    scoreFor('ImageLocalityPriority', 1),
  ];
}

export type AlgorithmProvider = 'DefaultProvider' | 'ClusterAutoscalerProvider';

/** DefaultProvider spreads (LeastRequested); ClusterAutoscalerProvider packs (MostRequested) so the autoscaler can empty nodes. */
export function providerProfile(provider: AlgorithmProvider): Profile {
  return { filters: filtersFor(DEFAULT_PREDICATES), scores: defaultPriorities(provider === 'ClusterAutoscalerProvider' ? 'MostRequestedPriority' : 'LeastRequestedPriority') };
}

export interface Policy {
  profile: Profile;
  /** hardPodAffinitySymmetricWeight from the file, when set. */
  hardPodAffinitySymmetricWeight?: number;
}

/**
 * A v1 Policy (kind Policy, apiVersion v1): `predicates` and `priorities`
 * lists of {name[, weight]}. An absent list means the default provider's; an
 * empty list means none, as upstream. Throws PolicyError on anything invalid.
 */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PolicyError(`policy is not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError('policy must be a JSON object');
  const o = doc as Record<string, unknown>;
  if (o.kind !== undefined && o.kind !== 'Policy') throw new PolicyError(`policy kind must be "Policy", got ${JSON.stringify(o.kind)}`);
  const def = providerProfile('DefaultProvider');
  const list = (field: string): Record<string, unknown>[] | undefined => {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw new PolicyError(`policy.${field} must be a list`);
    return v.map((x, i) => {
      if (!x || typeof x !== 'object' || typeof (x as Record<string, unknown>).name !== 'string') throw new PolicyError(`policy.${field}[${i}].name must be a string`);
      return x as Record<string, unknown>;
    });
  };
  const preds = list('predicates');
  const prios = list('priorities');
  const filters = preds ? filtersFor(preds.map((p) => p.name as string)) : def.filters;
  const scores = prios ? prios.map((p) => scoreFor(p.name as string, p.weight === undefined ? 1 : Number(p.weight))) : def.scores;
  const out: Policy = { profile: { filters, scores } };
  const w = o.hardPodAffinitySymmetricWeight;
  if (w !== undefined) {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100) throw new PolicyError('policy.hardPodAffinitySymmetricWeight must be an integer in 0-100');
    out.hardPodAffinitySymmetricWeight = w;
  }
  return out;
}
