/**
 * Parses `iptables-save` output into tables → chains → rules.
 *
 * The format (iptables 1.8, both backends): `#` comments; `*table` opens a
 * table; `:CHAIN POLICY [packets:bytes]` declares a chain (policy `-` for a
 * user chain); rules are `-A CHAIN args…`, prefixed by `[packets:bytes]` when
 * saved with `-c`; `COMMIT` closes the table. Chains keep declaration order;
 * a rule for a chain that was never declared is an error, as it is for
 * iptables-restore.
 */
import { splitArgs } from './tokens.js';
import { IptablesError, type Counters } from './types.js';

export interface SavedRule {
  readonly chain: string;
  /** The arguments after `-A CHAIN`, unquoted. */
  readonly args: readonly string[];
  /** The rule text after `-A CHAIN ` exactly as saved (quoting kept), handy for comparisons. */
  readonly text: string;
  /** Present when saved with `-c`. */
  readonly counters?: Counters;
}

export interface SavedChain {
  readonly name: string;
  /** `ACCEPT`/`DROP` for a built-in chain; undefined for a user chain (`-`). */
  readonly policy?: string;
  readonly counters: Counters;
  readonly rules: SavedRule[];
}

export interface SavedTable {
  readonly name: string;
  /** In declaration order. */
  readonly chains: Map<string, SavedChain>;
}

export interface SavedRuleset {
  /** In the order the tables appear. */
  readonly tables: Map<string, SavedTable>;
}

const COUNTERS = /^\[(\d+):(\d+)\]$/;

function parseError(lineNo: number, why: string, line: string): never {
  throw new IptablesError('ParseError', `line ${lineNo}: ${why}: ${JSON.stringify(line)}`, lineNo);
}

function parseCounters(s: string, lineNo: number): Counters {
  const m = COUNTERS.exec(s);
  if (!m) throw new IptablesError('ParseError', `line ${lineNo}: bad counters ${JSON.stringify(s)}`, lineNo);
  return { packets: BigInt(m[1]), bytes: BigInt(m[2]) };
}

/** Whether every double quote in `s` is closed (backslash escapes inside quotes); allocates nothing. */
function quotesBalanced(s: string): boolean {
  let quoted = false;
  for (let i = s.indexOf('"'); i >= 0 && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quoted && c === 92 /* backslash */) i++;
    else if (c === 34 /* " */) quoted = !quoted;
  }
  return !quoted;
}

/**
 * A rule whose argument array is built on first use: a 50k-rule save is
 * mostly read for chain names and rule text (stale-chain cleanup, diffs), and
 * splitting every rule up front doubled parse time, mostly in GC.
 */
class LazyRule implements SavedRule {
  private split: string[] | undefined;
  constructor(
    readonly chain: string,
    readonly text: string,
    readonly counters?: Counters,
  ) {}
  get args(): readonly string[] {
    return (this.split ??= splitArgs(this.text));
  }
  toJSON(): object {
    return { chain: this.chain, args: this.args, text: this.text, ...(this.counters ? { counters: this.counters } : {}) };
  }
}

export function parseSave(text: string): SavedRuleset {
  const tables = new Map<string, SavedTable>();
  let table: SavedTable | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i];
    // Saved lines carry no stray blanks; trim only when there are some (a copy per line adds up at 100k rules).
    if (line.length > 0 && (line.charCodeAt(0) <= 32 || line.charCodeAt(line.length - 1) <= 32)) line = line.trim();
    if (line === '' || line.charCodeAt(0) === 35 /* # */) continue;
    const first = line.charCodeAt(0);
    if (first === 42 /* * */) {
      if (table) parseError(lineNo, 'table opened before COMMIT', line);
      const name = line.slice(1);
      // The same table may appear twice (e.g. concatenated saves); merge.
      table = tables.get(name) ?? { name, chains: new Map() };
      tables.set(name, table);
      continue;
    }
    if (line === 'COMMIT') {
      if (!table) parseError(lineNo, 'COMMIT outside a table', line);
      table = undefined;
      continue;
    }
    if (!table) return parseError(lineNo, 'line outside a table', line);
    if (first === 58 /* : */) {
      const parts = line.slice(1).split(/\s+/);
      if (parts.length < 2 || parts[0] === '') parseError(lineNo, 'bad chain line', line);
      const [name, policy, counters] = parts;
      const prev = table.chains.get(name);
      table.chains.set(name, {
        name,
        ...(policy !== '-' ? { policy } : {}),
        counters: counters ? parseCounters(counters, lineNo) : { packets: 0n, bytes: 0n },
        rules: prev?.rules ?? [],
      });
      continue;
    }
    let rest = line;
    let counters: Counters | undefined;
    if (first === 91 /* [ */) {
      const sp = rest.indexOf(' ');
      if (sp < 0) parseError(lineNo, 'counters without a rule', line);
      counters = parseCounters(rest.slice(0, sp), lineNo);
      rest = rest.slice(sp + 1).trimStart();
    }
    if (!rest.startsWith('-A ')) parseError(lineNo, 'expected -A', line);
    const chainStart = 3;
    const sp = rest.indexOf(' ', chainStart);
    const chainName = sp < 0 ? rest.slice(chainStart) : rest.slice(chainStart, sp);
    const ruleText = sp < 0 ? '' : rest.slice(sp + 1);
    const chain = table.chains.get(chainName);
    if (!chain) return parseError(lineNo, `rule for undeclared chain ${chainName}`, line);
    if (!quotesBalanced(ruleText)) parseError(lineNo, 'unterminated quote', line);
    chain.rules.push(new LazyRule(chainName, ruleText, counters));
  }
  if (table) throw new IptablesError('ParseError', `table ${table.name} not closed by COMMIT`);
  return { tables };
}

/** Chain names of one table, or [] when the table is absent. */
export function chainNames(rs: SavedRuleset, table: string): string[] {
  return [...(rs.tables.get(table)?.chains.keys() ?? [])];
}

/** Total `-A` rules across all tables (what the iptables-wrapper counts to pick a backend). */
export function countRules(rs: SavedRuleset): number {
  let n = 0;
  for (const t of rs.tables.values()) for (const c of t.chains.values()) n += c.rules.length;
  return n;
}
