/**
 * FakeIptables: an in-memory IptablesRunner for unit tests of code that
 * programs iptables (kube-proxy, flannel, portmap), like upstream's
 * FakeIPTables. It records every restore input (`restores`, `lastRestore`)
 * and every single-rule call (`calls`), and keeps a model of the tables so
 * that save() returns what earlier calls wrote, with iptables-restore's
 * semantics: each `*table … COMMIT` block applies whole or not at all, and
 * blocks committed before a failing one stay applied; under --noflush a
 * chain line flushes that chain and leaves the others; `-A`, `-I`, `-D`,
 * `-N`, `-F`, `-X` behave as the tools do, including failing on a rule for an
 * undeclared chain or a jump to a missing chain.
 *
 * Knobs: `failNextRestore` makes the next restore fail (to test retries).
 */
import {
  BUILTIN_CHAINS,
  IptablesError,
  isBuiltinChain,
  joinArgs,
  splitArgs,
  type IpFamily,
  type IptablesMode,
  type IptablesRunner,
  type RestoreOptions,
  type RulePosition,
  type TableName,
} from '../iptables/index.js';

interface FakeChain {
  policy?: string;
  rules: string[];
}
type FakeTable = Map<string, FakeChain>;
type FakeState = Map<TableName, FakeTable>;

/** Targets that are not chains; a jump to any other name needs an existing chain. */
const TARGETS = new Set([
  'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'MARK', 'CONNMARK', 'LOG', 'NOTRACK', 'CT',
  'TCPMSS', 'NFLOG', 'CHECKSUM', 'TPROXY', 'QUEUE', 'NFQUEUE', 'TRACE', 'AUDIT', 'SET',
]);

const TABLES = new Set<string>(Object.keys(BUILTIN_CHAINS));

function newTable(name: TableName): FakeTable {
  const t: FakeTable = new Map();
  for (const c of BUILTIN_CHAINS[name]) t.set(c, { policy: 'ACCEPT', rules: [] });
  return t;
}

function cloneState(s: FakeState): FakeState {
  const out: FakeState = new Map();
  for (const [tn, t] of s) {
    const nt: FakeTable = new Map();
    for (const [cn, c] of t) nt.set(cn, { ...(c.policy ? { policy: c.policy } : {}), rules: [...c.rules] });
    out.set(tn, nt);
  }
  return out;
}

/** Rule text in the canonical quoting, so `-C`/`-D` compare equal however the caller quoted. */
function canon(args: readonly string[]): string {
  return joinArgs(args);
}

function jumpTarget(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length - 1; i++) if (args[i] === '-j' || args[i] === '-g') return args[i + 1];
  return undefined;
}

export class FakeIptables implements IptablesRunner {
  /** Every restore input, in order. */
  readonly restores: { input: string; opts: RestoreOptions }[] = [];
  /** Single-rule operations, e.g. `ensureRule prepend nat OUTPUT -j KUBE-SERVICES`. */
  readonly calls: string[] = [];
  failNextRestore: Error | undefined;
  private state: FakeState = new Map();

  constructor(
    readonly family: IpFamily = 'ipv4',
    readonly mode: IptablesMode = 'nft',
  ) {}

  get lastRestore(): string | undefined {
    return this.restores.at(-1)?.input;
  }

  /** The rules of a chain as canonical text (what follows `-A CHAIN `); undefined when absent. */
  rules(table: TableName, chain: string): string[] | undefined {
    const c = this.state.get(table)?.get(chain);
    return c ? [...c.rules] : undefined;
  }

  private table(s: FakeState, name: TableName): FakeTable {
    let t = s.get(name);
    if (!t) {
      t = newTable(name);
      s.set(name, t);
    }
    return t;
  }

