/**
 * Builds iptables-restore input: whole chains written as text, every table
 * in one blob, applied by one `restore()` call (DATAPLANE.md §1.7).
 *
 * Under `--noflush` a chain line `:NAME - [0:0]` creates the chain if needed
 * and *flushes* it, so a chain that is declared must be given all its rules
 * in the same blob; chains not declared are left as they are. Within a table
 * block the builder writes chain lines first, then rules in the order added,
 * then `-X` deletions (a chain can only be deleted once nothing jumps to it,
 * and the flush of the referring chains happens earlier in the same commit).
 *
 * Pure: no I/O. Not safe to share across concurrent syncs (it accumulates).
 */
import { joinArgs } from './tokens.js';
import type { TableName } from './types.js';

export class TableBlock {
  private readonly chainLines: string[] = [];
  private readonly declared = new Set<string>();
  private readonly ruleLines: string[] = [];
  private readonly deleteLines: string[] = [];

  constructor(readonly name: TableName) {}

  /**
   * Declares a user chain (created if missing, flushed under --noflush).
   * Idempotent. Built-in chains need no declaration to take rules; declaring
   * one (with its policy) flushes it, which is rarely what you want.
   */
  chain(name: string, policy = '-'): this {
    if (!this.declared.has(name)) {
      this.declared.add(name);
      this.chainLines.push(`:${name} ${policy} [0:0]`);
    }
    return this;
  }

  isDeclared(name: string): boolean {
    return this.declared.has(name);
  }

  /** `-A chain args…`; args as an array (quoted as needed) or as pre-rendered rule text. */
  append(chain: string, args: readonly string[] | string): this {
    this.ruleLines.push(`-A ${chain} ${typeof args === 'string' ? args : joinArgs(args)}`);
    return this;
  }

  /** `-I chain <pos> args…` (position 1 = first). */
  insert(chain: string, args: readonly string[] | string, position = 1): this {
    this.ruleLines.push(`-I ${chain} ${position} ${typeof args === 'string' ? args : joinArgs(args)}`);
    return this;
  }

  /** `-D chain args…`: the matching rule must exist or the whole table fails. */
  deleteRule(chain: string, args: readonly string[] | string): this {
    this.ruleLines.push(`-D ${chain} ${typeof args === 'string' ? args : joinArgs(args)}`);
    return this;
  }

  /** Flushes (by declaring) and deletes a chain. Deleting a chain that does not exist fails the table. */
  deleteChain(name: string): this {
    this.chain(name);
    this.deleteLines.push(`-X ${name}`);
    return this;
  }

  /** Number of -A/-I/-D lines so far (for metrics: rules written per sync). */
  get ruleCount(): number {
    return this.ruleLines.length;
  }

  get chainCount(): number {
    return this.chainLines.length;
  }

  isEmpty(): boolean {
    return this.chainLines.length === 0 && this.ruleLines.length === 0 && this.deleteLines.length === 0;
  }

  render(): string {
    const parts = [`*${this.name}`, ...this.chainLines, ...this.ruleLines, ...this.deleteLines, 'COMMIT'];
    return parts.join('\n') + '\n';
  }
}

export class RestoreBuilder {
  private readonly tables = new Map<TableName, TableBlock>();

  /** The block of one table, created on first use; tables render in first-use order. */
  table(name: TableName): TableBlock {
    let t = this.tables.get(name);
    if (!t) {
      t = new TableBlock(name);
      this.tables.set(name, t);
    }
    return t;
  }

  /** Blocks with nothing in them are skipped: an empty `*nat COMMIT` still costs a table lock. */
  render(): string {
    let out = '';
    for (const t of this.tables.values()) if (!t.isEmpty()) out += t.render();
    return out;
  }

  isEmpty(): boolean {
    for (const t of this.tables.values()) if (!t.isEmpty()) return false;
    return true;
  }
}

/**
 * The lines around a 1-based line of a restore input, numbered, for an error
 * message (kube-proxy logs ±3 lines around the line the tool reports).
 */
export function linesAround(input: string, line: number, radius = 3): string {
  const lines = input.split('\n');
  const from = Math.max(1, line - radius);
  const to = Math.min(lines.length, line + radius);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(`${n === line ? '>' : ' '}${String(n).padStart(6)}: ${lines[n - 1]}`);
  return out.join('\n');
}
