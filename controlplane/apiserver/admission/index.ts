/**
 * The admission chain (--admission-control, or --enable-admission-plugins):
 * plugins in the given order, each may change the object or refuse the
 * write. An unknown name is a start-up error. Writes from users go through
 * AdmittedWriter (writer.ts), the one place the API server calls admission.
 */
import { NOOP } from '../../machinery/flags/noop.js';
import type { ObjectAccess } from './objects.js';
import { limitRanger } from './limitranger.js';
import { nodeRestriction } from './noderestriction.js';
import { resourceQuota } from './resourcequota.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { denyEscalatingExec, denyExecOnPrivileged, securityContextDeny } from './podsecurity.js';
import { defaultTolerationSeconds, limitPodHardAntiAffinityTopology, podNodeSelector, podTolerationRestriction, priority } from './scheduling.js';
import { alwaysAdmit, alwaysDeny, alwaysPullImages, defaultStorageClass, namespaceAutoProvision, namespaceExists, namespaceLifecycle } from './simple.js';
import type { AdmissionAttributes, AdmissionPlugin } from './types.js';

export type { AdmissionAttributes, AdmissionPlugin, Operation } from './types.js';

/** Settings of plugins that upstream takes from kube-apiserver flags. */
export interface AdmissionConfig {
  /** --default-not-ready-toleration-seconds (DefaultTolerationSeconds). */
  defaultNotReadyTolerationSeconds?: number;
  /** --default-unreachable-toleration-seconds (DefaultTolerationSeconds). */
  defaultUnreachableTolerationSeconds?: number;
}

/*
 * Every name kube-apiserver v1.8 registers (pkg/kubeapiserver/options/plugins.go),
 * and what kubets does with it:
 *
 * | plugin                                | kubets                                                     |
 * |---------------------------------------|------------------------------------------------------------|
 * | AlwaysAdmit, AlwaysDeny               | real (simple.ts)                                           |
 * | AlwaysPullImages                      | real (simple.ts)                                           |
 * | DefaultStorageClass                   | real (simple.ts)                                           |
 * | DefaultTolerationSeconds              | real (scheduling.ts), v1.8 taint keys                      |
 * | DenyEscalatingExec                    | real (podsecurity.ts), CONNECT on pods/exec, pods/attach   |
 * | DenyExecOnPrivileged                  | real (podsecurity.ts), likewise                            |
 * | LimitPodHardAntiAffinityTopology      | real (scheduling.ts)                                       |
 * | LimitRanger                           | real (limitranger.ts)                                      |
 * | NamespaceAutoProvision/Exists/Lifecycle | real (simple.ts)                                         |
 * | NodeRestriction                       | real (noderestriction.ts)                                  |
 * | PodNodeSelector                       | real (scheduling.ts), namespace annotation only            |
 * | PodTolerationRestriction              | real (scheduling.ts), namespace annotations only           |
 * | Priority                              | real (scheduling.ts), always on (1.8: PodPriority gate)    |
 * | ResourceQuota                         | real (resourcequota.ts)                                    |
 * | SecurityContextDeny                   | real (podsecurity.ts)                                      |
 * | ServiceAccount                        | real (serviceaccount.ts)                                   |
 * | EventRateLimit                        | accepted, logged as doing nothing (INERT below)            |
 * | GenericAdmissionWebhook, Initializers | accepted, logged (alpha API groups kubets does not serve)  |
 * | ImagePolicyWebhook                    | accepted, logged (no image-policy webhook backend)         |
 * | InitialResources                      | accepted, logged (as its --ir-* flags)                     |
 * | OwnerReferencesPermissionEnforcement  | accepted, logged (admission has no authorizer here)        |
 * | PersistentVolumeClaimResize           | accepted, logged (no volume expansion)                     |
 * | PersistentVolumeLabel                 | accepted, logged (no cloud provider)                       |
 * | PodPreset                             | accepted, logged (settings.k8s.io is not served)           |
 * | PodSecurityPolicy                     | refused at start-up: it would admit pods it cannot check   |
 * Later names that --enable-admission-plugins lists often carry
 * (MutatingAdmissionWebhook, ValidatingAdmissionWebhook,
 * StorageObjectInUseProtection) are accepted and logged too.
 */
