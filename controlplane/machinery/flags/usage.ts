/**
 * --help text. pflag tables print like pflag's FlagUsages (aligned columns,
 * `(default …)` only for non-zero defaults, strings quoted); Go flag tables
 * (flanneld) print like Go's flag.PrintDefaults.
 */
import type { FlagTable } from './table.js';
import type { FlagSpec } from './types.js';
import { formatFlagValue, isZeroValue, typeWord } from './values.js';

/** The usage section for every flag of the table (aliases included, marked as such). */
export function flagUsages(table: FlagTable): string {
  return table.style === 'goflag' ? goUsages(table) : pflagUsages(table);
}

/** The full --help text: a one-line description, the usage line and the flags. */
export function helpText(table: FlagTable, description: string): string {
  const dash = table.style === 'goflag' ? '-' : '--';
  return `${description}\n\nUsage:\n  ${table.component} [flags]\n\nFlags:\n${flagUsages(table)}\nUse "${dash}help" to print this text; every flag also takes the ${dash}name=value form.\n`;
}

function suffix(table: FlagTable, spec: FlagSpec): string {
  let s = '';
  const def = table.defaultOf(spec.name);
  if (!isZeroValue(spec.type, def)) {
    const text = formatFlagValue(spec.type, def);
    s += spec.type === 'string' || spec.type === 'enum' ? ` (default ${JSON.stringify(text)})` : ` (default ${text})`;
  }
  if (spec.type === 'enum') s += ` (one of: ${(spec.values ?? []).join(', ')})`;
  if (spec.noop !== undefined) s += ` (no effect in kubets: ${spec.noop})`;
  if (spec.deprecated !== undefined) s += ` (DEPRECATED: ${spec.deprecated})`;
  return s;
}

function aliasLines(table: FlagTable, spec: FlagSpec): { name: string; help: string }[] {
  return (spec.aliases ?? []).map((a) => {
    const alias = typeof a === 'string' ? { name: a, deprecated: undefined } : a;
    const help =
      alias.deprecated !== undefined
        ? `DEPRECATED: ${alias.deprecated}`
        : `Same as ${table.dashed(spec.name)} (a spelling the seed documents use).`;
    return { name: alias.name, help };
  });
}

function pflagUsages(table: FlagTable): string {
  const rows: { left: string; right: string }[] = [];
  for (const spec of table.specs) {
    const word = typeWord(spec);
    // Like pflag, one-letter flags show their shorthand form too.
    const head = spec.name.length === 1 ? `  -${spec.name}, --${spec.name}` : `      --${spec.name}`;
    rows.push({ left: word ? `${head} ${word}` : head, right: spec.help + suffix(table, spec) });
    for (const a of aliasLines(table, spec)) rows.push({ left: `      --${a.name}${word ? ' ' + word : ''}`, right: a.help });
  }
  const width = Math.max(...rows.map((r) => r.left.length));
  return rows.map((r) => `${r.left.padEnd(width)}   ${r.right}\n`).join('');
}

function goUsages(table: FlagTable): string {
  let out = '';
  for (const spec of table.specs) {
    const word = typeWord(spec);
    out += `  -${spec.name}${word ? ' ' + word : ''}\n    \t${spec.help}${suffix(table, spec)}\n`;
    for (const a of aliasLines(table, spec)) out += `  -${a.name}${word ? ' ' + word : ''}\n    \t${a.help}\n`;
  }
  return out;
}
