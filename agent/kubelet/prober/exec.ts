/**
 * exec probes: run the command in the container through the runtime
 * (ProbeTargets.exec); exit 0 is success, anything else failure with the
 * output as message. The timeout is enforced here on the injected clock as
 * well, so a runtime that ignores it still yields `command "…" timed out`
 * (a failure, as upstream since ExecProbeTimeout went GA). A rejected exec
 * (container gone) is a probe error: the attempt is thrown away.
 */
import type { Clock } from '../../../controlplane/client/index.js';
import type { ContainerId, ProbeTargets } from '../types.js';
import type { ProbeOutcome } from './types.js';

const MAX_OUTPUT = 10 * 1024;

export async function execProbe(
  targets: Pick<ProbeTargets, 'exec'>,
  clock: Clock,
  containerId: ContainerId,
  cmd: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  const timedOut: ProbeOutcome = { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
  let cancel = () => {};
  let onAbort = () => {};
  const guard = new Promise<ProbeOutcome | 'aborted'>((resolve) => {
    cancel = clock.setTimer(() => resolve(timedOut), timeoutMs);
    onAbort = () => resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const run = targets.exec(containerId, [...cmd], timeoutMs).then(
    (r): ProbeOutcome => ({ result: r.exitCode === 0 ? 'success' : 'failure', output: r.output.slice(0, MAX_OUTPUT) }),
  );
  // Whoever loses the race must not surface as an unhandled rejection.
  void run.catch(() => undefined);
  try {
    const first = await Promise.race([run, guard]);
    if (first === 'aborted') throw new Error('probe stopped');
    return first;
  } finally {
    cancel();
    signal?.removeEventListener('abort', onAbort);
  }
}
