/**
 * The API PodStatus of a pod from what the runtime reports (upstream
 * kubelet_pods.go generateAPIPodStatus, getPhase, convertToAPIContainerStatuses
 * and status/generate.go). Pure: time arrives as `now`, readiness as
 * functions.
 *
 * - Container state: the newest container of each name; its predecessor is
 *   lastState. A container the kubelet failed to start, or is holding back
 *   (back-off), shows the recorded reason as waiting (ErrImagePull,
 *   CrashLoopBackOff, CreateContainerConfigError …), its last run as
 *   lastState. Never started: waiting ContainerCreating (PodInitializing
 *   when the pod has init containers).
 * - Phase (getPhase): Pending while initializing or any container waits for
 *   its first run; Running when all started and one runs (or all stopped
 *   under restartPolicy Always); Succeeded/Failed when all stopped for good.
 * - Conditions Initialized, ContainersReady, Ready carry upstream's reasons
 *   and messages; PodScheduled is kept as the scheduler wrote it (True for
 *   static pods); conditions owned by others are kept. lastTransitionTime
 *   changes only when a condition's status does.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import { formatRFC3339 } from '../../../controlplane/machinery/meta/helpers.js';
import { podQOSClass } from '../container/resources.js';
import { shouldRestart } from '../runtime/actions.js';
import { containersNamed, latestContainer, type RuntimePodStatus } from '../runtime/podstatus.js';
import type { RuntimeContainer } from '../types.js';

export interface StartFailure {
  reason: string;
  message: string;
}

export interface StatusInput {
  pod: DeepReadonly<Pod>;
  runtime: RuntimePodStatus;
  /** Why a container could not be started, by container name (the reason cache). */
  failures: ReadonlyMap<string, StartFailure>;
  isReady(container: string): boolean;
  isStarted(container: string): boolean;
  podIPs: readonly string[];
  hostIP?: string;
  now: Date;
  /** The kubelet refused the pod (admission): reason/message on the pod, nothing runs. */
  rejected?: { reason: string; message: string };
  /** The eviction manager evicted the pod (or refused it at admission): phase Failed with this reason/message. */
  evicted?: { reason: string; message: string };
}

const KUBELET_CONDITIONS = new Set(['Initialized', 'ContainersReady', 'Ready', 'PodScheduled']);

function time(d: Date | undefined): string | undefined {
  return d ? formatRFC3339(d) : undefined;
}

export function containerID(c: RuntimeContainer): string {
  return `docker://${c.id}`;
}

function terminated(c: RuntimeContainer): ContainerState {
  const t: NonNullable<ContainerState['terminated']> = { exitCode: c.exitCode ?? 0, reason: c.reason ?? (c.exitCode ? 'Error' : 'Completed'), startedAt: time(c.startedAt) ?? null, finishedAt: time(c.finishedAt) ?? null, containerID: containerID(c) };
  if (c.message) t.message = c.message;
  return { terminated: t };
}

function stateOf(c: RuntimeContainer, creatingReason: string): ContainerState {
  switch (c.state) {
    case 'running':
      return { running: { startedAt: time(c.startedAt) } };
    case 'exited':
      return terminated(c);
    default:
      return { waiting: { reason: creatingReason } };
  }
}

function containerStatuses(input: StatusInput, specs: readonly DeepReadonly<Container>[], isInit: boolean): ContainerStatus[] {
  const { pod, runtime } = input;
  const creating = (pod.spec?.initContainers?.length ?? 0) > 0 ? 'PodInitializing' : 'ContainerCreating';
  const out: ContainerStatus[] = [];
  for (const spec of specs) {
    const runs = containersNamed(runtime, spec.name);
    const latest = runs[0];
    const st: ContainerStatus = { name: spec.name, ready: false, restartCount: 0, image: spec.image ?? '', imageID: '', state: { waiting: { reason: creating } } };
    if (latest) {
      st.state = stateOf(latest, creating);
      st.restartCount = latest.attempt;
      st.imageID = latest.imageID ? `docker://${latest.imageID}` : '';
      st.containerID = containerID(latest);
      if (runs[1]?.state === 'exited') st.lastState = terminated(runs[1]);
      const running = latest.state === 'running';
      st.started = running && input.isStarted(spec.name);
      // An init container is ready once it completed; an app container while it runs and passes readiness.
      st.ready = isInit ? latest.state === 'exited' && latest.exitCode === 0 : running && input.isReady(spec.name);
    } else {
      st.started = false;
    }
    const failure = input.failures.get(spec.name);
    if (failure && shouldRestart(pod, latest)) {
      if (st.state?.terminated) st.lastState = st.state;
      st.state = { waiting: { reason: failure.reason, message: failure.message } };
    }
    if (input.rejected) st.state = { waiting: { reason: 'Blocked', message: input.rejected.message } };
    out.push(st);
  }
  return out;
}

