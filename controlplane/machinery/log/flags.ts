/**
 * The start-up flag dump (upstream: `FLAG: --name="value"` at --v=1) and the
 * redaction that keeps secret flag values out of every log.
 */
import type { ParsedFlags } from '../flags/parsed.js';
import { formatFlagValue } from '../flags/values.js';
import type { Logger } from './logger.js';

export const REDACTED = '<redacted>';

/** Every flag's effective value as text, with values of `secret` flags replaced by `<redacted>`. */
export function redact(flags: ParsedFlags): { name: string; value: string }[] {
  return flags.entries().map(({ spec, value }) => {
    const text = formatFlagValue(spec.type, value);
    // An unset secret stays visibly empty; a set one never shows.
    return { name: spec.name, value: spec.secret && text !== '' ? REDACTED : text };
  });
}

/** Logs every flag with its effective value at --v=1, sorted by name, like upstream's FLAG: lines. */
export function logFlags(log: Logger, flags: ParsedFlags): void {
  const v1 = log.v(1);
  if (!v1.enabled) return;
  for (const { name, value } of redact(flags)) v1.info(`FLAG: ${flags.table.dashed(name)}=${JSON.stringify(value)}`);
}
