/**
 * The logger every component uses: klog's behaviour (V-levels, --vmodule,
 * files vs stderr, --stderrthreshold) on top of pino (structured records,
 * child bindings, fast serialization).
 *
 * Design notes
 * - pino writes one JSON record per call into a Router; the Router decides where
 *   the record goes (stderr, the log file, both) and renders it as klog text or
 *   leaves it JSON. Routing after serialization keeps one code path for both formats.
 * - V-gating happens before pino is called: a disabled `v(n)` returns a shared
 *   no-op, so `log.v(5).info(…)` in a hot loop costs one comparison. Only when
 *   --vmodule is set and the level is above --v do we look at the caller's file
 *   (from a stack trace), cached per file, as klog does.
 * - Sinks write synchronously (SonicBoom sync mode, ~370k lines/s here, LIBS.md §7),
 *   so nothing is lost on exit or crash and --log-flush-frequency is always met.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatText, type Severity } from './format.js';
import type { LogOptions } from './options.js';
import { vmoduleLevel } from './vmodule.js';

export type Fields = Readonly<Record<string, unknown>>;

/** What `log.v(n)` returns: logs at info severity when level n is enabled. */
export interface VerboseLogger {
  readonly enabled: boolean;
  info(msg: string, fields?: Fields): void;
}

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** Gated by --v and --vmodule. */
  v(level: number): VerboseLogger;
  /** A logger whose every line carries these key/values (klog's WithValues). */
  child(bindings: Fields): Logger;
  /** Resolves once everything logged so far is written. */
  flush(): Promise<void>;
}

/** Where lines go. Tests pass their own stderr to capture output. */
export interface LogSinks {
  stderr?: { write(s: string): unknown };
}

const SEVERITY_OF: Record<string, { letter: Severity; rank: number }> = {
  info: { letter: 'I', rank: 0 },
  warn: { letter: 'W', rank: 1 },
  error: { letter: 'E', rank: 2 },
  fatal: { letter: 'F', rank: 3 },
};

const THIS_FILE = fileURLToPath(import.meta.url);

/** A function whose frame (and those above it) stack traces should skip. */
type Frame = (...args: never[]) => unknown;

const DISABLED: VerboseLogger = Object.freeze({ enabled: false, info(): void {} });

/** Receives pino's JSON lines and routes them to stderr and/or the log file. */
class Router implements DestinationStream {
  private readonly stderr: { write(s: string): unknown };
  private readonly file?: { write(s: string): unknown };
  /** The file lines go to when not logging to stderr only. */
  readonly filePath?: string;

  constructor(
    private readonly opts: LogOptions,
    sinks: LogSinks,
  ) {
    this.stderr = sinks.stderr ?? pino.destination({ fd: 2, sync: true });
    if (!opts.logtostderr) {
      // glog writes to the system temp directory when --log-dir is empty.
      const dir = opts.logDir === '' ? tmpdir() : opts.logDir;
      mkdirSync(dir, { recursive: true });
      this.filePath = join(dir, `${opts.component}.log`);
      this.file = pino.destination({ dest: this.filePath, sync: true, append: true });
    }
  }

  write(line: string): void {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const level = String(rec.level);
    const sev = SEVERITY_OF[level] ?? SEVERITY_OF.info;
    const out = this.opts.format === 'json' ? line : this.render(rec, sev.letter);
    if (this.file === undefined) {
      this.stderr.write(out);
      return;
    }
    this.file.write(out);
    if (this.opts.alsologtostderr || sev.rank >= this.opts.stderrthreshold) this.stderr.write(out);
  }

  private render(rec: Record<string, unknown>, letter: Severity): string {
    const { level: _level, ts, msg, v: _v, ...fields } = rec;
    return formatText({
      severity: letter,
      ts: typeof ts === 'number' ? ts : Date.now(),
      pid: process.pid,
      name: this.opts.component,
      msg: String(msg ?? ''),
      fields,
    });
  }
}

/** State shared by a logger and its children. */
class Core {
  /** Verbosity granted per source file by --vmodule; filled lazily. */
  private readonly fileLevels = new Map<string, number>();

  constructor(
    readonly opts: LogOptions,
    readonly router: Router,
  ) {}

  enabled(level: number, callerFile: () => string | undefined): boolean {
    if (level <= this.opts.v) return true;
    if (this.opts.vmodule.length === 0) return false;
    const file = callerFile();
    if (file === undefined) return false;
    let granted = this.fileLevels.get(file);
    if (granted === undefined) {
      granted = vmoduleLevel(this.opts.vmodule, file) ?? this.opts.v;
      this.fileLevels.set(file, granted);
    }
    return level <= granted;
  }
}

/** The first stack frame outside this file: [path, line]. */
function callerFrame(skip: Frame): { file: string; line: number } | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, skip);
  for (const l of (holder.stack ?? '').split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?\s*$/.exec(l);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file === THIS_FILE) continue;
    return { file, line: Number(m[2]) };
  }
  return undefined;
}

function clean(fields: Fields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!fields) return out;
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? v.message : v;
  return out;
}

class KLogger implements Logger {
  constructor(
    private readonly core: Core,
    private readonly p: PinoLogger,
  ) {}

  info(msg: string, fields?: Fields): void {
    this.emit('info', msg, fields, 0, this.info);
  }
  warn(msg: string, fields?: Fields): void {
    this.emit('warn', msg, fields, undefined, this.warn);
  }
  error(msg: string, fields?: Fields): void {
    this.emit('error', msg, fields, undefined, this.error);
  }

  v(level: number): VerboseLogger {
    const self = this.v;
    if (!this.core.enabled(level, () => callerFrame(self)?.file)) return DISABLED;
    return {
      enabled: true,
      info: (msg: string, fields?: Fields): void => this.emit('info', msg, fields, level, self),
    };
  }

  child(bindings: Fields): Logger {
    return new KLogger(this.core, this.p.child(clean(bindings)));
  }

  flush(): Promise<void> {
    // Sinks are synchronous: by the time a call returns, its line is written.
    return Promise.resolve();
  }

  private emit(level: 'info' | 'warn' | 'error', msg: string, fields: Fields | undefined, v: number | undefined, skip: Frame): void {
    const obj = clean(fields);
    if (v !== undefined) obj.v = v;
    const bt = this.core.opts.backtraceAt;
    if (bt) {
      const at = callerFrame(skip);
      if (at && at.line === bt.line && (at.file === bt.file || at.file.endsWith('/' + bt.file))) {
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder, skip);
        obj.stack = (holder.stack ?? '').split('\n').slice(1).map((s) => s.trim()).join('\n');
      }
    }
    this.p[level](obj, msg);
  }
}

/** Microsecond-ish wall clock in epoch milliseconds. */
function nowMs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
}

/**
 * Creates the logger for one process. Throws (with the path) when the log file
 * cannot be opened; callers report that as a bad --log-dir.
 */
export function createLogger(opts: LogOptions, sinks: LogSinks = {}): Logger {
  const router = new Router(opts, sinks);
  const p = pino(
    {
      base: null,
      messageKey: 'msg',
      level: 'info',
      timestamp: () => `,"ts":${nowMs()}`,
      formatters: { level: (label: string) => ({ level: label }) },
    },
    router,
  );
  return new KLogger(new Core(opts, router), p);
}

/** The log file a logger with these options writes, or undefined when it logs to stderr only. */
export function logFilePath(opts: LogOptions): string | undefined {
  if (opts.logtostderr) return undefined;
  return join(opts.logDir === '' ? tmpdir() : opts.logDir, `${opts.component}.log`);
}