/** getPhase over the API container statuses. */
export function podPhase(pod: DeepReadonly<Pod>, init: readonly ContainerStatus[], app: readonly ContainerStatus[]): PodPhase {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status: ok ? 'True' : 'False', lastProbeTime: null };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export function generatePodStatus(input: StatusInput): PodStatus {
  const { pod, now } = input;
  const prev = pod.status;
  const initStatuses = containerStatuses(input, pod.spec?.initContainers ?? [], true);
  const appStatuses = containerStatuses(input, pod.spec?.containers ?? [], false);
  let phase = podPhase(pod, initStatuses, appStatuses);
  // A pod the API already reports as finished stays finished (the kubelet never revives it).
  if (prev?.phase === 'Succeeded' || prev?.phase === 'Failed') phase = prev.phase;
  if (input.evicted) phase = 'Failed';

  const inits = pod.spec?.initContainers ?? [];
  const notInit = inits.filter((c) => !(latestContainer(input.runtime, c.name)?.state === 'exited' && latestContainer(input.runtime, c.name)?.exitCode === 0)).map((c) => c.name);
  // Once an app container ran, initialization is over even if init containers were since removed.
  const appStarted = (pod.spec?.containers ?? []).some((c) => latestContainer(input.runtime, c.name) !== undefined);
  const initialized = notInit.length === 0 || appStarted || phase === 'Succeeded';
  const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const conditions: PodCondition[] = [];
  conditions.push(condition('Initialized', initialized, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`));
  let readyReason = 'ContainersNotReady';
  let readyMessage = `containers with unready status: [${unready.join(' ')}]`;
  if (phase === 'Succeeded' || phase === 'Failed') {
    readyReason = 'PodCompleted';
    readyMessage = '';
  }
  const containersReady = unready.length === 0 && phase === 'Running';
  const gates = (pod.spec?.readinessGates ?? []).filter((g) => (prev?.conditions ?? []).find((c) => c.type === g.conditionType)?.status !== 'True');
  conditions.push(condition('ContainersReady', containersReady, readyReason, readyMessage || undefined));
  if (containersReady && gates.length > 0) {
    conditions.push(condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${gates[0].conditionType}" does not exist.`));
  } else {
    conditions.push(condition('Ready', containersReady, readyReason, readyMessage || undefined));
  }
  const scheduled = prev?.conditions?.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled ? { ...scheduled } : { type: 'PodScheduled', status: 'True', lastProbeTime: null });
  for (const c of prev?.conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type)) conditions.push({ ...c });
  const stamp = formatRFC3339(now);
  for (const c of conditions) {
    const old = prev?.conditions?.find((p) => p.type === c.type);
    c.lastTransitionTime = old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : (c.lastTransitionTime ?? stamp);
  }

  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    startTime: prev?.startTime ?? stamp,
    initContainerStatuses: initStatuses.length ? initStatuses : undefined,
    containerStatuses: appStatuses,
    qosClass: podQOSClass(pod),
  };
  if (input.hostIP) status.hostIPs = [{ ip: input.hostIP }];
  if (input.podIPs.length) {
    status.podIP = input.podIPs[0];
    status.podIPs = input.podIPs.map((ip) => ({ ip }));
  } else if (pod.spec?.hostNetwork && input.hostIP) {
    status.podIP = input.hostIP;
    status.podIPs = [{ ip: input.hostIP }];
  } else if (prev?.podIP && phase !== 'Pending') {
    // Keep a known IP while the sandbox is being re-created.
    status.podIP = prev.podIP;
    status.podIPs = prev.podIPs?.map((x) => ({ ...x }));
  }
  if (input.rejected) {
    status.reason = input.rejected.reason;
    status.message = input.rejected.message;
  } else if (input.evicted) {
    status.reason = input.evicted.reason;
    status.message = input.evicted.message;
  } else if ((prev?.phase === 'Succeeded' || prev?.phase === 'Failed') && prev.reason) {
    // A finished pod keeps why it finished (an eviction survives a kubelet restart).
    status.reason = prev.reason;
    if (prev.message) status.message = prev.message;
  }
  if (!status.initContainerStatuses) delete status.initContainerStatuses;
  if (!status.hostIP) delete status.hostIP;
  return status;
}
