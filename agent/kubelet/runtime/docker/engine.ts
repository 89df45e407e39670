/**
 * Getting the Docker engine ready at start-up: wait until it answers
 * (retried, said once), make sure the pod infra image exists — pulled, or,
 * since no registry may be reachable, the project's pause image built and
 * imported under the requested name — and learn what oom_score_adj the node
 * allows.
 */
import { writeFileSync } from 'node:fs';
import type { Logger } from '../../../../controlplane/machinery/log/index.js';
import { ensurePauseImage, PAUSE_IMAGE } from '../../../../native/pause/pause.js';
import type { DockerRuntime } from './runtime.js';

export async function waitForDocker(rt: DockerRuntime, log: Logger, signal: AbortSignal): Promise<string | undefined> {
  let said = false;
  while (!signal.aborted) {
    try {
      const v = await rt.version();
      if (said) log.info('the Docker engine answers again');
      return `docker://${v.version}`;
    } catch (e) {
      if (!said) log.error('the Docker engine does not answer; retrying', { err: (e as Error).message });
      said = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  return undefined;
}

/** The pod infra image: present, pulled, or (built from native/pause) imported under the requested name. */
export async function ensureInfraImage(rt: DockerRuntime, endpoint: string, requested: string | undefined, log: Logger): Promise<string> {
  const ref = requested ?? PAUSE_IMAGE;
  if (await rt.inspectImage(ref)) return ref;
  if (requested) {
    try {
      await rt.ensureImage(ref, 'IfNotPresent');
      return ref;
    } catch (e) {
      log.warn('cannot pull the pod infra container image; building the local pause image under that name', { image: ref, err: (e as Error).message });
    }
  }
  log.info('building the pause image', { image: ref });
  await ensurePauseImage(endpoint, ref);
  return ref;
}

/**
 * Sets the kubelet's own oom_score_adj (--oom-score-adj, as upstream) and
 * learns from it what the node allows: without CAP_SYS_RESOURCE (some VMs
 * and sandboxes) nothing may go below 0, and Docker refuses to start a
 * container asking for it, so Guaranteed pods and sandboxes get 0 there.
 * Returns the lowest value containers may be given.
 */
export function applyOwnOOMScoreAdj(value: number, log: Logger): number {
  try {
    writeFileSync('/proc/self/oom_score_adj', String(value));
    return -1000;
  } catch (e) {
    log.warn('this node does not allow a negative oom_score_adj; containers get at least 0 (Guaranteed pods and sandboxes included)', { wanted: value, err: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    return 0;
  }
}
