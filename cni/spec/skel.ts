/**
 * The plugin skeleton: what every CNI plugin executable does before and
 * after its own work, as SPEC.md ("Execution protocol", "Error") and the
 * reference skel define it.
 *
 *  1. Read the environment. A known command with a required variable
 *     missing is InvalidEnvironment (4), all missing names listed; an unknown
 *     CNI_COMMAND is 4 too. CNI_NETNS is optional on DEL (the runtime may
 *     have lost the namespace already).
 *  2. VERSION prints `{cniVersion, supportedVersions}` and ignores stdin.
 *  3. Read stdin: bad JSON is DecodingFailure (6); no name is
 *     InvalidNetworkConfig (7); an unsupported cniVersion is
 *     IncompatibleVersion (1); CHECK below 0.4.0 is 1 as well.
 *  4. Dispatch; the ADD result is printed in the configuration's version.
 *     Any error is printed as `{cniVersion, code, msg, details}` on stdout and
 *     the exit status is 1. A thrown CniError keeps its code, anything else
 *     becomes Internal (999).
 *
 * `runPlugin` takes its I/O as parameters so tests drive it in-process;
 * `pluginMain` is the executable's entry point.
 */
import { readFileSync } from 'node:fs';
import { CniCode, CniError, toCniError } from './errors.js';
import { decodeConf, parseNetConf } from './conf.js';
import type { CmdArgs, CniCommand, CniResult, NetConf } from './types.js';
import { CURRENT_VERSION, SUPPORTED_VERSIONS, checkSupported, compareVersions, formatResult, toCurrent } from './version.js';

export interface PluginFuncs {
  add(args: CmdArgs): Promise<CniResult>;
  del(args: CmdArgs): Promise<void>;
  check(args: CmdArgs): Promise<void>;
}

export interface PluginAbout {
  /** For `CNI_COMMAND` absent: the usage line names the plugin. */
  readonly name: string;
  readonly supportedVersions?: readonly string[];
}

export interface PluginIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readStdin(): Buffer;
  write(s: string): void;
}

/** Which commands need each variable (CNI_ARGS is always optional). */
const REQUIRED: ReadonlyArray<readonly [string, readonly CniCommand[]]> = [
  ['CNI_COMMAND', ['ADD', 'DEL', 'CHECK', 'VERSION']],
  ['CNI_CONTAINERID', ['ADD', 'DEL', 'CHECK']],
  ['CNI_NETNS', ['ADD', 'CHECK']],
  ['CNI_IFNAME', ['ADD', 'DEL', 'CHECK']],
  ['CNI_PATH', ['ADD', 'DEL', 'CHECK']],
];

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];

function isCommand(s: string): s is CniCommand {
  return (COMMANDS as readonly string[]).includes(s);
}

const CONTAINER_ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function validateIfName(name: string): void {
  const bad = (msg: string, details?: string): never => {
    throw new CniError(CniCode.InvalidEnvironment, msg, details);
  };
  if (name.length > 15) bad('interface name is too long', 'interface name should be less than 16 characters');
  if (name === '.' || name === '..') bad('interface name is . or ..');
  if (/[/:\s]/.test(name)) bad('interface name contains / or : or whitespace characters');
}

function readEnv(env: PluginIo['env']): { command: CniCommand; vars: Map<string, string> } {
  const raw = env.CNI_COMMAND ?? '';
  const vars = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, cmds] of REQUIRED) {
    const v = env[name] ?? '';
    vars.set(name, v);
    if (v === '' && (name === 'CNI_COMMAND' || (isCommand(raw) && cmds.includes(raw)))) missing.push(name);
  }
  vars.set('CNI_ARGS', env.CNI_ARGS ?? '');
  if (missing.length > 0) throw new CniError(CniCode.InvalidEnvironment, `required env variables [${missing.join(',')}] missing`);
  if (!isCommand(raw)) throw new CniError(CniCode.InvalidEnvironment, `unknown CNI_COMMAND: ${raw}`);
  return { command: raw, vars };
}

/** Parses and checks the configuration; returns it with prevResult in the current shape. */
function loadConf(stdin: Buffer, supported: readonly string[]): NetConf {
  const conf = parseNetConf(decodeConf(stdin));
  checkSupported(conf.cniVersion, supported);
  if (conf.prevResult) {
    const pr = conf.prevResult;
    const v = typeof pr.cniVersion === 'string' ? pr.cniVersion : conf.cniVersion;
    conf.prevResult = toCurrent({ ...pr, cniVersion: v });
  }
  return conf;
}

/** Runs one invocation; returns the exit status (0 or 1). Never throws. */
export async function runPlugin(funcs: PluginFuncs, about: PluginAbout, io: PluginIo): Promise<number> {
  const supported = about.supportedVersions ?? SUPPORTED_VERSIONS;
  // Errors are stamped with the configuration's version once we know it.
  let version = CURRENT_VERSION;
  try {
    const { command, vars } = readEnv(io.env);
    if (command === 'VERSION') {
      io.write(JSON.stringify({ cniVersion: CURRENT_VERSION, supportedVersions: [...supported] }));
      return 0;
    }
    const stdin = io.readStdin();
    const conf = loadConf(stdin, supported);
    version = conf.cniVersion;
    const containerId = vars.get('CNI_CONTAINERID') ?? '';
    if (!CONTAINER_ID_RE.test(containerId)) throw new CniError(CniCode.InvalidEnvironment, 'invalid characters in containerID', containerId);
    const ifName = vars.get('CNI_IFNAME') ?? '';
    validateIfName(ifName);
    if (command === 'CHECK' && compareVersions(conf.cniVersion, '0.4.0') < 0) {
      throw new CniError(CniCode.IncompatibleVersion, 'config version does not allow CHECK');
    }
    const args: CmdArgs = {
      command,
      containerId,
      netns: vars.get('CNI_NETNS') ?? '',
      ifName,
      args: vars.get('CNI_ARGS') ?? '',
      path: (vars.get('CNI_PATH') ?? '').split(':').filter((p) => p !== ''),
      stdin,
      conf,
    };
    if (command === 'ADD') io.write(formatResult(await funcs.add(args), conf.cniVersion));
    else if (command === 'DEL') await funcs.del(args);
    else await funcs.check(args);
    return 0;
  } catch (e) {
    io.write(JSON.stringify(toCniError(e).toResult(version), null, 4));
    return 1;
  }
}

/** All of stdin, synchronously (a plugin has nothing else to do meanwhile). */
function readAllStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch (e) {
    // fd 0 may be a nonblocking pipe inherited from the runtime; /dev/stdin reopens it blocking.
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return readFileSync('/dev/stdin');
    throw e;
  }
}

/** The executable's entry point: real env, stdin and stdout; sets the exit code. */
export async function pluginMain(funcs: PluginFuncs, about: PluginAbout): Promise<void> {
  const io: PluginIo = {
    env: process.env,
    readStdin: readAllStdin,
    write: (s) => {
      process.stdout.write(s);
    },
  };
  if (!process.env.CNI_COMMAND && process.stdin.isTTY) {
    process.stderr.write(`CNI ${about.name} plugin\nCNI protocol versions supported: ${(about.supportedVersions ?? SUPPORTED_VERSIONS).join(', ')}\n`);
    process.exitCode = 0;
    return;
  }
  process.exitCode = await runPlugin(funcs, about, io);
}
