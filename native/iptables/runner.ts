/**
 * The real IptablesRunner: the iptables 1.8 tools of one backend and one
 * family, run through a CommandRunner (so optionally inside a namespace).
 *
 * Every command passes `--wait` so concurrent writers (Docker, flannel,
 * the portmap plugin) queue on the xtables lock instead of failing. Bulk
 * changes go through restore(); the single-rule helpers exist for the jump
 * rules in built-in chains, which cannot be declared in a restore blob
 * without flushing what others put there.
 */
import { CommandNotFoundError, ExecCommandRunner, type CommandResult, type CommandRunner } from './command.js';
import { detectMode, type ModeEvidence } from './detect.js';
import { linesAround } from './builder.js';
import { IptablesError, type IpFamily, type IptablesMode, type IptablesModeOption, type IptablesRunner, type RestoreOptions, type RulePosition, type TableName } from './types.js';

export interface IptablesOptions {
  readonly family?: IpFamily;
  /** Default `auto` (detect.ts). */
  readonly mode?: IptablesModeOption;
  /** Network namespace path; ignored when `exec` is given. */
  readonly netns?: string;
  /** How commands run; default real processes (in `netns` if set). */
  readonly exec?: CommandRunner;
  /** Seconds to wait for the xtables lock. Default 5 (kube-proxy's value). */
  readonly waitSeconds?: number;
}

/** Binary names of one backend + family, e.g. `ip6tables-legacy-restore`. */
export function binaries(family: IpFamily, mode: IptablesMode): { cli: string; save: string; restore: string } {
  const base = `${family === 'ipv4' ? 'iptables' : 'ip6tables'}-${mode}`;
  return { cli: base, save: `${base}-save`, restore: `${base}-restore` };
}

const LOCK_HELD = /holding the xtables lock|Resource temporarily unavailable/i;
const ERROR_LINE = /(?:Error occurred at line|line):?\s*(\d+)/;

export class ExecIptables implements IptablesRunner {
  // Immutable after construction.
  private readonly bin: { cli: string; save: string; restore: string };
  private readonly wait: string[];

  constructor(
    readonly family: IpFamily,
    readonly mode: IptablesMode,
    private readonly exec: CommandRunner,
    waitSeconds = 5,
    /** What auto-detection saw, when the mode was detected (for a startup log line). */
    readonly evidence?: ModeEvidence,
  ) {
    this.bin = binaries(family, mode);
    this.wait = ['--wait', String(waitSeconds)];
  }

  private async run(cmd: string, args: readonly string[], input?: string): Promise<CommandResult> {
    try {
      return await this.exec.run(cmd, args, input);
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new IptablesError('NotInstalled', `${cmd}: not installed (${this.mode} backend)`);
      throw e;
    }
  }

  private fail(what: string, r: CommandResult): never {
    const msg = `${what}: exit ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`;
    throw new IptablesError(LOCK_HELD.test(r.stderr) ? 'LockTimeout' : 'CommandFailed', msg, undefined, r.exitCode);
  }

  async restore(input: string, opts: RestoreOptions = {}): Promise<void> {
    const args = [...this.wait];
    if (opts.noflush ?? true) args.push('--noflush');
    if (opts.counters) args.push('--counters');
    const r = await this.run(this.bin.restore, args, input);
    if (r.exitCode === 0) return;
    if (LOCK_HELD.test(r.stderr)) this.fail(this.bin.restore, r);
    const m = ERROR_LINE.exec(r.stderr);
    const line = m ? Number(m[1]) : undefined;
    const detail = r.stderr.trim().split('\n').filter((l) => !l.startsWith('Try `')).join('; ');
    throw new IptablesError(
      'RestoreFailed',
      `${this.bin.restore}: exit ${r.exitCode}: ${detail}${line ? `\n${linesAround(input, line)}` : ''}`,
      line,
      r.exitCode,
    );
  }

  async save(table?: TableName, opts: { counters?: boolean } = {}): Promise<string> {
    const args: string[] = [];
    if (table) args.push('-t', table);
    if (opts.counters) args.push('-c');
    const r = await this.run(this.bin.save, args);
    if (r.exitCode !== 0) this.fail(`${this.bin.save} ${args.join(' ')}`, r);
    return r.stdout;
  }

