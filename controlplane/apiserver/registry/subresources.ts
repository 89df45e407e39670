/**
 * Subresources whose semantics are more than "the same object, one part of
 * it": scale (an autoscaling/v1 Scale view of spec.replicas), pods/binding
 * (assigns a node), pods/eviction (a delete that respects disruption budgets),
 * certificatesigningrequests/approval (only status.conditions), and
 * namespaces/finalize (only spec.finalizers). /status is handled by the generic
 * store itself.
 */
import { apiErrors, StatusError } from '../../machinery/errors.js';
import { selectorFromLabelSelector } from '../../machinery/labels.js';
import type { LabelSelector } from '../../machinery/meta/types.js';
import type { GenericStore, DeleteOpts } from './generic.js';
import { nowRFC3339 } from './generic.js';
import type { Obj } from './types.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

// ---- scale -------------------------------------------------------------

/** The selector of a scalable object as the Scale's status.selector string. */
function selectorString(parent: Obj): string {
  const sel = rec(parent.spec).selector;
  if (!sel) return '';
  // ReplicationControllers have a plain map selector; the apps kinds a LabelSelector.
  const ls: LabelSelector = 'matchLabels' in rec(sel) || 'matchExpressions' in rec(sel) ? (sel as LabelSelector) : { matchLabels: sel as Record<string, string> };
  try {
    return selectorFromLabelSelector(ls).toString();
  } catch {
    return '';
  }
}

export function toScale(parent: Obj): Obj {
  const m = parent.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: (rec(parent.spec).replicas as number | undefined) ?? 1 },
    status: { replicas: (rec(parent.status).replicas as number | undefined) ?? 0, selector: selectorString(parent) },
  };
}

function checkScale(reg: GenericStore, scale: Obj, name: string): number {
  if (scale.kind !== undefined && scale.kind !== 'Scale') throw apiErrors.badRequest(`${String(scale.kind)} is not a Scale`);
  const replicas = rec(scale.spec).replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw apiErrors.invalid('autoscaling', 'Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
  }
  void reg;
  return replicas;
}

/** PUT …/scale, or PATCH after the caller applied the patch to the current Scale. */
export async function updateScale(reg: GenericStore, ns: string, name: string, change: (cur: Obj) => Obj | Promise<Obj>, dryRun: boolean): Promise<Obj> {
  const parent = await reg.guaranteedUpdate(
    ns,
    name,
    async (cur) => {
      const wanted = await change(toScale(cur));
      const replicas = checkScale(reg, wanted, name);
      const pinned = wanted.metadata?.resourceVersion;
      if (pinned && pinned !== cur.metadata?.resourceVersion) {
        throw apiErrors.conflict('autoscaling', 'scale', name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return { ...cur, spec: { ...rec(cur.spec), replicas } };
    },
    { dryRun },
  );
  return toScale(parent);
}

// ---- pods/binding ----------------------------------------------------------

export async function bindPod(pods: GenericStore, ns: string, name: string, binding: Obj, dryRun: boolean): Promise<void> {
  const target = rec(binding.target);
  const node = target.name;
  if (typeof node !== 'string' || node === '') {
    throw apiErrors.invalid('', 'Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', detail: 'must name a node' }]);
  }
  const bname = binding.metadata?.name;
  if (bname && bname !== name) throw apiErrors.badRequest(`the name of the binding (${bname}) does not match the pod (${name})`);
  await pods.guaranteedUpdate(
    ns,
    name,
    (pod) => {
      if (pod.metadata?.deletionTimestamp) throw apiErrors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
      const spec = rec(pod.spec);
      if (spec.nodeName) throw apiErrors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
      const status = rec(pod.status);
      const conditions = (Array.isArray(status.conditions) ? (status.conditions as Rec[]) : []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339() });
      // The binding's annotations are copied onto the pod, as upstream does.
      const annotations = { ...(pod.metadata?.annotations ?? {}), ...(binding.metadata?.annotations ?? {}) };
      return { ...pod, metadata: { ...pod.metadata, annotations }, spec: { ...spec, nodeName: node }, status: { ...status, conditions } };
    },
    { dryRun, internal: true },
  );
}

