/**
 * A checked, indexed flag table. Construction validates the declarative specs
 * (unique names and aliases, defaults that parse), so a broken table fails the
 * first test that loads it instead of the operator's start-up.
 */
import type { FlagAlias, FlagSpec, FlagStyle, FlagValue } from './types.js';
import { parseFlagValue } from './values.js';

export interface FlagLookup {
  spec: FlagSpec;
  /** Set when the name used was an alias of spec.name. */
  alias?: FlagAlias;
}

export class FlagTable {
  /** Specs sorted by name, as --help prints them. Immutable after construction. */
  readonly specs: readonly FlagSpec[];
  private readonly byName = new Map<string, FlagLookup>();
  private readonly defaultValues = new Map<string, FlagValue>();

  /**
   * @param component the daemon name, used in messages (`kube-scheduler`).
   * @param style how single-dash flags and --help look (pflag for Kubernetes, goflag for flanneld).
   */
  constructor(
    readonly component: string,
    specs: readonly FlagSpec[],
    readonly style: FlagStyle = 'pflag',
  ) {
    this.specs = [...specs].sort((a, b) => a.name.localeCompare(b.name));
    for (const spec of this.specs) {
      this.add(spec.name, { spec });
      for (const a of spec.aliases ?? []) {
        const alias = typeof a === 'string' ? { name: a } : a;
        this.add(alias.name, { spec, alias });
      }
      if (spec.type === 'enum' && (spec.values ?? []).length === 0) {
        throw new Error(`${component} flag table: --${spec.name} is an enum without values`);
      }
      const parsed = parseFlagValue(spec, String(spec.default));
      if (!parsed.ok) {
        throw new Error(`${component} flag table: default ${JSON.stringify(String(spec.default))} of --${spec.name} does not parse: ${parsed.reason}`);
      }
      this.defaultValues.set(spec.name, parsed.value);
    }
  }

  private add(name: string, entry: FlagLookup): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`${this.component} flag table: bad flag name ${JSON.stringify(name)}`);
    if (name === 'help' || name === 'h') throw new Error(`${this.component} flag table: --${name} is built in`);
    const prior = this.byName.get(name);
    if (prior) throw new Error(`${this.component} flag table: --${name} declared twice (by --${prior.spec.name} and --${entry.spec.name})`);
    this.byName.set(name, entry);
  }

  lookup(name: string): FlagLookup | undefined {
    return this.byName.get(name);
  }

  /** A fresh copy of a flag's default value (callers may mutate lists and maps they get). */
  defaultOf(name: string): FlagValue {
    const v = this.defaultValues.get(name);
    if (v === undefined) throw new Error(`${this.component}: no flag --${name} in the table`);
    return structuredClone(v);
  }

  /** `--name` for pflag tables, `-name` for Go flag tables. */
  dashed(name: string): string {
    return (this.style === 'goflag' ? '-' : '--') + name;
  }
}
