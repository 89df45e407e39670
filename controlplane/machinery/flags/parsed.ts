/**
 * The result of parsing a command line: every flag's effective value (default
 * or given), which flags were given, positional arguments and the notices to
 * log. Typed accessors check the flag's declared type, so asking for
 * `int('kubeconfig')` is a programming error reported at once.
 */
import type { FlagTable } from './table.js';
import type { EvictionThreshold, FlagNotice, FlagSpec, FlagType, FlagValue, PortRange } from './types.js';

export class ParsedFlags {
  constructor(
    readonly table: FlagTable,
    private readonly values: ReadonlyMap<string, FlagValue>,
    private readonly explicit: ReadonlySet<string>,
    /** Arguments that are not flags; daemons take none and exit 2 when given some. */
    readonly positional: readonly string[],
    /** Lines to log once after logging is set up (no-op, deprecated, alias uses). */
    readonly notices: readonly FlagNotice[],
  ) {}

  /** True when the flag (under its name or an alias) was on the command line. */
  isSet(name: string): boolean {
    this.spec(name);
    return this.explicit.has(name);
  }

  get(name: string): FlagValue {
    this.spec(name);
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`${this.table.component}: flag --${name} has no value`);
    return v;
  }

  bool(name: string): boolean {
    return this.typed(name, ['bool']) as boolean;
  }
  /** string, enum, quantity, ip and cidr flags. */
  string(name: string): string {
    return this.typed(name, ['string', 'enum', 'quantity', 'ip', 'cidr']) as string;
  }
  /** int, float and severity flags. */
  number(name: string): number {
    return this.typed(name, ['int', 'float', 'severity']) as number;
  }
  /** Milliseconds. */
  duration(name: string): number {
    return this.typed(name, ['duration']) as number;
  }
  list(name: string): readonly string[] {
    return this.typed(name, ['stringList', 'ipList']) as string[];
  }
  map(name: string): Readonly<Record<string, string>> {
    return this.typed(name, ['stringMap']) as Record<string, string>;
  }
  eviction(name: string): readonly EvictionThreshold[] {
    return this.typed(name, ['evictionMap']) as EvictionThreshold[];
  }
  portRange(name: string): PortRange {
    return this.typed(name, ['portRange']) as PortRange;
  }

  /** Every flag's spec and effective value, in table order (by name). */
  entries(): { spec: FlagSpec; value: FlagValue; set: boolean }[] {
    return this.table.specs.map((spec) => ({ spec, value: this.get(spec.name), set: this.explicit.has(spec.name) }));
  }

  private spec(name: string): FlagSpec {
    const found = this.table.lookup(name);
    if (!found || found.alias) throw new Error(`${this.table.component}: no flag --${name} in the table (use the canonical name)`);
    return found.spec;
  }

  private typed(name: string, types: FlagType[]): FlagValue {
    const spec = this.spec(name);
    if (!types.includes(spec.type)) throw new Error(`${this.table.component}: flag --${name} is a ${spec.type}, not ${types.join('/')}`);
    return this.get(name);
  }
}
