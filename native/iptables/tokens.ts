/**
 * Rule arguments <-> the text form iptables-save writes and iptables-restore
 * reads. The tools quote an argument with double quotes when it holds spaces
 * or quotes, and escape `"` and `\` inside with a backslash (checked against
 * iptables 1.8.9, legacy and nft: a comment `q"uo\te sp` saves as
 * `"q\"uo\\te sp"` and restores to the same bytes).
 */
import { IptablesError } from './types.js';

/** Needs quoting: empty, or holds whitespace, a quote or a backslash. A char loop: hot in big syncs. */
function needsQuotes(arg: string): boolean {
  if (arg.length === 0) return true;
  for (let i = 0; i < arg.length; i++) {
    const c = arg.charCodeAt(i);
    // space, \t \n \v \f \r, ", ', backslash
    if (c === 32 || (c >= 9 && c <= 13) || c === 34 || c === 39 || c === 92) return true;
  }
  return false;
}

/** One argument as restore input: bare when safe, else double-quoted with escapes. */
export function quoteArg(arg: string): string {
  if (!needsQuotes(arg)) return arg;
  return `"${arg.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function joinArgs(args: readonly string[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out += ' ';
    out += quoteArg(args[i]);
  }
  return out;
}

/**
 * Splits a rule line into arguments, undoing the quoting above. Throws
 * `ParseError` on an unterminated quote. (A plain character loop: measured
 * about twice as fast as a regex tokenizer here.)
 */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  // Fast path: rules without quotes (only comments with spaces need them).
  if (!line.includes('"')) {
    for (const w of line.split(/[ \t]+/)) if (w !== '') out.push(w);
    return out;
  }
  let cur = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) {
        cur += line[++i];
      } else if (c === '"') {
        quoted = false;
      } else {
        cur += c;
      }
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inArg) {
        out.push(cur);
        cur = '';
        inArg = false;
      }
      continue;
    }
    inArg = true;
    if (c === '"') quoted = true;
    else cur += c;
  }
  if (quoted) throw new IptablesError('ParseError', `unterminated quote in ${JSON.stringify(line)}`);
  if (inArg) out.push(cur);
  return out;
}
