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

function parseCounters(s: string, lineNo: number): Counters {
  const m = COUNTERS.exec(s);
  if (!m) throw new IptablesError('ParseError', `line ${lineNo}: bad counters ${JSON.stringify(s)}`, lineNo);
  return { packets: BigInt(m[1]), bytes: BigInt(m[2]) };
}

export function parseSave(text: string): SavedRuleset {
  const tables = new Map<string, SavedTable>();
  let table: SavedTable | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (why: string): never => {
      throw new IptablesError('ParseError', `line ${lineNo}: ${why}: ${JSON.stringify(line)}`, lineNo);
    };
    if (line.startsWith('*')) {
      if (table) fail('table opened before COMMIT');
      const name = line.slice(1);
      // The same table may appear twice (e.g. concatenated iptables + restore input); merge.
      table = tables.get(name) ?? { name, chains: new Map() };
      tables.set(name, table);
      continue;
    }
    if (line === 'COMMIT') {
      if (!table) fail('COMMIT outside a table');
      table = undefined;
      continue;
    }
    if (!table) fail('line outside a table');
    const t = table as SavedTable;
    if (line.startsWith(':')) {
      const parts = line.slice(1).split(/\s+/);
      if (parts.length < 2 || parts[0] === '') fail('bad chain line');
      const [name, policy, counters] = parts;
      const prev = t.chains.get(name);
      t.chains.set(name, {
        name,
        ...(policy !== '-' ? { policy } : {}),
        counters: counters ? parseCounters(counters, lineNo) : { packets: 0n, bytes: 0n },
        rules: prev?.rules ?? [],
      });
      continue;
    }
    let rest = line;
    let counters: Counters | undefined;
    if (rest.startsWith('[')) {
      const sp = rest.indexOf(' ');
      if (sp < 0) fail('counters without a rule');
      counters = parseCounters(rest.slice(0, sp), lineNo);
      rest = rest.slice(sp + 1).trimStart();
    }
    if (!rest.startsWith('-A ')) fail('expected -A');
    rest = rest.slice(3).trimStart();
    const sp = rest.indexOf(' ');
    const chainName = sp < 0 ? rest : rest.slice(0, sp);
    const ruleText = sp < 0 ? '' : rest.slice(sp + 1).trim();
    const chain = t.chains.get(chainName);
    if (!chain) fail(`rule for undeclared chain ${chainName}`);
    let args: string[];
    try {
      args = splitArgs(ruleText);
    } catch (e) {
      throw new IptablesError('ParseError', `line ${lineNo}: ${(e as Error).message}`, lineNo);
    }
    (chain as SavedChain).rules.push({ chain: chainName, args, text: ruleText, ...(counters ? { counters } : {}) });
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
