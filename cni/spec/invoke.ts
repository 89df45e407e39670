/**
 * Calling another plugin the way a runtime does: find the executable by
 * `type` in CNI_PATH, run it with the CNI_* environment and a configuration
 * on stdin, and read its result or error JSON. Used for IPAM delegation
 * (bridge → host-local) and by flannel (→ bridge), and by the test harness
 * and conflist runner to play the runtime.
 *
 * A delegate's error is re-thrown as a CniError with the delegate's own code,
 * so the caller's caller sees what actually failed.
 *
 * When the executable found is one of our own installed launchers (cni/install.ts)
 * for a plugin the calling plugin registered with runInProcess(), the delegate
 * runs in this process through the same skel (same env, stdin, output and
 * errors): a Node start costs ~100–200 ms, most of a call. Anything else —
 * the reference plugins, another build's launchers — is exec'd as the spec says.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CniCode, CniError } from './errors.js';
import { isObject } from './conf.js';
import type { CniCommand, CniResult } from './types.js';
import { toCurrent } from './version.js';
import { runPlugin, type PluginAbout, type PluginFuncs } from './skel.js';

/** Compiled entry point (absolute path) → the plugin, for delegates that may run in this process. */
const inProcess = new Map<string, { funcs: PluginFuncs; about: PluginAbout }>();

/** Lets delegation to our launcher of `entry` (the plugin's compiled main.js) run `funcs` here instead of exec'ing it. */
export function runInProcess(entry: string, funcs: PluginFuncs, about: PluginAbout): void {
  inProcess.set(entry, { funcs, about });
}

const LAUNCHER_HEAD = '#!/bin/sh\n# kubets CNI plugin launcher';

/** The registered plugin behind `file` when it is our launcher of a registered entry point. */
function inProcessPlugin(file: string): { funcs: PluginFuncs; about: PluginAbout } | undefined {
  if (inProcess.size === 0) return undefined;
  // Only the head: a reference plugin is a multi-megabyte Go binary.
  const buf = Buffer.alloc(1024);
  let n = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const head = buf.subarray(0, n).toString('utf8');
  if (!head.startsWith(LAUNCHER_HEAD)) return undefined;
  const entry = /\nexec '[^']*' '([^']+)'/.exec(head)?.[1];
  return entry ? inProcess.get(entry) : undefined;
}

export interface InvokeEnv {
  readonly command: CniCommand;
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  readonly args?: string;
  readonly path: readonly string[];
}

/** The first executable named `type` in `path`. Plugin-missing is Internal, as in the reference invoke package. */
export function findPlugin(type: string, path: readonly string[]): string {
  if (!/^[A-Za-z0-9._-]+$/.test(type)) throw new CniError(CniCode.InvalidNetworkConfig, `invalid plugin type ${JSON.stringify(type)}`);
  for (const dir of path) {
    const f = join(dir, type);
    try {
      if (statSync(f).isFile()) {
        accessSync(f, constants.X_OK);
        return f;
      }
    } catch {
      // not here; keep looking
    }
  }
  throw new CniError(CniCode.Internal, `failed to find plugin ${JSON.stringify(type)} in path [${path.join(' ')}]`);
}

export interface ExecOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a plugin binary (or, for our own registered plugins, the plugin in this process); resolves whatever the exit status. */
export async function execPlugin(file: string, env: InvokeEnv, stdin: string | Buffer, extraEnv: Readonly<Record<string, string>> = {}): Promise<ExecOutcome> {
  const local = inProcessPlugin(file);
  if (local) {
    let stdout = '';
    const exitCode = await runPlugin(local.funcs, local.about, {
      env: { ...extraEnv, CNI_COMMAND: env.command, CNI_CONTAINERID: env.containerId, CNI_NETNS: env.netns, CNI_IFNAME: env.ifName, CNI_ARGS: env.args ?? '', CNI_PATH: env.path.join(':') },
      readStdin: () => Buffer.from(stdin),
      write: (s) => {
        stdout += s;
      },
    });
    return { exitCode, stdout, stderr: '' };
  }
  return spawnPlugin(file, env, stdin, extraEnv);
}

function spawnPlugin(file: string, env: InvokeEnv, stdin: string | Buffer, extraEnv: Readonly<Record<string, string>>): Promise<ExecOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], {
      env: {
        ...process.env,
        ...extraEnv,
        CNI_COMMAND: env.command,
        CNI_CONTAINERID: env.containerId,
        CNI_NETNS: env.netns,
        CNI_IFNAME: env.ifName,
        CNI_ARGS: env.args ?? '',
        CNI_PATH: env.path.join(':'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CniError(CniCode.Internal, `exec ${file}: ${e.message}`)));
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    // A plugin that exits without reading stdin closes the pipe: not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/** The delegate's error JSON as a CniError (its own code), or a 999 naming the plugin when the output is not one. */
export function errorFromOutput(file: string, o: ExecOutcome): CniError {
  try {
    const v: unknown = JSON.parse(o.stdout);
    if (isObject(v) && typeof v.code === 'number' && typeof v.msg === 'string') {
      return new CniError(v.code, v.msg, typeof v.details === 'string' ? v.details : undefined);
    }
  } catch {
    // fall through
  }
  return new CniError(CniCode.Internal, `${file}: exit ${o.exitCode}: ${(o.stderr || o.stdout).trim()}`);
}

/** Runs a plugin and returns its parsed ADD result (in the current shape), or throws its error. */
export async function invokeAdd(type: string, env: Omit<InvokeEnv, 'command'>, stdin: string | Buffer): Promise<CniResult> {
  const file = findPlugin(type, env.path);
  const o = await execPlugin(file, { ...env, command: 'ADD' }, stdin);
  if (o.exitCode !== 0) throw errorFromOutput(file, o);
  let v: unknown;
  try {
    v = JSON.parse(o.stdout);
  } catch (e) {
    throw new CniError(CniCode.DecodingFailure, `${type}: bad result JSON: ${(e as Error).message}`);
  }
  if (!isObject(v) || typeof v.cniVersion !== 'string') throw new CniError(CniCode.DecodingFailure, `${type}: result has no cniVersion`);
  return toCurrent(v as unknown as CniResult);
}

/** DEL or CHECK through a delegate: succeeds silently or throws its error. */
export async function invokeNoResult(type: string, env: InvokeEnv, stdin: string | Buffer): Promise<void> {
  const file = findPlugin(type, env.path);
  const o = await execPlugin(file, env, stdin);
  if (o.exitCode !== 0) throw errorFromOutput(file, o);
}
