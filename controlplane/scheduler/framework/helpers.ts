/** Matching rules shared by filters and scorers: tolerations, node selector terms, pod affinity terms, zones. */
import type { LabelSelector } from '../../machinery/meta/types.js';
import { Requirement, selectorFromLabelSelector, type Selector } from '../../machinery/labels.js';
import type { DeepReadonly } from '../../client/types.js';
import type { PodAffinityTerm, Taint } from '../../api/core/v1/types.js';
import type { RPod } from '../types.js';

type RTaint = DeepReadonly<Taint>;

export { toleratesAny, toleratesTaint } from '../../api/core/v1/nodematch.js';

/** `{key: value}` as upstream prints a taint in the filter message. */
export function formatTaint(t: RTaint): string {
  return `{${t.key}: ${t.value ?? ''}}`;
}

// ---- node selector terms (api/core/v1/nodematch.ts) ---------------------------

export { nodeSelectorTermMatches, nodeSelectorTermsMatch } from '../../api/core/v1/nodematch.js';

// ---- pod affinity terms -------------------------------------------------------

/** An affinity term ready to match pods: namespaces (undefined = all) and a parsed selector. */
export interface AffinityTerm {
  namespaces: ReadonlySet<string> | undefined;
  selector: Selector;
  topologyKey: string;
  weight: number;
}

/**
 * Upstream semantics: namespaces defaults to the owning pod's namespace; an
 * empty namespaceSelector ({}) means every namespace. A non-empty
 * namespaceSelector would need namespace labels, which the scheduler does not
 * watch: such terms match the listed namespaces only (documented limitation).
 */
export function affinityTerm(owner: RPod, t: DeepReadonly<PodAffinityTerm>, weight = 1): AffinityTerm {
  let namespaces: Set<string> | undefined = new Set(t.namespaces ?? []);
  const nsSel = t.namespaceSelector;
  if (nsSel && Object.keys(nsSel.matchLabels ?? {}).length === 0 && (nsSel.matchExpressions ?? []).length === 0) namespaces = undefined;
  else if (namespaces.size === 0 && !nsSel) namespaces.add(owner.metadata.namespace ?? 'default');
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(t.labelSelector as LabelSelector | undefined);
  } catch {
    selector = selectorFromLabelSelector(undefined);
  }
  // matchLabelKeys: the owner's values for these keys join the selector (1.29+ semantics, cheap to honour).
  if (t.matchLabelKeys?.length) {
    const extra: Record<string, string> = {};
    for (const k of t.matchLabelKeys) {
      const v = owner.metadata.labels?.[k];
      if (v !== undefined) extra[k] = v;
    }
    selector = selectorAnd(selector, extra);
  }
  return { namespaces, selector, topologyKey: t.topologyKey, weight };
}

function selectorAnd(sel: Selector, set: Record<string, string>): Selector {
  const reqs = Object.entries(set).map(([k, v]) => Requirement.create(k, '=', [v]));
  return reqs.length ? sel.add(...reqs) : sel;
}

export function termMatchesPod(term: AffinityTerm, pod: RPod): boolean {
  if (term.namespaces && !term.namespaces.has(pod.metadata.namespace ?? 'default')) return false;
  return term.selector.matches(pod.metadata.labels);
}

export function requiredAffinityTerms(pod: RPod): AffinityTerm[] {
  return (pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t));
}
export function requiredAntiAffinityTerms(pod: RPod): AffinityTerm[] {
  return (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t));
}
export function preferredAffinityTerms(pod: RPod): AffinityTerm[] {
  return (pod.spec?.affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(pod, w.podAffinityTerm, w.weight));
}
export function preferredAntiAffinityTerms(pod: RPod): AffinityTerm[] {
  return (pod.spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(pod, w.podAffinityTerm, w.weight));
}

/** `key\0value` of a topology pair. */
export function topologyPair(key: string, value: string): string {
  return `${key}\0${value}`;
}

// ---- zones ----------------------------------------------------------------------

export const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'] as const;
export const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'] as const;

/** region + zone of a node ('' when it has no zone label), as upstream utilnode.GetZoneKey. */
export function zoneKey(labels: Readonly<Record<string, string>>): string {
  const zone = labels[ZONE_LABELS[0]] ?? labels[ZONE_LABELS[1]] ?? '';
  const region = labels[REGION_LABELS[0]] ?? labels[REGION_LABELS[1]] ?? '';
  if (zone === '' && region === '') return '';
  return `${region}:\x00:${zone}`;
}

export interface PodTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

/** Cached objects are immutable, so a pod's parsed terms can be memoized on its identity. */
const termsMemo = new WeakMap<RPod, PodTerms>();

export function podTerms(pod: RPod): PodTerms {
  let t = termsMemo.get(pod);
  if (!t) {
    t = {
      requiredAffinity: requiredAffinityTerms(pod),
      requiredAntiAffinity: requiredAntiAffinityTerms(pod),
      preferredAffinity: preferredAffinityTerms(pod),
      preferredAntiAffinity: preferredAntiAffinityTerms(pod),
    };
    termsMemo.set(pod, t);
  }
  return t;
}
