/**
 * The termination message of an exited container (upstream
 * kuberuntime_container.go getTerminationMessage): the host file behind
 * terminationMessagePath (at most 4096 bytes); with FallbackToLogsOnError
 * and a failed container whose file is empty, the last 80 lines of its log
 * (at most 2048 bytes). Fills `c.message`; never throws for a missing file.
 */
import { readTerminationMessage } from '../container/podfiles.js';
import type { ContainerRuntime, RuntimeContainer } from '../types.js';
import { LABEL } from './labels.js';

export const FALLBACK_LOG_LINES = 80;
export const FALLBACK_LOG_BYTES = 2048;

export async function fillTerminationMessage(runtime: ContainerRuntime, c: RuntimeContainer): Promise<void> {
  const path = c.labels[LABEL.terminationMessageHostPath];
  let msg = path ? await readTerminationMessage(path) : '';
  if (!msg && c.labels[LABEL.terminationMessagePolicy] === 'FallbackToLogsOnError' && c.exitCode !== 0) {
    const chunks: Buffer[] = [];
    for await (const b of await runtime.logs(c.id, { tailLines: FALLBACK_LOG_LINES })) chunks.push(Buffer.from(b as Buffer));
    const all = Buffer.concat(chunks);
    msg = all.subarray(Math.max(0, all.length - FALLBACK_LOG_BYTES)).toString('utf8');
  }
  if (msg) c.message = msg;
}
