/**
 * The scheme's defaulting and validation as the generic registry's KindHooks,
 * plus the few registry-side preparations upstream does in its strategies
 * before validation (Job selectors, Secret stringData).
 */
import { applyDefaults } from '../api/defaults.js';
import { validate } from '../api/validation.js';
import type { HookLookup, KindHooks, Obj } from './registry/types.js';

type Rec = Record<string, unknown>;

/**
 * A Job without manualSelector gets a selector on its own uid, and its pod
 * template the matching labels (upstream's job strategy PrepareForCreate).
 */
function prepareJob(o: Obj): void {
  const spec = (o.spec ??= {}) as Rec;
  const uid = o.metadata?.uid;
  if (!uid || spec.manualSelector === true || spec.selector) return;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const template = (spec.template ??= {}) as Rec;
  const tmeta = (template.metadata ??= {}) as Rec;
  const labels = (tmeta.labels ??= {}) as Record<string, string>;
  labels['batch.kubernetes.io/controller-uid'] = uid;
  labels['controller-uid'] = uid;
  if (o.metadata?.name) {
    labels['batch.kubernetes.io/job-name'] = o.metadata.name;
    labels['job-name'] = o.metadata.name;
  }
}

/** `stringData` is write-only: merged into `data` (base64) and dropped, as upstream does. */
function prepareSecret(o: Obj): void {
  const sd = o.stringData as Record<string, string> | undefined;
  if (!sd || typeof sd !== 'object') return;
  const data = (o.data ??= {}) as Record<string, string>;
  for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  delete o.stringData;
}

/**
 * A namespace carries the `kubernetes` finalizer from birth, so deleting it
 * goes through Terminating while its contents are removed (upstream's
 * namespace strategy PrepareForCreate).
 */
function prepareNamespace(o: Obj): void {
  const spec = (o.spec ??= {}) as Rec;
  if (spec.finalizers === undefined) spec.finalizers = ['kubernetes'];
}

const PREPARE: Record<string, (o: Obj) => void> = {
  '/Namespace': prepareNamespace,
  'batch/Job': prepareJob,
  '/Secret': prepareSecret,
};

function hooksFor(group: string, version: string, kind: string): KindHooks {
  const gvk = { group, version, kind };
  const prepare = PREPARE[`${group}/${kind}`];
  return {
    setDefaults: (obj) => {
      prepare?.(obj);
      applyDefaults(gvk, obj);
    },
    validate: (obj, old) => validate(gvk, obj, old),
  };
}

const cache = new Map<string, KindHooks>();

export const apiHooks: HookLookup = {
  hooksFor(group, version, kind) {
    const k = `${group}/${version}/${kind}`;
    let h = cache.get(k);
    if (!h) cache.set(k, (h = hooksFor(group, version, kind)));
    return h;
  },
};
