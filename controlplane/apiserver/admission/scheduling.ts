/**
 * Scheduling-related plugins of v1.8:
 *  - DefaultTolerationSeconds: pods that do not tolerate the NoExecute
 *    not-ready/unreachable taints get a toleration for each, bounded by
 *    --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds.
 *    (v1.8's taint keys. kubets' node lifecycle controller does not taint nodes,
 *    as 1.8 without TaintBasedEvictions; the tolerations matter once something does.)
 *  - PodNodeSelector: the namespace's scheduler.alpha.kubernetes.io/node-selector
 *    is merged into new pods' nodeSelector; a conflicting pod is refused.
 *  - PodTolerationRestriction: the namespace's defaultTolerations are merged
 *    into new pods; every pod's tolerations must fit the namespace's whitelist.
 * (The cluster-wide defaults of the last two come from
 * --admission-control-config-file upstream; kubets reads only the namespace
 * annotations.)
 */
import type { ObjectAccess } from './objects.js';
import { admissionForbidden, is, type AdmissionAttributes, type AdmissionPlugin } from './types.js';

export const TAINT_NOT_READY = 'node.alpha.kubernetes.io/notReady';
export const TAINT_UNREACHABLE = 'node.alpha.kubernetes.io/unreachable';

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

type PodSpec = { tolerations?: Toleration[] | null; nodeSelector?: Record<string, string> | null };

/** A plain write of a pod (no subresource) with an object. */
function podWrite(a: AdmissionAttributes, ops: readonly string[]): PodSpec | undefined {
  if (!is(a, '', 'pods') || a.subresource || !ops.includes(a.operation) || !a.object) return undefined;
  return (a.object.spec ??= {}) as PodSpec;
}

export interface TolerationSeconds {
  notReady: number;
  unreachable: number;
}

export function defaultTolerationSeconds(seconds: TolerationSeconds): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit: async (a) => {
      const spec = podWrite(a, ['CREATE', 'UPDATE']);
      if (!spec) return;
      const tols = spec.tolerations ?? [];
      const tolerates = (key: string) => tols.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
      const add: Toleration[] = [];
      if (!tolerates(TAINT_NOT_READY)) add.push({ key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.notReady });
      if (!tolerates(TAINT_UNREACHABLE)) add.push({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.unreachable });
      if (add.length) spec.tolerations = [...tols, ...add];
    },
  };
}

export const NODE_SELECTOR_ANNOTATION = 'scheduler.alpha.kubernetes.io/node-selector';
export const DEFAULT_TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';
export const TOLERATIONS_WHITELIST_ANNOTATION = 'scheduler.alpha.kubernetes.io/tolerationsWhitelist';

/** "k=v,k2=v2" (labels.ConvertSelectorToLabelsMap's form); throws on a term without "=". */
export function parseLabelMap(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of s.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const i = term.indexOf('=');
    if (i <= 0) throw new Error(`invalid selector term ${JSON.stringify(term)}: want key=value`);
    out[term.slice(0, i).trim()] = term.slice(i + 1).replace(/^=/, '').trim();
  }
  return out;
}

async function namespaceAnnotation(objects: ObjectAccess, ns: string, key: string): Promise<string | undefined> {
  if (!ns) return undefined;
  const o = await objects.get('', 'namespaces', '', ns);
  return o?.metadata?.annotations?.[key];
}

export function podNodeSelector(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'PodNodeSelector',
    admit: async (a) => {
      const spec = podWrite(a, ['CREATE']);
      if (!spec) return;
      const ann = await namespaceAnnotation(objects, a.namespace, NODE_SELECTOR_ANNOTATION);
      if (ann === undefined) return;
      let nsSelector: Record<string, string>;
      try {
        nsSelector = parseLabelMap(ann);
      } catch (e) {
        throw admissionForbidden(a, `namespace ${a.namespace} has a bad ${NODE_SELECTOR_ANNOTATION} annotation: ${(e as Error).message}`);
      }
      const own = spec.nodeSelector ?? {};
      for (const [k, v] of Object.entries(nsSelector)) {
        if (k in own && own[k] !== v) throw admissionForbidden(a, 'pod node label selector conflicts with its namespace node label selector');
      }
      if (Object.keys(nsSelector).length) spec.nodeSelector = { ...own, ...nsSelector };
    },
  };
}

function parseTolerations(a: AdmissionAttributes, key: string, s: string | undefined): Toleration[] | undefined {
  if (s === undefined) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    if (!Array.isArray(v)) throw new Error('not a JSON list');
    return v as Toleration[];
  } catch (e) {
    throw admissionForbidden(a, `namespace ${a.namespace} has a bad ${key} annotation: ${(e as Error).message}`);
  }
}

