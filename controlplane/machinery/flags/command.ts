/**
 * The start-up sequence every daemon shares, so each main.ts is a few lines:
 *
 *   1. parse argv against the daemon's table plus the logging flags;
 *      errors → one `error: …` line and `Run '<cmd> --help' for usage.` on stderr, exit 2;
 *      --help → usage on stdout, exit 0; --version → version line, exit 0;
 *      positional arguments → exit 2 (daemons take flags only);
 *   2. set up logging from the flags (a log directory that cannot be written → exit 2);
 *   3. log `Starting <component>`, the FLAG: dump at --v=1, then one line per
 *      no-op / deprecated / alias flag that was used.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger, type LogSinks } from '../log/logger.js';
import { logFlags } from '../log/flags.js';
import { LOG_FLAGS, logOptionsFrom } from '../log/options.js';
import { parseArgs } from './parse.js';
import type { ParsedFlags } from './parsed.js';
import { FlagTable } from './table.js';
import type { FlagSpec, FlagStyle } from './types.js';
import { helpText } from './usage.js';
import { versionLine } from './version.js';

export interface CommandSpec {
  /** The binary name: `kube-scheduler`. */
  component: string;
  /** One paragraph for --help. */
  description: string;
  /** The daemon's own flags; the shared logging flags are added. */
  flags: readonly FlagSpec[];
  style?: FlagStyle;
  /** Whose release the flags follow, for --version. */
  upstream?: 'kubernetes' | 'flannel';
}

export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export type Started = { kind: 'exit'; code: number } | { kind: 'run'; flags: ParsedFlags; log: Logger };

const tables = new WeakMap<CommandSpec, FlagTable>();

/** The full flag table of a command (its flags plus the logging flags), built once per spec. */
export function commandTable(spec: CommandSpec): FlagTable {
  let t = tables.get(spec);
  if (!t) {
    const own = new Set(spec.flags.map((f) => f.name));
    t = new FlagTable(spec.component, [...LOG_FLAGS.filter((f) => !own.has(f.name)), ...spec.flags], spec.style ?? 'pflag');
    tables.set(spec, t);
  }
  return t;
}

export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Steps 1–3 above. `{kind:'exit'}` means: return this code from main without running. */
export function startCommand(spec: CommandSpec, argv: readonly string[], io: CommandIo = processIo()): Started {
  const table = commandTable(spec);
  const dash = table.style === 'goflag' ? '-' : '--';
  const usageHint = `Run '${spec.component} ${dash}help' for usage.\n`;
  const outcome = parseArgs(table, argv);
  if (outcome.kind === 'help') {
    io.stdout.write(helpText(table, spec.description));
    return { kind: 'exit', code: 0 };
  }
  if (outcome.kind === 'error') {
    io.stderr.write(`error: ${outcome.error.message}\n${usageHint}`);
    return { kind: 'exit', code: 2 };
  }
  const flags = outcome.flags;
  if (flags.bool('version')) {
    io.stdout.write(versionLine(spec.component, spec.upstream ?? 'kubernetes') + '\n');
    return { kind: 'exit', code: 0 };
  }
  if (flags.positional.length > 0) {
    io.stderr.write(`error: unexpected argument ${JSON.stringify(flags.positional[0])}: ${spec.component} takes only flags\n${usageHint}`);
    return { kind: 'exit', code: 2 };
  }
  const opts = logOptionsFrom(spec.component, flags);
  let log: Logger;
  try {
    const sinks: LogSinks = { stderr: io.stderr };
    log = createLogger(opts, sinks);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    io.stderr.write(`error: cannot write the log file in --log-dir=${JSON.stringify(opts.logDir)}: ${why}\n${usageHint}`);
    return { kind: 'exit', code: 2 };
  }
  log.info(`Starting ${spec.component}`, { version: versionLine(spec.component, spec.upstream ?? 'kubernetes') });
  logFlags(log, flags);
  for (const n of flags.notices) log.warn(n.message);
  return { kind: 'run', flags, log };
}

/**
 * The last step of every daemon until its behaviour lands: say so once and exit 1,
 * rather than pretending to serve.
 */
export async function notImplemented(log: Logger, component: string, issue: string): Promise<number> {
  log.error(`${component}: not implemented yet in kubets (${issue}); refusing to pretend to run`);
  await log.flush();
  return 1;
}

/**
 * Runs main when the module is the process entry point (`node dist/…/main.js`);
 * does nothing when imported (by bin/<daemon> or a test).
 */
export function runMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  const entry = process.argv[1];
  if (entry === undefined) return;
  let isEntry: boolean;
  try {
    isEntry = realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    isEntry = false;
  }
  if (!isEntry) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

export interface DaemonSpec<C> {
  command: CommandSpec;
  /** Flags → configuration; throws when they are unusable. */
  configure(flags: ParsedFlags, log: Logger): C;
  /** Errors of configure() that mean "bad flags": exit 2 with the usage hint. */
  isFlagError(e: unknown): e is Error;
  /** Errors of run() that mean "bad configuration" (e.g. no kubeconfig): logged as such, exit 1. */
  isConfigError(e: unknown): e is Error;
  /** Runs until the signal aborts; the exit code. */
  run(cfg: C, signal: AbortSignal): Promise<number>;
}

/**
 * The main() every daemon shares after startCommand: flags → configuration
 * (exit 2 on bad flags), then run until SIGINT/SIGTERM or `signal` (tests),
 * logging a failure once (exit 1).
 */
export async function runDaemon<C>(spec: DaemonSpec<C>, argv: string[], io?: CommandIo, signal?: AbortSignal): Promise<number> {
  const started = startCommand(spec.command, argv, io);
  if (started.kind === 'exit') return started.code;
  const { log } = started;
  let cfg: C;
  try {
    cfg = spec.configure(started.flags, log);
  } catch (e) {
    if (!spec.isFlagError(e)) throw e;
    await log.flush();
    (io ?? process).stderr.write(`error: ${e.message}\nRun '${spec.command.component} --help' for usage.\n`);
    return 2;
  }
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  signal?.addEventListener('abort', onSignal, { once: true });
  if (!signal) {
    // `on`, not `once`, until run() returns: execa's signal-exit re-raises a signal that no other
    // listener is left to handle, which would kill a daemon stopping while it runs a child (iptables).
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const code = await spec.run(cfg, ac.signal);
    await log.flush();
    return code;
  } catch (e) {
    if (spec.isConfigError(e)) log.error(`invalid configuration: ${e.message}`);
    else log.error(`${spec.command.component} failed`, { err: (e as Error).stack ?? String(e) });
    await log.flush();
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