const PLUGINS: Record<string, (objects: ObjectAccess, config: AdmissionConfig) => AdmissionPlugin> = {
  AlwaysAdmit: () => alwaysAdmit,
  AlwaysDeny: () => alwaysDeny,
  AlwaysPullImages: () => alwaysPullImages,
  DefaultStorageClass: defaultStorageClass,
  DefaultTolerationSeconds: (_o, c) => defaultTolerationSeconds({ notReady: c.defaultNotReadyTolerationSeconds ?? 300, unreachable: c.defaultUnreachableTolerationSeconds ?? 300 }),
  DenyEscalatingExec: denyEscalatingExec,
  DenyExecOnPrivileged: denyExecOnPrivileged,
  LimitPodHardAntiAffinityTopology: () => limitPodHardAntiAffinityTopology,
  LimitRanger: limitRanger,
  NamespaceAutoProvision: namespaceAutoProvision,
  NamespaceExists: namespaceExists,
  NamespaceLifecycle: namespaceLifecycle,
  NodeRestriction: nodeRestriction,
  PodNodeSelector: podNodeSelector,
  PodTolerationRestriction: podTolerationRestriction,
  Priority: priority,
  ResourceQuota: resourceQuota,
  SecurityContextDeny: () => securityContextDeny,
  ServiceAccount: serviceAccountAdmission,
};

/** Names accepted that do nothing in kubets, and why (logged once at start-up). */
export const INERT_ADMISSION_PLUGINS: Record<string, string> = {
  EventRateLimit: 'events are not rate limited (alpha in 1.8 and configured only through --admission-control-config-file)',
  GenericAdmissionWebhook: 'kubets does not call admission webhooks (alpha in 1.8; admissionregistration.k8s.io is not served)',
  ImagePolicyWebhook: 'kubets does not call an image-policy webhook backend; every image is allowed',
  InitialResources: NOOP.initialResources,
  Initializers: 'initializers are alpha in 1.8 and not served by kubets (no InitializerConfiguration, no metadata.initializers)',
  MutatingAdmissionWebhook: 'kubets does not call admission webhooks (admissionregistration.k8s.io is not served)',
  OwnerReferencesPermissionEnforcement: 'ownerReferences are not checked against the user\'s delete permission on the owner (admission has no authorizer in kubets)',
  PersistentVolumeClaimResize: 'kubets has no volume expansion (alpha ExpandPersistentVolumes in 1.8)',
  PersistentVolumeLabel: `${NOOP.cloud}: no zone/region labels for cloud volumes`,
  PodPreset: 'settings.k8s.io PodPresets (alpha in 1.8) are not served by kubets; nothing is injected into pods',
  StorageObjectInUseProtection: 'a later plugin (1.10): kubets adds no pvc/pv-protection finalizers',
  ValidatingAdmissionWebhook: 'kubets does not call admission webhooks (admissionregistration.k8s.io is not served)',
};

export const KNOWN_ADMISSION_PLUGINS = [...Object.keys(PLUGINS), ...Object.keys(INERT_ADMISSION_PLUGINS)].sort();

export class AdmissionChain {
  constructor(
    readonly plugins: readonly AdmissionPlugin[],
    /** Plugins named on the command line that do nothing here, with why (for the start-up log). */
    readonly inert: readonly { name: string; why: string }[] = [],
  ) {}

  /** True when no plugin does anything (AlwaysAdmit only): writers skip admission entirely. */
  get empty(): boolean {
    return this.plugins.every((p) => p === alwaysAdmit);
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (a.operation !== 'CONNECT' || p.connect) await p.admit(a);
  }

  /** Tells plugins how the write ended; their failures never change the answer. */
  async after(a: AdmissionAttributes, ok: boolean): Promise<void> {
    for (const p of this.plugins) {
      if (!p.after || a.operation === 'CONNECT') continue;
      try {
        await p.after(a, ok);
      } catch {
        // bookkeeping only (quota usage): recomputed on the next write
      }
    }
  }
}

/** Builds the chain from plugin names; throws naming an unknown plugin. */
export function newAdmissionChain(names: readonly string[], objects: ObjectAccess, config: AdmissionConfig = {}): AdmissionChain {
  const plugins: AdmissionPlugin[] = [];
  const inert: { name: string; why: string }[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    if (Object.hasOwn(INERT_ADMISSION_PLUGINS, name)) {
      if (!inert.some((x) => x.name === name)) inert.push({ name, why: INERT_ADMISSION_PLUGINS[name] });
      continue;
    }
    // A security plugin that cannot act must not look enabled: an operator would believe pods are checked.
    if (name === 'PodSecurityPolicy') throw new Error('admission plugin "PodSecurityPolicy" is not implemented in kubets and would let every pod through unchecked: remove it from --admission-control (SecurityContextDeny and DenyEscalatingExec are available)');
    const make = Object.hasOwn(PLUGINS, name) ? PLUGINS[name] : undefined;
    if (!make) throw new Error(`unknown admission plugin "${name}" (kubets has: ${KNOWN_ADMISSION_PLUGINS.join(', ')})`);
    plugins.push(make(objects, config));
  }
  return new AdmissionChain(plugins, inert);
}

export const admitAll = new AdmissionChain([alwaysAdmit]);
