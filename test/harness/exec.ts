/** Small process helpers for the test harness (execa 9 underneath). */
import { execa, type Options } from 'execa';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a command; throws with the command line and stderr when it exits non-zero. */
export async function run(cmd: string, args: readonly string[], opts: Options = {}): Promise<RunResult> {
  const r = await execa(cmd, args, { reject: false, ...opts, encoding: 'utf8' });
  const res: RunResult = { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
  if (res.exitCode !== 0) {
    throw new Error(`${cmd} ${args.join(' ')}: exit ${res.exitCode}: ${res.stderr.trim() || res.stdout.trim()}`);
  }
  return res;
}

/** Runs a command and returns its result whatever the exit code. */
export async function tryRun(cmd: string, args: readonly string[], opts: Options = {}): Promise<RunResult> {
  const r = await execa(cmd, args, { reject: false, ...opts, encoding: 'utf8' });
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
}

/** A short random suffix for names of things a test creates (namespaces, links, containers). */
export function uniqueSuffix(len = 6): string {
  return Math.random().toString(36).slice(2, 2 + len).padEnd(len, '0');
}
