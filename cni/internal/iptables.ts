/**
 * iptables for the plugins: one `iptables-save -t nat` to see the current
 * state and one `iptables-restore --noflush` to apply every change, per
 * family and operation — instead of a spawn per -N/-C/-A (the reference
 * plugins' way, ~8 spawns for ipMasq). A plugin is a short-lived process on
 * the pod start-up path, so spawns and start-up are what its latency is
 * made of.
 *
 * That is also why this is not native/iptables' ExecIptables: that runner
 * loads execa (≈0.2 s of start-up, LIBS.md §5). We reuse native's
 * backend detection (detect.ts: the backend the host's rules already use),
 * its save parser and its quoting, over a plain child_process runner.
 * KUBETS_IPTABLES_MODE=legacy|nft skips the detection (4 saves).
 *
 * Concurrency: each restore is one transaction on the nat table under the
 * xtables lock (`--wait`); rules are only ever added for our own
 * per-container chains or, for shared chains, when absent from the save —
 * a concurrent ADD adding the same shared jump at the same moment can at
 * worst duplicate it, which is harmless (both jump to the same chain).
 */
import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner } from '../../native/iptables/command.js';
import { detectMode } from '../../native/iptables/detect.js';
import { parseSave, type SavedTable } from '../../native/iptables/save.js';
import { joinArgs } from '../../native/iptables/tokens.js';
import type { IpFamily, IptablesMode } from '../../native/iptables/types.js';
import { CniCode, CniError } from '../spec/errors.js';

/** Runs a program; ENOENT resolves as exit 127 (a missing backend is then just "no rules"). */
export const spawnRunner: CommandRunner = {
  run: (cmd, args, input) =>
    new Promise<CommandResult>((resolve) => {
      const child = spawn(cmd, [...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on('data', (b: Buffer) => out.push(b));
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => resolve({ exitCode: 127, stdout: '', stderr: e.message }));
      child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
      if (input !== undefined && child.stdin) {
        child.stdin.on('error', () => undefined);
        child.stdin.end(input);
      }
    }),
};

function modeFromEnv(): IptablesMode | undefined {
  const m = process.env.KUBETS_IPTABLES_MODE;
  return m === 'legacy' || m === 'nft' ? m : undefined;
}

/** The nat table of one family: read it, change it in one restore. */
export class NatTable {
  constructor(
    readonly family: IpFamily,
    readonly mode: IptablesMode,
    private readonly exec: CommandRunner = spawnRunner,
  ) {}

  private bin(kind: 'save' | 'restore'): string {
    return `${this.family === 'ipv4' ? 'iptables' : 'ip6tables'}-${this.mode}-${kind}`;
  }

  /** The nat table now; an empty table when the tool or table is missing. */
  async read(): Promise<SavedTable> {
    const r = await this.exec.run(this.bin('save'), ['-t', 'nat']);
    const empty: SavedTable = { name: 'nat', chains: new Map() };
    if (r.exitCode !== 0) return empty;
    return parseSave(r.stdout).tables.get('nat') ?? empty;
  }

  /** Applies `lines` (chain declarations `:X - [0:0]`, `-A/-D/-F/-X …`) in one transaction; nothing to do is a no-op. */
  async apply(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const input = ['*nat', ...lines, 'COMMIT', ''].join('\n');
    const r = await this.exec.run(this.bin('restore'), ['--noflush', '--wait', '5'], input);
    if (r.exitCode !== 0) throw new CniError(CniCode.Internal, `${this.bin('restore')}: exit ${r.exitCode}: ${r.stderr.trim()}\n${input}`);
  }
}

/** Both families' nat tables, on the backend detected once (or given by KUBETS_IPTABLES_MODE). */
export async function openNat(exec: CommandRunner = spawnRunner): Promise<Record<IpFamily, NatTable>> {
  const mode = modeFromEnv() ?? (await detectMode(exec)).mode;
  return { ipv4: new NatTable('ipv4', mode, exec), ipv6: new NatTable('ipv6', mode, exec) };
}

/** `-A CHAIN args` as restore input. */
export function appendLine(chain: string, args: readonly string[]): string {
  return `-A ${chain} ${joinArgs(args)}`;
}

/** The target of a saved rule (`-j X`). */
export function jumpTarget(args: readonly string[]): string | undefined {
  const j = args.indexOf('-j');
  return j >= 0 ? args[j + 1] : undefined;
}

/** Delete lines for every rule of `chain` that jumps to `target`, in the saved text (so they match exactly). */
export function deleteJumpLines(t: SavedTable, chain: string, target: string): string[] {
  return (t.chains.get(chain)?.rules ?? []).filter((r) => jumpTarget(r.args) === target).map((r) => `-D ${chain} ${r.text}`);
}

/** Lines that remove a chain and every jump to it from `fromChains`. */
export function removeChainLines(t: SavedTable, chain: string, fromChains: readonly string[]): string[] {
  if (!t.chains.has(chain)) return [];
  return [...fromChains.flatMap((c) => deleteJumpLines(t, c, chain)), `-F ${chain}`, `-X ${chain}`];
}

/** Whether `chain` has a rule jumping to `target`. */
export function hasJump(t: SavedTable, chain: string, target: string): boolean {
  return (t.chains.get(chain)?.rules ?? []).some((r) => jumpTarget(r.args) === target);
}
