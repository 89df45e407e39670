/**
 * securityContext → what the runtime applies, and the kubelet's admission
 * checks (kubelet canRunPod): privileged containers need --allow-privileged;
 * hostNetwork/hostPID/hostIPC need the pod's source in --host-*-sources.
 * The container's securityContext overrides the pod's for runAsUser,
 * runAsGroup and runAsNonRoot. Pure.
 */
import type { Container, Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';

export interface ContainerSecurity {
  /** Docker's User: `uid` or `uid:gid`; undefined = the image's user. */
  user?: string;
  groupAdd: string[];
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  readOnlyRootfs: boolean;
  runAsNonRoot: boolean;
  noNewPrivileges: boolean;
}

function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith('CAP_') || u === 'ALL' ? u : `CAP_${u}`;
}

export function containerSecurity(pod: DeepReadonly<Pod>, c: DeepReadonly<Container>): ContainerSecurity {
  const psc = pod.spec?.securityContext;
  const sc = c.securityContext;
  const uid = sc?.runAsUser ?? psc?.runAsUser;
  const gid = sc?.runAsGroup ?? psc?.runAsGroup;
  let user: string | undefined;
  if (uid !== undefined) user = gid !== undefined ? `${uid}:${gid}` : String(uid);
  // A group without a user keeps the image's user name but not its group: Docker needs a user then, so uid 0 is not assumed.
  const groupAdd = [...(psc?.supplementalGroups ?? []), ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : [])].map(String);
  if (uid === undefined && gid !== undefined) groupAdd.unshift(String(gid));
  return {
    user,
    groupAdd: [...new Set(groupAdd)],
    privileged: sc?.privileged === true,
    capAdd: (sc?.capabilities?.add ?? []).map(capName),
    capDrop: (sc?.capabilities?.drop ?? []).map(capName),
    readOnlyRootfs: sc?.readOnlyRootFilesystem === true,
    runAsNonRoot: (sc?.runAsNonRoot ?? psc?.runAsNonRoot) === true,
    noNewPrivileges: sc?.allowPrivilegeEscalation === false,
  };
}

/**
 * runAsNonRoot against the effective user (verifyRunAsNonRoot): a numeric
 * uid 0 breaks it; a non-numeric image user cannot be verified. Returns the
 * error message, or undefined when the container may run.
 */
export function verifyRunAsNonRoot(sec: ContainerSecurity, imageUser: string): string | undefined {
  if (!sec.runAsNonRoot) return undefined;
  const u = (sec.user ?? imageUser).split(':')[0];
  if (u === '' || u === 'root' || u === '0') return sec.user !== undefined ? "container's runAsUser breaks non-root policy" : 'container has runAsNonRoot and image will run as root';
  if (!/^\d+$/.test(u)) return `container has runAsNonRoot and image has non-numeric user (${u}), cannot verify user is non-root`;
  return undefined;
}

export interface AdmitSettings {
  allowPrivileged: boolean;
  /** --host-network-sources etc.: source names or `*`. */
  hostNetworkSources: readonly string[];
  hostPIDSources: readonly string[];
  hostIPCSources: readonly string[];
}

export type Admission = { admit: true } | { admit: false; reason: string; message: string };

function allowed(sources: readonly string[], source: string): boolean {
  return sources.includes('*') || sources.includes(source);
}

/** Whether the kubelet may run the pod at all (kubelet canRunPod): reason/message go to the pod status. */
export function canRunPod(pod: DeepReadonly<Pod>, source: string, s: AdmitSettings): Admission {
  const spec = pod.spec;
  const uid = pod.metadata.uid ?? '';
  if (!s.allowPrivileged) {
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      if (c.securityContext?.privileged) return { admit: false, reason: 'Forbidden', message: `pod with UID "${uid}" specified privileged container, but is disallowed` };
    }
  }
  if (spec?.hostNetwork && !allowed(s.hostNetworkSources, source)) return { admit: false, reason: 'Forbidden', message: `pod with UID "${uid}" specified host networking, but is disallowed` };
  if (spec?.hostPID && !allowed(s.hostPIDSources, source)) return { admit: false, reason: 'Forbidden', message: `pod with UID "${uid}" specified host PID, but is disallowed` };
  if (spec?.hostIPC && !allowed(s.hostIPCSources, source)) return { admit: false, reason: 'Forbidden', message: `pod with UID "${uid}" specified host ipc, but is disallowed` };
  return { admit: true };
}
