/**
 * Docker's answers → RuntimeContainer. A container without our labels is
 * not ours (undefined). Docker's zero time (`0001-01-01T00:00:00Z`) means
 * "never". Exit reasons as dockershim reports them: OOMKilled, Completed
 * (exit 0), Error.
 */
import type Dockerode from 'dockerode';
import type { RuntimeContainer } from '../../types.js';
import { LABEL, parseContainerName, TYPE_SANDBOX } from '../labels.js';

export function dockerTime(s: string | undefined): Date | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function stateOf(status: string | undefined): RuntimeContainer['state'] {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

function base(id: string, name: string, labels: Record<string, string>): Omit<RuntimeContainer, 'image' | 'imageID' | 'state' | 'inspected'> | undefined {
  const podUID = labels[LABEL.podUID];
  const cname = labels[LABEL.containerName];
  if (!podUID || !cname) return undefined;
  const parsed = parseContainerName(name);
  const isSandbox = labels[LABEL.dockerType] === TYPE_SANDBOX;
  const attemptLabel = Number(isSandbox ? labels[LABEL.sandboxAttempt] : labels[LABEL.restartCount]);
  return {
    id,
    podUID,
    podName: labels[LABEL.podName] ?? parsed?.pod.name ?? '',
    podNamespace: labels[LABEL.podNamespace] ?? parsed?.pod.namespace ?? '',
    containerName: cname,
    isSandbox,
    attempt: Number.isInteger(attemptLabel) ? attemptLabel : (parsed?.attempt ?? 0),
    specHash: labels[LABEL.hash],
    sandboxId: labels[LABEL.sandboxId],
    labels,
  };
}

export function fromListEntry(e: Dockerode.ContainerInfo): RuntimeContainer | undefined {
  const b = base(e.Id, e.Names?.[0] ?? '', e.Labels ?? {});
  if (!b) return undefined;
  return {
    ...b,
    image: e.Image,
    imageID: e.ImageID,
    state: stateOf(e.State),
    createdAt: new Date(e.Created * 1000),
    hostNetwork: e.HostConfig?.NetworkMode === 'host',
    inspected: false,
  };
}

/**
 * oomSeen: Docker emitted an "oom" event for this container. Docker sets
 * State.OOMKilled only when containerd's OOM event reaches it before the exit
 * event; the two race, so the event is a second witness.
 */
export function fromInspect(i: Dockerode.ContainerInspectInfo, oomSeen = false): RuntimeContainer | undefined {
  const b = base(i.Id, i.Name, i.Config?.Labels ?? {});
  if (!b) return undefined;
  const st = i.State;
  const state = stateOf(st?.Status);
  const rc: RuntimeContainer = {
    ...b,
    image: i.Config?.Image ?? '',
    imageID: i.Image,
    state,
    createdAt: dockerTime(i.Created),
    startedAt: dockerTime(st?.StartedAt),
    finishedAt: dockerTime(st?.FinishedAt),
    hostNetwork: i.HostConfig?.NetworkMode === 'host',
    inspected: true,
  };
  if (state === 'running' && st?.Pid) rc.pid = st.Pid;
  if (state === 'exited') {
    rc.exitCode = st?.ExitCode ?? 0;
    rc.reason = st?.OOMKilled || oomSeen ? 'OOMKilled' : rc.exitCode === 0 ? 'Completed' : 'Error';
    if (st?.Error) rc.message = st.Error;
  }
  const ip = i.NetworkSettings?.IPAddress;
  if (ip) rc.ip = ip;
  return rc;
}