const op = (t: Toleration) => t.operator || 'Equal';
const same = (x: Toleration, y: Toleration) => (x.key ?? '') === (y.key ?? '') && op(x) === op(y) && (x.value ?? '') === (y.value ?? '') && (x.effect ?? '') === (y.effect ?? '') && x.tolerationSeconds === y.tolerationSeconds;

/** Two lists conflict when they hold different tolerations for one key and effect. */
function conflict(ns: readonly Toleration[], pod: readonly Toleration[]): boolean {
  return ns.some((n) => pod.some((p) => (n.key ?? '') === (p.key ?? '') && (n.effect ?? '') === (p.effect ?? '') && !same(n, p)));
}

/** A whitelist entry covers a toleration of the same key, operator and value, and any effect when the entry names none. */
function covers(w: Toleration, t: Toleration): boolean {
  return (w.key ?? '') === (t.key ?? '') && op(w) === op(t) && (w.value ?? '') === (t.value ?? '') && (!w.effect || w.effect === (t.effect ?? ''));
}

export function podTolerationRestriction(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'PodTolerationRestriction',
    admit: async (a) => {
      const spec = podWrite(a, ['CREATE', 'UPDATE']);
      if (!spec) return;
      const nsObj = a.namespace ? await objects.get('', 'namespaces', '', a.namespace) : undefined;
      const anns = nsObj?.metadata?.annotations ?? {};
      let final = spec.tolerations ?? [];
      if (a.operation === 'CREATE') {
        const defaults = parseTolerations(a, DEFAULT_TOLERATIONS_ANNOTATION, anns[DEFAULT_TOLERATIONS_ANNOTATION]) ?? [];
        if (defaults.length) {
          if (conflict(defaults, final)) throw admissionForbidden(a, 'namespace tolerations and pod tolerations conflict');
          final = [...final, ...defaults.filter((d) => !final.some((p) => same(d, p)))];
        }
      }
      const whitelist = parseTolerations(a, TOLERATIONS_WHITELIST_ANNOTATION, anns[TOLERATIONS_WHITELIST_ANNOTATION]) ?? [];
      if (whitelist.length && !final.every((t) => whitelist.some((w) => covers(w, t)))) {
        throw admissionForbidden(a, 'pod tolerations (possibly merged with namespace default tolerations) conflict with its namespace whitelist');
      }
      if (final.length) spec.tolerations = final;
    },
  };
}

/** The built-in classes (upstream's SystemPriorityClasses; no PriorityClass object needed). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-cluster-critical': 2000000000, 'system-node-critical': 2000001000 };

/**
 * Priority: spec.priority comes from the pod's PriorityClass (or the class
 * marked globalDefault, else 0); clients may not set the number themselves.
 * Mirror pods are left alone. (Alpha behind PodPriority in v1.8; kubets'
 * scheduler orders its queue by spec.priority, so it is always on here.)
 */
export function priority(objects: ObjectAccess): AdmissionPlugin {
  return {
    name: 'Priority',
    admit: async (a) => {
      const spec = podWrite(a, ['CREATE']) as (PodSpec & { priority?: number | null; priorityClassName?: string }) | undefined;
      if (!spec) return;
      if (a.object?.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
      if (spec.priority !== undefined && spec.priority !== null) {
        throw admissionForbidden(a, 'the integer value of priority must not be provided in pod spec. Priority admission controller populates the value from the given PriorityClass name');
      }
      let value = 0;
      if (spec.priorityClassName) {
        if (spec.priorityClassName in SYSTEM_PRIORITY_CLASSES) value = SYSTEM_PRIORITY_CLASSES[spec.priorityClassName];
        else {
          const pc = await objects.get('scheduling.k8s.io', 'priorityclasses', '', spec.priorityClassName);
          if (!pc) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
          value = Number((pc as { value?: number }).value ?? 0);
        }
      } else {
        const dflt = (await objects.list('scheduling.k8s.io', 'priorityclasses', '')).find((c) => (c as { globalDefault?: boolean }).globalDefault === true);
        if (dflt) value = Number((dflt as { value?: number }).value ?? 0);
      }
      spec.priority = value;
    },
  };
}

const HOSTNAME_KEY = 'kubernetes.io/hostname';

/** LimitPodHardAntiAffinityTopology: required pod anti-affinity may only use the hostname topology key. */
export const limitPodHardAntiAffinityTopology: AdmissionPlugin = {
  name: 'LimitPodHardAntiAffinityTopology',
  admit: async (a) => {
    const spec = podWrite(a, ['CREATE', 'UPDATE']) as { affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey?: string }[] } } } | undefined;
    for (const term of spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (term.topologyKey !== HOSTNAME_KEY) {
        throw admissionForbidden(a, `affinity.PodAntiAffinity.RequiredDuringScheduling has TopologyKey ${term.topologyKey ?? ''} but only key ${HOSTNAME_KEY} is allowed`);
      }
    }
  },
};
