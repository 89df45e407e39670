/**
 * computePodActions: what to do to bring a pod's containers to its spec —
 * the plan half of STYLE.md rule 2 (upstream kuberuntime_manager.go). Pure:
 * the same pod and runtime status always give the same plan; the apply step
 * (runtime/manager.ts) executes it.
 *
 * Rules, in order:
 * 1. No sandbox, more than one running, the newest not running, hostNetwork
 *    changed, or no pod IP → kill the pod and create a new sandbox (attempt
 *    + 1). A restartPolicy Never pod that already had a sandbox is not
 *    re-created; nor is one with nothing left to start.
 *    With a new sandbox, init containers run again from the first.
 * 2. Init containers run one at a time, in order, each to success; a failed
 *    one is retried unless restartPolicy is Never (then the pod is killed).
 *    App containers are not looked at until every init container succeeded.
 * 3. An app container that is not running is started again per
 *    restartPolicy (Always; OnFailure after a non-zero exit; never for
 *    Never). A running one is killed (and restarted) when its spec hash
 *    changed or its liveness/startup probe failed.
 * 4. Nothing running and nothing to start → kill the pod (sandbox too).
 * Back-off is not decided here: starting a container consults the back-off
 * at apply time, because it depends on the clock.
 */
import type { Container, Pod } from '../../../controlplane/api/core/v1/types.js';
import type { DeepReadonly } from '../../../controlplane/client/types.js';
import type { ContainerId, RuntimeContainer, SandboxId } from '../types.js';
import { hashContainer } from './hash.js';
import { latestContainer, type RuntimePodStatus } from './podstatus.js';

export interface ContainerToKill {
  name: string;
  /** Why, for the Killing event. */
  message: string;
}

export interface PodActions {
  killPod: boolean;
  createSandbox: boolean;
  /** The current sandbox (when kept) or the one being replaced. */
  sandboxId?: SandboxId;
  /** Attempt number of the sandbox to create. */
  attempt: number;
  nextInitContainer?: string;
  /** Names of app containers to start, in spec order. */
  containersToStart: string[];
  containersToKill: Map<ContainerId, ContainerToKill>;
}

export interface PlanInput {
  /** Containers whose liveness or startup probe failed (by id). */
  unhealthy?: ReadonlySet<ContainerId>;
}

function restartsOnFailure(pod: DeepReadonly<Pod>): boolean {
  return (pod.spec?.restartPolicy ?? 'Always') !== 'Never';
}

function succeeded(c: RuntimeContainer | undefined): boolean {
  return c !== undefined && c.state === 'exited' && c.exitCode === 0;
}

/** Whether a container that is not running should be started (kubecontainer.ShouldContainerBeRestarted). */
export function shouldRestart(pod: DeepReadonly<Pod>, c: RuntimeContainer | undefined): boolean {
  if (!c) return true;
  if (c.state === 'running') return false;
  if (c.state === 'unknown' || c.state === 'created') return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && c.exitCode === 0) return false;
  return true;
}

export function initContainerFailed(c: RuntimeContainer): boolean {
  if (c.reason === 'OOMKilled') return true;
  if (c.state === 'exited' && c.exitCode !== 0) return true;
  return c.state === 'unknown';
}

/** The sandbox decision (podSandboxChanged): [create, attempt, current id]. */
export function sandboxChanged(pod: DeepReadonly<Pod>, s: RuntimePodStatus): { create: boolean; attempt: number; id?: SandboxId } {
  if (s.sandboxes.length === 0) return { create: true, attempt: 0 };
  const newest = s.sandboxes[0];
  const ready = s.sandboxes.filter((x) => x.ready).length;
  const next = { create: true, attempt: newest.attempt + 1, id: newest.id };
  if (ready > 1 || !newest.ready) return next;
  if (newest.hostNetwork !== (pod.spec?.hostNetwork === true)) return next;
  if (!newest.hostNetwork && !newest.ip) return next;
  return { create: false, attempt: newest.attempt, id: newest.id };
}

/** Init progress (findNextInitContainerToRun): the last failed one, the next to run, or done. */
export function nextInitContainer(pod: DeepReadonly<Pod>, s: RuntimePodStatus): { failed?: RuntimeContainer; next?: DeepReadonly<Container>; done: boolean } {
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  for (const c of pod.spec?.containers ?? []) if (latestContainer(s, c.name)?.state === 'running') return { done: true };
  for (let i = inits.length - 1; i >= 0; i--) {
    const st = latestContainer(s, inits[i].name);
    if (st && initContainerFailed(st)) return { failed: st, next: inits[i], done: false };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const st = latestContainer(s, inits[i].name);
    if (!st) continue;
    if (st.state === 'running' || st.state === 'created') return { done: false };
    if (st.state === 'exited') return i === inits.length - 1 ? { done: true } : { next: inits[i + 1], done: false };
  }
  return { next: inits[0], done: false };
}

export function computePodActions(pod: DeepReadonly<Pod>, s: RuntimePodStatus, input: PlanInput = {}): PodActions {
  const sb = sandboxChanged(pod, s);
  const actions: PodActions = { killPod: sb.create, createSandbox: sb.create, sandboxId: sb.id, attempt: sb.attempt, containersToStart: [], containersToKill: new Map() };
  const containers = pod.spec?.containers ?? [];

  if (sb.create) {
    if (!restartsOnFailure(pod) && sb.attempt !== 0) {
      actions.createSandbox = false;
      return actions;
    }
    const inits = pod.spec?.initContainers ?? [];
    // A new sandbox is a new pod environment (network, IPC): init containers run again from the first.
    if (inits.length > 0) {
      actions.nextInitContainer = inits[0].name;
      return actions;
    }
    for (const c of containers) {
      if (succeeded(latestContainer(s, c.name)) && pod.spec?.restartPolicy === 'OnFailure') continue;
      actions.containersToStart.push(c.name);
    }
    if (actions.containersToStart.length === 0) actions.createSandbox = false;
    return actions;
  }

  const init = nextInitContainer(pod, s);
  if (!init.done) {
    if (init.next) {
      if (init.failed && !restartsOnFailure(pod)) {
        actions.killPod = true;
      } else {
        if (init.failed?.state === 'unknown') actions.containersToKill.set(init.failed.id, { name: init.failed.containerName, message: 'Init container is in an unknown state' });
        actions.nextInitContainer = init.next.name;
      }
    }
    return actions;
  }

  let keep = 0;
  for (const c of containers) {
    const st = latestContainer(s, c.name);
    if (!st || st.state !== 'running') {
      if (shouldRestart(pod, st)) {
        actions.containersToStart.push(c.name);
        if (st?.state === 'unknown') actions.containersToKill.set(st.id, { name: c.name, message: `Container ${c.name} is in an unknown state, will be restarted` });
      }
      continue;
    }
    let message: string;
    let restart = restartsOnFailure(pod);
    if (st.specHash !== undefined && st.specHash !== hashContainer(c)) {
      message = `Container ${c.name} definition changed`;
      restart = true;
    } else if (input.unhealthy?.has(st.id)) {
      message = `Container ${c.name} failed liveness probe`;
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message += ', will be restarted';
      actions.containersToStart.push(c.name);
    }
    actions.containersToKill.set(st.id, { name: c.name, message });
  }
  if (keep === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}
