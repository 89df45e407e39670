/**
 * The command line parser. Kubernetes daemons use spf13/pflag; flanneld uses
 * Go's `flag` package. Both forms are read here from one flag table:
 *
 *   --name=value  --name value  --name (bools)  --name=false  -v 4  -v=4
 *   -long-name[=value] (pflag: accepted because the seeds write it; goflag: the normal form)
 *   --            ends the flags; the rest is positional
 *
 * A bool never takes the next argument as its value (`--x false` sets x and
 * leaves "false" positional), exactly as in pflag and Go's flag package.
 */
import { ParsedFlags } from './parsed.js';
import type { FlagTable } from './table.js';
import type { FlagNotice, FlagSpec, FlagValue } from './types.js';
import { mergeFlagValue, parseFlagValue } from './values.js';

/** A command line error: the one line to print after `error: `; the daemon exits 2. */
export class FlagError extends Error {
  readonly code = 'FlagError';
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export type ParseOutcome =
  | { kind: 'flags'; flags: ParsedFlags }
  /** --help or -h was given: print usage, exit 0. */
  | { kind: 'help' }
  | { kind: 'error'; error: FlagError };

export function parseArgs(table: FlagTable, argv: readonly string[]): ParseOutcome {
  try {
    return parseOrThrow(table, argv);
  } catch (e) {
    if (e instanceof FlagError) return { kind: 'error', error: e };
    throw e;
  }
}

function parseOrThrow(table: FlagTable, argv: readonly string[]): ParseOutcome {
  const goflag = table.style === 'goflag';
  const values = new Map<string, FlagValue>();
  for (const spec of table.specs) values.set(spec.name, table.defaultOf(spec.name));
  const explicit = new Set<string>();
  const positional: string[] = [];
  const notices: FlagNotice[] = [];
  const noticed = new Set<string>();
  const notice = (n: FlagNotice): void => {
    const key = `${n.kind}:${n.flag}`;
    if (noticed.has(key)) return;
    noticed.add(key);
    notices.push(n);
  };
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (goflag) {
        // Go's flag package stops at the first non-flag argument.
        positional.push(...argv.slice(i));
        break;
      }
      positional.push(arg);
      continue;
    }
    const doubleDash = arg.startsWith('--');
    const body = arg.slice(doubleDash ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value: string | undefined = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === '' || name.startsWith('-') || (!doubleDash && name.startsWith('='))) {
      throw new FlagError(goflag ? `bad flag syntax: ${arg}` : `bad flag syntax: ${arg}`);
    }
    if (name === 'help' || name === 'h') {
      help = true;
      continue;
    }
    // pflag daemons normalize '_' to '-' (Kubernetes' WordSepNormalizeFunc), and glog's Go-style
    // names (log_dir) map onto our dashed ones, so both spellings reach the same flag.
    const found = table.lookup(name) ?? table.lookup(name.replace(/_/g, '-'));
    if (!found) {
      if (goflag) throw new FlagError(`flag provided but not defined: -${name}`);
      if (!doubleDash && name.length === 1) throw new FlagError(`unknown shorthand flag: '${name}' in ${arg}`);
      throw new FlagError(`unknown flag: ${doubleDash ? '--' : '-'}${name}`);
    }
    const { spec, alias } = found;
    const shown = (doubleDash ? '--' : '-') + name;
    if (value === undefined) {
      if (spec.type === 'bool') value = 'true';
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new FlagError(goflag ? `flag needs an argument: -${name}` : `flag needs an argument: ${shown}`);
    }
    const parsed = parseFlagValue(spec, value);
    if (!parsed.ok) {
      throw new FlagError(
        goflag
          ? `invalid value ${JSON.stringify(value)} for flag -${name}: ${parsed.reason}`
          : `invalid argument ${JSON.stringify(value)} for "${shown}" flag: ${parsed.reason}`,
      );
    }
    const first = !explicit.has(spec.name);
    values.set(spec.name, mergeFlagValue(spec.type, values.get(spec.name) ?? parsed.value, parsed.value, first));
    explicit.add(spec.name);
    recordNotices(table, spec, name, alias?.deprecated, value, notice);
  }

  if (help) return { kind: 'help' };
  return { kind: 'flags', flags: new ParsedFlags(table, values, explicit, positional, notices) };
}

/** The once-per-flag lines a daemon logs after start-up for what the operator used. */
function recordNotices(
  table: FlagTable,
  spec: FlagSpec,
  usedName: string,
  aliasDeprecation: string | undefined,
  raw: string,
  notice: (n: FlagNotice) => void,
): void {
  const used = table.dashed(usedName);
  const canonical = table.dashed(spec.name);
  if (usedName.replace(/_/g, '-') !== spec.name) {
    notice(
      aliasDeprecation !== undefined
        ? { flag: usedName, kind: 'deprecated', message: `Flag ${used} has been deprecated, ${aliasDeprecation}` }
        : { flag: usedName, kind: 'alias', message: `Flag ${used} is read as ${canonical} (a spelling the seed documents use)` },
    );
  }
  if (spec.deprecated !== undefined) {
    notice({ flag: spec.name, kind: 'deprecated', message: `Flag ${canonical} has been deprecated, ${spec.deprecated}` });
  }
  if (spec.noop !== undefined) {
    notice({ flag: spec.name, kind: 'noop', message: `Flag ${canonical} has no effect in kubets: ${spec.noop}` });
  }
  const valueAlias = spec.valueAliases?.[raw];
  if (valueAlias) notice({ flag: spec.name, kind: 'value-alias', message: valueAlias.message });
}
