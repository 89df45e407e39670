/**
 * Pod and container specs → Docker create options (dockershim's
 * docker_sandbox.go / docker_container.go). Pure: everything the kubelet
 * decided arrives in SandboxOptions / RunOptions; this only spells it in
 * Docker's terms.
 *
 * - The pause container owns the pod's namespaces: network ('none' for the
 *   network plugin, Docker's 'bridge', or 'host'), IPC ('shareable' — Docker
 *   refuses to let others join a private IPC namespace, LIBS.md §1 — or
 *   'host'), PID only for hostPID.
 * - App containers join them: NetworkMode/IpcMode `container:<sandbox>`,
 *   PidMode `container:<sandbox>` with shareProcessNamespace.
 * - The kubelet-managed /etc/hosts and /etc/resolv.conf are bind mounts;
 *   Docker then leaves those paths alone.
 */
import type Dockerode from 'dockerode';
import type { Container, Pod } from '../../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../../controlplane/client/types.js';
import { SANDBOX_OOM_SCORE_ADJ, MIN_SHARES } from '../../container/resources.js';
import type { RunOptions, SandboxOptions, SandboxId } from '../../types.js';
import { containerName, identityLabels, LABEL, sandboxName, SANDBOX_NAME, type PodIdentity } from '../labels.js';

export function podIdentity(pod: DeepReadonly<Pod>): PodIdentity {
  return { name: pod.metadata.name ?? '', namespace: pod.metadata.namespace ?? 'default', uid: pod.metadata.uid ?? '' };
}

/** What the engine allows: some nodes (no CAP_SYS_RESOURCE) refuse a negative oom_score_adj. */
export interface EngineLimits {
  oomScoreAdjFloor: number;
}

export const NO_LIMITS: EngineLimits = { oomScoreAdjFloor: -1000 };

export function sandboxCreateOptions(pod: DeepReadonly<Pod>, o: SandboxOptions, image: string, node: string, limits: EngineLimits = NO_LIMITS): Dockerode.ContainerCreateOptions {
  const id = podIdentity(pod);
  const spec = pod.spec;
  const hc: Dockerode.HostConfig = {
    NetworkMode: o.networkMode,
    IpcMode: spec?.hostIPC ? 'host' : 'shareable',
    OomScoreAdj: Math.max(SANDBOX_OOM_SCORE_ADJ, limits.oomScoreAdjFloor),
    CpuShares: MIN_SHARES,
  };
  if (spec?.hostPID) hc.PidMode = 'host';
  if (o.sysctls && Object.keys(o.sysctls).length > 0) hc.Sysctls = { ...o.sysctls };
  const create: Dockerode.ContainerCreateOptions = {
    name: sandboxName(id, o.attempt),
    Image: image,
    Labels: { ...(o.labels ?? {}), ...identityLabels(id, SANDBOX_NAME, node), [LABEL.sandboxAttempt]: String(o.attempt) },
    HostConfig: hc,
  };
  if (o.networkMode !== 'host') create.Hostname = o.hostname;
  if (o.networkMode === 'bridge' && o.portMappings?.length) {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const m of o.portMappings) {
      const key = `${m.containerPort}/${m.protocol.toLowerCase()}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: m.hostIP ?? '', HostPort: String(m.hostPort) });
    }
    create.ExposedPorts = exposed;
    hc.PortBindings = bindings;
  }
  return create;
}

function bind(hostPath: string, containerPath: string, readOnly: boolean, propagation?: string): string {
  const opts = [readOnly ? 'ro' : 'rw'];
  if (propagation && propagation !== 'private') opts.push(propagation);
  return `${hostPath}:${containerPath}:${opts.join(',')}`;
}

export function containerCreateOptions(sandbox: SandboxId, pod: DeepReadonly<Pod>, c: DeepReadonly<Container>, o: RunOptions, node: string, limits: EngineLimits = NO_LIMITS): Dockerode.ContainerCreateOptions {
  const id = podIdentity(pod);
  const binds = o.mounts.map((m) => bind(m.hostPath, m.containerPath, m.readOnly, m.propagation));
  const mounted = new Set(o.mounts.map((m) => m.containerPath));
  if (o.hostsFile && !mounted.has('/etc/hosts')) binds.push(bind(o.hostsFile, '/etc/hosts', false));
  if (o.resolvConfFile && !mounted.has('/etc/resolv.conf')) binds.push(bind(o.resolvConfFile, '/etc/resolv.conf', false));
  if (o.terminationMessageHostPath && o.terminationMessagePath) binds.push(bind(o.terminationMessageHostPath, o.terminationMessagePath, false));
  const hc: Dockerode.HostConfig = {
    NetworkMode: o.networkMode === 'host' ? 'host' : `container:${sandbox}`,
    IpcMode: o.ipcMode === 'host' ? 'host' : `container:${sandbox}`,
    Binds: binds,
    Privileged: o.privileged === true,
    ReadonlyRootfs: o.readOnlyRootfs === true,
    OomScoreAdj: o.resources.oomScoreAdj === undefined ? undefined : Math.max(o.resources.oomScoreAdj, limits.oomScoreAdjFloor),
    CpuShares: o.resources.cpuShares,
  };
  if (o.pidMode === 'sandbox') hc.PidMode = `container:${sandbox}`;
  else if (o.pidMode === 'host') hc.PidMode = 'host';
  if (o.resources.cpuQuota !== undefined) {
    hc.CpuQuota = o.resources.cpuQuota;
    hc.CpuPeriod = o.resources.cpuPeriod;
  }
  if (o.resources.memoryLimitBytes !== undefined) {
    hc.Memory = o.resources.memoryLimitBytes;
    // Kubernetes containers get no swap beyond their limit.
    hc.MemorySwap = o.resources.memoryLimitBytes;
  }
  if (o.capAdd?.length) hc.CapAdd = o.capAdd;
  if (o.capDrop?.length) hc.CapDrop = o.capDrop;
  if (o.groupAdd?.length) hc.GroupAdd = o.groupAdd;
  if (o.noNewPrivileges) hc.SecurityOpt = ['no-new-privileges'];
  const create: Dockerode.ContainerCreateOptions = {
    name: containerName(id, c.name, o.attempt),
    Image: c.image,
    Env: o.env.map((e) => `${e.name}=${e.value}`),
    Labels: { ...(o.labels ?? {}), ...identityLabels(id, c.name, node), [LABEL.sandboxId]: sandbox, [LABEL.restartCount]: String(o.attempt) },
    HostConfig: hc,
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    StdinOnce: c.stdinOnce === true,
  };
  // command replaces ENTRYPOINT and args replaces CMD; an explicit entrypoint also drops the image's CMD, as in Kubernetes.
  if (o.command?.length) create.Entrypoint = o.command;
  if (o.args?.length) create.Cmd = o.args;
  if (c.workingDir) create.WorkingDir = c.workingDir;
  if (o.user !== undefined) create.User = o.user;
  return create;
}