  private cli(table: TableName, args: readonly string[]): Promise<CommandResult> {
    return this.run(this.bin.cli, [...this.wait, '-t', table, ...args]);
  }

  async chainExists(table: TableName, chain: string): Promise<boolean> {
    // `-S chain 1` lists at most one rule: cheap even for a chain of thousands.
    const r = await this.cli(table, ['-S', chain, '1']);
    if (r.exitCode === 0) return true;
    if (r.exitCode === 1) return false;
    this.fail(`${this.bin.cli} -t ${table} -S ${chain}`, r);
  }

  async ensureChain(table: TableName, chain: string): Promise<boolean> {
    const r = await this.cli(table, ['-N', chain]);
    if (r.exitCode === 0) return false;
    // Exit 1 is "already exists" — but also other failures; ask rather than match messages.
    if (r.exitCode === 1 && (await this.chainExists(table, chain))) return true;
    this.fail(`${this.bin.cli} -t ${table} -N ${chain}`, r);
  }

  async flushChain(table: TableName, chain: string): Promise<void> {
    const r = await this.cli(table, ['-F', chain]);
    if (r.exitCode === 0) return;
    if (r.exitCode === 1 && !(await this.chainExists(table, chain))) return;
    this.fail(`${this.bin.cli} -t ${table} -F ${chain}`, r);
  }

  async deleteChain(table: TableName, chain: string): Promise<void> {
    const r = await this.cli(table, ['-X', chain]);
    if (r.exitCode === 0) return;
    if (r.exitCode === 1 && !(await this.chainExists(table, chain))) return;
    this.fail(`${this.bin.cli} -t ${table} -X ${chain}`, r);
  }

  /** -C: exit 0 = present, 1 = absent (or chain missing), 2 = bad rule. */
  private async ruleExists(table: TableName, chain: string, args: readonly string[]): Promise<boolean> {
    const r = await this.cli(table, ['-C', chain, ...args]);
    if (r.exitCode === 0) return true;
    if (r.exitCode === 1 && !LOCK_HELD.test(r.stderr)) return false;
    this.fail(`${this.bin.cli} -t ${table} -C ${chain} ${args.join(' ')}`, r);
  }

  async ensureRule(position: RulePosition, table: TableName, chain: string, args: readonly string[]): Promise<boolean> {
    if (await this.ruleExists(table, chain, args)) return true;
    const op = position === 'append' ? ['-A', chain] : ['-I', chain, '1'];
    const r = await this.cli(table, [...op, ...args]);
    if (r.exitCode !== 0) this.fail(`${this.bin.cli} -t ${table} ${op.join(' ')} ${args.join(' ')}`, r);
    return false;
  }

  async deleteRule(table: TableName, chain: string, args: readonly string[]): Promise<void> {
    if (!(await this.ruleExists(table, chain, args))) return;
    const r = await this.cli(table, ['-D', chain, ...args]);
    if (r.exitCode !== 0) this.fail(`${this.bin.cli} -t ${table} -D ${chain} ${args.join(' ')}`, r);
  }
}

/**
 * Opens the runner for one family: resolves `auto` by looking at the rules
 * already there (in the namespace when `netns` is set), and checks that the
 * chosen backend's tools are installed.
 */
export async function openIptables(opts: IptablesOptions = {}): Promise<ExecIptables> {
  const exec = opts.exec ?? new ExecCommandRunner(opts.netns ? { netns: opts.netns } : {});
  const family = opts.family ?? 'ipv4';
  const wanted = opts.mode ?? 'auto';
  let mode: IptablesMode;
  let evidence: ModeEvidence | undefined;
  if (wanted === 'auto') ({ mode, evidence } = await detectMode(exec));
  else mode = wanted;
  const runner = new ExecIptables(family, mode, exec, opts.waitSeconds ?? 5, evidence);
  const bin = binaries(family, mode);
  let r: CommandResult;
  try {
    r = await exec.run(bin.cli, ['--version']);
  } catch (e) {
    if (e instanceof CommandNotFoundError) throw new IptablesError('NotInstalled', `${bin.cli}: not installed`);
    throw e;
  }
  if (r.exitCode !== 0) throw new IptablesError('NotInstalled', `${bin.cli} --version: exit ${r.exitCode}: ${r.stderr.trim()}`);
  return runner;
}
