/**
 * The glog/klog flags every Kubernetes component shares (the seeds' "公共配置"
 * section) plus --log-format, and their translation into LogOptions.
 */
import type { FlagSpec } from '../flags/types.js';
import type { ParsedFlags } from '../flags/parsed.js';
import { checkVModule, parseVModule, type VModuleRule } from './vmodule.js';

export interface LogOptions {
  /** Name in the text header and the log file name (`kube-scheduler` → D/kube-scheduler.log). */
  component: string;
  v: number;
  vmodule: readonly VModuleRule[];
  logtostderr: boolean;
  alsologtostderr: boolean;
  logDir: string;
  /** 0 INFO, 1 WARNING, 2 ERROR, 3 FATAL; lines at or above it also reach stderr when logging to a file. */
  stderrthreshold: number;
  flushFrequencyMs: number;
  /** `file:line` that gets a stack trace appended, or undefined. */
  backtraceAt?: { file: string; line: number };
  format: 'text' | 'json';
}

function checkBacktrace(value: string): string | undefined {
  if (value === '' || value === ':0' || value === '0' || /^[^:\s]+:\d+$/.test(value)) return undefined;
  return 'syntax error: expect file.go:234';
}

/** The shared logging flags. Defaults are klog's (v1.8), which the seeds repeat. */
export const LOG_FLAGS: readonly FlagSpec[] = [
  { name: 'v', type: 'int', default: 0, help: 'log level for V logs' },
  { name: 'vmodule', type: 'string', default: '', check: checkVModule, help: 'comma-separated list of pattern=N settings for file-filtered logging (pattern: a source file name without extension, globs allowed)' },
  { name: 'logtostderr', type: 'bool', default: true, help: 'log to standard error instead of files' },
  { name: 'alsologtostderr', type: 'bool', default: false, help: 'log to standard error as well as files' },
  { name: 'log-dir', type: 'string', default: '', help: 'If non-empty, write log files in this directory (<dir>/<component>.log)' },
  { name: 'stderrthreshold', type: 'severity', default: 2, help: 'logs at or above this threshold go to stderr (when logging to files): INFO=0, WARNING=1, ERROR=2, FATAL=3' },
  { name: 'log-flush-frequency', type: 'duration', default: '5s', help: 'Maximum number of seconds between log flushes' },
  { name: 'log-backtrace-at', type: 'string', default: ':0', check: checkBacktrace, help: 'when logging hits line file:N, emit a stack trace' },
  { name: 'log-format', type: 'enum', default: 'text', values: ['text', 'json'], help: "Sets the log format: 'text' is klog's header form, 'json' one JSON object per line" },
  { name: 'version', type: 'bool', default: false, help: 'Print version information and quit' },
];

/** Reads LogOptions from parsed flags that include LOG_FLAGS. */
export function logOptionsFrom(component: string, flags: ParsedFlags): LogOptions {
  const vm = parseVModule(flags.string('vmodule'));
  const bt = /^(.+):(\d+)$/.exec(flags.string('log-backtrace-at'));
  const opts: LogOptions = {
    component,
    v: flags.number('v'),
    vmodule: vm.ok ? vm.rules : [],
    logtostderr: flags.bool('logtostderr'),
    alsologtostderr: flags.bool('alsologtostderr'),
    logDir: flags.string('log-dir'),
    stderrthreshold: flags.number('stderrthreshold'),
    flushFrequencyMs: flags.duration('log-flush-frequency'),
    format: flags.string('log-format') === 'json' ? 'json' : 'text',
  };
  if (bt && Number(bt[2]) > 0) opts.backtraceAt = { file: bt[1], line: Number(bt[2]) };
  return opts;
}

/** Options for a logger before flags are parsed (or in tests): text to stderr, --v=0. */
export function defaultLogOptions(component: string): LogOptions {
  return {
    component,
    v: 0,
    vmodule: [],
    logtostderr: true,
    alsologtostderr: false,
    logDir: '',
    stderrthreshold: 2,
    flushFrequencyMs: 5000,
    format: 'text',
  };
}
