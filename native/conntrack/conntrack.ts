/**
 * Conntrack entries through Debian's `conntrack` tool (conntrack-tools 1.4).
 *
 * kube-proxy needs this for UDP: an entry keeps the DNAT chosen for its first
 * packet, so after an endpoint goes away (or a service gets its first
 * endpoint) packets on the old 5-tuple never reach the nat table again and
 * are black-holed until the entry is deleted (DATAPLANE.md §1.10).
 *
 * The tool exits 1 when a delete or list matched nothing ("0 flow entries
 * have been deleted."); that is success with a count of 0 here. Commands run
 * through a CommandRunner, so inside a network namespace when it is one —
 * conntrack tables are per namespace.
 */
import { CommandNotFoundError, ExecCommandRunner, type CommandRunner, type ExecOptions } from '../iptables/command.js';
import type { IpFamily } from '../iptables/types.js';

export type ConntrackProtocol = 'tcp' | 'udp' | 'sctp';

export interface ConntrackFilter {
  readonly family?: IpFamily;
  readonly protocol?: ConntrackProtocol;
  /** Original-direction destination address (the service VIP). */
  readonly origDst?: string;
  /** Original-direction destination port; needs `protocol`. */
  readonly origDstPort?: number;
  /** Original-direction source address. */
  readonly origSrc?: string;
  /** The address the destination was NATed to (the endpoint). */
  readonly dstNat?: string;
}

export interface Conntrack {
  /** Deletes the matching entries; returns how many were deleted (0 is fine). */
  deleteEntries(filter: ConntrackFilter): Promise<number>;
  /** Counts matching entries; without a filter, the whole table of the namespace. */
  count(filter?: ConntrackFilter): Promise<number>;
}

export type ConntrackErrorCode = 'NotInstalled' | 'CommandFailed' | 'InvalidFilter';

export class ConntrackError extends Error {
  constructor(
    readonly code: ConntrackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConntrackError';
  }
}

/** The tool's arguments for a filter (pure; throws `InvalidFilter` for a port without a protocol). */
export function filterArgs(f: ConntrackFilter): string[] {
  const a: string[] = [];
  if (f.family === 'ipv6') a.push('-f', 'ipv6');
  if (f.protocol) a.push('-p', f.protocol);
  if (f.origSrc) a.push('--orig-src', f.origSrc);
  if (f.origDst) a.push('--orig-dst', f.origDst);
  if (f.origDstPort !== undefined) {
    if (!f.protocol) throw new ConntrackError('InvalidFilter', 'conntrack: a destination port needs a protocol');
    if (!Number.isInteger(f.origDstPort) || f.origDstPort < 1 || f.origDstPort > 65535) {
      throw new ConntrackError('InvalidFilter', `conntrack: bad port ${f.origDstPort}`);
    }
    a.push('--orig-port-dst', String(f.origDstPort));
  }
  if (f.dstNat) a.push('--dst-nat', f.dstNat);
  return a;
}

const FLOW_COUNT = /(\d+) flow entries have been (deleted|shown)/;

/** The count the tool reports on stderr, or undefined when it reported none. */
export function parseFlowCount(stderr: string): number | undefined {
  const m = FLOW_COUNT.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

export class ExecConntrack implements Conntrack {
  private readonly exec: CommandRunner;

  constructor(opts: ExecOptions & { exec?: CommandRunner } = {}) {
    this.exec = opts.exec ?? new ExecCommandRunner(opts);
  }

  private async run(args: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    try {
      return await this.exec.run('conntrack', args);
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new ConntrackError('NotInstalled', 'conntrack: not installed (Debian package conntrack)');
      throw e;
    }
  }

  async deleteEntries(filter: ConntrackFilter): Promise<number> {
    const args = ['-D', ...filterArgs(filter)];
    const r = await this.run(args);
    const n = parseFlowCount(r.stderr);
    // Exit 1 with a count is "nothing matched", not a failure.
    if (n !== undefined && (r.exitCode === 0 || r.exitCode === 1)) return n;
    throw new ConntrackError('CommandFailed', `conntrack ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  }

  async count(filter?: ConntrackFilter): Promise<number> {
    if (!filter || Object.keys(filter).length === 0) {
      const r = await this.run(['-C']);
      const n = Number(r.stdout.trim());
      if (r.exitCode !== 0 || !Number.isInteger(n)) throw new ConntrackError('CommandFailed', `conntrack -C: exit ${r.exitCode}: ${r.stderr.trim()}`);
      return n;
    }
    const args = ['-L', ...filterArgs(filter)];
    const r = await this.run(args);
    const n = parseFlowCount(r.stderr);
    if (n !== undefined && (r.exitCode === 0 || r.exitCode === 1)) return n;
    throw new ConntrackError('CommandFailed', `conntrack ${args.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}`);
  }
}
