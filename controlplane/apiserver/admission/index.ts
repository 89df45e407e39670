/**
 * The admission chain (--admission-control, or --enable-admission-plugins):
 * plugins in the given order, each may change the object or refuse the
 * write. An unknown name is a start-up error. Writes from users go through
 * AdmittedWriter (writer.ts), the one place the API server calls admission.
 */
import type { ObjectAccess } from './objects.js';
import { limitRanger } from './limitranger.js';
import { nodeRestriction } from './noderestriction.js';
import { resourceQuota } from './resourcequota.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { alwaysAdmit, alwaysDeny, alwaysPullImages, defaultStorageClass, namespaceAutoProvision, namespaceExists, namespaceLifecycle } from './simple.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

export type { AdmissionAttributes, AdmissionPlugin, Operation } from './types.js';

const PLUGINS: Record<string, (objects: ObjectAccess) => AdmissionPlugin> = {
  AlwaysAdmit: () => alwaysAdmit,
  AlwaysDeny: () => alwaysDeny,
  AlwaysPullImages: () => alwaysPullImages,
  DefaultStorageClass: defaultStorageClass,
  LimitRanger: limitRanger,
  NamespaceAutoProvision: namespaceAutoProvision,
  NamespaceExists: namespaceExists,
  NamespaceLifecycle: namespaceLifecycle,
  NodeRestriction: nodeRestriction,
  ResourceQuota: resourceQuota,
  ServiceAccount: serviceAccountAdmission,
};

export const KNOWN_ADMISSION_PLUGINS = Object.keys(PLUGINS).sort();

export class AdmissionChain {
  constructor(readonly plugins: readonly AdmissionPlugin[]) {}

  /** True when no plugin does anything (AlwaysAdmit only): writers skip admission entirely. */
  get empty(): boolean {
    return this.plugins.every((p) => p === alwaysAdmit);
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) await p.admit(a);
  }

  /** Tells plugins how the write ended; their failures never change the answer. */
  async after(a: AdmissionAttributes, ok: boolean): Promise<void> {
    for (const p of this.plugins) {
      if (!p.after) continue;
      try {
        await p.after(a, ok);
      } catch {
        // bookkeeping only (quota usage): recomputed on the next write
      }
    }
  }
}

/** Builds the chain from plugin names; throws naming an unknown plugin. */
export function newAdmissionChain(names: readonly string[], objects: ObjectAccess): AdmissionChain {
  const plugins: AdmissionPlugin[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    const make = PLUGINS[name];
    if (!make) throw new Error(`unknown admission plugin "${name}" (kubets has: ${KNOWN_ADMISSION_PLUGINS.join(', ')})`);
    plugins.push(make(objects));
  }
  return new AdmissionChain(plugins);
}

export const admitAll = new AdmissionChain([alwaysAdmit]);
