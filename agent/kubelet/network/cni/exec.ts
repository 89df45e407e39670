/**
 * Running one CNI plugin binary (CNI spec "Execution protocol"): the
 * command and identity in CNI_* environment variables, the network
 * configuration on stdin, the result (or the spec's error JSON) on stdout.
 * The binary is looked up in each directory of CNI_PATH in order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface CniInvocation {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  /** `K=V;K2=V2`. */
  args: string;
  binDirs: readonly string[];
}

/** A plugin's failure: the spec's error code (e.g. 7 invalid network config, 11 try again later) and message. */
export class CniError extends Error {
  override readonly name = 'CniError';
  constructor(
    readonly cniCode: number,
    readonly plugin: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

export function findPlugin(type: string, binDirs: readonly string[]): string | undefined {
  for (const d of binDirs) {
    const p = join(d, type);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export async function execPlugin(type: string, inv: CniInvocation, config: unknown, timeoutMs = 60_000): Promise<unknown> {
  const bin = findPlugin(type, inv.binDirs);
  if (!bin) throw new CniError(-1, type, `failed to find plugin "${type}" in path [${inv.binDirs.join(' ')}]`);
  const r = await execa(bin, [], {
    input: JSON.stringify(config),
    env: {
      CNI_COMMAND: inv.command,
      CNI_CONTAINERID: inv.containerId,
      CNI_NETNS: inv.netns,
      CNI_IFNAME: inv.ifName,
      CNI_ARGS: inv.args,
      CNI_PATH: inv.binDirs.join(':'),
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    },
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    encoding: 'utf8',
  });
  const stdout = String(r.stdout ?? '').trim();
  if (r.exitCode !== 0) {
    let code = -1;
    let msg = String(r.stderr ?? '').trim() || `exit ${r.exitCode ?? r.signal ?? 'unknown'}`;
    let details: string | undefined;
    try {
      const e = JSON.parse(stdout) as { code?: number; msg?: string; details?: string };
      if (typeof e.code === 'number') code = e.code;
      if (e.msg) msg = e.msg;
      details = e.details;
    } catch {
      // not the spec's error JSON: keep stderr
    }
    throw new CniError(code, type, `plugin type="${type}" failed (${inv.command.toLowerCase()}): ${msg}${details ? `: ${details}` : ''}`, details);
  }
  if (!stdout) return undefined;
  try {
    return JSON.parse(stdout);
  } catch {
    throw new CniError(-1, type, `plugin type="${type}" returned invalid JSON: ${stdout.slice(0, 200)}`);
  }
}