// ---- pods/eviction ---------------------------------------------------------

export interface DisruptionBudgets {
  /** PDBs in the pod's namespace. */
  list(ns: string): Promise<Obj[]>;
  /** Spends one disruption of the budget (CAS on its status). */
  spend(pdb: Obj): Promise<void>;
}

/**
 * Evicts a pod: refused with 429 while a PodDisruptionBudget selecting it has
 * no disruptions left (kubectl drain retries), otherwise a graceful delete.
 */
export async function evictPod(pods: GenericStore, budgets: DisruptionBudgets, ns: string, name: string, eviction: Obj, dryRun: boolean): Promise<void> {
  const pod = await pods.get(ns, name);
  const phase = rec(pod.status).phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp;
  if (!terminal) {
    const matching = (await budgets.list(ns)).filter((pdb) => {
      const sel = rec(pdb.spec).selector as LabelSelector | undefined;
      if (!sel) return false;
      try {
        const s = selectorFromLabelSelector(sel);
        return !s.isEmpty() && s.matches(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
    if (matching.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (matching.length === 1) {
      const pdb = matching[0];
      const allowed = rec(pdb.status).disruptionsAllowed;
      if (typeof allowed !== 'number' || allowed <= 0) {
        throw new StatusError(429, 'TooManyRequests', `Cannot evict pod as it would violate the pod's disruption budget.`, {
          causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata?.name} needs ${String(rec(pdb.status).desiredHealthy ?? '?')} healthy pods and has ${String(rec(pdb.status).currentHealthy ?? '?')} currently` }],
          retryAfterSeconds: 10,
        });
      }
      if (!dryRun) await budgets.spend(pdb);
    }
  }
  const d = rec(eviction.deleteOptions);
  const opts: DeleteOpts = { dryRun };
  if (typeof d.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = d.gracePeriodSeconds;
  if (d.preconditions) opts.preconditions = d.preconditions as DeleteOpts['preconditions'];
  await pods.delete(ns, name, opts);
}

// ---- certificatesigningrequests/approval -----------------------------------

export async function approveCSR(csrs: GenericStore, name: string, body: Obj, dryRun: boolean): Promise<Obj> {
  return csrs.guaranteedUpdate(
    '',
    name,
    (cur) => {
      const pinned = body.metadata?.resourceVersion;
      const conditions = rec(body.status).conditions;
      const next = { ...cur, status: { ...rec(cur.status), conditions: Array.isArray(conditions) ? conditions : [] } };
      if (pinned) next.metadata = { ...cur.metadata, resourceVersion: pinned };
      return next;
    },
    { dryRun, subresource: 'status' },
  );
}

/** On create, spec.username/uid/groups/extra are who sent the request, never what the body says (upstream's CSR strategy PrepareForCreate). */
export function setCSRRequester(body: Obj, user: { name: string; uid?: string; groups: readonly string[]; extra?: Readonly<Record<string, readonly string[]>> }): void {
  const spec: Record<string, unknown> = { ...rec(body.spec) };
  delete spec.username;
  delete spec.uid;
  delete spec.groups;
  delete spec.extra;
  if (user.name) spec.username = user.name;
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length) spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) spec.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
  (body as Record<string, unknown>).spec = spec;
}

// ---- namespaces/finalize ---------------------------------------------------

export async function finalizeNamespace(namespaces: GenericStore, name: string, body: Obj, dryRun: boolean): Promise<Obj> {
  const finalizers = rec(body.spec).finalizers;
  return namespaces.finalize(name, Array.isArray(finalizers) ? (finalizers as string[]) : [], dryRun);
}
