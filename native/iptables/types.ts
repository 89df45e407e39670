/**
 * iptables vocabulary: families, backends, tables, and the `IptablesRunner`
 * seam kube-proxy, flannel and the portmap plugin program the kernel through.
 * A fake lives in native/testing/iptables.ts.
 */

export type IpFamily = 'ipv4' | 'ipv6';

/** The two iptables 1.8 backends: the old x_tables kernel API, or nf_tables. */
export type IptablesMode = 'legacy' | 'nft';

/** `auto` picks whichever backend the host (or namespace) already uses; see detect.ts. */
export type IptablesModeOption = IptablesMode | 'auto';

export type TableName = 'filter' | 'nat' | 'mangle' | 'raw' | 'security';

export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function isBuiltinChain(table: TableName, chain: string): boolean {
  return BUILTIN_CHAINS[table].includes(chain);
}

export type RulePosition = 'append' | 'prepend';

export interface RestoreOptions {
  /**
   * Leave chains the input does not mention alone (`--noflush`). Default true:
   * kube-proxy and flannel share tables with Docker and the host firewall.
   */
  readonly noflush?: boolean;
  /** Restore the `[packets:bytes]` counters written in the input (`--counters`). */
  readonly counters?: boolean;
}

export interface Counters {
  readonly packets: bigint;
  readonly bytes: bigint;
}

export interface IptablesRunner {
  readonly family: IpFamily;
  readonly mode: IptablesMode;
  /**
   * Applies `input` (iptables-save format, one or more `*table … COMMIT`
   * blocks) in one `iptables-restore --wait` call. Each table block is one
   * transaction: a failing table changes nothing in that table, but tables
   * committed before it in the same input stay applied (both backends, 1.8.9)
   * — so callers that retry must rewrite every table. Throws `IptablesError`
   * code `RestoreFailed`, with the failing line when the tool names it.
   */
  restore(input: string, opts?: RestoreOptions): Promise<void>;
  /** `iptables-save [-t table]` text; with `counters`, rule counters too (`-c`). */
  save(table?: TableName, opts?: { counters?: boolean }): Promise<string>;
  /** Creates the chain unless it exists; returns whether it already existed. */
  ensureChain(table: TableName, chain: string): Promise<boolean>;
  chainExists(table: TableName, chain: string): Promise<boolean>;
  /** Empties a chain; a missing chain is not an error. */
  flushChain(table: TableName, chain: string): Promise<void>;
  /** Deletes an (empty, unreferenced) chain; a missing chain is not an error. */
  deleteChain(table: TableName, chain: string): Promise<void>;
  /**
   * Adds the rule unless an identical one exists (`-C`, then `-A` or `-I 1`);
   * returns whether it already existed. For the few jump rules kube-proxy and
   * flannel put in built-in chains; everything else goes through restore().
   */
  ensureRule(position: RulePosition, table: TableName, chain: string, args: readonly string[]): Promise<boolean>;
  /** Deletes one matching rule if present; absent rule or chain is not an error. */
  deleteRule(table: TableName, chain: string, args: readonly string[]): Promise<void>;
}

export type IptablesErrorCode =
  /** iptables-restore rejected the input (syntax, unknown chain/target…); `line` says where when known. */
  | 'RestoreFailed'
  /** An iptables command other than restore failed. */
  | 'CommandFailed'
  /** The xtables lock was held past the wait time. */
  | 'LockTimeout'
  /** The iptables binaries for the chosen backend are not installed. */
  | 'NotInstalled'
  /** iptables-save output that could not be parsed. */
  | 'ParseError';

export class IptablesError extends Error {
  constructor(
    readonly code: IptablesErrorCode,
    message: string,
    /** 1-based line of the restore input the tool complained about. */
    readonly line?: number,
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'IptablesError';
  }
}
