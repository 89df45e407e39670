/**
 * Pod security plugins of v1.8:
 *  - SecurityContextDeny: pods may not set the security-context fields that
 *    change who the processes run as (SELinux options, user, supplemental
 *    groups, fsGroup). Create and update of pods.
 *  - DenyEscalatingExec: no exec/attach into pods that run privileged
 *    containers or share the host's PID or IPC namespace.
 *  - DenyExecOnPrivileged: the older, narrower form (privileged only).
 * The exec plugins admit CONNECT: the API server calls them before it
 * proxies pods/exec and pods/attach to the kubelet.
 */
import type { Obj } from '../registry/types.js';
import type { ObjectAccess } from './objects.js';
import { admissionForbidden, is, type AdmissionAttributes, type AdmissionPlugin } from './types.js';

type Rec = Record<string, unknown>;

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

function containersOf(pod: Obj | undefined): Rec[] {
  const spec = (pod?.spec ?? {}) as { initContainers?: Rec[]; containers?: Rec[] };
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The first forbidden field of the pod, as v1.8 words it, or undefined. */
export function deniedSecurityContext(pod: Obj): string | undefined {
  const psc = ((pod.spec as Rec | undefined)?.securityContext ?? undefined) as Rec | undefined;
  if (psc) {
    if (isSet(psc.supplementalGroups)) return 'SecurityContext.SupplementalGroups is forbidden';
    if (isSet(psc.seLinuxOptions)) return 'pod.Spec.SecurityContext.SELinuxOptions is forbidden';
    if (isSet(psc.runAsUser)) return 'pod.Spec.SecurityContext.RunAsUser is forbidden';
    if (isSet(psc.fsGroup)) return 'SecurityContext.FSGroup is forbidden';
  }
  // init containers are looked at before the others, as upstream does
  for (const c of containersOf(pod)) {
    const sc = c.securityContext as Rec | undefined | null;
    if (!sc) continue;
    if (isSet(sc.seLinuxOptions)) return 'SecurityContext.SELinuxOptions is forbidden';
    if (isSet(sc.runAsUser)) return 'SecurityContext.RunAsUser is forbidden';
  }
  return undefined;
}

export const securityContextDeny: AdmissionPlugin = {
  name: 'SecurityContextDeny',
  admit: async (a) => {
    if (!is(a, '', 'pods') || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object) return;
    const why = deniedSecurityContext(a.object);
    if (why) throw admissionForbidden(a, why);
  },
};

export function hasPrivilegedContainer(pod: Obj): boolean {
  return containersOf(pod).some((c) => (c.securityContext as Rec | undefined | null)?.privileged === true);
}

interface ExecDenial {
  hostPID: boolean;
  hostIPC: boolean;
  privileged: boolean;
}

function denyExec(name: string, what: ExecDenial, objects: ObjectAccess): AdmissionPlugin {
  return {
    name,
    connect: true,
    admit: async (a: AdmissionAttributes) => {
      if (a.operation !== 'CONNECT' || !is(a, '', 'pods') || (a.subresource !== 'exec' && a.subresource !== 'attach')) return;
      const pod = await objects.get('', 'pods', a.namespace, a.name);
      if (!pod) throw admissionForbidden(a, `pods "${a.name}" not found`);
      const spec = (pod.spec ?? {}) as { hostPID?: boolean; hostIPC?: boolean };
      if (what.hostPID && spec.hostPID === true) throw admissionForbidden(a, 'cannot exec into or attach to a container using host pid');
      if (what.hostIPC && spec.hostIPC === true) throw admissionForbidden(a, 'cannot exec into or attach to a container using host ipc');
      if (what.privileged && hasPrivilegedContainer(pod)) throw admissionForbidden(a, 'cannot exec into or attach to a privileged container');
    },
  };
}

export const denyEscalatingExec = (objects: ObjectAccess) => denyExec('DenyEscalatingExec', { hostPID: true, hostIPC: true, privileged: true }, objects);
export const denyExecOnPrivileged = (objects: ObjectAccess) => denyExec('DenyExecOnPrivileged', { hostPID: false, hostIPC: false, privileged: true }, objects);