  async restore(input: string, opts: RestoreOptions = {}): Promise<void> {
    this.restores.push({ input, opts });
    if (this.failNextRestore) {
      const e = this.failNextRestore;
      this.failNextRestore = undefined;
      throw e;
    }
    const noflush = opts.noflush ?? true;
    // One table at a time, like the tools: work on a copy, publish it at COMMIT.
    let next = cloneState(this.state);
    let table: FakeTable | undefined;
    let tableName: TableName | undefined;
    const lines = input.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const line = lines[i].trim();
      const fail = (why: string): never => {
        throw new IptablesError('RestoreFailed', `fake iptables-restore: line ${lineNo} failed: ${why}`, lineNo, 1);
      };
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('*')) {
        const name = line.slice(1);
        if (!TABLES.has(name)) fail(`unknown table ${name}`);
        tableName = name as TableName;
        if (!noflush) next.set(tableName, newTable(tableName));
        table = this.table(next, tableName);
        continue;
      }
      if (line === 'COMMIT') {
        if (!table || !tableName) fail('COMMIT outside a table');
        this.state.set(tableName as TableName, table as FakeTable);
        next = cloneState(this.state);
        table = undefined;
        continue;
      }
      if (!table || !tableName) fail('line outside a table');
      const t = table as FakeTable;
      const tn = tableName as TableName;
      if (line.startsWith(':')) {
        const [name, policy] = line.slice(1).split(/\s+/);
        const existing = t.get(name);
        if (existing) existing.rules = [];
        else if (isBuiltinChain(tn, name)) fail(`builtin chain ${name} missing`);
        else t.set(name, { rules: [] });
        if (policy && policy !== '-' && isBuiltinChain(tn, name)) t.get(name)!.policy = policy;
        continue;
      }
      let args: string[];
      try {
        args = splitArgs(line);
      } catch (e) {
        return fail((e as Error).message);
      }
      this.apply(t, args, fail);
    }
    if (table) throw new IptablesError('RestoreFailed', 'fake iptables-restore: no COMMIT at end of input', lines.length, 1);
  }

  /** One -A/-I/-D/-N/-F/-X command against a table; `fail` throws. */
  private apply(t: FakeTable, args: string[], fail: (why: string) => never): void {
    const [op, chain] = args;
    if (!chain) fail(`missing chain after ${op}`);
    const c = t.get(chain);
    switch (op) {
      case '-N':
        if (c) fail(`chain ${chain} already exists`);
        t.set(chain, { rules: [] });
        return;
      case '-X':
        if (!c) fail(`no chain ${chain}`);
        if (c!.policy) fail(`cannot delete builtin chain ${chain}`);
        if (c!.rules.length > 0) fail(`chain ${chain} is not empty`);
        for (const [other, oc] of t) {
          if (other !== chain && oc.rules.some((r) => jumpTarget(splitArgs(r)) === chain)) fail(`chain ${chain} is referenced by ${other}`);
        }
        t.delete(chain);
        return;
      case '-F':
        if (!c) fail(`no chain ${chain}`);
        c!.rules = [];
        return;
      case '-A':
      case '-I':
      case '-D': {
        if (!c) fail(`No chain/target/match by that name: ${chain}`);
        let rest = args.slice(2);
        let pos = 1;
        if (op === '-I' && rest.length > 0 && /^\d+$/.test(rest[0])) {
          pos = Number(rest[0]);
          rest = rest.slice(1);
        }
        const target = jumpTarget(rest);
        if (op !== '-D' && target && !TARGETS.has(target) && !t.has(target)) fail(`Couldn't load target \`${target}'`);
        const text = canon(rest);
        if (op === '-A') c!.rules.push(text);
        else if (op === '-I') c!.rules.splice(pos - 1, 0, text);
        else {
          const idx = c!.rules.indexOf(text);
          if (idx < 0) fail(`Bad rule (does a matching rule exist in that chain?)`);
          c!.rules.splice(idx, 1);
        }
        return;
      }
      default:
        fail(`unknown command ${op}`);
    }
  }

  async save(table?: TableName, opts: { counters?: boolean } = {}): Promise<string> {
    const names = table ? [table] : [...this.state.keys()];
    let out = '# Generated by FakeIptables\n';
    for (const tn of names) {
      const t = this.state.get(tn) ?? newTable(tn);
      out += `*${tn}\n`;
      for (const [cn, c] of t) out += `:${cn} ${c.policy ?? '-'} [0:0]\n`;
      for (const [cn, c] of t) for (const r of c.rules) out += `${opts.counters ? '[0:0] ' : ''}-A ${cn} ${r}\n`;
      out += 'COMMIT\n';
    }
    return out;
  }

  async chainExists(table: TableName, chain: string): Promise<boolean> {
    return this.state.get(table)?.has(chain) ?? isBuiltinChain(table, chain);
  }

  async ensureChain(table: TableName, chain: string): Promise<boolean> {
    this.calls.push(`ensureChain ${table} ${chain}`);
    const t = this.table(this.state, table);
    if (t.has(chain)) return true;
    t.set(chain, { rules: [] });
    return false;
  }

  async flushChain(table: TableName, chain: string): Promise<void> {
    this.calls.push(`flushChain ${table} ${chain}`);
    const c = this.state.get(table)?.get(chain);
    if (c) c.rules = [];
  }

  async deleteChain(table: TableName, chain: string): Promise<void> {
    this.calls.push(`deleteChain ${table} ${chain}`);
    const t = this.state.get(table);
    if (!t?.has(chain)) return;
    this.apply(t, ['-X', chain], (why) => {
      throw new IptablesError('CommandFailed', `fake iptables -X ${chain}: ${why}`, undefined, 1);
    });
  }

  async ensureRule(position: RulePosition, table: TableName, chain: string, args: readonly string[]): Promise<boolean> {
    this.calls.push(`ensureRule ${position} ${table} ${chain} ${canon(args)}`);
    const t = this.table(this.state, table);
    const c = t.get(chain);
    if (c?.rules.includes(canon(args))) return true;
    this.apply(t, [position === 'append' ? '-A' : '-I', chain, ...args], (why) => {
      throw new IptablesError('CommandFailed', `fake iptables ${chain}: ${why}`, undefined, 1);
    });
    return false;
  }

  async deleteRule(table: TableName, chain: string, args: readonly string[]): Promise<void> {
    this.calls.push(`deleteRule ${table} ${chain} ${canon(args)}`);
    const c = this.state.get(table)?.get(chain);
    if (!c) return;
    const idx = c.rules.indexOf(canon(args));
    if (idx >= 0) c.rules.splice(idx, 1);
  }
}
