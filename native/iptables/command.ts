/**
 * How native/ runs the few userspace tools it drives (iptables-*, conntrack):
 * one seam, `CommandRunner`, so tests can record calls, and one place that
 * knows how to aim a command at a network namespace.
 *
 * Namespaces are entered with `nsenter --net=<path>`, not `ip netns exec`:
 * the latter also remounts /sys in a private mount namespace, which the tools
 * here do not need and which hides the cgroup mounts from anything they spawn
 * (ARCHITECTURE.md, 'What is real in tests').
 */
import { execa } from 'execa';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandRunner {
  /**
   * Runs `cmd args…`, feeding `input` on stdin when given. Never throws for a
   * non-zero exit (callers decide what an exit code means); throws
   * `CommandNotFoundError` when the program does not exist.
   */
  run(cmd: string, args: readonly string[], input?: string): Promise<CommandResult>;
}

/** The program is not installed (ENOENT from spawn). */
export class CommandNotFoundError extends Error {
  readonly code = 'CommandNotFound';
  constructor(readonly command: string) {
    super(`${command}: not found (is it installed?)`);
    this.name = 'CommandNotFoundError';
  }
}

/** The network namespace given to the runner cannot be entered (deleted, or not a namespace). */
export class NetnsUnavailableError extends Error {
  readonly code = 'NetnsUnavailable';
  constructor(
    readonly netns: string,
    detail: string,
  ) {
    super(`network namespace ${netns}: ${detail}`);
    this.name = 'NetnsUnavailableError';
  }
}

export interface ExecOptions {
  /** A network namespace path (`/run/netns/x`, `/proc/<pid>/ns/net`); commands run inside it. */
  readonly netns?: string;
  /** Kills a command that runs longer than this (ms). Default: none. */
  readonly timeoutMs?: number;
}

/** Real processes through execa 9 (execa 10 does not run on Node 20, LIBS.md §5). */
export class ExecCommandRunner implements CommandRunner {
  constructor(private readonly opts: ExecOptions = {}) {}

  async run(cmd: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const [file, argv] = this.opts.netns ? ['nsenter', [`--net=${this.opts.netns}`, '--', cmd, ...args]] : [cmd, [...args]];
    const r = await execa(file, argv, {
      reject: false,
      encoding: 'utf8',
      stripFinalNewline: false,
      // Large rulesets (10k services is ~15 MB of save output) must not hit a buffer cap.
      maxBuffer: 512 * 1024 * 1024,
      ...(input !== undefined ? { input } : { stdin: 'ignore' as const }),
      ...(this.opts.timeoutMs ? { timeout: this.opts.timeoutMs } : {}),
    });
    const stdout = String(r.stdout ?? '');
    const stderr = String(r.stderr ?? '');
    // execa reports a missing program as a failed spawn without an exit code; nsenter
    // reports a missing target program as exit 127 with "No such file or directory".
    if ((r.exitCode === undefined && /ENOENT/.test(String(r.message))) || (this.opts.netns && r.exitCode === 127 && /No such file/.test(stderr))) {
      throw new CommandNotFoundError(cmd);
    }
    // nsenter itself failing must not pass for the tool's own exit code (1 means
    // "no such rule" to iptables -C, "nothing matched" to conntrack).
    if (this.opts.netns && r.exitCode !== 0 && /^nsenter: (cannot open|reassociate)/m.test(stderr)) {
      throw new NetnsUnavailableError(this.opts.netns, stderr.trim());
    }
    if (r.exitCode === undefined) {
      return { exitCode: -1, stdout, stderr: stderr || String(r.message) };
    }
    return { exitCode: r.exitCode, stdout, stderr };
  }
}
